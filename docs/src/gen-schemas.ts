// Generates the published JSON Schemas (schemas/request.schema.json, schemas/decision.schema.json,
// draft 2020-12) from the runtime's own definitions, so they cannot drift: the request schema is
// zod's translation of runtime/request.ts's RequestSchema with descriptions and examples laid
// over it (a key described here that the zod schema lacks, or the reverse, is an error); the
// decision schema is written here against runtime/decision.ts's types, whose keys and outcomes
// are checked by the type checker. `node docs/src/gen-schemas.ts` rewrites the files; a test
// (test/schemas) fails when they are stale and validates real requests and decisions with ajv.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { Action, Decision, Evaluation, Outcome, Reason, Wakeup } from "../../runtime/decision.ts";
import { RequestSchema } from "../../runtime/request.ts";

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Where the files are written. */
export const REQUEST_SCHEMA_PATH = fileURLToPath(new URL("../../schemas/request.schema.json", import.meta.url));
export const DECISION_SCHEMA_PATH = fileURLToPath(new URL("../../schemas/decision.schema.json", import.meta.url));

// URNs, not URLs: the files ship in the package (schemas/), no server hosts them.
const BASE = "urn:kairos:schema:";
const DOC = "docs/request.md";

/** The datetime syntax runtime/request.ts accepts (core/literals.ts): an ISO 8601 datetime with an offset. */
export const DATETIME_PATTERN = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$";
/** A timer label as journeys write it: `3d`, `12h`, `2w`. */
export const TIMER_PATTERN = "^\\d+[wdhms]$";

const datetime = (description: string, example: string): JsonObject => ({ description, pattern: DATETIME_PATTERN, examples: [example] });

// Descriptions (and patterns, examples) per JSON path of the request; `*` is an array item.
const REQUEST_NOTES: Record<string, JsonObject> = {
  "": {
    title: "Kairos decision request",
    description:
      "The input of `kairos decide --request FILE` and of the library's `Engine.decide`: one event for one subject at one time, " +
      "with the data the journeys read and the consent records, objections and contact history that lawful basis and caps need. " +
      "The decision service (`kairos serve`) takes the same object without `consents`, `objections` and `history` " +
      "(it reads them from its store); its own schema is in the service's /openapi.json. See " +
      DOC,
  },
  event: { description: "What happened: the trigger journeys listen to with `on`." },
  "event.type": { description: "An event the catalog declares (`events:` in catalog.yaml), e.g. `daily` or `claim.filed`.", examples: ["claim.filed"] },
  "event.id": {
    description: "The event's own id, unique per subject; the decision id is derived from the request, so a retry is recognisable.",
    examples: ["evt-7f3a"],
  },
  "event.at": datetime("When the event happened; timers count from here. Default: `now`.", "2026-03-02T09:00:00Z"),
  "event.payload": {
    description: "The event's fields, as the catalog declares them for the event (read in journeys as `event.NAME`).",
    examples: [{ claim_id: "cl-1" }],
  },
  "event.timer": {
    description:
      "Makes this request the timed follow-up of an earlier event: the label of a journey's `on EVENT after …` timer. " + "Only journeys with that timer run.",
    pattern: TIMER_PATTERN,
    examples: ["3d"],
  },
  subject: { description: "Who the decision is about: the customer id consents, objections and history are matched against.", examples: ["c-1"] },
  now: datetime("The time of the decision (quiet hours, caps, consent expiry, `days_since`).", "2026-03-02T10:00:00Z"),
  region: { description: "Where the data would be processed; checked against each field's residency.", examples: ["eu"] },
  context: {
    description:
      "The entity data journeys read, by entity then field (`customer.tenure_months` is `context.customer.tenure_months`). " +
      "With a context provider, missing entities are fetched; a field the catalog marks optional may be absent.",
    examples: [{ customer: { tenure_months: 14, timezone: "Europe/Berlin" }, policy: { status: "active" } }],
  },
  context_as_of: {
    description:
      "How old the context's values are: `entity` or `entity.field` → when the value was read from its system of record " +
      "(an ISO 8601 datetime with an offset; a field's own key wins over its entity's). A value older than its field's catalog " +
      "`freshness` makes the decision `stale`; a value without an age counts as read at `now`. See docs/runtime.md#freshness.",
    examples: [{ customer: "2026-03-02T09:55:00Z", "customer.nps": "2026-01-10T00:00:00Z" }],
    additionalProperties: { pattern: DATETIME_PATTERN },
  },
  consents: { description: "The subject's consent records. Keys Kairos does not read are ignored." },
  "consents.*.subject": { description: "Whose record it is; a record for another subject is ignored. Default: the request's subject." },
  "consents.*.purpose": { description: "A purpose the catalog declares.", examples: ["renewal_marketing"] },
  "consents.*.channel": {
    description: "The channel the consent is for; absent or null: every channel of the purpose. A channel-specific record wins over a general one.",
    examples: ["email", null],
  },
  "consents.*.status": { description: "`granted` gives a lawful basis of `consent`; `withdrawn` and `denied` remove it." },
  "consents.*.at": datetime("When the status was recorded; the latest record for (purpose, channel) at `now` counts.", "2026-01-05T08:00:00Z"),
  "consents.*.expires_at": {
    description: "When a grant stops counting; absent or null: it does not expire.",
    pattern: DATETIME_PATTERN,
    examples: ["2027-01-05T08:00:00Z"],
  },
  "consents.*.source": { description: "Where the record came from (kept in the decision log, not interpreted).", examples: ["preference-centre"] },
  "consents.*.notice_version": { description: "The privacy notice the subject saw (kept, not interpreted).", examples: ["2026-01"] },
  objections: { description: "Objections to processing (GDPR Art. 21): they remove `legitimate_interest` as a basis." },
  "objections.*.subject": { description: "Whose objection it is. Default: the request's subject." },
  "objections.*.scope": {
    description: "`direct_marketing` (every marketing purpose, and no basis can override it) or `purpose:<id>` for one purpose.",
    examples: ["direct_marketing", "purpose:renewal_marketing"],
  },
  "objections.*.at": datetime("When the objection was made.", "2026-02-01T12:00:00Z"),
  history: { description: "Earlier contacts, which `cap` clauses and catalog channel caps count." },
  "history.*.subject": { description: "Who was contacted. Default: the request's subject." },
  "history.*.journey": { description: "The journey that acted.", examples: ["renewal_reminder_d90"] },
  "history.*.at": datetime("When it acted.", "2026-02-20T10:00:00Z"),
  "history.*.channel": { description: "The channel used; default: the journey's.", examples: ["email"] },
  "history.*.purpose": { description: "The purpose; default: the journey's.", examples: ["renewal_marketing"] },
};

/** Lays REQUEST_NOTES over zod's schema; throws when a note names a key the schema lacks or a key has no note. */
function annotate(node: JsonObject, path: string, used: Set<string>): JsonObject {
  const note = REQUEST_NOTES[path];
  if (!note) throw new Error(`gen-schemas: request key \`${path}\` has no description in REQUEST_NOTES`);
  used.add(path);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "properties" && v && typeof v === "object" && !Array.isArray(v)) {
      const props: JsonObject = {};
      for (const [name, child] of Object.entries(v as JsonObject)) props[name] = annotate(child as JsonObject, path === "" ? name : `${path}.${name}`, used);
      out[k] = props;
    } else if (k === "items" && v && typeof v === "object" && !Array.isArray(v)) {
      out[k] = annotateItems(v as JsonObject, `${path}.*`, used);
    } else out[k] = v;
  }
  // Datetime and timer checks are zod refinements, which JSON Schema only knows as patterns
  // (`additionalProperties`: the pattern of a record's values, `context_as_of`).
  const { pattern, additionalProperties: values, ...rest } = note;
  const zodValues = out["additionalProperties"];
  if (values && typeof values === "object" && zodValues && typeof zodValues === "object" && !Array.isArray(zodValues) && !Array.isArray(values)) {
    out["additionalProperties"] = { ...zodValues, ...values };
  }
  if (pattern !== undefined) {
    if (out["type"] === "string") out["pattern"] = pattern;
    else if (Array.isArray(out["type"]) || Array.isArray(out["anyOf"])) out["anyOf"] = [{ type: "string", pattern }, { type: "null" }];
    if (out["anyOf"]) delete out["type"];
  }
  return { ...rest, ...out };
}

// An array's item object: its properties are annotated, the item itself is not described.
function annotateItems(node: JsonObject, path: string, used: Set<string>): JsonObject {
  const props = node["properties"] as JsonObject | undefined;
  if (!props) return node;
  const out: JsonObject = { ...node, properties: {} };
  for (const [name, child] of Object.entries(props)) (out["properties"] as JsonObject)[name] = annotate(child as JsonObject, `${path}.${name}`, used);
  return out;
}

/** The request schema: zod's translation of RequestSchema (input side) with the notes over it. */
export function requestSchema(): JsonObject {
  const raw = z.toJSONSchema(RequestSchema, { io: "input", target: "draft-2020-12" }) as unknown as JsonObject;
  const used = new Set<string>();
  const { $schema: _drop, ...body } = raw;
  const annotated = annotate(body, "", used);
  const unused = Object.keys(REQUEST_NOTES).filter((k) => !used.has(k));
  if (unused.length > 0) throw new Error(`gen-schemas: REQUEST_NOTES describes keys the request does not have: ${unused.join(", ")}`);
  return { $schema: "https://json-schema.org/draft/2020-12/schema", $id: `${BASE}request`, ...annotated };
}

// --- the decision ------------------------------------------------------------------------------

// Every outcome, with what it means; the mapped type makes a missing or extra outcome a type error.
const OUTCOMES: { readonly [K in Outcome]: string } = {
  acted: "a journey acts now: `action` is what to send",
  no_match: "no journey's `when` holds (or no journey listens to the event)",
  denied_consent: "the best candidate has no lawful basis (no consent, an objection, a withdrawn grant)",
  denied_residency: "the data it reads may not be processed in the request's region",
  stale: "the event or a context value is older than its catalog `freshness`: nothing may be sent (docs/runtime.md#freshness)",
  suppressed: "a guardrail stopped it (e.g. a catalog channel cap or a marketing objection)",
  held_out: "the subject is in the journey's control group (`holdout`)",
  capped: "the journey's own `cap` is reached",
  deferred: "quiet hours: the action is proposed for `deferred_until`",
  pending_review: "the journey needs human review (`review`) before it acts",
  error: "the decision failed closed: `error` says why, nothing may be sent",
};

type Props<T> = { readonly [K in keyof Required<T>]: JsonObject };

const reasonProps: Props<Reason> = {
  code: { type: "string", description: "A stable machine code, e.g. `consent_granted`, `quiet_hours`." },
  message: { type: "string", description: "The same in English, for people." },
};

const actionProps: Props<Action> = {
  name: { type: "string", description: "The action of the journey's `do` clause.", examples: ["email"] },
  channel: { type: "string", description: "The catalog channel it uses.", examples: ["email"] },
  params: {
    type: "object",
    description: "Its arguments.",
    additionalProperties: { type: ["string", "number", "boolean"] },
    examples: [{ template: "renewal-d90" }],
  },
};

const wakeupProps: Props<Wakeup> = {
  journey: { type: "string", description: "The timed journey to run again." },
  timer: { type: "string", description: "The timer label to send back as `event.timer`.", pattern: TIMER_PATTERN },
  at: { type: "string", description: "When to send the follow-up request.", pattern: DATETIME_PATTERN },
};

const outcome: JsonObject = { type: "string", enum: Object.keys(OUTCOMES), description: "What happened; see docs/request.md#outcomes." };

const evaluationProps: Props<Evaluation> = {
  journey: { type: "string" },
  outcome,
  purpose: { type: "string" },
  priority: { type: "integer" },
  basis: { type: "string", description: "The lawful basis that held, when one was looked for." },
  reasons: { type: "array", items: { $ref: "#/$defs/reason" } },
  trace: {
    type: "array",
    description:
      "The `when` (and, for the winner, `reason`) trace in evaluation order; empty when the journey was not evaluated. " +
      "`Engine.decide`, the decision log and `kairos decide --trace compact` give `[node, value]` pairs (node ids are the artifact's); " +
      "`kairos decide` by default gives `{ node, expr, value }` steps with dates, datetimes and durations as text.",
    items: {
      oneOf: [
        { type: "array", prefixItems: [{ type: "integer" }, {}], minItems: 2, maxItems: 2 },
        {
          type: "object",
          properties: { node: { type: "integer" }, expr: { type: "string" }, value: {} },
          required: ["node", "expr", "value"],
          additionalProperties: false,
        },
      ],
    },
  },
  matched: { type: "boolean", description: "The value of `when`, when it was evaluated." },
};

const decisionProps: Props<Decision> = {
  decision_id: { type: "string", description: "Derived from the artifact and the request: the same request decides to the same id." },
  outcome,
  journey: { type: "string", description: "The journey the outcome is about (the winner), when there is one." },
  action: { $ref: "#/$defs/action", description: "What to send: for `acted`, and the proposed action for `deferred` and `pending_review`." },
  basis: { type: "string", description: "The lawful basis the winner rests on.", examples: ["consent", "legitimate_interest", "contract"] },
  fields: { type: "array", items: { type: "string" }, description: "The fields requested from the context provider (the minimal bundle), sorted." },
  deferred_until: { type: "string", pattern: DATETIME_PATTERN, description: "For `deferred`: when quiet hours end." },
  explanation: { type: "string", description: "The customer-facing sentence of the winner's `reason` clause." },
  wakeups: { type: "array", items: { $ref: "#/$defs/wakeup" }, description: "Timed follow-ups to schedule: send a request with `event.timer` at `at`." },
  evaluations: { type: "array", items: { $ref: "#/$defs/evaluation" }, description: "Every journey that listened, by priority (highest first), then id." },
  stale: {
    type: "array",
    items: { $ref: "#/$defs/reason" },
    description:
      "For `stale`: what was out of date, each once — a `stale_event` (`event`) or `stale_field` (`field`) reason with `as_of`, " +
      "`age_seconds` and the catalog `freshness` it exceeded (docs/runtime.md#freshness).",
  },
  error: {
    type: "object",
    description: "For `error`: what failed (the decision fails closed).",
    properties: { code: { type: "string", examples: ["invalid_request", "missing_field"] }, message: { type: "string" } },
    required: ["code", "message"],
    additionalProperties: false,
  },
  artifact: { type: "string", description: "The hash of the compiled policy set that decided." },
};

// Required keys: the ones the types do not mark optional.
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
const required = <T>(keys: readonly RequiredKeys<T>[]): string[] => [...keys].map(String);

/** The decision schema: every key and outcome of runtime/decision.ts. */
export function decisionSchema(): JsonObject {
  const object = (properties: JsonObject, req: string[], extra: Json = false): JsonObject => ({
    type: "object",
    properties,
    required: req,
    additionalProperties: extra,
  });
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `${BASE}decision`,
    title: "Kairos decision",
    description: `What \`kairos decide\` prints and \`Engine.decide\` returns. Outcomes: ${Object.entries(OUTCOMES)
      .map(([k, v]) => `\`${k}\` (${v})`)
      .join("; ")}. See ${DOC}`,
    ...object(decisionProps, required<Decision>(["decision_id", "outcome", "fields", "evaluations", "artifact"])),
    $defs: {
      action: object(actionProps, required<Action>(["name", "channel", "params"])),
      wakeup: object(wakeupProps, required<Wakeup>(["journey", "timer", "at"])),
      // Reasons carry details by code (`field`, `until`, …): other keys are allowed.
      reason: object(reasonProps, required<Reason>(["code", "message"]), true),
      evaluation: object(evaluationProps, required<Evaluation>(["journey", "outcome", "purpose", "priority", "trace"])),
    },
  };
}

/** The file text of a schema: two-space JSON and a final newline. */
export function schemaText(schema: JsonObject): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(REQUEST_SCHEMA_PATH, schemaText(requestSchema()));
  writeFileSync(DECISION_SCHEMA_PATH, schemaText(decisionSchema()));
  console.log(`wrote ${REQUEST_SCHEMA_PATH} and ${DECISION_SCHEMA_PATH}`);
}
