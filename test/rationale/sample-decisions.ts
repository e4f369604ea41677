// Hand-built decisions, journey metadata and log records shaped like the engine's output, for
// the log and rationale tests until the engine runs end to end. Values in traces use the runtime
// representation (dates as epoch days, datetimes as epoch ms), as compiled predicates record them.
import type { JourneyMeta, TraceNode } from "../../core/artifact.ts";
import type { PiiClass } from "../../core/catalog/types.ts";
import { parseDateLiteral, parseDateTimeLiteral } from "../../core/literals.ts";
import type { Decision } from "../../runtime/decision.ts";
import type { AppliedPolicies, DecisionLogEntry, MinimizedRequest } from "../../runtime/sink.ts";

const day = (s: string): number => parseDateLiteral(s)!;
const ms = (s: string): number => parseDateTimeLiteral(s)!;

function nodes(file: string, line: number, specs: readonly [kind: string, text: string, type: string, children?: number[], op?: string][]): TraceNode[] {
  return specs.map(([kind, text, type, children = [], op], id) => ({
    id,
    kind,
    ...(op ? { op } : {}),
    text,
    type,
    children,
    loc: { file, line, column: 8 + id * 2, endLine: line, endColumn: 8 + id * 2 + text.length },
  }));
}

const STATUS = 'enum("active", "lapsed", "cancelled")';

export const renewal: JourneyMeta = {
  id: "renewal_reminder_d90",
  title: "Renewal reminder at day 90",
  purpose: "renewal_marketing",
  risk: "low",
  priority: 50,
  trigger: { event: "daily", timers: [] },
  action: { name: "email", channel: "email", params: { template: "renewal-d90" } },
  cap: { count: 1, windowMs: 30 * 86_400_000, window: "30d" },
  quiet: { from: "21:00", to: "08:00", fromMinutes: 1260, toMinutes: 480 },
  holdout: { percent: 10, salt: "" },
  review: false,
  fields: ["customer.tenure_months", "customer.timezone", "policy.renewal_date", "policy.status"],
  eventFields: [],
  loc: { file: "journeys/renewal.journey", line: 1, column: 1, endLine: 14, endColumn: 2 },
  nodes: nodes("journeys/renewal.journey", 7, [
    ["binary", 'policy.status == "active" and days_until(policy.renewal_date) == 90 and customer.tenure_months >= 12', "bool", [1, 7], "and"],
    ["binary", 'policy.status == "active" and days_until(policy.renewal_date) == 90', "bool", [2, 4], "and"],
    ["binary", 'policy.status == "active"', "bool", [3], "=="],
    ["path", "policy.status", STATUS],
    ["binary", "days_until(policy.renewal_date) == 90", "bool", [5], "=="],
    ["call", "days_until(policy.renewal_date)", "int", [6]],
    ["path", "policy.renewal_date", "date"],
    ["binary", "customer.tenure_months >= 12", "bool", [8], ">="],
    ["path", "customer.tenure_months", "int"],
    ["call", "days_until(policy.renewal_date)", "int", [10]],
    ["path", "policy.renewal_date", "date"],
  ]),
  whenRoot: 0,
};

export const onboarding: JourneyMeta = {
  id: "onboarding_nudge",
  title: "Nudge when onboarding stalls",
  purpose: "service_updates",
  risk: "low",
  priority: 10,
  trigger: { event: "daily", timers: [] },
  action: { name: "email", channel: "email", params: { template: "onboarding-nudge" } },
  review: false,
  fields: ["onboarding.completed_steps", "onboarding.last_progress_at", "onboarding.total_steps"],
  eventFields: [],
  loc: { file: "journeys/onboarding.journey", line: 1, column: 1, endLine: 9, endColumn: 2 },
  nodes: nodes("journeys/onboarding.journey", 6, [
    ["binary", "days_since(onboarding.last_progress_at) >= 5 and onboarding.completed_steps < onboarding.total_steps", "bool", [1, 4], "and"],
    ["binary", "days_since(onboarding.last_progress_at) >= 5", "bool", [2], ">="],
    ["call", "days_since(onboarding.last_progress_at)", "int", [3]],
    ["path", "onboarding.last_progress_at", "datetime"],
    ["binary", "onboarding.completed_steps < onboarding.total_steps", "bool", [5, 6], "<"],
    ["path", "onboarding.completed_steps", "int"],
    ["path", "onboarding.total_steps", "int"],
  ]),
  whenRoot: 0,
};

export const recovery: JourneyMeta = {
  id: "service_recovery",
  title: "Service-recovery outreach after a negative interaction",
  purpose: "service_recovery",
  risk: "high",
  priority: 0,
  trigger: { event: "ticket.resolved", timers: [] },
  action: { name: "agent_callback", channel: "call_task", params: { queue: "recovery" } },
  cap: { count: 1, windowMs: 90 * 86_400_000, window: "90d" },
  review: true,
  fields: ["customer.segment"],
  eventFields: ["csat"],
  loc: { file: "journeys/recovery.journey", line: 1, column: 1, endLine: 10, endColumn: 2 },
  nodes: nodes("journeys/recovery.journey", 6, [
    ["binary", 'event.csat <= 2 and customer.segment != "corporate"', "bool", [1, 3], "and"],
    ["binary", "event.csat <= 2", "bool", [2], "<="],
    ["path", "event.csat", "int"],
    ["binary", 'customer.segment != "corporate"', "bool", [4], "!="],
    ["path", "customer.segment", 'enum("retail", "sme", "corporate")'],
  ]),
  whenRoot: 0,
};

/** Reads a PII field (`customer.email`), quantifies over a list, and interpolates PII in its reason. */
export const followup: JourneyMeta = {
  id: "vip_followup",
  title: "Follow-up for corporate contacts <after> a bad interaction",
  purpose: "service_recovery",
  risk: "medium",
  priority: 5,
  trigger: { event: "ticket.resolved", timers: [{ label: "2d", ms: 2 * 86_400_000 }] },
  action: { name: "email", channel: "email", params: { template: "vip-followup" } },
  quiet: { from: "21:00", to: "08:00", fromMinutes: 1260, toMinutes: 480 },
  review: false,
  fields: ["customer.email", "customer.recent_interactions", "customer.timezone"],
  eventFields: [],
  loc: { file: "journeys/vip.journey", line: 1, column: 1, endLine: 12, endColumn: 2 },
  nodes: nodes("journeys/vip.journey", 7, [
    ["binary", 'contains(customer.email, "@corp.example") and any i in customer.recent_interactions: i.sentiment == "negative"', "bool", [1, 3], "and"],
    ["call", 'contains(customer.email, "@corp.example")', "bool", [2]],
    ["path", "customer.email", "string"],
    ["quantifier", 'any i in customer.recent_interactions: i.sentiment == "negative"', "bool", [4, 5], "any"],
    ["path", "customer.recent_interactions", 'list of record {at: datetime, channel: string, sentiment: enum("positive", "neutral", "negative")}'],
    ["binary", 'i.sentiment == "negative"', "bool", [6], "=="],
    ["path", "i.sentiment", 'enum("positive", "neutral", "negative")'],
    ["path", "customer.email", "string"],
  ]),
  whenRoot: 0,
};

export const JOURNEYS: readonly JourneyMeta[] = [renewal, onboarding, recovery, followup];

/** The catalog's `pii` tags for the fields above (spec §1.1). */
export const PII: Readonly<Record<string, PiiClass>> = {
  "customer.customer_id": "identifier",
  "customer.email": "direct",
  "customer.timezone": "none",
  "customer.tenure_months": "none",
  "customer.segment": "none",
  "customer.recent_interactions": "none",
  "policy.status": "none",
  "policy.renewal_date": "none",
  "onboarding.completed_steps": "none",
  "onboarding.total_steps": "none",
  "onboarding.last_progress_at": "none",
  "claim.diagnosis": "sensitive",
};
export const piiLookup = (path: string): PiiClass | undefined => PII[path];

export const ARTIFACT = "7d1f0c5a9e3b2d4c6a8f0e1d3c5b7a9f1e2d4c6b8a0f1e3d5c7b9a1f2e4d6c8b";

export const POLICIES: AppliedPolicies = {
  artifact: ARTIFACT,
  artifact_version: 1,
  compiler: "kairos 0.1.0",
  parts: { "manifest.json": "11".repeat(32), "predicates.js": "22".repeat(32), "opa/bundle.tar.gz": "33".repeat(32) },
  rego: { "rego/consent.rego": "44".repeat(32), "rego/kairos.rego": "55".repeat(32), "rego/residency.rego": "66".repeat(32) },
  opa_version: "1.4.2",
  default_policies: true,
};

export interface Sample {
  readonly name: string;
  readonly decision: Decision;
  readonly request: MinimizedRequest;
}

const EMAIL = "ana.lima@corp.example";

const acted: Sample = {
  name: "renewal-acted",
  request: {
    event: { type: "daily", id: "daily-2026-05-30" },
    subject: "cust-42",
    now: "2026-05-30T09:00:00Z",
    region: "eu",
    context: {
      policy: { status: "active", renewal_date: "2026-08-28" },
      customer: { tenure_months: 14, timezone: "Europe/Lisbon" },
      onboarding: { completed_steps: 3, total_steps: 5, last_progress_at: "2026-05-20T10:00:00Z" },
    },
    consents: [
      {
        subject: "cust-42",
        purpose: "renewal_marketing",
        channel: "email",
        status: "granted",
        at: "2025-01-10T12:00:00Z",
        source: "web-preferences",
        notice_version: "2024-11",
      },
    ],
    objections: [],
    history: [],
  },
  decision: {
    decision_id: "d_5c1e9a7b3f20d4e8a61b0c9d2e7f4a35",
    outcome: "acted",
    journey: "renewal_reminder_d90",
    action: { name: "email", channel: "email", params: { template: "renewal-d90" } },
    basis: "consent",
    fields: [...new Set([...renewal.fields, ...onboarding.fields])].sort(),
    explanation: "Your policy renews in 90 days, so we sent you your options.",
    evaluations: [
      {
        journey: "renewal_reminder_d90",
        outcome: "acted",
        purpose: "renewal_marketing",
        priority: 50,
        basis: "consent",
        matched: true,
        trace: [
          [3, "active"],
          [2, true],
          [6, day("2026-08-28")],
          [5, 90],
          [4, true],
          [1, true],
          [8, 14],
          [7, true],
          [0, true],
          [10, day("2026-08-28")],
          [9, 90],
        ],
      },
      {
        journey: "onboarding_nudge",
        outcome: "suppressed",
        purpose: "service_updates",
        priority: 10,
        basis: "contract",
        matched: true,
        trace: [
          [3, ms("2026-05-20T10:00:00Z")],
          [2, 10],
          [1, true],
          [5, 3],
          [6, 5],
          [4, true],
          [0, true],
        ],
        reasons: [{ code: "lost_arbitration", message: "renewal_reminder_d90 has a higher priority (50 > 10)" }],
      },
    ],
    artifact: ARTIFACT,
  },
};

const review: Sample = {
  name: "recovery-pending-review",
  request: {
    event: { type: "ticket.resolved", id: "T-1009", at: "2026-05-30T08:55:00Z", payload: { csat: 1 } },
    subject: "cust-42",
    now: "2026-05-30T09:00:00Z",
    region: "eu",
    context: { customer: { segment: "retail" } },
    consents: [],
    objections: [],
    history: [{ subject: "cust-42", journey: "service_recovery", at: "2026-01-03T10:00:00Z" }],
  },
  decision: {
    decision_id: "d_0b7e33a91c5d6f02b84e1a7c9d3f5e60",
    outcome: "pending_review",
    journey: "service_recovery",
    // The proposed action (spec §6): what a reviewer approves or rejects.
    action: { name: "agent_callback", channel: "call_task", params: { queue: "recovery" } },
    basis: "legitimate_interest",
    fields: ["customer.segment"],
    wakeups: [{ journey: "vip_followup", timer: "2d", at: "2026-06-01T08:55:00Z" }],
    evaluations: [
      {
        journey: "service_recovery",
        outcome: "pending_review",
        purpose: "service_recovery",
        priority: 0,
        basis: "legitimate_interest",
        matched: true,
        trace: [
          [2, 1],
          [1, true],
          [4, "retail"],
          [3, true],
          [0, true],
        ],
      },
    ],
    artifact: ARTIFACT,
  },
};

const deferred: Sample = {
  name: "followup-deferred-pii",
  request: {
    event: { type: "ticket.resolved", id: "T-1009", at: "2026-05-30T20:10:00Z", timer: "2d" },
    subject: "cust-42",
    now: "2026-06-01T22:30:00Z",
    region: "eu",
    context: {
      customer: {
        email: EMAIL,
        timezone: "Europe/Lisbon",
        recent_interactions: [
          { at: "2026-05-28T10:00:00Z", channel: "phone", sentiment: "neutral" },
          { at: "2026-05-30T19:00:00Z", channel: "chat", sentiment: "negative" },
        ],
      },
    },
    consents: [],
    objections: [{ subject: "cust-42", scope: "direct_marketing", at: "2025-03-02T08:00:00Z" }],
    history: [],
  },
  decision: {
    decision_id: "d_9f4c2b8e6a1d70354c8b2e9f1a6d3c07",
    outcome: "deferred",
    journey: "vip_followup",
    action: { name: "email", channel: "email", params: { template: "vip-followup" } },
    basis: "legitimate_interest",
    fields: ["customer.email", "customer.recent_interactions", "customer.timezone"],
    deferred_until: "2026-06-02T07:00:00Z",
    explanation: `We are following up with ${EMAIL} because your last conversation with us went badly.`,
    evaluations: [
      {
        journey: "vip_followup",
        outcome: "deferred",
        purpose: "service_recovery",
        priority: 5,
        basis: "legitimate_interest",
        matched: true,
        trace: [
          [2, EMAIL],
          [1, true],
          [
            4,
            [
              { at: ms("2026-05-28T10:00:00Z"), channel: "phone", sentiment: "neutral" },
              { at: ms("2026-05-30T19:00:00Z"), channel: "chat", sentiment: "negative" },
            ],
          ],
          [6, "neutral"],
          [5, false],
          [6, "negative"],
          [5, true],
          [3, true],
          [0, true],
          [7, EMAIL],
        ],
      },
    ],
    artifact: ARTIFACT,
  },
};

const denied: Sample = {
  name: "renewal-denied-consent",
  request: {
    event: { type: "daily", id: "daily-2026-05-30" },
    subject: "cust-77",
    now: "2026-05-30T09:00:00Z",
    region: "eu",
    context: { onboarding: { completed_steps: 5, total_steps: 5, last_progress_at: "2026-05-29T16:30:00Z" } },
    consents: [
      { subject: "cust-77", purpose: "renewal_marketing", status: "granted", at: "2024-02-01T09:00:00Z", source: "signup" },
      {
        subject: "cust-77",
        purpose: "renewal_marketing",
        channel: "email",
        status: "withdrawn",
        at: "2026-04-01T18:22:00Z",
        source: "unsubscribe-link",
        notice_version: "2024-11",
      },
    ],
    objections: [],
    history: [],
  },
  decision: {
    decision_id: "d_31aa0c9d7e5b4f18e2c6a0b9d4f7e153",
    outcome: "denied_consent",
    fields: [...onboarding.fields],
    evaluations: [
      {
        journey: "renewal_reminder_d90",
        outcome: "denied_consent",
        purpose: "renewal_marketing",
        priority: 50,
        trace: [],
        reasons: [
          { code: "consent_withdrawn", message: "the latest consent record for renewal_marketing on email is withdrawn (2026-04-01T18:22:00Z)", record: 1 },
          { code: "legitimate_interest_refused", message: "legitimate interest does not apply: the person withdrew consent for renewal_marketing" },
        ],
      },
      {
        journey: "onboarding_nudge",
        outcome: "no_match",
        purpose: "service_updates",
        priority: 10,
        basis: "contract",
        matched: false,
        trace: [
          [3, ms("2026-05-29T16:30:00Z")],
          [2, 0],
          [1, false],
          [0, false],
        ],
      },
    ],
    artifact: ARTIFACT,
  },
};

export const SAMPLES: readonly Sample[] = [acted, review, deferred, denied];

/** The record the engine hands its sink for a sample. */
export function sinkEntry(sample: Sample, overrides: Partial<Decision> = {}): DecisionLogEntry {
  const decision = { ...sample.decision, ...overrides };
  return {
    decision_id: decision.decision_id,
    at: sample.request.now,
    subject: sample.request.subject,
    outcome: decision.outcome,
    ...(decision.journey ? { journey: decision.journey } : {}),
    ...(decision.basis ? { basis: decision.basis } : {}),
    request: sample.request,
    policies: POLICIES,
    decision,
  };
}
