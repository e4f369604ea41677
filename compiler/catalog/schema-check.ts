// Validates the catalog's plain value against catalog.schema.json (ajv, draft 2020-12) and
// turns ajv's errors into diagnostics on the exact YAML key or value, with a fix as the hint.
import type { ErrorObject } from "ajv/dist/2020.js";
import { closest, editDistance } from "../../core/diagnostics.ts";
import schema from "./catalog.schema.json" with { type: "json" };
import type { Reporter } from "./report.ts";
import { definitionOf, validateCatalog } from "./schema-validate.ts";
import type { CatalogLoc } from "../../core/catalog/types.ts";
import { locate, nodeLoc, type Tree } from "./yaml-tree.ts";

/** Reports every schema violation of the catalog; returns whether there were any. */
export function checkSchema(tree: Tree, text: string, reporter: Reporter): boolean {
  const errors = relevant(validateCatalog(tree.value));
  for (const e of errors) {
    if (reporter.full) {
      reporter.drop();
      continue;
    }
    reportOne(e, tree, text, reporter);
  }
  return errors.length > 0;
}

// ajv reports a failed `if` as well as the branch's own errors, a failed `propertyNames` as
// well as the name's own error, and an `enum` or `pattern` error next to a `type` error on
// the same value: keep only the error that says what is wrong.
function relevant(errors: readonly ErrorObject[]): ErrorObject[] {
  const typed = new Set<string>();
  for (const e of errors) if (e.keyword === "type" && e.propertyName === undefined) typed.add(e.instancePath);
  const seen = new Set<string>();
  const out: ErrorObject[] = [];
  for (const e of errors) {
    if (e.keyword === "if" || e.keyword === "propertyNames") continue;
    if (e.keyword !== "type" && e.propertyName === undefined && typed.has(e.instancePath)) continue;
    const id = `${e.instancePath}\u0000${e.propertyName ?? ""}\u0000${e.keyword}\u0000${JSON.stringify(e.params)}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(e);
  }
  return out;
}

function reportOne(e: ErrorObject, tree: Tree, text: string, r: Reporter): void {
  const path = e.instancePath === "" ? [] : e.instancePath.slice(1).split("/").map(unescapePointer);
  const at = locate(tree, path, text);
  const valueLoc = usable(nodeLoc(at.value)) ?? usable(nodeLoc(at.key)) ?? { start: 0, end: 0 };
  const keyLoc = usable(nodeLoc(at.key)) ?? valueLoc;
  const place = placeName(path);
  const params = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as { title?: string; properties?: Record<string, unknown> };
  const def = definitionOf(e.parentSchema);

  if (e.propertyName !== undefined) {
    // A key of a mapping broke the mapping's rule for names.
    const name = e.propertyName;
    const loc = usable(nodeLoc(locate(tree, [...path, name], text).key)) ?? keyLoc;
    const what = nameKind(path);
    const shown = name === "" ? "an empty key" : `\`${name}\``;
    r.report("catalog/invalid-name", `${shown} is not a valid ${what}`, loc, nameHint(name, def));
    return;
  }

  switch (e.keyword) {
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const loc = usable(nodeLoc(locate(tree, [...path, key], text).key)) ?? keyLoc;
      const allowed = Object.keys(parent.properties ?? {});
      r.report("catalog/unknown-key", `unknown key \`${key}\`${path.length ? ` in ${place}` : ""}`, loc, unknownKeyHint(key, allowed, def, path));
      return;
    }
    case "required": {
      const key = String(params.missingProperty);
      const loc = path.length === 0 ? firstKeyLoc(tree) : keyLoc;
      const hints = path[0] === "caps" ? CAP_REQUIRED_HINTS : path[0] === "controller" ? CONTROLLER_REQUIRED_HINTS : REQUIRED_HINTS;
      r.report("catalog/missing-key", `missing key \`${key}\`${path.length ? ` in ${place}` : ""}`, loc, hintFor(hints, key));
      return;
    }
    case "const":
      r.report("catalog/unsupported-version", `catalog version ${show(e.data)} is not supported`, valueLoc, "this compiler reads `version: 1`");
      return;
    case "type": {
      const expected = parent.title ?? typeWord(String(params.type));
      const message = e.data === null ? `${place} has no value; it must be ${expected}` : `${place} must be ${expected}, not ${show(e.data)}`;
      const hint =
        path.length === 1 && path[0] === "controller" && typeof e.data === "string"
          ? `write \`controller: { name: "${e.data}" }\``
          : typeHint(e.data, String(params.type));
      r.report("catalog/invalid-value", message, valueLoc, hint);
      return;
    }
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const value = String(e.data);
      const capPurposes = path[0] === "caps" && path[2] === "purposes" && path.length === 3;
      const hint = capPurposes
        ? (suggest(value, allowed) ?? `to name purposes, write a list: \`[${value}]\``)
        : (suggest(value, allowed) ?? `expected one of ${allowed.map((a) => `\`${a}\``).join(", ")}`);
      r.report("catalog/invalid-value", `\`${value}\` is not ${parent.title ?? "an allowed value"}`, valueLoc, hint);
      return;
    }
    case "pattern": {
      const value = String(e.data);
      if (def === "duration") {
        r.report("catalog/invalid-value", `\`${value}\` is not an ISO 8601 duration`, valueLoc, durationHint(value));
      } else if (def === "capWindow") {
        r.report("catalog/invalid-value", `\`${value}\` is not a cap window`, valueLoc, capWindowHint(value));
      } else {
        r.report("catalog/invalid-name", `\`${value}\` is not ${parent.title ?? "a valid name"}`, valueLoc, nameHint(value, def));
      }
      return;
    }
    case "minItems":
      r.report("catalog/invalid-value", `${place} must not be empty`, valueLoc, hintFor(EMPTY_HINTS, path[path.length - 1] ?? ""));
      return;
    case "minimum":
      r.report(
        "catalog/invalid-value",
        `${place} must be at least ${String(params.limit)}, not ${show(e.data)}`,
        valueLoc,
        hintFor(MINIMUM_HINTS, path[path.length - 1] ?? ""),
      );
      return;
    case "minLength":
      r.report("catalog/invalid-value", `${place} must not be empty text`, valueLoc);
      return;
    case "minProperties":
      r.report(
        "catalog/invalid-value",
        `the record in ${place} has no members`,
        valueLoc,
        "list the members and their types, such as `{ at: datetime, channel: string }`",
      );
      return;
    default:
      // A keyword this mapping does not know yet: still a located error, in ajv's words.
      r.report("catalog/invalid-value", `${place} ${e.message ?? "is invalid"}`, valueLoc);
  }
}

/** A hint by key, own entries only: a key such as `constructor` has none. */
function hintFor(hints: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(hints, key) ? hints[key] : undefined;
}

const REQUIRED_HINTS: Record<string, string> = {
  version: "add `version: 1` as the first line",
  key: "add `key:` with the name of the identifier records are looked up by, such as `key: customer_id`",
  fields: "add `fields:` with the entity's fields, such as `fields: { status: { type: string } }`",
  type: "add a `type`, such as `type: string` (see docs/catalog.md for the types)",
  binds: "add `binds:` with the entities the event carries, such as `binds: [customer]`",
  bases: "add `bases:` with the purpose's lawful bases, such as `bases: [consent]`",
  channels: "add `channels:` with the channels its actions may use, such as `channels: [email]`",
  channel: "add the channel the action uses, such as `channel: email`",
  percent: 'add the share of subjects held out of every journey, such as `control_group: { percent: 5, salt: "2026" }`',
};

const CONTROLLER_REQUIRED_HINTS: Record<string, string> = {
  name: "add the controller's legal name, such as `name: Example Insurance AG`",
};

const CAP_REQUIRED_HINTS: Record<string, string> = {
  channel: "add the channel the cap counts, such as `channel: email`",
  max: "add how many actions the window may hold, such as `max: 3`",
  per: "add the rolling window, such as `per: 7d`",
};

const MINIMUM_HINTS: Record<string, string> = {
  max: "a cap allows at least one action per window; to stop a channel for a purpose, remove the channel from the purpose's `channels`",
};

const EMPTY_HINTS: Record<string, string> = {
  purposes: "list at least one purpose, or write `marketing` or `all`",
  binds: "list the entities the event carries, such as `[customer]`",
  bases: "list at least one lawful basis, such as `[consent]`",
  channels: "list at least one channel, such as `[email]`",
  values: "list the enum's values, such as `[active, lapsed]`",
};

const TYPE_NAMES: ReadonlySet<string> = new Set(schema.$defs.typeName.enum);
const FIELD_TAGS = new Set(["pii", "labels", "lineage", "residency", "retention", "freshness", "optional", "reason_allowed"]);

function unknownKeyHint(key: string, allowed: readonly string[], def: string, path: readonly string[]): string {
  if (key === "<<") return "YAML merge keys are not supported in the catalog: write the keys out, or alias a whole value (`values: *statuses`)";
  if (def === "typeSpec" && FIELD_TAGS.has(key)) {
    return `\`${key}\` is a tag of a whole entity field; a list element, record member, payload field or parameter has only \`type\`, \`values\` and \`of\``;
  }
  if (def === "typeSpec" && path[path.length - 1] === "of" && !TYPE_KEYS.has(key)) {
    return "a mapping with a `type` key is the element type (`type`, `values`, `of`); for a record with a member named `type`, write `type: { type: string }`";
  }
  return suggest(key, allowed) ?? `allowed keys here: ${allowed.map((a) => `\`${a}\``).join(", ")}`;
}

// "did you mean" for keys and values of the format: like the shared `didYouMean`, but a one-
// or two-letter word is not "close" to a key it shares nothing with (`at` is not `of`).
function suggest(word: string, candidates: readonly string[]): string | undefined {
  const prefixed = word.length >= 2 ? candidates.filter((c) => c.startsWith(word)).sort((a, b) => a.length - b.length)[0] : undefined;
  const c = prefixed ?? closest(word, candidates);
  if (c === undefined) return undefined;
  return c.startsWith(word) || editDistance(word, c) < Math.max(word.length, 2) ? `did you mean \`${c}\`?` : undefined;
}

function nameHint(name: string, def: string): string {
  if (name === "<<") return "YAML merge keys are not supported in the catalog: write the entries out";
  const fixed = name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, "_");
  if (def === "fieldPath") {
    const dotted = name.trim().replace(/\s+/g, "").toLowerCase();
    return /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/.test(dotted) && dotted !== name
      ? `did you mean \`${dotted}\`? write a field as \`entity.field\`, such as \`customer.email\``
      : "write a field as `entity.field`, such as `customer.email`";
  }
  if (def === "system") {
    const first = name.split(".")[0]!.trim().toLowerCase();
    if (name.includes(".") && /^[a-z][a-z0-9_]*$/.test(first)) return `did you mean \`${first}\`? a system is the first segment of a \`lineage\` only`;
  }
  const rule =
    def === "eventName"
      ? { re: /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, text: "event names are lowercase names joined by dots, such as `claim.filed`" }
      : def === "region"
        ? { re: /^[a-z][a-z0-9_-]*$/, text: "region tags use lowercase letters, digits, `_` and `-`, starting with a letter" }
        : { re: /^[a-z][a-z0-9_]*$/, text: "names use lowercase letters, digits and `_`, starting with a letter" };
  return rule.re.test(fixed) && fixed !== name ? `did you mean \`${fixed}\`? ${rule.text}` : rule.text;
}

function durationHint(value: string): string {
  const m = /^\s*(\d+)\s*([a-zA-Z])\s*$/.exec(value);
  if (m) {
    const unit = m[2]!.toLowerCase();
    const iso = unit === "h" || unit === "m" || unit === "s" ? `PT${m[1]}${unit.toUpperCase()}` : `P${m[1]}${unit.toUpperCase()}`;
    if (/^P(T?)\d+[YMWDHS]$/.test(iso)) return `did you mean \`${iso}\`? catalog durations are ISO 8601`;
  }
  if (/^p/.test(value) && /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/.test(value.toUpperCase())) {
    return `did you mean \`${value.toUpperCase()}\`?`;
  }
  return "write durations like `P10Y` (10 years), `P30D` (30 days), `P2W` (2 weeks) or `PT5M` (5 minutes)";
}

function capWindowHint(value: string): string {
  const iso = /^P(?:(\d+)W|(\d+)D|T(\d+)H|T(\d+)M|T(\d+)S)$/i.exec(value.trim());
  if (iso) {
    const [, w, d, h, m, sec] = iso;
    const fixed = w ? `${w}w` : d ? `${d}d` : h ? `${h}h` : m ? `${m}m` : `${sec}s`;
    if (/^[1-9]/.test(fixed)) return `did you mean \`${fixed}\`? a cap window is written like a journey's \`cap N per ${fixed}\``;
  }
  const spaced = /^\s*([1-9]\d*)\s*(weeks?|w|days?|d|hours?|h|minutes?|mins?|m|seconds?|secs?|s)\s*$/.exec(value);
  if (spaced) return `did you mean \`${spaced[1]}${spaced[2]!.charAt(0)}\`? a cap window is written like a journey's \`cap N per 7d\``;
  return "write a whole number of at least 1 and a unit, as in a journey's `cap N per 7d`: `7d` (days), `24h` (hours), `2w` (weeks), `30m` (minutes)";
}

function typeHint(data: unknown, expected: string): string | undefined {
  if (expected === "boolean" && typeof data === "string" && /^(yes|no|on|off|y|n)$/i.test(data)) {
    return `YAML 1.2 reads \`${data}\` as text: write \`true\` or \`false\``;
  }
  if (expected === "string" && (typeof data === "number" || typeof data === "boolean")) {
    return `quote it to make it text: \`"${String(data)}"\``;
  }
  if (expected === "array" && typeof data === "string") return `write a list: \`[${data}]\``;
  if (expected === "object" && typeof data === "string" && TYPE_NAMES.has(data)) return `write \`{ type: ${data} }\``;
  return undefined;
}

function typeWord(type: string): string {
  switch (type) {
    case "object":
      return "a mapping";
    case "array":
      return "a list";
    case "boolean":
      return "`true` or `false`";
    case "integer":
      return "a whole number";
    case "string":
      return "text";
    default:
      return `a ${type}`;
  }
}

function show(data: unknown): string {
  if (data === null || data === undefined) return "empty";
  if (Array.isArray(data)) return "a list";
  if (typeof data === "object") return "a mapping";
  const s = String(data);
  return `\`${s.length > 40 ? s.slice(0, 40) + "…" : s}\``;
}

// A person's name for the value at a JSON path: "field `customer.email`", "`pii` of field
// `customer.email`", "item 2 of `binds` of event `daily`".
function placeName(path: readonly string[]): string {
  const [top, name] = path;
  if (top === undefined) return "the catalog";
  if (name === undefined) return `\`${top}\``;
  const owners: Record<string, string> = { entities: "entity", events: "event", purposes: "purpose", actions: "action", caps: "cap" };
  const owner = Object.hasOwn(owners, top) ? owners[top] : undefined;
  let desc = top === "transfers" ? `the transfers of \`${name}\`` : owner ? `${owner} \`${name}\`` : `\`${name}\` of \`${top}\``;
  for (let j = 2; j < path.length; j++) {
    const seg = path[j]!;
    const next = path[j + 1];
    if (j === 2 && next !== undefined && seg === "fields" && top === "entities") {
      desc = `field \`${name}.${next}\``;
      j++;
    } else if (j === 2 && next !== undefined && seg === "fields" && top === "events") {
      desc = `payload field \`${next}\` of ${desc}`;
      j++;
    } else if (j === 2 && next !== undefined && seg === "params" && top === "actions") {
      desc = `parameter \`${next}\` of ${desc}`;
      j++;
    } else if (seg === "of" && next !== undefined && !TYPE_KEYS.has(next) && !/^\d+$/.test(next)) {
      desc = `member \`${next}\` of ${desc}`;
      j++;
    } else if (/^\d+$/.test(seg)) {
      desc = `item ${Number(seg) + 1} of ${desc}`;
    } else {
      desc = `\`${seg}\` of ${desc}`;
    }
  }
  return desc;
}

const TYPE_KEYS = new Set(["type", "values", "of"]);

// What kind of name the keys of the mapping at `path` are.
function nameKind(path: readonly string[]): string {
  const last = path[path.length - 1];
  if (path.length === 1) {
    return last === "entities"
      ? "entity name"
      : last === "events"
        ? "event name"
        : last === "purposes"
          ? "purpose name"
          : last === "actions"
            ? "action name"
            : last === "transfers"
              ? "region tag"
              : last === "caps"
                ? "cap name"
                : "name";
  }
  if (last === "fields") return path[0] === "events" ? "payload field name" : "field name";
  if (last === "params") return "parameter name";
  if (last === "of") return "record member name";
  return "name";
}

function firstKeyLoc(tree: Tree): CatalogLoc {
  const root = tree.deref(tree.root) as { items?: { key?: unknown }[] } | null;
  const first = root?.items?.[0]?.key;
  return usable(nodeLoc(first)) ?? { start: 0, end: 0 };
}

function usable(loc: CatalogLoc): CatalogLoc | undefined {
  return loc.end > loc.start ? loc : undefined;
}

function unescapePointer(seg: string): string {
  return seg.replace(/~1/g, "/").replace(/~0/g, "~");
}
