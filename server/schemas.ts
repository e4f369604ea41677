// The JSON Schemas of the HTTP API: what each route validates its body, path parameters and
// query with (Fastify compiles them with Ajv) and what the OpenAPI document at /openapi.json
// publishes — one definition for both. Types only: the catalog-aware checks (a known event
// type, known purposes) and the request limits run in the engine's validator afterwards.

const ISO = { type: "string", minLength: 1, maxLength: 64, description: "ISO 8601 datetime with an offset, like `2026-05-30T09:00:00Z`" } as const;
const NAME = { type: "string", minLength: 1, maxLength: 512 } as const;

/** `{subject}` in paths: a subject id as the systems of record know it. */
export const SUBJECT_PARAMS = {
  type: "object",
  required: ["subject"],
  properties: { subject: { ...NAME, description: "the subject (customer) id" } },
} as const;

/** `{id}` in paths: a decision id (`d_` + 32 hex digits). */
export const DECISION_PARAMS = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", pattern: "^d_[0-9a-f]{32}$", description: "a decision id, `d_` and 32 hex digits" } },
} as const;

const EVENT = {
  type: "object",
  required: ["type", "id"],
  additionalProperties: false,
  properties: {
    type: { ...NAME, description: "an event type the catalog declares" },
    id: { ...NAME, description: "the event's id: with the subject and `timer`, the idempotency key" },
    at: ISO,
    payload: { type: "object", description: "the event's fields, as the catalog declares them" },
    timer: { type: "string", minLength: 1, maxLength: 32, description: "set for a timed follow-up (`3d`); the service sets it for its own wake-ups" },
  },
} as const;

/**
 * `POST /v1/decisions`: the runtime request (docs/request.md) without `consents`, `objections` and
 * `history` — the store holds those. `now` only when the server runs with `--clock request`.
 */
export const DECISION_BODY = {
  type: "object",
  required: ["event", "subject", "region"],
  additionalProperties: false,
  properties: {
    event: EVENT,
    subject: NAME,
    region: { ...NAME, description: "where the subject's data lives (residency)" },
    now: { ...ISO, description: "the decision time; allowed only with `--clock request` (simulations), else the server's clock" },
    context: {
      type: "object",
      description: "inline context, entity → field → value (tests, demos); ignored fields are dropped",
      additionalProperties: { type: "object" },
    },
    context_as_of: {
      type: "object",
      description:
        "how old the context's values are: `entity` or `entity.field` → when read (docs/runtime.md#freshness); older than the field's `freshness`: `stale`",
      additionalProperties: ISO,
    },
  },
} as const;

const CONSENT = {
  type: "object",
  required: ["purpose", "status", "at"],
  properties: {
    subject: NAME,
    purpose: NAME,
    channel: { anyOf: [NAME, { type: "null" }] },
    status: { type: "string", enum: ["granted", "withdrawn", "denied"] },
    at: ISO,
    expires_at: { anyOf: [ISO, { type: "null" }] },
    source: { type: "string", maxLength: 512 },
    notice_version: { type: "string", maxLength: 512 },
  },
} as const;

const OBJECTION = {
  type: "object",
  required: ["scope", "at"],
  properties: {
    subject: NAME,
    scope: { ...NAME, description: "`direct_marketing` or `purpose:<id>`" },
    at: ISO,
  },
} as const;

/** Most records in one consent or objection write. */
export const MAX_RECORDS = 1000;

/** `POST /v1/subjects/{subject}/consents`. */
export const CONSENTS_BODY = {
  type: "object",
  required: ["records"],
  additionalProperties: false,
  properties: { records: { type: "array", minItems: 1, maxItems: MAX_RECORDS, items: CONSENT } },
} as const;

/** `POST /v1/subjects/{subject}/objections`. */
export const OBJECTIONS_BODY = {
  type: "object",
  required: ["records"],
  additionalProperties: false,
  properties: { records: { type: "array", minItems: 1, maxItems: MAX_RECORDS, items: OBJECTION } },
} as const;

/** `POST /v1/reviews/{id}`. */
export const REVIEW_BODY = {
  type: "object",
  required: ["verdict", "reviewer"],
  additionalProperties: false,
  properties: {
    verdict: { type: "string", enum: ["approve", "reject"] },
    reviewer: { ...NAME, description: "who decided (kept in the log)" },
    note: { type: "string", maxLength: 4000 },
    now: { ...ISO, description: "the verdict's time; allowed only with `--clock request`" },
  },
} as const;

/** `GET /v1/reviews?state=`. */
export const REVIEWS_QUERY = {
  type: "object",
  additionalProperties: false,
  properties: { state: { type: "string", enum: ["pending", "approved", "rejected"], default: "pending" } },
} as const;

/** `GET /v1/subjects/{subject}/decisions?limit=&cursor=`: a page of an access export. */
export const SUBJECT_DECISIONS_QUERY = {
  type: "object",
  additionalProperties: false,
  properties: {
    limit: { type: "string", pattern: "^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$", description: "decisions per page, 1–500 (default 100)" },
    cursor: { type: "string", pattern: "^[0-9]{1,15}$", description: "the `next` of the previous page" },
  },
} as const;

/** One decision of an access export. */
const SUBJECT_DECISION = {
  type: "object",
  required: ["decision_id", "at", "outcome", "customer"],
  properties: {
    decision_id: { type: "string" },
    at: { type: "string", description: "when it was decided (the request's `now`)" },
    outcome: { type: "string" },
    journey: { type: "string" },
    action: { type: "object" },
    basis: { type: "string" },
    deferred_until: { type: "string" },
    customer: { type: "string", description: "the sentence the customer was given: why they got this (or did not)" },
    log: { type: "object", properties: { shard: { type: "integer" }, seq: { type: "integer" }, hash: { type: "string" } } },
  },
} as const;

/** The answer of `GET /v1/subjects/{subject}/decisions`. */
export const SUBJECT_DECISIONS_RESPONSE = {
  type: "object",
  required: ["subject", "decisions", "consents", "objections"],
  properties: {
    subject: { type: "string" },
    decisions: { type: "array", items: SUBJECT_DECISION },
    consents: { type: "array", items: { type: "object" }, description: "the consent records on record (on every page)" },
    objections: { type: "array", items: { type: "object" }, description: "the objections on record (on every page)" },
    assignments: {
      type: "array",
      items: { type: "object" },
      description: "which arm of which journey's experiment each decision put the subject in (docs/value.md#arms-who-is-treated-who-is-held-out)",
    },
    outcomes: {
      type: "array",
      items: { type: "object" },
      description: "the business outcomes reported about the subject (docs/value.md#outcomes; on every page)",
    },
    next: { type: "string", description: "the cursor of the next page; absent on the last page" },
  },
} as const;

/** The answer of `DELETE /v1/subjects/{subject}`: what was erased. */
export const ERASURE_RESPONSE = {
  type: "object",
  required: ["subject", "key_destroyed", "entries", "not_erasable", "decisions", "consents", "objections", "history", "wakeups", "reviews"],
  properties: {
    subject: { type: "string" },
    subject_key: { type: "string", description: "the id of the destroyed per-subject key (what the subject's log entries name)" },
    key_destroyed: { type: "boolean", description: "false when there was nothing left to erase (erasure is idempotent)" },
    entries: { type: "integer", description: "log entries made under the destroyed key: still in the chain, no longer linkable or unsealable" },
    not_erasable: { type: "integer", description: "log entries about the subject made under the log key alone (a store without per-subject keys)" },
    decisions: { type: "integer", description: "decision rows stripped to what the log shows" },
    consents: { type: "integer" },
    objections: { type: "integer" },
    history: { type: "integer" },
    wakeups: { type: "integer" },
    reviews: { type: "integer" },
    assignments: { type: "integer", description: "assignment rows (which arm of a journey's experiment the subject was in), deleted" },
    outcomes: { type: "integer", description: "outcomes reported about the subject (POST /v1/outcomes), deleted" },
  },
} as const;

/** One business outcome (docs/value.md#outcomes): what `POST /v1/outcomes` and `kairos outcomes import` take. */
export const OUTCOME = {
  type: "object",
  required: ["subject", "type", "at"],
  additionalProperties: false,
  properties: {
    id: {
      type: "string",
      minLength: 1,
      maxLength: 256,
      description: "your id for it: the same id again is not counted twice (default: derived from the rest)",
    },
    subject: { type: "string", minLength: 1, maxLength: 256 },
    type: {
      type: "string",
      minLength: 1,
      maxLength: 256,
      description: "conversion, renewal, complaint, unsubscribe, or a type the catalog's `value: outcomes:` declares",
    },
    at: { type: "string", minLength: 1, description: "when it happened: ISO 8601 with an offset (`2026-05-30T09:00:00Z`)" },
    value: { type: "number", description: "its value in the catalog's currency (a renewal's premium)" },
  },
} as const;

/** `POST /v1/outcomes`: one outcome, or `{outcomes: [...]}` (at most 1,000). */
export const OUTCOMES_BODY = {
  type: "object",
  description: "one outcome (`subject`, `type`, `at`, `value`?, `id`?), or `{outcomes: [...]}` with at most 1,000",
  additionalProperties: false,
  properties: { ...OUTCOME.properties, outcomes: { type: "array", minItems: 1, maxItems: MAX_RECORDS, items: OUTCOME } },
} as const;

/** The answer of `POST /v1/outcomes`. */
export const OUTCOMES_RESPONSE = {
  type: "object",
  required: ["added", "duplicates"],
  properties: {
    added: { type: "integer", description: "outcomes written" },
    duplicates: { type: "integer", description: "outcomes whose id the store already had (or that repeat one in the batch): not counted again" },
  },
} as const;

/** `GET /v1/decisions/{id}/rationale?format=`. */
export const RATIONALE_QUERY = {
  type: "object",
  additionalProperties: false,
  properties: { format: { type: "string", enum: ["md", "html", "text", "customer"], default: "md" } },
} as const;

/** `POST /v1/admin/wakeups/run`. */
export const WAKEUPS_RUN_BODY = {
  type: "object",
  required: ["until"],
  additionalProperties: false,
  properties: { until: { ...ISO, description: "run every wake-up due at or before this time, in due order" } },
} as const;

/** A decision (docs/request.md), loosely: the fields every decision has. */
export const DECISION_SCHEMA = {
  type: "object",
  required: ["decision_id", "outcome", "fields", "evaluations", "artifact"],
  properties: {
    decision_id: { type: "string" },
    outcome: {
      type: "string",
      enum: ["acted", "no_match", "denied_consent", "denied_residency", "stale", "suppressed", "held_out", "capped", "deferred", "pending_review", "error"],
    },
    journey: { type: "string" },
    action: { type: "object" },
    basis: { type: "string" },
    fields: { type: "array", items: { type: "string" } },
    deferred_until: { type: "string" },
    explanation: { type: "string" },
    wakeups: { type: "array", items: { type: "object" } },
    evaluations: { type: "array", items: { type: "object" } },
    stale: { type: "array", items: { type: "object" } },
    error: { type: "object" },
    artifact: { type: "string" },
  },
} as const;

/** `{id}` in `/v1/journeys/{id}/…`: a journey id as the policy set writes it. */
export const JOURNEY_PARAMS = {
  type: "object",
  required: ["id"],
  properties: {
    id: { type: "string", minLength: 1, maxLength: 200, pattern: "^[A-Za-z_][A-Za-z0-9_]*$", description: "a journey id, like `referral_invite`" },
  },
} as const;

/** `POST /v1/journeys/{id}/resume`: who resumes a journey its stop-loss stopped, and why (docs/value.md#stop-loss). */
export const RESUME_BODY = {
  type: "object",
  required: ["by"],
  additionalProperties: false,
  properties: {
    by: { type: "string", minLength: 1, maxLength: 200, description: "who resumes it (recorded in the journey's control history)" },
    note: { type: "string", maxLength: 4000, description: "why it may act again" },
    now: { ...ISO, description: "the time of the resume; allowed only with `--clock request`" },
  },
} as const;

/** A journey's control state as the API shows it. */
export const JOURNEY_STATE_SCHEMA = {
  type: "object",
  required: ["journey", "state"],
  properties: {
    journey: { type: "string" },
    title: { type: "string" },
    state: { type: "string", enum: ["running", "stopped"] },
    stop_loss: { type: "string", description: "the journey's `stop_loss` clause, as written" },
    in_artifact: { type: "boolean", description: "false for a control row of a journey the running artifact no longer has" },
    since: { type: "string", description: "when the state was last set" },
    by: { type: "string", description: "`stop-loss`, or the person who resumed it" },
    reason: { type: "string" },
    detail: { type: "object" },
  },
} as const;
