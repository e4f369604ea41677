// The records of processing activities (GDPR Art. 30) of a policy set, as data: per purpose
// its lawful bases, data subjects, the personal data its journeys actually read (their minimal
// bundles, not everything the catalog declares), recipients, sources, transfers, retention,
// technical measures and journeys; a legal-basis map; and the risk checklist
// (risk-checklist.ts). Built from a ProcessingInput (processing-input.ts: a checked policy set
// or a compiled artifact) alone, so it is pure and browser-safe, and the same policy set always
// gives the same record (no clock: the date is an option).
// Rendered by processing-document.ts (Markdown, HTML), processing-csv.ts and processing-json.ts.
import { lineageSystem } from "../../core/catalog/lineage.ts";
import type { FieldDef, LawfulBasis, PiiClass, PurposeDef } from "../../core/catalog/types.ts";
import type { JourneyRecord, ProcessingInput, SourceHash } from "./processing-input.ts";
import { riskChecklist, type ChecklistGroup } from "./risk-checklist.ts";

/** The format tag of the JSON form; a new member may be added, none ever changes meaning. */
export const PROCESSING_RECORD_FORMAT = "processing-record/1";

/** A journey's risk tier, and a purpose's: the highest of its journeys (`none` without journeys). */
export type RiskTier = "none" | "low" | "medium" | "high";

/** The letter of GDPR Art. 6(1) of each lawful basis. */
export const BASIS_ARTICLE: Readonly<Record<LawfulBasis, string>> = {
  consent: "Art. 6(1)(a)",
  contract: "Art. 6(1)(b)",
  legal_obligation: "Art. 6(1)(c)",
  vital_interests: "Art. 6(1)(d)",
  public_task: "Art. 6(1)(e)",
  legitimate_interest: "Art. 6(1)(f)",
};

/** One catalog field as the record lists it, with who reads it. */
export interface DataItem {
  /** `entity.field` */
  readonly path: string;
  readonly entity: string;
  readonly pii: PiiClass;
  readonly labels: readonly string[];
  readonly lineage?: string;
  /** The lineage's first segment: the source system (`crm` of `crm.contacts.email`). */
  readonly system?: string;
  /** `any` or a region. */
  readonly residency: string;
  /** The regions the catalog's `transfers` lets a value of this residency be processed in besides its own. */
  readonly transfersTo: readonly string[];
  readonly retention?: string;
  /** The journeys (of the purpose, or of the whole set) whose minimal bundles hold the field, sorted. */
  readonly journeys: readonly string[];
}

/** An event payload field a purpose's journeys read (it comes with the request, untagged). */
export interface EventDataItem {
  readonly event: string;
  readonly field: string;
  readonly journeys: readonly string[];
}

/** Every measure a purpose can list, by its stable id (docs/processing.md documents each). */
export const MEASURE_IDS = [
  "minimal-bundle",
  "opa-checks",
  "fail-closed",
  "freshness",
  "purpose-limitation",
  "reason-without-pii",
  "pseudonymized-log",
  "human-review",
  "objection",
] as const;
export type MeasureId = (typeof MEASURE_IDS)[number];

/** A technical or organisational measure (Art. 30(1)(g), Art. 32), with a stable id. */
export interface Measure {
  readonly id: MeasureId;
  readonly text: string;
}

/** One processing activity: a purpose of the catalog. */
export interface PurposeRecord {
  readonly id: string;
  readonly description?: string;
  readonly marketing: boolean;
  /** Lawful bases of Art. 6(1), in the order they are tried. */
  readonly bases: readonly LawfulBasis[];
  readonly risk: RiskTier;
  /** Categories of data subjects: the entities whose fields the journeys read. */
  readonly subjects: readonly { readonly entity: string; readonly category: string }[];
  /** The catalog fields its journeys' minimal bundles read, sorted by path. */
  readonly data: readonly DataItem[];
  readonly eventData: readonly EventDataItem[];
  /** The channels the purpose may use (catalog), and the actions its journeys take. */
  readonly channels: readonly string[];
  readonly actions: readonly { readonly name: string; readonly channel: string; readonly journeys: readonly string[] }[];
  /** Source systems of the data read (from lineage), sorted. */
  readonly systems: readonly string[];
  /** The purpose's `systems` allow-list, when it has one. */
  readonly allowedSystems?: readonly string[];
  /** The purpose's `pii` allowance (direct/sensitive fields a marketing purpose may read). */
  readonly piiAllowance: readonly string[];
  readonly forbids: readonly string[];
  readonly allows: readonly string[];
  readonly measures: readonly Measure[];
  readonly journeys: readonly JourneyRecord[];
}

/** One row of the legal-basis map: a purpose, one of its bases, and the journeys relying on it. */
export interface BasisRow {
  readonly purpose: string;
  readonly basis: LawfulBasis;
  readonly article: string;
  /** 1 for the basis tried first. */
  readonly order: number;
  readonly journeys: readonly string[];
}

/** The records of processing of a policy set. */
export interface ProcessingRecord {
  /** The date the record is stated for (`--date`); absent, the record carries no date. */
  readonly date?: string;
  readonly controller?: { readonly name: string; readonly contact?: string; readonly dpo?: string };
  /** Every file of the policy set with the sha256 of its text, sorted by path. */
  readonly sources: readonly SourceHash[];
  /** The catalog's file name (one of `sources`). */
  readonly catalogFile: string;
  /** Whether consent and residency run the policy set's own Rego or the standard policies. */
  readonly rego: "own" | "standard";
  readonly purposes: readonly PurposeRecord[];
  readonly basisMap: readonly BasisRow[];
  readonly checklist: readonly ChecklistGroup[];
  /** Catalog fields with `pii` other than `none` that no journey reads: declared, not processed by decisions. */
  readonly unread: readonly DataItem[];
}

/** What buildProcessingRecord needs besides its input. */
export interface ProcessingRecordOptions {
  /** `YYYY-MM-DD`, printed as the record's date; nothing is dated without it. */
  readonly date?: string;
}

const RISK_ORDER: readonly RiskTier[] = ["none", "low", "medium", "high"];

function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function dataItem(def: FieldDef, input: ProcessingInput, journeys: readonly string[]): DataItem {
  const system = def.lineage !== undefined && def.lineage !== "" ? lineageSystem(def.lineage) : undefined;
  const transfersTo = def.residency === "any" ? [] : [...(input.catalog.transfers.get(def.residency) ?? [])].sort(byString);
  return {
    path: def.path,
    entity: def.entity,
    pii: def.pii,
    labels: [...def.labels].sort(byString),
    ...(def.lineage !== undefined ? { lineage: def.lineage } : {}),
    ...(system !== undefined ? { system } : {}),
    residency: def.residency,
    transfersTo,
    ...(def.retention !== undefined ? { retention: def.retention } : {}),
    journeys: [...journeys].sort(byString),
  };
}

/** The catalog field of a path, if the catalog has it. */
export function fieldAt(input: ProcessingInput, path: string): FieldDef | undefined {
  const dot = path.indexOf(".");
  return input.catalog.entities.get(path.slice(0, dot))?.fields.get(path.slice(dot + 1));
}

/** Names as code, sorted, comma-separated: `a`, `b`. */
function codes(names: readonly string[]): string {
  return [...names]
    .sort(byString)
    .map((n) => `\`${n}\``)
    .join(", ");
}

function measures(purpose: PurposeDef, journeys: readonly JourneyRecord[], input: ProcessingInput): Measure[] {
  const rego = input.rego;
  const out: Measure[] = [];
  if (journeys.length > 0) {
    const sizes = journeys.map((j) => j.fields.length);
    const [least, most] = [Math.min(...sizes), Math.max(...sizes)];
    const count = least === most ? `${most} field${most === 1 ? "" : "s"}` : `${least}–${most} fields`;
    out.push({
      id: "minimal-bundle",
      text:
        `data minimisation (Art. 5(1)(c), 25): each journey reads only its minimal context bundle, computed by the compiler ` +
        `(${count} per journey); the engine fetches it only for candidates that passed consent, lawful basis and residency`,
    });
  }
  out.push({
    id: "opa-checks",
    text:
      `consent, lawful basis (tried in order: ${purpose.bases.map((b) => `\`${b}\``).join(", then ")}) and residency are decided for every candidate by OPA policies ` +
      `compiled to WebAssembly (${rego === "own" ? "the policy set's own `rego/` files" : "the standard consent and residency policies"}) before any context is fetched`,
  });
  out.push({
    id: "fail-closed",
    text: "fail closed: a malformed request, a missing or wrong-typed value, a policy error or a timeout ends the decision with no action, and it is logged",
  });
  // The catalog's freshness SLAs of what the journeys read: older data ends the decision `stale`.
  const fresh: string[] = [];
  for (const event of [...new Set(journeys.map((j) => j.trigger))].sort(byString)) {
    const f = input.catalog.events.get(event)?.freshness;
    if (f !== undefined) fresh.push(`event \`${event}\`: \`${f}\``);
  }
  for (const path of [...new Set(journeys.flatMap((j) => j.fields))].sort(byString)) {
    const f = fieldAt(input, path)?.freshness;
    if (f !== undefined) fresh.push(`\`${path}\`: \`${f}\``);
  }
  if (fresh.length > 0) {
    out.push({
      id: "freshness",
      text: `accuracy (Art. 5(1)(d)): a decision on data older than its freshness in the catalog (${fresh.join("; ")}) ends \`stale\`, with no action`,
    });
  }
  const limits: string[] = [];
  if (purpose.forbids.length > 0) limits.push(`fields labelled ${codes(purpose.forbids)} are not readable`);
  limits.push(
    purpose.allows.length > 0 ? `sensitive fields are readable only when labelled ${codes(purpose.allows)}` : "sensitive (Art. 9) fields are not readable",
  );
  if (purpose.systems !== undefined) limits.push(`sources are limited to the systems ${codes(purpose.systems)}`);
  if (purpose.marketing) limits.push("direct or sensitive personal data needs an explicit allowance in the purpose's `pii` list");
  out.push({ id: "purpose-limitation", text: `purpose limitation, checked by the compiler before anything runs: ${limits.join("; ")}` });
  out.push({
    id: "reason-without-pii",
    text: "the customer-facing reason of a decision never shows personal data, unless the catalog marks the field `reason_allowed` (checked by the compiler)",
  });
  out.push({
    id: "pseudonymized-log",
    text:
      "every decision is logged with its personal data pseudonymized (keyed HMAC-SHA256) and its request sealed (AES-256-GCM) under a " +
      "key of the data subject's own, so that destroying it erases the person (Art. 17) while the log's hash chain, authenticated by a keyed MAC " +
      "and anchored by signed checkpoints, still verifies; values past their retention are purged from the log",
  });
  const reviewed = journeys.filter((j) => j.review).map((j) => j.id);
  if (reviewed.length > 0) {
    out.push({ id: "human-review", text: `human oversight: a person reviews every action of ${codes(reviewed)} before it is taken` });
  }
  if (purpose.marketing) {
    out.push({ id: "objection", text: "an objection to direct marketing (Art. 21(2) and (3)) denies every journey of this purpose, whatever its basis" });
  }
  return out;
}

function purposeRecord(purpose: PurposeDef, input: ProcessingInput): PurposeRecord {
  const journeys = input.journeys.filter((j) => j.purpose === purpose.name);
  const readers = new Map<string, string[]>();
  const events = new Map<string, { event: string; field: string; journeys: string[] }>();
  const actions = new Map<string, { name: string; channel: string; journeys: string[] }>();
  for (const j of journeys) {
    for (const path of j.fields) {
      const list = readers.get(path) ?? [];
      list.push(j.id);
      readers.set(path, list);
    }
    for (const field of j.eventFields) {
      const key = `${j.trigger}.${field}`;
      const e = events.get(key) ?? { event: j.trigger, field, journeys: [] };
      e.journeys.push(j.id);
      events.set(key, e);
    }
    const a = actions.get(j.action) ?? { name: j.action, channel: j.channel, journeys: [] };
    a.journeys.push(j.id);
    actions.set(j.action, a);
  }
  const data: DataItem[] = [];
  for (const path of [...readers.keys()].sort(byString)) {
    const def = fieldAt(input, path);
    if (def) data.push(dataItem(def, input, readers.get(path)!));
  }
  const entities = [...new Set(data.map((d) => d.entity))].sort(byString);
  const subjects = entities.map((entity) => ({ entity, category: input.catalog.entities.get(entity)?.subjects ?? entity }));
  const risk = journeys.reduce<RiskTier>((r, j) => (RISK_ORDER.indexOf(j.risk) > RISK_ORDER.indexOf(r) ? j.risk : r), "none");
  return {
    id: purpose.name,
    ...(purpose.description !== undefined ? { description: purpose.description } : {}),
    marketing: purpose.marketing,
    bases: [...purpose.bases],
    risk,
    subjects,
    data,
    eventData: [...events.keys()].sort(byString).map((k) => {
      const e = events.get(k)!;
      return { event: e.event, field: e.field, journeys: e.journeys.sort(byString) };
    }),
    channels: [...purpose.channels].sort(byString),
    actions: [...actions.keys()].sort(byString).map((k) => {
      const a = actions.get(k)!;
      return { name: a.name, channel: a.channel, journeys: a.journeys.sort(byString) };
    }),
    systems: [...new Set(data.flatMap((d) => (d.system !== undefined ? [d.system] : [])))].sort(byString),
    ...(purpose.systems !== undefined ? { allowedSystems: [...purpose.systems].sort(byString) } : {}),
    piiAllowance: [...(purpose.pii ?? [])].sort(byString),
    forbids: [...purpose.forbids].sort(byString),
    allows: [...purpose.allows].sort(byString),
    measures: measures(purpose, journeys, input),
    journeys: [...journeys],
  };
}

/**
 * The records of processing of a policy set (processing-input.ts makes the input from checked
 * sources or from a compiled artifact). Deterministic: everything sorted, nothing read from the
 * clock.
 */
export function buildProcessingRecord(input: ProcessingInput, options: ProcessingRecordOptions = {}): ProcessingRecord {
  const { catalog } = input;
  const purposes = [...catalog.purposes.keys()].sort(byString).map((name) => purposeRecord(catalog.purposes.get(name)!, input));
  const basisMap: BasisRow[] = purposes.flatMap((p) =>
    p.bases.map((basis, i) => ({ purpose: p.id, basis, article: BASIS_ARTICLE[basis], order: i + 1, journeys: p.journeys.map((j) => j.id) })),
  );
  const read = new Set(input.journeys.flatMap((j) => j.fields));
  const unread: DataItem[] = [];
  for (const entity of [...catalog.entities.keys()].sort(byString)) {
    const fields = catalog.entities.get(entity)!.fields;
    for (const name of [...fields.keys()].sort(byString)) {
      const def = fields.get(name)!;
      if (def.pii !== "none" && !read.has(def.path)) unread.push(dataItem(def, input, []));
    }
  }
  const c = catalog.controller;
  return {
    ...(options.date !== undefined ? { date: options.date } : {}),
    ...(c ? { controller: { name: c.name, ...(c.contact !== undefined ? { contact: c.contact } : {}), ...(c.dpo !== undefined ? { dpo: c.dpo } : {}) } } : {}),
    sources: [...input.sources],
    catalogFile: catalog.file,
    rego: input.rego,
    purposes,
    basisMap,
    checklist: riskChecklist(input, purposes),
    unread,
  };
}
