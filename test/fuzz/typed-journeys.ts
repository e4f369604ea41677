// Well-typed journeys for a catalog: fast-check generators that read the catalog's real fields
// (respecting event binding, purpose limitation, optional-field guards, PII in reasons) so that
// most generated files pass `check` and go on to codegen and decide. The journey-arbitrary of the
// formatter tests (test/formatter/journey-arbitrary.ts) covers the grammar; this covers programs.
//
// `template(depth, holes)` gives boolean expressions with placeholders for the blow-up families:
// `c1 = T(c0, c0)`, `c2 = T(c1, c1)`, … must cost linear, not exponential, text.
import fc from "fast-check";
import { lineageSystem } from "../../core/catalog/lineage.ts";
import type { Catalog, EventDef, FieldDef, FieldType, PurposeDef } from "../../core/catalog/types.ts";

type Kind = "bool" | "int" | "decimal" | "string" | "enum" | "date" | "datetime" | "duration";

/** A readable value in scope: a path and its kind (`enum` with its values). */
interface Readable {
  readonly text: string;
  readonly kind: Kind;
  readonly values?: readonly string[];
  /** An optional field: must be guarded by `is set`. */
  readonly optional?: boolean;
}

/** A list field of records: quantifiers range over it, members are `i.<name>`. */
interface ListField {
  readonly text: string;
  readonly members: readonly { readonly name: string; readonly kind: Kind; readonly values?: readonly string[] }[];
}

/** What one journey may read: its trigger's bound entities (minus the purpose's forbidden labels) and event fields. */
export interface Scope {
  readonly event: string;
  readonly purpose: string;
  readonly action: { readonly name: string; readonly params: readonly { readonly name: string; readonly kind: Kind; readonly values?: readonly string[] }[] };
  readonly timers: boolean;
  /** `quiet` is possible: the trigger binds `customer`, which has a `timezone`. */
  readonly quiet: boolean;
  readonly readables: readonly Readable[];
  readonly lists: readonly ListField[];
  /** Non-PII readables: what a `reason` may interpolate. */
  readonly quotable: readonly Readable[];
  /** Named conditions usable here (their bodies only read fields every trigger binds). */
  readonly conditions: readonly string[];
}

function kindOf(t: FieldType): { kind: Kind; values?: readonly string[] } | undefined {
  if (t.kind === "enum") return { kind: "enum", values: t.values };
  if (t.kind === "scalar") return { kind: t.name };
  return undefined;
}

function allowed(f: FieldDef, p: PurposeDef): boolean {
  if (f.labels.some((l) => p.forbids.includes(l))) return false;
  if (f.pii === "sensitive" && !f.labels.some((l) => p.allows.includes(l))) return false;
  // The governance checks (compiler/checker/governance.ts): marketing reads direct or sensitive
  // data only with an allowance, and a purpose's `systems` allow-list covers every read.
  if (p.marketing && (f.pii === "direct" || f.pii === "sensitive") && !(p.pii ?? []).includes(f.path)) return false;
  if (p.systems && (f.lineage === undefined || !p.systems.includes(lineageSystem(f.lineage)))) return false;
  return true;
}

/** The scopes a catalog offers: each event × purpose with an action on one of its channels. */
export function scopesOf(catalog: Catalog): Scope[] {
  const out: Scope[] = [];
  for (const ev of catalog.events.values()) {
    for (const p of catalog.purposes.values()) {
      const action = [...catalog.actions.values()].find((a) => p.channels.includes(a.channel));
      if (!action) continue;
      const params = [...action.params.values()].flatMap((x) => {
        const k = kindOf(x.type);
        return k ? [{ name: x.name, ...k }] : [];
      });
      if (params.length !== action.params.size) continue;
      out.push(scope(catalog, ev, p, { name: action.name, params }));
    }
  }
  return out;
}

function scope(catalog: Catalog, ev: EventDef, p: PurposeDef, action: Scope["action"]): Scope {
  const readables: Readable[] = [{ text: "now", kind: "datetime" }];
  const quotable: Readable[] = [{ text: "now", kind: "datetime" }];
  const lists: ListField[] = [];
  for (const name of ev.binds) {
    const entity = catalog.entities.get(name);
    if (!entity) continue;
    for (const f of entity.fields.values()) {
      if (!allowed(f, p)) continue;
      if (f.type.kind === "list") {
        const el = f.type.of;
        if (el.kind !== "record" || f.optional) continue;
        const members = [...el.members].flatMap(([n, t]) => {
          const k = kindOf(t);
          return k ? [{ name: n, ...k }] : [];
        });
        if (members.length > 0) lists.push({ text: f.path, members });
        continue;
      }
      const k = kindOf(f.type);
      if (!k) continue;
      const r: Readable = { text: f.path, ...k, ...(f.optional ? { optional: true } : {}) };
      readables.push(r);
      if (f.pii === "none" && !f.optional) quotable.push(r);
    }
  }
  for (const [n, t] of ev.fields) {
    const k = kindOf(t);
    if (k) readables.push({ text: `event.${n}`, ...k });
  }
  const timezone = catalog.entities.get("customer")?.fields.get("timezone");
  const quiet = ev.binds.includes("customer") && timezone?.type.kind === "scalar" && allowed(timezone, p);
  return { event: ev.name, purpose: p.name, action, timers: !ev.schedule, quiet, readables, lists, quotable, conditions: [] };
}

// ---------------------------------------------------------------------------------------------
// Expressions

const INT_LITS = fc.oneof(fc.integer({ min: -5, max: 400 }), fc.constantFrom(0, 1, 2, 7, 30, 90, 365, 2_147_483_647, 9_007_199_254_740_991));
// Ordinary values, and the largest the language accepts (10,000 years; years 0000–9999).
const DUR_LITS = fc.constantFrom("1s", "30m", "12h", "1d", "3d", "7d", "30d", "90d", "2w", "365d", "1000d", "3652425d", "521775w");
const DATE_LITS = fc.constantFrom("2026-05-30", "2024-02-29", "1970-01-01", "2099-12-31", "2026-01-01", "0000-01-01", "9999-12-31");
const DATETIME_LITS = fc.constantFrom(
  "2026-05-30T09:00:00Z",
  "2026-05-30T09:00+02:00",
  "2026-01-01T00:00:00.250Z",
  "1999-12-31T23:59:59Z",
  "9999-12-31T23:59:59.999-23:59",
  "0000-01-01T00:00:00+23:59",
);
const STRING_LITS = fc.constantFrom('""', '"x"', '"utc"', '"Europe/Berlin"', '"@"', '"\\u00e9"', '"a\\"b"');

const paren = (s: string) => `(${s})`;

function pick<T>(xs: readonly T[]): fc.Arbitrary<T> | undefined {
  return xs.length === 0 ? undefined : fc.constantFrom(...xs);
}

/** A value of `kind` read from scope (optional reads come guarded, as booleans only). */
function leaf(s: Scope, kind: Kind, vars: readonly { name: string; list: ListField }[]): fc.Arbitrary<string>[] {
  const out: fc.Arbitrary<string>[] = [];
  const fields = s.readables.filter((r) => r.kind === kind && !r.optional);
  const f = pick(fields.map((r) => r.text));
  if (f) out.push(f);
  for (const v of vars) {
    const ms = v.list.members.filter((m) => m.kind === kind).map((m) => `${v.name}.${m.name}`);
    const m = pick(ms);
    if (m) out.push(m);
  }
  return out;
}

/** Expressions of one kind, at most `depth` deep. */
export function expr(
  s: Scope,
  kind: Kind,
  depth: number,
  vars: readonly { name: string; list: ListField }[] = [],
  holes: readonly string[] = [],
): fc.Arbitrary<string> {
  const sub = (k: Kind) => expr(s, k, depth - 1, vars, holes);
  const options: fc.Arbitrary<string>[] = [...leaf(s, kind, vars)];
  switch (kind) {
    case "bool": {
      options.push(fc.constantFrom("true", "false"));
      if (holes.length > 0) options.push(fc.constantFrom(...holes), fc.constantFrom(...holes));
      if (s.conditions.length > 0) options.push(fc.constantFrom(...s.conditions));
      for (const r of s.readables.filter((x) => x.optional)) {
        options.push(fc.constant(`${r.text} is set`));
        if (r.kind === "int" || r.kind === "decimal")
          options.push(INT_LITS.chain((k) => fc.constantFrom(`(${r.text} is set and ${r.text} >= ${k})`, `(${r.text} is not set or ${r.text} < ${k})`)));
        if (r.kind === "datetime") options.push(fc.constant(`(${r.text} is set and hours_since(${r.text}) < 48)`));
      }
      for (const r of s.readables.filter((x) => x.kind === "enum" && !x.optional && x.values && x.values.length > 0)) {
        options.push(fc.constantFrom(...r.values!).map((v) => `${r.text} == ${JSON.stringify(v)}`));
        options.push(fc.subarray([...r.values!], { minLength: 1 }).map((vs) => `${r.text} in [${vs.map((v) => JSON.stringify(v)).join(", ")}]`));
      }
      if (depth <= 0) break;
      const cmp = fc.constantFrom("==", "!=", "<", "<=", ">", ">=");
      options.push(
        fc.tuple(sub("int"), cmp, sub("int")).map(([a, op, b]) => `${a} ${op} ${b}`),
        fc.tuple(sub("decimal"), cmp, sub("int")).map(([a, op, b]) => `${a} ${op} ${b}`),
        fc.tuple(sub("date"), cmp, sub("date")).map(([a, op, b]) => `${a} ${op} ${b}`),
        fc.tuple(sub("datetime"), cmp, sub("datetime")).map(([a, op, b]) => `${a} ${op} ${b}`),
        fc.tuple(sub("duration"), cmp, sub("duration")).map(([a, op, b]) => `${a} ${op} ${b}`),
        fc.tuple(sub("string"), fc.constantFrom("==", "!="), sub("string")).map(([a, op, b]) => `${a} ${op} ${b}`),
        fc.tuple(sub("bool"), fc.constantFrom("and", "or"), sub("bool")).map(([a, op, b]) => `${paren(a)} ${op} ${paren(b)}`),
        sub("bool").map((a) => `not ${paren(a)}`),
        fc.tuple(sub("string"), sub("string")).map(([a, b]) => `contains(${a}, ${b})`),
        fc.tuple(sub("int"), fc.array(INT_LITS, { minLength: 1, maxLength: 4 })).map(([a, xs]) => `${a} in [${xs.join(", ")}]`),
      );
      for (const l of s.lists) {
        const v = `v${vars.length}`;
        const inner = expr(s, "bool", depth - 1, [...vars, { name: v, list: l }], holes);
        options.push(fc.tuple(fc.constantFrom("any", "all"), inner).map(([q, b]) => `(${q} ${v} in ${l.text}: ${b})`));
      }
      break;
    }
    case "int":
      options.push(INT_LITS.map(String));
      for (const l of s.lists) options.push(fc.constant(`count(${l.text})`));
      if (depth <= 0) break;
      options.push(
        fc.tuple(sub("int"), fc.constantFrom("+", "-", "*"), sub("int")).map(([a, op, b]) => `${paren(a)} ${op} ${paren(b)}`),
        sub("int").map((a) => `-${paren(a)}`),
        fc.tuple(fc.constantFrom("days_until", "days_since"), fc.oneof(sub("date"), sub("datetime"))).map(([f, a]) => `${f}(${a})`),
        sub("datetime").map((a) => `hours_since(${a})`),
      );
      for (const l of s.lists) {
        const v = `v${vars.length}`;
        options.push(expr(s, "bool", depth - 1, [...vars, { name: v, list: l }], holes).map((b) => `(count ${v} in ${l.text}: ${b})`));
      }
      break;
    case "decimal":
      options.push(fc.constantFrom("0.5", "1.25", "1000.0", "0.001", "99999.99"));
      if (depth <= 0) break;
      options.push(
        fc.tuple(sub("int"), fc.integer({ min: 1, max: 9 })).map(([a, b]) => `${paren(a)} / ${b}`),
        fc.tuple(sub("decimal"), fc.constantFrom("+", "-", "*"), sub("int")).map(([a, op, b]) => `${paren(a)} ${op} ${paren(b)}`),
      );
      break;
    case "string":
      options.push(STRING_LITS);
      if (depth > 0) options.push(sub("string").map((a) => `lower(${a})`));
      break;
    case "date":
      options.push(DATE_LITS);
      if (depth > 0) options.push(fc.tuple(sub("date"), fc.constantFrom("+", "-"), DUR_LITS).map(([a, op, d]) => `${paren(a)} ${op} ${d}`));
      break;
    case "datetime":
      options.push(DATETIME_LITS, fc.constant("now"));
      if (depth > 0) options.push(fc.tuple(sub("datetime"), fc.constantFrom("+", "-"), sub("duration")).map(([a, op, d]) => `${paren(a)} ${op} ${paren(d)}`));
      break;
    case "duration":
      options.push(DUR_LITS);
      if (depth > 0) {
        options.push(
          fc.tuple(sub("duration"), fc.constantFrom("+", "-"), sub("duration")).map(([a, op, b]) => `${paren(a)} ${op} ${paren(b)}`),
          fc.tuple(sub("datetime"), sub("datetime")).map(([a, b]) => `${paren(a)} - ${paren(b)}`),
        );
      }
      break;
    case "enum":
      break;
  }
  return options.length > 0 ? fc.oneof(...options) : fc.constant(kind === "bool" ? "true" : "0");
}

/** A literal for an action parameter of that kind. */
function paramValue(p: Scope["action"]["params"][number]): fc.Arbitrary<string> {
  switch (p.kind) {
    case "string":
      return fc.constantFrom('"t"', '"renewal-d90"', '"x\\ny"');
    case "int":
      return INT_LITS.map(String);
    case "bool":
      return fc.constantFrom("true", "false");
    case "enum":
      return fc.constantFrom(...(p.values ?? ['"x"'])).map((v) => JSON.stringify(v));
    default:
      return fc.constant('"t"');
  }
}

/** A reason template interpolating non-PII values. */
function reason(s: Scope): fc.Arbitrary<string> {
  const kinds: Kind[] = ["int", "date", "datetime", "duration", "decimal"];
  const part = fc.oneof(
    fc.constantFrom("We noticed ", " days", " {{braces}} ", "é ", ""),
    fc
      .constantFrom(...kinds)
      .chain((k) => expr({ ...s, readables: s.quotable, lists: [] }, k, 1))
      .map((e) => `{${e}}`),
  );
  return fc.array(part, { maxLength: 4 }).map((parts) => `"${parts.join("")}"`);
}

/** One journey in a scope, with some of the optional clauses. */
export function journey(s: Scope, id: string, depth = 3): fc.Arbitrary<string> {
  const clauses = fc.record(
    {
      title: fc.constantFrom('"A title"', '"Ünïcode \\"quoted\\""'),
      risk: fc.constantFrom("low", "medium", "high"),
      priority: fc.integer({ min: -100, max: 100 }),
      timers: s.timers ? fc.subarray(["3d", "7d", "12h", "2w"], { minLength: 1 }) : fc.constant([] as string[]),
      cap: fc.tuple(fc.integer({ min: 1, max: 5 }), DUR_LITS),
      quiet: fc.constantFrom("21:00 .. 08:00", "00:00 .. 23:59", "08:00 .. 09:00"),
      holdout: fc.constantFrom("10%", "0%", "100%", "2.5%", '50% salt "s"'),
      reason: reason(s),
    },
    { requiredKeys: [] },
  );
  const params = fc.tuple(...s.action.params.map((p) => paramValue(p).map((v) => `${p.name}: ${v}`)));
  return fc.tuple(expr(s, "bool", depth), clauses, params).map(([when, c, ps]) => {
    const lines = [`journey ${id} {`];
    if (c.title) lines.push(`  title ${c.title}`);
    lines.push(`  purpose ${s.purpose}`);
    if (c.risk) lines.push(`  risk ${c.risk}`);
    if (c.priority !== undefined) lines.push(`  priority ${c.priority}`);
    lines.push(`  on ${s.event}${c.timers && c.timers.length > 0 ? ` after ${c.timers.join(", ")}` : ""}`);
    lines.push(`  when ${when}`);
    lines.push(`  do ${s.action.name}(${ps.join(", ")})`);
    if (c.cap) lines.push(`  cap ${c.cap[0]} per ${c.cap[1]}`);
    if (c.quiet && s.quiet) lines.push(`  quiet ${c.quiet}`);
    if (c.holdout) lines.push(`  holdout ${c.holdout}`);
    if (c.risk === "high" || (c.risk !== undefined && c.priority !== undefined && c.priority % 2 === 0)) lines.push("  review required");
    if (c.reason) lines.push(`  reason ${c.reason}`);
    lines.push("}");
    return lines.join("\n") + "\n";
  });
}

/** A file of 1–4 journeys over the catalog's scopes, with 0–2 named conditions over `customer`. */
export function journeyFile(catalog: Catalog, depth = 3): fc.Arbitrary<string> {
  const scopes = scopesOf(catalog).filter((s) => s.readables.length > 1);
  if (scopes.length === 0) return fc.constant("");
  const shared = scopes.find((s) => catalog.events.get(s.event)?.binds.length === 1) ?? scopes[0]!;
  const customerOnly: Scope = { ...shared, readables: shared.readables.filter((r) => !r.text.startsWith("event.")), lists: shared.lists };
  const conditions = fc.array(expr(customerOnly, "bool", 2), { maxLength: 2 });
  // A condition's reads count under the purpose of each journey that uses it.
  const fieldOf = (path: string) => catalog.entities.get(path.split(".")[0]!)?.fields.get(path.split(".")[1] ?? "");
  const readable = (path: string, p: PurposeDef | undefined) => path === "now" || (p !== undefined && allowed(fieldOf(path)!, p));
  const usableUnder = (s: Scope) => {
    const p = catalog.purposes.get(s.purpose);
    return customerOnly.readables.every((r) => readable(r.text, p)) && customerOnly.lists.every((l) => readable(l.text, p));
  };
  return conditions.chain((conds) => {
    const names = conds.map((_, i) => `cond_${i}`);
    const everywhere = (s: Scope): Scope =>
      (shared.event === s.event || sharesBinding(catalog, shared.event, s.event)) && usableUnder(s) ? { ...s, conditions: names } : s;
    return fc
      .array(fc.constantFrom(...scopes), { minLength: 1, maxLength: 4 })
      .chain((ss) =>
        fc
          .tuple(...ss.map((s, i) => journey(everywhere(s), `j${i}`, depth)))
          .map((js) => [...conds.map((c, i) => `condition ${names[i]} = ${c}\n`), ...js].join("\n")),
      );
  });
}

/** Whether every entity `a` binds is bound by `b` too (so a condition over `a`'s scope is usable under `b`). */
function sharesBinding(catalog: Catalog, a: string, b: string): boolean {
  const ea = catalog.events.get(a)?.binds ?? [];
  const eb = catalog.events.get(b)?.binds ?? [];
  return ea.every((x) => eb.includes(x));
}

/** The scope named conditions are written in: fields of an entity every trigger binds (`customer`), no event fields. */
function conditionScope(catalog: Catalog): Scope | undefined {
  const scopes = scopesOf(catalog);
  const s = scopes.find((x) => catalog.events.get(x.event)?.binds.length === 1) ?? scopes[0];
  return s && { ...s, readables: s.readables.filter((r) => !r.text.startsWith("event.")) };
}

/**
 * `T(h)`: a boolean expression that uses `h` at least twice (once on each side of `and`/`or`),
 * for the sharing families `c1 = T(c0)`, `c2 = T(c1)`, …, whose cost must stay linear.
 */
export function template(catalog: Catalog, hole: string, depth = 1): fc.Arbitrary<string> {
  const s = conditionScope(catalog);
  if (!s) return fc.constant(`${hole} and ${hole}`);
  const x = expr(s, "bool", depth);
  const side = fc.oneof(
    fc.constant(hole),
    fc.constant(`not (${hole})`),
    x.map((e) => `(${hole} and (${e}))`),
    x.map((e) => `((${e}) or ${hole})`),
    ...s.lists.map((l) => x.map((_e) => `(${hole} and (any v9 in ${l.text}: ${hole}))`)),
  );
  return fc.tuple(side, fc.constantFrom("and", "or"), side).map(([a, op, b]) => `${a} ${op} ${b}`);
}

/** A base condition for the families: any boolean over the condition scope. */
export function baseCondition(catalog: Catalog): fc.Arbitrary<string> {
  const s = conditionScope(catalog);
  return s ? expr(s, "bool", 1) : fc.constant("true");
}
