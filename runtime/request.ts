// The decision request (spec §6): its size limits (runtime/limits.ts, checked first, so an
// oversized request is refused before anything else reads it), its zod schema, the
// catalog-aware checks that need the policy set (a known event type, known purposes), and the
// translation of every problem into a plain message that names the JSON path and what is
// expected. A request that fails here never reaches the engine's contract: the CLI exits 2,
// `Engine.decide` returns an `error` decision.
import { z } from "zod";
import type { Catalog } from "../core/catalog/types.ts";
import { didYouMean } from "../core/diagnostics.ts";
import { parseDateTimeLiteral, parseDurationLiteral } from "../core/literals.ts";
import { checkRequestLimits, DEFAULT_LIMITS, thousands, type RequestLimits } from "./limits.ts";
import { parseCompiled } from "./request-compiled.ts";

/** One thing wrong with a request: where (a JSON path such as `consents[2].status`) and what. */
export interface RequestProblem {
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
}

const nonEmpty = z.string().min(1);
const datetime = z.string().refine((s) => parseDateTimeLiteral(s) !== undefined, {
  message: "expected an ISO 8601 datetime with an offset, like `2026-05-30T09:00:00Z`",
});
const timer = z.string().refine((s) => parseDurationLiteral(s) !== undefined, {
  message: "expected a timer label as the journey writes it, like `3d`, `12h` or `2w`",
});

const EventSchema = z.strictObject({
  type: nonEmpty,
  id: nonEmpty,
  at: datetime.optional(),
  payload: z.record(z.string(), z.unknown()).optional(),
  timer: timer.optional(),
});

// Records from consent platforms carry more keys than Kairos reads: extra keys are dropped.
const ConsentSchema = z.object({
  subject: nonEmpty.optional(),
  purpose: nonEmpty,
  channel: nonEmpty.nullable().optional(),
  status: z.enum(["granted", "withdrawn", "denied"]),
  at: datetime,
  expires_at: datetime.nullable().optional(),
  source: z.string().optional(),
  notice_version: z.string().optional(),
});

const ObjectionSchema = z.object({
  subject: nonEmpty.optional(),
  scope: nonEmpty,
  at: datetime,
});

// `channel` and `purpose` are what catalog channel caps count by; when absent they are the
// journey's (from the artifact), so a history written before channel caps still counts.
const HistorySchema = z.object({
  subject: nonEmpty.optional(),
  journey: nonEmpty,
  at: datetime,
  channel: nonEmpty.optional(),
  purpose: nonEmpty.optional(),
});

/** The request file of `kairos decide` and the input of `Engine.decide`. */
export const RequestSchema = z.strictObject({
  event: EventSchema,
  subject: nonEmpty,
  now: datetime,
  region: nonEmpty,
  context: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  // How old the context's values are (docs/runtime.md#freshness): `entity` or `entity.field` → when
  // the value was read from its system of record. A value without one counts as read at `now`.
  context_as_of: z.record(z.string(), datetime).optional(),
  consents: z.array(ConsentSchema).optional(),
  objections: z.array(ObjectionSchema).optional(),
  history: z.array(HistorySchema).optional(),
});

export type DecisionRequest = z.infer<typeof RequestSchema>;
export type ConsentRecord = z.infer<typeof ConsentSchema>;
export type Objection = z.infer<typeof ObjectionSchema>;
export type HistoryEntry = z.infer<typeof HistorySchema>;

/** A valid request plus its times in epoch milliseconds. */
export interface ParsedRequest {
  readonly request: DecisionRequest;
  readonly nowMs: number;
  /** `event.at`, else `now`: the time timers count from. */
  readonly eventAtMs: number;
  /** `event.timer` in milliseconds, when the request is a timed follow-up. */
  readonly timerMs?: number;
  /** The request's datetimes already parsed (text → epoch ms), when the compiled parse read them. */
  readonly times?: ReadonlyMap<string, number>;
}

export type RequestResult = { readonly ok: true; readonly value: ParsedRequest } | { readonly ok: false; readonly problems: readonly RequestProblem[] };

/** `["consents", 2, "status"]` → `consents[2].status`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out === "" ? "(the request)" : out;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
    case "number":
      return `the number ${value}`;
    case "boolean":
      return `\`${value}\``;
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}

const EXPECTED = new Map<string, string>([
  ["string", "a string"],
  ["number", "a number"],
  ["boolean", "`true` or `false`"],
  ["object", "an object"],
  ["array", "a list"],
  ["record", "an object"],
]);

// Keyed by the path of the strict object; a Map, since that path is made of the request's keys.
const KNOWN_KEYS = new Map<string, readonly string[]>([
  ["", Object.keys(RequestSchema.shape)],
  ["event", Object.keys(EventSchema.shape)],
]);

/** Problems reported per request; the rest are counted (a list of 10,000 bad records is one mistake). */
export const MAX_PROBLEMS = 20;

function issueToProblems(issue: z.core.$ZodIssue): RequestProblem[] {
  const path = formatPath(issue.path);
  const hasInput = "input" in issue && issue.input !== undefined;
  switch (issue.code) {
    case "invalid_type": {
      const expected = EXPECTED.get(issue.expected) ?? issue.expected;
      return [{ path, message: hasInput ? `expected ${expected}, got ${describe(issue.input)}` : `is required (${expected})` }];
    }
    case "invalid_value":
      return [
        {
          path,
          message: `expected one of ${issue.values.map((v) => `\`${String(v)}\``).join(", ")}${hasInput ? `, got ${describe(issue.input)}` : ""}`,
        },
      ];
    case "too_small":
      return [{ path, message: "must not be empty" }];
    case "unrecognized_keys": {
      const known = KNOWN_KEYS.get(issue.path.join(".")) ?? [];
      return issue.keys.map((key) => {
        const hint = didYouMean(key, known);
        const where = issue.path.length === 0 ? "the request" : `\`${path}\``;
        return {
          path: formatPath([...issue.path, key]),
          message: `unknown key \`${key}\` in ${where}; expected ${known.map((k) => `\`${k}\``).join(", ")}`,
          ...(hint ? { hint } : {}),
        };
      });
    }
    default:
      return [{ path, message: issue.message }];
  }
}

/** Checks that need the catalog: the event type and the purposes named by consents/objections. */
function catalogProblems(request: DecisionRequest, catalog: Catalog): RequestProblem[] {
  const problems: RequestProblem[] = [];
  const unknown = (path: string, what: string, name: string, known: Iterable<string>): void => {
    // Hints only for the problems that are shown: a "did you mean" costs an edit distance.
    const hint = problems.length < MAX_PROBLEMS ? didYouMean(name, known) : undefined;
    problems.push({
      path,
      message: `unknown ${what} \`${name.length > 80 ? name.slice(0, 80) + "…" : name}\`: the catalog does not declare it`,
      ...(hint ? { hint } : {}),
    });
  };
  if (!catalog.events.has(request.event.type)) unknown("event.type", "event type", request.event.type, catalog.events.keys());
  // An age for something the catalog does not have would silently check nothing: a typo must not
  // turn a freshness check off.
  for (const key of Object.keys(request.context_as_of ?? {})) {
    const path = `context_as_of.${key}`;
    const dot = key.indexOf(".");
    const entity = catalog.entities.get(dot < 0 ? key : key.slice(0, dot));
    if (!entity) unknown(path, "entity", dot < 0 ? key : key.slice(0, dot), catalog.entities.keys());
    else if (dot >= 0 && !entity.fields.has(key.slice(dot + 1))) {
      unknown(
        path,
        "field",
        key,
        [...entity.fields.keys()].map((f) => `${entity.name}.${f}`),
      );
    }
  }
  (request.consents ?? []).forEach((c, i) => {
    if (!catalog.purposes.has(c.purpose)) unknown(`consents[${i}].purpose`, "purpose", c.purpose, catalog.purposes.keys());
  });
  (request.objections ?? []).forEach((o, i) => {
    const path = `objections[${i}].scope`;
    if (o.scope === "direct_marketing") return;
    if (!o.scope.startsWith("purpose:")) {
      problems.push({ path, message: `expected \`direct_marketing\` or \`purpose:<id>\`, got ${describe(o.scope)}` });
      return;
    }
    const purpose = o.scope.slice("purpose:".length);
    if (!catalog.purposes.has(purpose)) unknown(path, "purpose", purpose, catalog.purposes.keys());
  });
  return problems;
}

/** The first MAX_PROBLEMS problems, and a last one counting the rest. */
function capped(problems: readonly RequestProblem[]): readonly RequestProblem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  const rest = problems.length - MAX_PROBLEMS;
  return [...problems.slice(0, MAX_PROBLEMS), { path: "(the request)", message: `${thousands(rest)} more problem${rest === 1 ? "" : "s"} not shown` }];
}

/**
 * Validates a request against the limits (default DEFAULT_LIMITS), the schema and, when given,
 * the catalog. Never throws: every problem comes back with its JSON path, in document order
 * (at most MAX_PROBLEMS of them, then a count of the rest). A request past a limit gets that one
 * problem, naming the limit and how to raise it, and is read no further.
 */
export function parseRequest(raw: unknown, catalog?: Catalog, limits: RequestLimits = DEFAULT_LIMITS): RequestResult {
  const over = checkRequestLimits(raw, limits);
  if (over) return { ok: false, problems: [{ path: over.path, message: over.message, hint: over.hint }] };
  // The compiled parse takes the happy path; zod decides (and explains) everything else.
  const compiled = parseCompiled(raw);
  let request: DecisionRequest;
  if (compiled) request = compiled.request;
  else {
    const result = RequestSchema.safeParse(raw, { reportInput: true });
    if (!result.success) return { ok: false, problems: capped(result.error.issues.flatMap(issueToProblems)) };
    request = result.data;
  }
  const problems = catalog ? catalogProblems(request, catalog) : [];
  if (problems.length > 0) return { ok: false, problems: capped(problems) };
  const times = compiled?.times;
  const time = (text: string): number => times?.get(text) ?? parseDateTimeLiteral(text)!;
  const nowMs = time(request.now);
  const eventAtMs = request.event.at === undefined ? nowMs : time(request.event.at);
  const timerMs = request.event.timer === undefined ? undefined : parseDurationLiteral(request.event.timer)!;
  return { ok: true, value: { request, nowMs, eventAtMs, ...(timerMs === undefined ? {} : { timerMs }), ...(times ? { times } : {}) } };
}

/** `path: message (hint)` lines, for people. */
export function formatProblems(problems: readonly RequestProblem[], file?: string): string {
  const prefix = file ? `${file}: ` : "";
  return problems.map((p) => `${prefix}${p.path}: ${p.message}${p.hint ? `\n  help: ${p.hint}` : ""}`).join("\n");
}
