// Builds the typed Catalog from the YAML tree. Tolerant by design: whatever the schema check
// already reported is skipped or defaulted here, without a second diagnostic, so a catalog
// with mistakes still yields the best model it can. Reports the rules a schema cannot express
// locally: types missing their `values`/`of`, repeated items, keys that do not apply.
import { isMap, isScalar, isSeq } from "yaml";
import schema from "./catalog.schema.json" with { type: "json" };
import type { Reporter } from "./report.ts";
import {
  LAWFUL_BASES,
  type ActionDef,
  type ActionParamDef,
  type Catalog,
  type CatalogLoc,
  type ChannelCapDef,
  type ControllerDef,
  type EntityDef,
  type EventDef,
  type FieldDef,
  type FieldType,
  type LawfulBasis,
  type ListElement,
  type PiiClass,
  type PurposeDef,
  type ScalarTypeName,
  type ValueDef,
} from "../../core/catalog/types.ts";
import { parseDurationLiteral } from "../../core/literals.ts";
import { entries, items, nodeLoc, type Entry, type Node, type Tree } from "./yaml-tree.ts";
import { buildValue } from "./value.ts";

/** Entity names the language itself uses as the first part of a path. */
export const RESERVED_ENTITY_NAMES: readonly string[] = ["event", "now", "true", "false"];

const NAME = new RegExp(schema.$defs.name.pattern);
const EVENT_NAME = new RegExp(schema.$defs.eventName.pattern);
const REGION = new RegExp(schema.$defs.region.pattern);
const DURATION = new RegExp(schema.$defs.duration.pattern);
const CAP_WINDOW = new RegExp(schema.$defs.capWindow.pattern);
const SYSTEM = new RegExp(schema.$defs.system.pattern);
const FIELD_PATH = new RegExp(schema.$defs.fieldPath.pattern);
const TYPE_NAMES: ReadonlySet<string> = new Set(schema.$defs.typeName.enum);
const PII: ReadonlySet<string> = new Set(["none", "identifier", "direct", "sensitive"]);

/** A name used somewhere in the catalog, with where, for the cross-reference checks. */
export interface NameRef {
  readonly owner: string;
  readonly name: string;
  readonly loc: CatalogLoc;
}

export interface References {
  /** Entities named in events' `binds`. */
  readonly binds: NameRef[];
  readonly forbids: NameRef[];
  readonly allows: NameRef[];
  /** Channels named in purposes' `channels`. */
  readonly channels: NameRef[];
  /** The channel of each channel cap (owner: the cap). */
  readonly capChannels: NameRef[];
  /** Purposes listed by channel caps' `purposes` (owner: the cap). */
  readonly capPurposes: NameRef[];
  /** Source systems named in purposes' `systems` (owner: the purpose). */
  readonly systems: NameRef[];
  /** Field paths named in purposes' `pii` allowance (owner: the purpose). */
  readonly piiAllowances: NameRef[];
  /** Channels given a cost under `value: costs` (owner: `costs`). */
  readonly costChannels: NameRef[];
}

export function buildCatalog(tree: Tree, text: string, fileName: string, r: Reporter): { catalog: Catalog; refs: References } {
  const b = new Builder(tree, text, r);
  const top = entries(tree, tree.root, text);
  const version = scalar(top.get("version")?.value);
  const refs: References = {
    binds: [],
    forbids: [],
    allows: [],
    channels: [],
    capChannels: [],
    capPurposes: [],
    systems: [],
    piiAllowances: [],
    costChannels: [],
  };
  const controller = b.controller(top.get("controller"));
  const catalog: Catalog = {
    version: typeof version === "number" ? version : 1,
    ...(controller ? { controller } : {}),
    file: fileName,
    entities: b.entities(top.get("entities")),
    events: b.events(top.get("events"), refs),
    purposes: b.purposes(top.get("purposes"), refs),
    actions: b.actions(top.get("actions")),
    transfers: b.transfers(top.get("transfers")),
    caps: b.caps(top.get("caps"), refs),
  };
  // Only when written: a catalog without `value:` builds (and serializes) as before.
  const value: ValueDef | undefined = buildValue(top.get("value"), (node) => entries(tree, node, text), r, refs.costChannels);
  return { catalog: value ? { ...catalog, value } : catalog, refs };
}

class Builder {
  private readonly tree: Tree;
  private readonly text: string;
  private readonly r: Reporter;

  constructor(tree: Tree, text: string, r: Reporter) {
    this.tree = tree;
    this.text = text;
    this.r = r;
  }

  /** `controller:`; absent when the section is missing or has no usable `name` (the schema said why). */
  controller(entry: Entry | undefined): ControllerDef | undefined {
    if (!entry || !isMap(entry.value)) return undefined;
    const m = this.map(entry.value);
    const name = text(m.get("name")?.value);
    if (name === undefined) return undefined;
    const contact = text(m.get("contact")?.value);
    const dpo = text(m.get("dpo")?.value);
    return { name, ...(contact !== undefined ? { contact } : {}), ...(dpo !== undefined ? { dpo } : {}) };
  }

  entities(entry: Entry | undefined): Map<string, EntityDef> {
    const out = new Map<string, EntityDef>();
    for (const [name, e] of this.named(entry, NAME)) {
      if (RESERVED_ENTITY_NAMES.includes(name)) {
        this.r.report("catalog/reserved-name", `\`${name}\` cannot name an entity: the language reserves it`, nodeLoc(e.keyNode), reservedHint(name));
      }
      const m = this.map(e.value);
      const keyEntry = m.get("key");
      const key = str(keyEntry?.value);
      const fields = new Map<string, FieldDef>();
      for (const [fname, f] of this.named(m.get("fields"), NAME)) {
        const def = this.field(name, fname, f);
        if (def) fields.set(fname, def);
      }
      if (key !== undefined && NAME.test(key)) this.checkKey(name, key, fields, keyEntry!);
      const subjects = text(m.get("subjects")?.value);
      out.set(name, {
        name,
        key: key !== undefined && NAME.test(key) ? key : "",
        ...(subjects !== undefined ? { subjects } : {}),
        fields,
        loc: nodeLoc(e.keyNode),
      });
    }
    return out;
  }

  private field(entity: string, name: string, e: Entry): FieldDef | undefined {
    if (!isMap(e.value)) return undefined;
    const type = this.type(e.value);
    if (type === undefined) return undefined;
    const m = this.map(e.value);
    const pii = str(m.get("pii")?.value);
    const labels = this.names(m.get("labels"), NAME, "labels");
    const lineage = str(m.get("lineage")?.value);
    const residency = str(m.get("residency")?.value);
    const retention = str(m.get("retention")?.value);
    const freshness = str(m.get("freshness")?.value);
    const optional = scalar(m.get("optional")?.value);
    const reasonAllowed = scalar(m.get("reason_allowed")?.value);
    const def: FieldDef = {
      entity,
      name,
      path: `${entity}.${name}`,
      type,
      pii: pii !== undefined && PII.has(pii) ? (pii as PiiClass) : "none",
      labels: labels.map((l) => l.name),
      residency: residency !== undefined && REGION.test(residency) ? residency : "any",
      optional: optional === true,
      ...(reasonAllowed === true ? { reasonAllowed: true } : {}),
      loc: nodeLoc(e.keyNode),
      ...(lineage ? { lineage } : {}),
      ...(retention !== undefined && DURATION.test(retention) ? { retention } : {}),
      ...(freshness !== undefined && DURATION.test(freshness) ? { freshness } : {}),
    };
    if (def.pii === "sensitive" && labels.length === 0) {
      this.r.report(
        "catalog/sensitive-without-labels",
        `field \`${def.path}\` is \`pii: sensitive\` but has no labels, so no purpose can allow reading it`,
        nodeLoc(m.get("pii")?.value),
        "add a label such as `labels: [health]` and list it in the `allows` of the purposes that may read the field",
      );
    }
    return def;
  }

  // The key is the identifier records are looked up by. Declaring it among the fields is
  // optional (it makes it readable); when declared, it must always be present and be text or
  // a number.
  private checkKey(entity: string, key: string, fields: Map<string, FieldDef>, keyEntry: Entry): void {
    const f = fields.get(key);
    if (f === undefined) return;
    const related = [{ loc: f.loc, message: `field \`${f.path}\` is declared here` }];
    if (f.optional) {
      this.r.report(
        "catalog/invalid-key",
        `the key of entity \`${entity}\` is declared optional`,
        nodeLoc(keyEntry.value),
        `every record has its key: remove \`optional: true\` from \`${f.path}\``,
        related,
      );
    } else if (!(f.type.kind === "scalar" && (f.type.name === "string" || f.type.name === "int"))) {
      this.r.report(
        "catalog/invalid-key",
        `the key of entity \`${entity}\` must be a \`string\` or \`int\` field`,
        nodeLoc(keyEntry.value),
        `change the type of \`${f.path}\` or choose another key`,
        related,
      );
    }
  }

  events(entry: Entry | undefined, refs: References): Map<string, EventDef> {
    const out = new Map<string, EventDef>();
    for (const [name, e] of this.named(entry, EVENT_NAME)) {
      const m = this.map(e.value);
      const binds = this.names(m.get("binds"), NAME, "binds");
      for (const ref of binds) refs.binds.push({ ...ref, owner: name });
      const fields = new Map<string, FieldType>();
      for (const [fname, f] of this.named(m.get("fields"), NAME)) {
        const t = this.type(f.value);
        if (t) fields.set(fname, t);
      }
      const freshness = str(m.get("freshness")?.value);
      out.set(name, {
        name,
        binds: binds.map((x) => x.name),
        schedule: scalar(m.get("schedule")?.value) === true,
        fields,
        loc: nodeLoc(e.keyNode),
        ...(freshness !== undefined && DURATION.test(freshness) ? { freshness } : {}),
      });
    }
    return out;
  }

  purposes(entry: Entry | undefined, refs: References): Map<string, PurposeDef> {
    const out = new Map<string, PurposeDef>();
    const bases: ReadonlySet<string> = new Set(LAWFUL_BASES);
    for (const [name, e] of this.named(entry, NAME)) {
      const m = this.map(e.value);
      const basisRefs = this.names(m.get("bases"), NAME, "bases").filter((x) => bases.has(x.name));
      const channels = this.names(m.get("channels"), NAME, "channels");
      const forbids = this.names(m.get("forbids"), NAME, "forbids");
      const allows = this.names(m.get("allows"), NAME, "allows");
      for (const ref of channels) refs.channels.push({ ...ref, owner: name });
      for (const ref of forbids) refs.forbids.push({ ...ref, owner: name });
      for (const ref of allows) refs.allows.push({ ...ref, owner: name });
      const description = text(m.get("description")?.value);
      // `systems: []` is kept (no system allowed), unlike an absent key (any system).
      const systemsEntry = m.get("systems");
      const systems = systemsEntry && isSeq(systemsEntry.value) ? this.names(systemsEntry, SYSTEM, "systems") : undefined;
      for (const ref of systems ?? []) refs.systems.push({ ...ref, owner: name });
      const pii = this.names(m.get("pii"), FIELD_PATH, "pii");
      for (const ref of pii) refs.piiAllowances.push({ ...ref, owner: name });
      out.set(name, {
        name,
        bases: basisRefs.map((x) => x.name as LawfulBasis),
        channels: channels.map((x) => x.name),
        forbids: forbids.map((x) => x.name),
        allows: allows.map((x) => x.name),
        marketing: scalar(m.get("marketing")?.value) === true,
        ...(description !== undefined ? { description } : {}),
        ...(systems !== undefined ? { systems: systems.map((x) => x.name) } : {}),
        ...(m.has("pii") ? { pii: pii.map((x) => x.name) } : {}),
        loc: nodeLoc(e.keyNode),
      });
    }
    return out;
  }

  actions(entry: Entry | undefined): Map<string, ActionDef> {
    const out = new Map<string, ActionDef>();
    for (const [name, e] of this.named(entry, NAME)) {
      const m = this.map(e.value);
      const channel = str(m.get("channel")?.value);
      // An action without a valid channel is left out: no purpose could allow it anyway.
      if (channel === undefined || !NAME.test(channel)) continue;
      const params = new Map<string, ActionParamDef>();
      for (const [pname, p] of this.named(m.get("params"), NAME)) {
        const type = this.type(p.value);
        if (type) params.set(pname, { name: pname, type });
      }
      const cost = str(m.get("cost")?.value);
      out.set(name, { name, channel, params, cost: cost === "high" ? "high" : "low", loc: nodeLoc(e.keyNode) });
    }
    return out;
  }

  transfers(entry: Entry | undefined): Map<string, readonly string[]> {
    const out = new Map<string, readonly string[]>();
    for (const [region, e] of this.named(entry, REGION)) {
      out.set(
        region,
        this.names(e, REGION, `transfers of \`${region}\``).map((x) => x.name),
      );
    }
    return out;
  }

  /**
   * Channel caps. A cap whose `channel`, `max` or `per` is not usable (the schema reported it)
   * is left out; `purposes` defaults to `all`.
   */
  caps(entry: Entry | undefined, refs: References): Map<string, ChannelCapDef> {
    const out = new Map<string, ChannelCapDef>();
    for (const [name, e] of this.named(entry, NAME)) {
      if (!isMap(e.value)) continue;
      const m = this.map(e.value);
      const channelNode = m.get("channel")?.value ?? null;
      const channel = str(channelNode);
      const max = scalar(m.get("max")?.value);
      const perEntry = m.get("per");
      const per = str(perEntry?.value);
      if (channel === undefined || !NAME.test(channel)) continue;
      if (typeof max !== "number" || !Number.isInteger(max) || max < 1) continue;
      if (per === undefined || !CAP_WINDOW.test(per)) continue;
      const windowMs = parseDurationLiteral(per);
      if (windowMs === undefined) {
        this.r.report(
          "catalog/invalid-value",
          `\`${per}\` is longer than any window a cap can count`,
          nodeLoc(perEntry!.value),
          "a cap window is at most about 10,000 years; use a shorter one",
        );
        continue;
      }
      const purposesEntry = m.get("purposes");
      let purposes: ChannelCapDef["purposes"] = "all";
      if (purposesEntry) {
        const word = str(purposesEntry.value);
        if (word !== undefined) {
          // `marketing` or `all`; anything else was reported by the schema, and the cap is left out.
          if (word !== "marketing" && word !== "all") continue;
          purposes = word;
        } else {
          const listed = this.names(purposesEntry, NAME, `purposes of cap \`${name}\``);
          if (listed.length === 0) continue;
          for (const ref of listed) refs.capPurposes.push({ ...ref, owner: name });
          purposes = listed.map((x) => x.name);
        }
      }
      refs.capChannels.push({ owner: name, name: channel, loc: nodeLoc(channelNode) });
      out.set(name, { name, channel, max, per, windowMs, purposes, loc: nodeLoc(e.keyNode) });
    }
    return out;
  }

  /**
   * A field type from a bare type name (`datetime`) or a type mapping
   * (`{ type: enum, values: [...] }`); undefined when it is not usable.
   */
  private type(node: Node | null): FieldType | undefined {
    if (isScalar(node)) {
      const name = str(node);
      if (name === undefined || !TYPE_NAMES.has(name)) return undefined;
      if (name === "enum") {
        this.r.report("catalog/enum-without-values", "an `enum` needs its `values`", nodeLoc(node), "write `{ type: enum, values: [a, b] }`");
        return { kind: "enum", values: [] };
      }
      if (name === "list") {
        this.r.report(
          "catalog/list-without-of",
          "a `list` needs `of`, the type of its elements",
          nodeLoc(node),
          "write `{ type: list, of: string }` or a record such as `{ type: list, of: { at: datetime } }`",
        );
        return undefined;
      }
      return { kind: "scalar", name: name as Exclude<ScalarTypeName, "enum"> };
    }
    if (!isMap(node)) return undefined;
    const m = this.map(node);
    const typeNode = m.get("type")?.value ?? null;
    const name = str(typeNode);
    if (name === undefined || !TYPE_NAMES.has(name)) return undefined;
    const values = m.get("values");
    const of = m.get("of");
    if (values && name !== "enum") {
      this.r.report(
        "catalog/inapplicable-key",
        `\`values\` applies only to \`type: enum\`, not \`${name}\``,
        nodeLoc(values.keyNode),
        "make the type `enum`, or remove `values`",
      );
    }
    if (of && name !== "list") {
      this.r.report(
        "catalog/inapplicable-key",
        `\`of\` applies only to \`type: list\`, not \`${name}\``,
        nodeLoc(of.keyNode),
        "make the type `list`, or remove `of`",
      );
    }
    if (name === "enum") {
      if (!values) {
        this.r.report("catalog/enum-without-values", "an `enum` needs its `values`", nodeLoc(typeNode), "add `values: [a, b]` with the enum's values");
        return { kind: "enum", values: [] };
      }
      const list = this.names(values, /^.+$/s, "values");
      return { kind: "enum", values: list.map((x) => x.name) };
    }
    if (name === "list") {
      if (!of) {
        this.r.report(
          "catalog/list-without-of",
          "a `list` needs `of`, the type of its elements",
          nodeLoc(typeNode),
          "add `of: string`, or a record such as `of: { at: datetime, channel: string }`",
        );
        return undefined;
      }
      const element = this.element(of.value);
      return element ? { kind: "list", of: element } : undefined;
    }
    return { kind: "scalar", name: name as Exclude<ScalarTypeName, "enum"> };
  }

  // A list's `of`: a type name, a type mapping (its `type` is text), or a record of members
  // (where a member named `type` is itself a mapping: `type: { type: string }`).
  private element(node: Node | null): ListElement | undefined {
    if (isScalar(node) || (isMap(node) && typeof scalar(this.map(node).get("type")?.value) === "string")) {
      const type = this.type(node);
      return type ? { kind: "type", type } : undefined;
    }
    if (!isMap(node)) return undefined;
    const members = new Map<string, FieldType>();
    for (const [name, e] of this.named({ key: "of", keyNode: null, value: node }, NAME)) {
      const type = this.type(e.value);
      if (type) members.set(name, type);
    }
    return members.size > 0 ? { kind: "record", members } : undefined;
  }

  private map(node: Node | null): Map<string, Entry> {
    return entries(this.tree, node, this.text);
  }

  // The entries of a mapping whose keys match a name rule (others were reported by the schema).
  private named(entry: Entry | undefined, rule: RegExp): [string, Entry][] {
    if (!entry) return [];
    return [...this.map(entry.value)].filter(([k]) => rule.test(k));
  }

  // The text items of a list that match a rule, each once; a repeated item is a warning.
  private names(entry: Entry | undefined, rule: RegExp, what: string): { name: string; loc: CatalogLoc }[] {
    if (!entry) return [];
    const out: { name: string; loc: CatalogLoc }[] = [];
    const first = new Map<string, CatalogLoc>();
    for (const item of items(this.tree, entry.value)) {
      const name = str(item);
      if (name === undefined || !rule.test(name)) continue;
      const loc = nodeLoc(item);
      const earlier = first.get(name);
      if (earlier) {
        this.r.report("catalog/duplicate-item", `\`${name}\` is listed twice in \`${what}\``, loc, "remove the repeated item", [
          { loc: earlier, message: "first listed here" },
        ]);
        continue;
      }
      first.set(name, loc);
      out.push({ name, loc });
    }
    return out;
  }
}

function scalar(node: Node | null | undefined): unknown {
  return isScalar(node) ? node.value : undefined;
}

function str(node: Node | null | undefined): string | undefined {
  const v = scalar(node);
  return typeof v === "string" ? v : undefined;
}

// Free text (a description, a name): a non-empty string, as the schema requires.
function text(node: Node | null | undefined): string | undefined {
  const v = str(node);
  return v !== undefined && v.length > 0 ? v : undefined;
}

function reservedHint(name: string): string {
  if (name === "event") return "`event.<field>` reads the trigger's payload; name the entity after what it is, such as `ticket`";
  if (name === "now") return "`now` is the request's time; choose another name";
  return `\`${name}\` is a literal; choose another name`;
}
