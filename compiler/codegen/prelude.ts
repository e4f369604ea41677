// The fixed part of every predicates module: the artifact types it satisfies (inlined, so the
// module type-checks standalone; they mirror core/artifact.ts) and the run-time helpers the
// predicates call (they mirror compiler/eval/semantics.ts, which the interpreter uses). Each helper
// is written once with its types; the JavaScript flavour drops the annotations.
import type { CodeWriter } from "./writer.ts";

/**
 * The artifact contract, as core/artifact.ts declares it (TypeScript flavour only). The members
 * and types of proof of value (`goal`, `stop_loss`) are written only into a module that has a
 * journey using them, so the module (and the artifact's hash) of a policy set without them is
 * what it was before they existed.
 */
function artifactTypes(value: boolean): string {
  return `
/** A source location in 1-based lines and columns. */
export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** One traced sub-expression of a journey's \`when\` (or \`reason\`), numbered in pre-order. */
export interface TraceNode {
  readonly id: number;
  readonly kind: string;
  readonly op?: string;
  readonly text: string;
  readonly loc: SourceLoc;
  readonly type: string;
  readonly children: readonly number[];
}

/** Records a sub-expression's value. */
export type Tracer = (id: number, value: unknown) => unknown;

/** Runtime representation of context values: dates are epoch days, datetimes epoch ms. */
export type ContextValue = boolean | number | string | null | undefined | ContextValue[] | { [k: string]: ContextValue };

/** What a journey predicate receives: entity records, the event payload, and \`now\` (epoch ms). */
export interface PredicateContext {
  readonly now: number;
  readonly event: Readonly<Record<string, ContextValue>>;
  readonly [entity: string]: unknown;
}

export interface JourneyMeta {
  readonly id: string;
  readonly title: string;
  readonly purpose: string;
  readonly risk: "low" | "medium" | "high";
  readonly priority: number;
  readonly trigger: { readonly event: string; readonly timers: readonly { readonly label: string; readonly ms: number }[] };
  readonly action: { readonly name: string; readonly channel: string; readonly params: Readonly<Record<string, string | number | boolean>> };
  readonly cap?: { readonly count: number; readonly windowMs: number; readonly window: string };
  readonly quiet?: { readonly from: string; readonly to: string; readonly fromMinutes: number; readonly toMinutes: number };
  readonly holdout?: { readonly percent: number; readonly salt: string };
${value ? VALUE_MEMBERS : ""}  readonly review: boolean;
  readonly fields: readonly string[];
  readonly eventFields: readonly string[];
  readonly loc: SourceLoc;
  readonly nodes: readonly TraceNode[];
  readonly whenRoot: number;
}
${value ? VALUE_TYPES : ""}
export interface CompiledJourney {
  readonly meta: JourneyMeta;
  readonly when: (ctx: PredicateContext, trace: Tracer) => boolean;
  readonly reason?: (ctx: PredicateContext, trace: Tracer) => string;
}`;
}

/** JourneyMeta's members for `goal` and `stop_loss`. */
const VALUE_MEMBERS = `  readonly goal?: JourneyGoal;
  readonly stopLoss?: StopLoss;
`;

/** The types of `goal` and `stop_loss`. */
const VALUE_TYPES = `
/** A journey's \`goal TYPE within DURATION\`. */
export interface JourneyGoal {
  readonly type: string;
  readonly within: string;
  readonly windowMs: number;
}

/** One condition of a \`stop_loss\` clause. */
export interface StopLossCondition {
  readonly metric: string;
  readonly type: string;
  readonly kind: "rate" | "uplift";
  readonly percent: number;
}

/** A journey's \`stop_loss\` clause. */
export interface StopLoss {
  readonly conditions: readonly StopLossCondition[];
  readonly min: number;
  readonly window: string;
  readonly windowMs: number;
}
`;

/** The whole artifact contract (what a module with a `goal` or `stop_loss` inlines). */
export const ARTIFACT_TYPES = artifactTypes(true);

/** The contract without the proof-of-value types (what a module without them inlines, as before). */
const ARTIFACT_TYPES_BASE = artifactTypes(false);

interface Helper {
  readonly doc: string;
  readonly name: string;
  /** `<T>` or "". */
  readonly generics: string;
  readonly params: readonly (readonly [name: string, type: string])[];
  readonly result: string;
  /** JavaScript statements: valid in both flavours, so no annotations here. */
  readonly body: readonly string[];
}

const HELPERS: readonly Helper[] = [
  {
    doc: "Records a traced value and returns it (the value itself, whatever the tracer returns).",
    name: "t",
    generics: "<T>",
    params: [
      ["trace", "Tracer"],
      ["id", "number"],
      ["value", "T"],
    ],
    result: "T",
    body: ["trace(id, value);", "return value;"],
  },
  {
    doc: "Real division; dividing by zero fails the predicate, and the runtime fails closed.",
    name: "div",
    generics: "",
    params: [
      ["a", "number"],
      ["b", "number"],
      ["node", "number"],
    ],
    result: "number",
    body: ['if (b === 0) throw new PredicateError("predicate/division-by-zero", "division by zero", node);', "return a / b;"],
  },
  {
    doc: "A record's own property (a name such as `constructor` that every object inherits reads as absent unless set).",
    name: "own",
    generics: "<T extends object, K extends keyof T>",
    params: [
      ["record", "T"],
      ["name", "K"],
    ],
    result: "T[K] | undefined",
    body: ["return Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined;"],
  },
  {
    doc: "A date computed by arithmetic, checked to be one JavaScript can represent (else the predicate fails).",
    name: "dateIn",
    generics: "",
    params: [
      ["day", "number"],
      ["node", "number"],
    ],
    result: "number",
    body: [
      'if (!(Math.abs(day) <= 100000000)) throw new PredicateError("predicate/date-out-of-range", "the date is past the dates that can be represented", node);',
      "return day;",
    ],
  },
  {
    doc: "A datetime computed by arithmetic, checked to be one JavaScript can represent (else the predicate fails).",
    name: "instantIn",
    generics: "",
    params: [
      ["ms", "number"],
      ["node", "number"],
    ],
    result: "number",
    body: [
      'if (!(Math.abs(ms) <= 8640000000000000)) throw new PredicateError("predicate/date-out-of-range", "the datetime is past the instants that can be represented", node);',
      "return ms;",
    ],
  },
  {
    doc: "List membership (`in`).",
    name: "isIn",
    generics: "",
    params: [
      ["value", "unknown"],
      ["list", "readonly unknown[]"],
    ],
    result: "boolean",
    body: ["return list.includes(value);"],
  },
  {
    doc: "`==` between enums that share no value (TypeScript rejects comparing them directly).",
    name: "eq",
    generics: "",
    params: [
      ["a", "unknown"],
      ["b", "unknown"],
    ],
    result: "boolean",
    body: ["return a === b;"],
  },
  {
    doc: "The UTC day of an epoch-ms instant.",
    name: "dayOf",
    generics: "",
    params: [["ms", "number"]],
    result: "number",
    body: ["return Math.floor(ms / MS_PER_DAY);"],
  },
  {
    doc: "A duration's whole days, truncated toward zero (`date + duration`).",
    name: "wholeDays",
    generics: "",
    params: [["ms", "number"]],
    result: "number",
    body: ["return Math.trunc(ms / MS_PER_DAY);"],
  },
  {
    doc: "`hours_since(at)`: whole hours from `at` to now, rounded down.",
    name: "hoursSince",
    generics: "",
    params: [
      ["now", "number"],
      ["at", "number"],
    ],
    result: "number",
    body: ["return Math.floor((now - at) / MS_PER_HOUR);"],
  },
  {
    doc: "`count x in list: body`: the number of elements for which the body holds.",
    name: "countWhere",
    generics: "<T>",
    params: [
      ["list", "readonly T[]"],
      ["test", "(x: T) => boolean"],
    ],
    result: "number",
    body: ["let n = 0;", "for (const x of list) if (test(x)) n++;", "return n;"],
  },
  {
    doc: "A date in a `reason`: `2026-05-30`.",
    name: "fmtDate",
    generics: "",
    params: [["day", "number"]],
    result: "string",
    body: ["return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);"],
  },
  {
    doc: "A datetime in a `reason`: ISO 8601 in UTC, without milliseconds when they are zero.",
    name: "fmtDateTime",
    generics: "",
    params: [["ms", "number"]],
    result: "string",
    body: ["const iso = new Date(ms).toISOString();", 'return iso.endsWith(".000Z") ? iso.slice(0, -5) + "Z" : iso;'],
  },
  {
    doc: "A duration in a `reason`: the shortest exact literal (`90d`, `36h`).",
    name: "fmtDuration",
    generics: "",
    params: [["ms", "number"]],
    result: "string",
    body: [
      "for (const [unit, size] of DURATION_UNITS) if (ms !== 0 && ms % size === 0) return String(ms / size) + unit;",
      'return String(Math.round(ms / 1000)) + "s";',
    ],
  },
  {
    doc: "A decimal field in a `reason`: at least two fraction digits (`49.90`), more when it has them.",
    name: "fmtDecimal",
    generics: "",
    params: [["x", "number"]],
    result: "string",
    body: [
      "const text = String(x);",
      "if (!Number.isFinite(x) || /e/i.test(text)) return text;",
      'const dot = text.indexOf(".");',
      "return dot >= 0 && text.length - dot - 1 >= 2 ? text : x.toFixed(2);",
    ],
  },
  {
    doc: "A list in a `reason`: its elements, comma-separated.",
    name: "fmtList",
    generics: "<T>",
    params: [
      ["list", "readonly T[]"],
      ["show", "(x: T) => string"],
    ],
    result: "string",
    body: ['return list.map((x) => show(x)).join(", ");'],
  },
];

/**
 * Writes the artifact types (TypeScript only) and the helpers; `value`: some journey has a
 * `goal` or a `stop_loss`, so the module needs their types.
 */
export function writePrelude(w: CodeWriter, value = false): void {
  if (w.ts) {
    for (const l of (value ? ARTIFACT_TYPES : ARTIFACT_TYPES_BASE).split("\n").slice(1)) w.line(l);
    w.blank();
  }
  w.comment("Run-time helpers (the semantics of compiler/eval/semantics.ts).");
  w.line("const MS_PER_DAY = 86400000;");
  w.line("const MS_PER_HOUR = 3600000;");
  w.line(`const DURATION_UNITS${w.ts ? ": readonly (readonly [string, number])[]" : ""} = [["w", 604800000], ["d", 86400000], ["h", 3600000], ["m", 60000]];`);
  w.blank();
  w.line("/** A predicate that cannot produce a value; the runtime turns it into a fail-closed `error`. */");
  w.block("class PredicateError extends Error {", () => {
    if (w.ts) {
      w.line("readonly code: string;");
      w.line("readonly node: number;");
    }
    w.block(w.ts ? "constructor(code: string, message: string, node: number) {" : "constructor(code, message, node) {", () => {
      w.line("super(message);");
      w.line('this.name = "PredicateError";');
      w.line("this.code = code;");
      w.line("this.node = node;");
    });
  });
  for (const h of HELPERS) {
    w.blank();
    w.line(`/** ${h.doc} */`);
    const params = h.params.map(([n, t]) => (w.ts ? `${n}: ${t}` : n)).join(", ");
    w.block(`function ${h.name}${w.ts ? h.generics : ""}(${params})${w.ts ? `: ${h.result}` : ""} {`, () => {
      for (const l of h.body) w.line(l);
    });
  }
}
