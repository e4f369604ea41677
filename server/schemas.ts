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

/** A kill switch as the API shows it (docs/kill-switch.md). */
export const KILL_SWITCH_SCHEMA = {
  type: "object",
  required: ["kind", "name", "state", "by", "reason", "since"],
  properties: {
    kind: { type: "string", enum: ["journey", "channel"] },
    name: { type: "string", description: "the journey id or channel name" },
    state: { type: "string", enum: ["disabled", "enabled"], description: "`disabled`: turned off on every instance" },
    by: { type: "string", description: "who turned it" },
    reason: { type: "string", description: "why" },
    since: { type: "string", description: "when (ISO 8601 UTC)" },
  },
} as const;

/** `POST /v1/journeys/{id}/disable|enable`, `POST /v1/channels/{name}/disable|enable`: who turns the switch, and why (docs/kill-switch.md). */
export const KILL_SWITCH_BODY = {
  type: "object",
  required: ["by", "reason"],
  additionalProperties: false,
  properties: {
    by: {
      type: "string",
      minLength: 1,
      maxLength: 200,
      description: "who turns it (recorded in the switch's history and in every suppressed candidate's reason)",
    },
    reason: { type: "string", minLength: 1, maxLength: 4000, description: "why, in a sentence" },
    now: { ...ISO, description: "the time of the change; allowed only with `--clock request`" },
  },
} as const;

/** `{name}` in `/v1/channels/{name}/…`: a channel as the catalog's actions name it. */
export const CHANNEL_PARAMS = {
  type: "object",
  required: ["name"],
  properties: {
    name: { type: "string", minLength: 1, maxLength: 200, pattern: "^[A-Za-z_][A-Za-z0-9_]*$", description: "a channel, like `email` or `sms`" },
  },
} as const;

/** A channel and its kill switch as the API shows it (`GET /v1/channels`). */
export const CHANNEL_STATE_SCHEMA = {
  type: "object",
  required: ["channel", "state", "journeys"],
  properties: {
    channel: { type: "string" },
    state: { type: "string", enum: ["enabled", "disabled"], description: "`disabled`: every journey acting on it is suppressed (`kill_switch`)" },
    journeys: { type: "array", items: { type: "string" }, description: "the journeys of the running versions whose action uses it" },
    in_artifact: { type: "boolean", description: "false for a switch of a channel no running version uses" },
    since: { type: "string", description: "when the switch was last turned" },
    by: { type: "string" },
    reason: { type: "string" },
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
    kill_switch: {
      ...KILL_SWITCH_SCHEMA,
      description: "the kill switch that turns the journey off now (its own, else its channel's), or its own once turned on again (docs/kill-switch.md)",
    },
  },
} as const;

/** `POST /v1/rollout`: start a canary or shadow rollout of a registered version (docs/rollout.md). */
export const ROLLOUT_START_BODY = {
  type: "object",
  required: ["candidate", "mode", "by"],
  additionalProperties: false,
  properties: {
    candidate: { type: "string", minLength: 1, maxLength: 200, description: "the new version: its registry name (`v42`) or artifact hash" },
    mode: {
      type: "string",
      enum: ["canary", "shadow"],
      description: "`canary`: it decides for `percent` of subjects; `shadow`: it decides every request again, without effect",
    },
    percent: { type: "number", exclusiveMinimum: 0, maximum: 100, description: "canary only: the share of subjects, like `5` (two decimals at most)" },
    budget: {
      type: "object",
      additionalProperties: false,
      description: "canary only: breaching any one rolls the canary back (docs/rollout.md#automatic-rollback)",
      properties: {
        max_error_rate: { type: "number", minimum: 0, maximum: 1, description: "most share of the candidate's decisions that may be `error` (default 0.01)" },
        max_p99_ms: { type: "number", exclusiveMinimum: 0, description: "most p99 engine latency of the candidate, ms (default none)" },
        min_decisions: { type: "integer", minimum: 1, description: "decisions of the candidate before the budget is judged (default 100)" },
      },
    },
    by: { type: "string", minLength: 1, maxLength: 200, description: "who starts it (recorded in the rollout history)" },
    reason: { type: "string", maxLength: 4000, description: "why, in a sentence" },
    now: { ...ISO, description: "the time of the change; allowed only with `--clock request`" },
  },
} as const;

/** `POST /v1/rollout/promote|rollback`: who ends the rollout, and why. */
export const ROLLOUT_END_BODY = {
  type: "object",
  required: ["by"],
  additionalProperties: false,
  properties: {
    by: { type: "string", minLength: 1, maxLength: 200, description: "who (recorded in the rollout history)" },
    reason: { type: "string", maxLength: 4000, description: "why, in a sentence" },
    now: { ...ISO, description: "the time of the change; allowed only with `--clock request`" },
  },
} as const;

/** A rollout state as the API shows it (docs/rollout.md). */
export const ROLLOUT_STATE_SCHEMA = {
  type: "object",
  required: ["generation", "mode", "action", "by", "reason", "since"],
  properties: {
    generation: { type: "integer", description: "bumped by every change; 0 before the first" },
    stable: { type: "string", description: "the artifact hash that decides outside the canary" },
    stable_version: { type: "string", description: "its registry name" },
    mode: { type: "string", enum: ["none", "canary", "shadow"] },
    candidate: { type: "string", description: "the new version's artifact hash (canary, shadow)" },
    candidate_version: { type: "string" },
    percent: { type: "number", description: "canary: the share of subjects it decides for" },
    salt: {
      type: "string",
      description: "the salt of the subject buckets: bucket = int(first 8 hex of sha256(`rollout:` + salt + `:` + subject), 16) mod 10000",
    },
    budget: { type: "object", description: "canary: `max_error_rate`, `max_p99_ms`, `min_decisions`" },
    action: { type: "string", description: "`start`, `promote`, `rollback`, `auto_rollback`" },
    by: { type: "string" },
    reason: { type: "string" },
    detail: { type: "object", description: "an automatic rollback's breach: metric, value, threshold …" },
    since: { type: "string", description: "when (ISO 8601 UTC)" },
  },
} as const;

/** A registered artifact as the API shows it (docs/artifacts.md#the-registry). */
export const ARTIFACT_SCHEMA = {
  type: "object",
  required: ["version", "hash", "signed", "approvals", "published_by", "published_at"],
  properties: {
    version: { type: "string", description: "its name, unique in the registry" },
    hash: { type: "string", description: "the manifest's hash: what every decision it makes records as `artifact`" },
    signed: { type: "boolean", description: "whether it was published with a signature file" },
    signer: { type: "string", description: "the signer's name, from the signature" },
    approvals: { type: "array", items: { type: "string" }, description: "the ids of the DPO approvals published with it" },
    published_by: { type: "string" },
    published_at: { type: "string", description: "ISO 8601 UTC" },
    activated_at: { type: "string", description: "when it first became the stable version (ISO 8601 UTC)" },
  },
} as const;

/** `{ref}` in `/v1/artifacts/{ref}`: a version name or an artifact hash. */
export const ARTIFACT_PARAMS = {
  type: "object",
  required: ["ref"],
  properties: { ref: { type: "string", minLength: 1, maxLength: 200, description: "a version name (`2026.12.06-1`) or an artifact hash" } },
} as const;

/** `GET /v1/artifacts/at?t=`: the time to ask about. */
export const ARTIFACT_AT_QUERY = {
  type: "object",
  required: ["t"],
  properties: { t: { ...ISO, description: "the time (ISO 8601 with an offset)" } },
} as const;

/** What was in force at a time (`GET /v1/artifacts/at`). */
export const IN_FORCE_SCHEMA = {
  type: "object",
  required: ["t", "generation", "mode", "since", "action", "by"],
  properties: {
    t: { type: "string" },
    generation: { type: "integer", description: "the rollout generation in force" },
    mode: { type: "string", enum: ["none", "canary", "shadow"] },
    stable: { type: "object", description: "`{hash, version}` of the version that decided for everyone outside the canary" },
    candidate: { type: "object", description: "`{hash, version}` of the canary's or shadow's candidate" },
    percent: { type: "number", description: "the canary's share of subjects" },
    since: { type: "string", description: "when that rollout state was set" },
    action: { type: "string" },
    by: { type: "string" },
    reason: { type: "string" },
  },
} as const;

/** `POST /v1/artifacts`: an artifact's files, published into the registry. */
export const PUBLISH_BODY = {
  type: "object",
  required: ["by", "files"],
  additionalProperties: false,
  properties: {
    version: { type: "string", minLength: 1, maxLength: 200, description: "its version name (default: the signature's)" },
    by: { type: "string", minLength: 1, maxLength: 200, description: "who publishes it" },
    files: {
      type: "object",
      minProperties: 1,
      maxProperties: 64,
      additionalProperties: { type: "string", description: "the file's bytes, base64" },
      description: "relative path → base64 bytes: manifest.json, predicates.js, catalog.json, opa/bundle.tar.gz, signature.json … (`approvals/…` too)",
    },
  },
} as const;
