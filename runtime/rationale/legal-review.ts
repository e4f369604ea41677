// The legal-review layout of a decision: what it decided and why, journey by journey — each
// condition with its value, the lawful basis and the record behind it, residency, guardrails —
// then the policy versions and the minimal bundle. Built once as blocks; renderers print them.
import type { JourneyMeta } from "../../core/artifact.ts";
import { parseDateTimeLiteral } from "../../core/literals.ts";
import type { Evaluation, Outcome } from "../decision.ts";
import { lookup, own } from "../own.ts";
import { explainBasis } from "./basis.ts";
import { customerSentence } from "./customer.ts";
import { fromBackticks, t, type Block, type Inline, type Text } from "./document.ts";
import { guardrailSteps } from "./guardrails.ts";
import { haltedBy } from "./halted.ts";
import type { RationaleInput } from "./input.ts";
import { bareTrace, traceTree } from "./trace-tree.ts";
import { formatContextValue, formatTime, isPseudonym } from "./values.ts";

/** What each outcome means, in a reviewer's words. */
export const OUTCOME_TEXT: Readonly<Record<Outcome, string>> = {
  acted: "acted: the action was taken",
  no_match: "no match: no journey's condition held",
  denied_consent: "denied: no lawful basis (consent)",
  denied_residency: "denied: data residency",
  stale: "stale: not sent, the data was out of date",
  suppressed: "suppressed: another journey won arbitration",
  held_out: "held out: in the control group, no action",
  capped: "capped: over the frequency cap",
  deferred: "deferred: quiet hours",
  pending_review: "pending review: waiting for a human",
  error: "error: failed closed, no action",
};

function trigger(meta: JourneyMeta): string {
  const timers = meta.trigger.timers.map((x) => x.label);
  return `on ${meta.trigger.event}${timers.length ? ` after ${timers.join(", ")}` : ""}`;
}

function actionText(a: { name: string; channel: string; params: Readonly<Record<string, string | number | boolean>> }): Text {
  const params = Object.entries(a.params)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(", ");
  return [{ code: `${a.name}(${params})` }, ` on channel `, { code: a.channel }];
}

function code(value: string | undefined): Text {
  return value === undefined || value === "" ? ["—"] : [{ code: value }];
}

function overview(input: RationaleInput): Block[] {
  const { decision, request, log } = input;
  const rows: [string, Text][] = [["Outcome", [{ strong: lookup(OUTCOME_TEXT, decision.outcome) ?? decision.outcome }]]];
  if (request) {
    rows.push(["Decided at", code(request.now)]);
    const ev = request.event;
    rows.push([
      "Event",
      [
        { code: ev.type },
        ` id `,
        { code: ev.id },
        ...(ev.at ? [` at `, { code: ev.at }] : []),
        ...(ev.timer ? [` (timer `, { code: ev.timer }, `)`] : []),
      ] as Inline[],
    ]);
    rows.push(["Region", code(request.region)]);
    if (request.subject !== undefined) rows.push(["Subject", [{ code: request.subject }, isPseudonym(request.subject) ? " (pseudonymized)" : ""]]);
  }
  if (decision.journey) {
    const title = input.journeys.get(decision.journey)?.title;
    rows.push(["Journey", [{ code: decision.journey }, ...(title ? [` — ${title}`] : [])]]);
  }
  // Deferred and pending-review decisions carry the action they propose; nobody has taken it yet.
  if (decision.action) rows.push([decision.outcome === "acted" ? "Action" : "Proposed action", actionText(decision.action)]);
  if (decision.basis) rows.push(["Lawful basis", code(decision.basis)]);
  if (decision.deferred_until) rows.push(["Deferred until", code(decision.deferred_until)]);
  if (decision.error) rows.push(["Error", [{ code: decision.error.code }, ": ", ...fromBackticks(decision.error.message)]]);
  // What was older than its catalog `freshness` (runtime/freshness.ts), each once.
  for (const r of decision.stale ?? []) if (typeof r.message === "string") rows.push(["Out of date", fromBackticks(r.message)]);
  for (const w of decision.wakeups ?? []) rows.push(["Follow-up", [{ code: w.journey }, ` after `, { code: w.timer }, ` at `, { code: w.at }]]);
  if (log) {
    rows.push(["Log entry", [`seq ${log.seq}, hash `, { code: log.hash }, log.intact === false ? " — DOES NOT MATCH ITS CONTENTS (the log was altered)" : ""]]);
  }
  const candidates: Block[] =
    decision.evaluations.length > 1
      ? [
          { kind: "heading", level: 2, text: ["Candidates"] },
          {
            kind: "table",
            head: ["Journey", "Priority", "Outcome", "Lawful basis"],
            rows: decision.evaluations.map((ev) => [
              [{ code: ev.journey }, ev.journey === decision.journey ? " (winner)" : ""],
              [String(ev.priority)],
              [ev.outcome],
              ev.basis ? [{ code: ev.basis }] : ["—"],
            ]),
          },
        ]
      : [];
  return [
    { kind: "heading", level: 1, text: t`Decision ${decision.decision_id}` },
    { kind: "fields", rows },
    ...candidates,
    { kind: "heading", level: 2, text: ["Why the customer got this"] },
    { kind: "quote", text: [customerSentence(decision, decision.journey ? input.journeys.get(decision.journey) : undefined)] },
  ];
}

function candidate(input: RationaleInput, ev: Evaluation, nowMs: number | undefined): Block[] {
  const meta = input.journeys.get(ev.journey);
  const winner = input.decision.journey === ev.journey;
  const blocks: Block[] = [{ kind: "heading", level: 2, text: [...t`Journey ${ev.journey}`, meta ? ` — ${meta.title}` : "", winner ? " (winner)" : ""] }];
  const halted = ev.outcome === "suppressed" ? haltedBy(ev) : undefined;
  const outcome = ev.outcome === "no_match" ? "no match: its condition did not hold" : (halted ?? lookup(OUTCOME_TEXT, ev.outcome) ?? ev.outcome);
  const rows: [string, Text][] = [
    ["Outcome", [{ strong: outcome }]],
    ["Purpose", code(ev.purpose)],
  ];
  if (meta) {
    rows.push(["Trigger", code(trigger(meta))], ["Action", actionText(meta.action)], ["Risk", code(meta.risk)], ["Priority", code(String(meta.priority))]);
    rows.push(["Source", code(`${meta.loc.file}:${meta.loc.line}`)]);
  } else {
    rows.push(["Priority", code(String(ev.priority))], ["Metadata", ["not available: node texts unknown (give the artifact with --artifact)"]]);
  }
  blocks.push({ kind: "fields", rows });

  blocks.push({ kind: "heading", level: 3, text: ["Conditions"] });
  if (ev.trace.length === 0) {
    blocks.push({
      kind: "paragraph",
      text: [
        ev.matched === undefined
          ? ev.outcome === "stale"
            ? (ev.reasons ?? []).some((r) => r.code === "stale_event")
              ? "Not evaluated: the event was out of date (see the reasons below)."
              : "Not evaluated: a value it reads was out of date (see the reasons below)."
            : "Not evaluated: the candidate was stopped before its condition (no data was fetched for it)."
          : `Evaluated to ${ev.matched}.`,
      ],
    });
  } else if (meta) {
    const tree = traceTree(meta, ev.trace);
    blocks.push({ kind: "trace", lines: tree.when });
    // Only the winner's `reason` is rendered (into the decision's explanation): other candidates
    // have no values to show, and "not evaluated (short-circuit)" would misstate why.
    if (tree.reason.length > 0 && winner && input.decision.explanation !== undefined) {
      blocks.push({ kind: "heading", level: 3, text: ["Values in the customer-facing reason"] }, { kind: "trace", lines: tree.reason });
    }
  } else {
    blocks.push({ kind: "trace", lines: bareTrace(ev.trace) });
  }

  const basis = explainBasis(ev, meta?.action.channel, input.consents, input.objections, nowMs);
  blocks.push({ kind: "heading", level: 3, text: ["Lawful basis"] }, { kind: "paragraph", text: [basis.summary] });
  const r = basis.record;
  if (r) {
    const rows2: [string, Text][] = [
      [
        "Consent record",
        [{ code: r.status }, ` for `, { code: r.purpose }, r.channel ? ` on ` : " (all channels)", ...(r.channel ? [{ code: r.channel }] : [])],
      ],
      ["Recorded at", code(formatTime(r.at))],
    ];
    if (r.expires_at !== undefined && r.expires_at !== null) rows2.push(["Expires at", code(formatTime(r.expires_at))]);
    if (r.source) rows2.push(["Source", code(r.source)]);
    if (r.notice_version) rows2.push(["Notice version", code(r.notice_version)]);
    if (r.id) rows2.push(["Record id", code(r.id)]);
    blocks.push({ kind: "fields", rows: rows2 });
  }
  if (basis.objections.length > 0) {
    blocks.push({ kind: "list", items: basis.objections.map((o) => [`Objection `, { code: o.scope }, ` since `, { code: formatTime(o.at) }]) });
  }

  blocks.push({ kind: "heading", level: 3, text: ["Residency"] });
  const region = input.request?.region;
  const denied = (ev.reasons ?? []).map((x) => x["field"]).filter((f): f is string => typeof f === "string");
  const where: Inline[] = region ? [{ code: region }] : ["this region"];
  const residency: Text =
    ev.outcome === "denied_residency"
      ? denied.length > 0
        ? ["Denied: ", ...denied.flatMap((f, i): Inline[] => [i > 0 ? ", " : "", { code: f }]), ` may not be processed in `, ...where, "."]
        : ["Denied: some fields of the minimal bundle may not be processed in ", ...where, " (see the reasons below)."]
      : ev.outcome === "error"
        ? ["Not determined (the decision failed)."]
        : ev.outcome === "stale" && ev.basis === undefined
          ? ["Not determined (the event was out of date, so nothing was screened)."]
          : ["Allowed: every field of the minimal bundle may be processed in ", ...(region ? [{ code: region }] : ["the request's region"]), "."];
  blocks.push({ kind: "paragraph", text: residency });

  blocks.push(
    { kind: "heading", level: 3, text: ["Guardrails"] },
    {
      kind: "table",
      head: ["Step", "Configured", "Result"],
      rows: guardrailSteps(ev, meta, input.decision).map((s) => [[s.step], [{ code: s.configured }], [s.result]]),
    },
  );
  if (ev.reasons && ev.reasons.length > 0) {
    blocks.push(
      { kind: "heading", level: 3, text: ["Reasons"] },
      { kind: "list", items: ev.reasons.map((x) => [{ code: x.code }, ": ", ...fromBackticks(x.message)]) },
    );
  }
  return blocks;
}

function policies(input: RationaleInput): Block[] {
  const p = input.policies;
  const rows: [string, Text][] = [["Artifact", code(p?.artifact ?? input.decision.artifact)]];
  if (p) {
    rows.push(["Artifact version", code(String(p.artifact_version))], ["Compiler", code(p.compiler)]);
    if (p.opa_version) rows.push(["OPA", code(p.opa_version)]);
    if (p.default_policies !== undefined)
      rows.push(["Consent/residency policies", [p.default_policies ? "the standard policies shipped with Kairos" : "the policy set's own"]]);
  }
  const blocks: Block[] = [
    { kind: "heading", level: 2, text: ["Policy versions"] },
    { kind: "fields", rows },
  ];
  const rego = Object.entries(p?.rego ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  if (rego.length > 0) blocks.push({ kind: "table", head: ["Rego policy", "sha256"], rows: rego.map(([f, h]) => [[{ code: f }], [{ code: h }]]) });
  return blocks;
}

function bundle(input: RationaleInput): Block[] {
  const fields = input.decision.fields;
  const blocks: Block[] = [{ kind: "heading", level: 2, text: ["Minimal context bundle"] }];
  if (fields.length === 0 && !input.context) return [...blocks, { kind: "paragraph", text: ["No data was requested from the context provider."] }];
  const ctx = input.context;
  const paths = [...new Set([...fields, ...Object.keys(ctx ?? {})])].sort();
  const logged = input.log !== undefined;
  blocks.push({
    kind: "paragraph",
    text: [
      "Exactly these fields were requested from the context provider",
      ...(logged ? ["; personal data is shown as the log keeps it, pseudonymized (", { code: "hmac:…" }, ")."] : ["."]),
    ],
  });
  blocks.push({
    kind: "table",
    head: ctx ? ["Field", "Value"] : ["Field"],
    rows: paths.map((f) => (ctx ? [[{ code: f }], code(Object.hasOwn(ctx, f) ? formatContextValue(own(ctx, f)) : "not set")] : [[{ code: f }]])),
  });
  return blocks;
}

/** The legal-review document of a decision, as blocks. */
export function legalReview(input: RationaleInput): Block[] {
  const nowMs = input.request ? parseDateTimeLiteral(input.request.now) : undefined;
  const evals = input.decision.evaluations;
  return [
    ...overview(input),
    ...(evals.length === 0
      ? [{ kind: "paragraph", text: ["No journey listens to this event."] } as Block]
      : evals.flatMap((ev) => candidate(input, ev, nowMs))),
    ...policies(input),
    ...bundle(input),
  ];
}
