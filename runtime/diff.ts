// What changes when a new version decides instead of the old one (docs/diff.md): a decision's
// digest (what matters of it to whom it reaches and why), pairs of digests of the same request
// under two versions, and their summary — outcome transitions per journey, subjects newly reached
// or dropped, consent and residency denials, examples with their rationale — and how it renders.
// Shared by `kairos diff` (recorded traffic re-decided under OLD and NEW) and the service's shadow
// rollouts (server/rollout/, the candidate decides beside the stable version without effect).
//
// CONTRACT (issue 17, lead): the types DecisionDigest and DiffRow are fixed (DecisionDigest got one
// optional member, `evaluations`, for transitions per journey); the rest is H2's.
// Browser-safe: no node: imports. Rendering is in diff-render.ts, the CI gate in diff-gate.ts.
import { OUTCOMES } from "../core/outcomes.ts";
import type { Decision, Reason } from "./decision.ts";

/** What matters of one decision when comparing versions. */
export interface DecisionDigest {
  /** acted, no_match, denied_consent … */
  readonly outcome: string;
  /** The winning journey, when one won. */
  readonly journey?: string;
  /** The action with its parameters and channel (`email(template: "renewal-d90")@email`), when there is one. */
  readonly action?: string;
  /** Journeys denied by consent (`denied_consent`) or residency (`denied_residency`), sorted, as `journey:code`. */
  readonly denials: readonly string[];
  /** The customer-facing sentence (or the first reason's message), for examples. */
  readonly rationale?: string;
  /**
   * Each candidate journey's own outcome (journey id → outcome, ids sorted): what the transitions
   * per journey compare. Absent in digests made before it existed: the summary then compares the
   * decisions' outcomes only.
   */
  readonly evaluations?: Readonly<Record<string, string>>;
}

/** One request decided by both versions. */
export interface DiffRow {
  readonly subject: string;
  readonly decision_id: string;
  /** The request's `now`. */
  readonly at: string;
  readonly old: DecisionDigest;
  readonly new: DecisionDigest;
}

const DENIALS: ReadonlySet<string> = new Set(["denied_consent", "denied_residency"]);

/** The digest of a decision. */
export function digestOf(decision: Decision): DecisionDigest {
  const evaluations = Array.isArray(decision.evaluations) ? decision.evaluations : [];
  const denials = evaluations
    .filter((e) => DENIALS.has(e.outcome))
    .map((e) => `${e.journey}:${e.outcome}`)
    .sort();
  const rationale = rationaleOf(decision);
  const outcomes: Record<string, string> = {};
  for (const e of [...evaluations].sort((a, b) => cmp(a.journey, b.journey))) outcomes[e.journey] = e.outcome;
  // Members in one fixed order (sameDigest compares JSON texts).
  return {
    outcome: decision.outcome,
    ...(decision.journey === undefined ? {} : { journey: decision.journey }),
    ...(decision.action === undefined ? {} : { action: actionText(decision.action) }),
    denials,
    ...(rationale === undefined ? {} : { rationale }),
    evaluations: outcomes,
  };
}

/**
 * An action as people write it, with its parameters (sorted) and channel — `email(template:
 * "renewal-d90")@email` — so that a changed template or offer shows as a change.
 */
function actionText(action: NonNullable<Decision["action"]>): string {
  const params = Object.entries(action.params ?? {})
    .sort(([a], [b]) => cmp(a, b))
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  return `${action.name}${params.length > 0 ? `(${params.join(", ")})` : ""}@${action.channel}`;
}

/**
 * The sentence a person would be told: the explanation, else the error or the staleness, else the
 * reason that gave the deciding evaluation its outcome (its first reason that is not the lawful
 * basis's, else its first) — the winner's, or without a winner the first evaluation's (whose
 * outcome the decision took). Nothing for a decision no journey matched.
 */
function rationaleOf(d: Decision): string | undefined {
  if (typeof d.explanation === "string") return d.explanation;
  if (d.error !== undefined) return d.error.message;
  const stale = d.stale?.[0];
  if (stale !== undefined) return stale.message;
  const evaluations = Array.isArray(d.evaluations) ? d.evaluations : [];
  const source = d.journey !== undefined ? evaluations.find((e) => e.journey === d.journey) : d.outcome === "no_match" ? undefined : evaluations[0];
  const reasons: readonly Reason[] = source?.reasons ?? [];
  return (reasons.find((r) => r["basis"] === undefined) ?? reasons[0])?.message;
}

/** True when two digests are the same (the change does not alter this decision). */
export function sameDigest(a: DecisionDigest, b: DecisionDigest): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Which version is which, for the report's readers. */
export interface VersionLabel {
  /** As the user named it: a directory, a version name. */
  readonly name: string;
  /** The artifact's manifest hash. */
  readonly hash: string;
}

/** One changed request, shown as an example of its transition. */
export interface DiffExample {
  /** The subject as logged (pseudonymized). */
  readonly subject: string;
  readonly decision_id: string;
  readonly at: string;
  /** The rationale under OLD and NEW (absent when the decision gave none). */
  readonly old?: string;
  readonly new?: string;
}

/**
 * How a journey's part in a decision changed. `outcome`: the journey's own outcome (its
 * evaluation's; for digests without evaluations, the decision's, with another winner named in
 * parentheses); `action`: the winner kept its outcome with another action; `denials`: (digests
 * without evaluations) only the journeys denied by consent or residency changed; `rationale`:
 * nothing but the sentence changed.
 */
export type TransitionKind = "outcome" | "action" | "denials" | "rationale";

/** Requests in which a journey's outcome changed the same way (one request may change several journeys). */
export interface Transition {
  /** The journey; for digests without evaluations, the one that won under OLD, else under NEW, else `(none)`. */
  readonly journey: string;
  readonly kind: TransitionKind;
  /** OLD's outcome (`not_evaluated` when the journey was no candidate; with the action for `action`). */
  readonly from: string;
  readonly to: string;
  readonly count: number;
  readonly examples: readonly DiffExample[];
}

/** Decisions with one outcome under OLD and under NEW. */
export interface OutcomeCount {
  readonly outcome: string;
  readonly old: number;
  readonly new: number;
}

/** Consent or residency denials of one journey that the change adds or removes. */
export interface DenialChange {
  readonly journey: string;
  /** `denied_consent` or `denied_residency`. */
  readonly code: string;
  /** Requests in which NEW denies the journey and OLD did not. */
  readonly added: number;
  /** Requests in which OLD denied the journey and NEW does not. */
  readonly removed: number;
}

/** Subjects whose reach changes: acted on under one version in some request, never under the other. */
export interface ReachChange {
  /** `(any)` for any journey, else the journey. */
  readonly journey: string;
  readonly reached: number;
  readonly dropped: number;
}

/** Where the compared requests came from (set by `kairos diff`; absent for shadow results). */
export interface DiffSource {
  /** `log FILE` or `store …`. */
  readonly description: string;
  /** Entries read. */
  readonly entries: number;
  /** Entries made by OLD, by NEW, by another artifact. */
  readonly made_by_old: number;
  readonly made_by_new: number;
  readonly made_by_other: number;
  /** Entries not re-decided: no sealed request, purged, erased subject. */
  readonly skipped: number;
}

/** The summary of a diff. */
export interface DiffReport {
  readonly format: "kairos-diff/1";
  readonly old?: VersionLabel;
  readonly new?: VersionLabel;
  readonly source?: DiffSource;
  /** Requests decided by both versions. */
  readonly compared: number;
  /** Of those, the ones whose digest differs. */
  readonly changed: number;
  /** Distinct subjects among the compared requests. */
  readonly subjects: number;
  /** Decisions per outcome (contract order), only outcomes that occur. */
  readonly outcomes: readonly OutcomeCount[];
  /** Most frequent first. */
  readonly transitions: readonly Transition[];
  /** Subjects newly reached or dropped: first `(any)`, then per journey (only journeys with a change). */
  readonly reach: readonly ReachChange[];
  /** A few newly reached and dropped subjects (pseudonymized as given), sorted. */
  readonly reached_examples: readonly string[];
  readonly dropped_examples: readonly string[];
  /** Per journey and code, only where something changed. */
  readonly denials: readonly DenialChange[];
}

/** Options of the summarizer. */
export interface SummarizeOptions {
  /** Examples kept per transition and per reach list (default 3). */
  readonly examples?: number;
  readonly old?: VersionLabel;
  readonly new?: VersionLabel;
  readonly source?: DiffSource;
}

/** Acted on under one version: the subject was reached. */
const REACHED = "acted";
/** The transitions' journey when no journey won under either version. */
export const NO_JOURNEY = "(none)";
/** ReachChange.journey for any journey. */
export const ANY_JOURNEY = "(any)";

/**
 * Summarizes rows one at a time, keeping only counts, a few examples and the subjects' reach
 * (one set entry per subject and journey reached): a log of millions of entries streams through it.
 */
export class DiffSummarizer {
  private readonly examples: number;
  private readonly options: SummarizeOptions;
  private compared = 0;
  private changed = 0;
  private readonly subjects = new Set<string>();
  private readonly outcomes = new Map<string, { old: number; new: number }>();
  private readonly transitions = new Map<string, { journey: string; kind: TransitionKind; from: string; to: string; count: number; examples: DiffExample[] }>();
  /** `journey\nsubject` (and `\nsubject` for any journey) reached under OLD, under NEW. */
  private readonly reachedOld = new Set<string>();
  private readonly reachedNew = new Set<string>();
  private readonly denials = new Map<string, { journey: string; code: string; added: number; removed: number }>();

  constructor(options: SummarizeOptions = {}) {
    this.examples = Math.max(0, options.examples ?? 3);
    this.options = options;
  }

  /** Counts one request decided by both versions. */
  add(row: DiffRow): void {
    this.compared++;
    this.subjects.add(row.subject);
    this.count(row.old.outcome, "old");
    this.count(row.new.outcome, "new");
    if (row.old.outcome === REACHED) this.reach(this.reachedOld, row.subject, row.old.journey);
    if (row.new.outcome === REACHED) this.reach(this.reachedNew, row.subject, row.new.journey);
    if (sameDigest(row.old, row.new)) return;
    this.changed++;
    for (const t of transitionsOf(row.old, row.new)) {
      const key = `${t.journey}\n${t.kind}\n${t.from}\n${t.to}`;
      let group = this.transitions.get(key);
      if (group === undefined) this.transitions.set(key, (group = { ...t, count: 0, examples: [] }));
      group.count++;
      // A few examples, of different subjects where there are.
      if (group.examples.length < this.examples && !group.examples.some((e) => e.subject === row.subject)) group.examples.push(exampleOf(row));
    }
    const before = new Set(row.old.denials);
    const after = new Set(row.new.denials);
    for (const d of after) if (!before.has(d)) this.denial(d).added++;
    for (const d of before) if (!after.has(d)) this.denial(d).removed++;
  }

  /** The summary of every row added so far; `source` when it is known only once every row was added. */
  report(late: { readonly source?: DiffSource } = {}): DiffReport {
    const o = { ...this.options, ...late };
    const outcomes: OutcomeCount[] = [];
    const known = new Set<string>(OUTCOMES);
    const order = [...OUTCOMES, ...[...this.outcomes.keys()].filter((k) => !known.has(k)).sort()];
    for (const outcome of order) {
      const c = this.outcomes.get(outcome);
      if (c !== undefined) outcomes.push({ outcome, old: c.old, new: c.new });
    }
    const transitions = [...this.transitions.values()].sort(
      (a, b) => b.count - a.count || cmp(a.journey, b.journey) || cmp(a.kind, b.kind) || cmp(a.from, b.from) || cmp(a.to, b.to),
    );
    const reach = new Map<string, { reached: number; dropped: number }>();
    const reachedSubjects: string[] = [];
    const droppedSubjects: string[] = [];
    const tally = (key: string, which: "reached" | "dropped", into: string[]) => {
      const cut = key.indexOf("\n");
      const journey = cut === 0 ? ANY_JOURNEY : key.slice(0, cut);
      let r = reach.get(journey);
      if (r === undefined) reach.set(journey, (r = { reached: 0, dropped: 0 }));
      r[which]++;
      if (cut === 0) into.push(key.slice(1));
    };
    for (const k of this.reachedNew) if (!this.reachedOld.has(k)) tally(k, "reached", reachedSubjects);
    for (const k of this.reachedOld) if (!this.reachedNew.has(k)) tally(k, "dropped", droppedSubjects);
    const any = reach.get(ANY_JOURNEY) ?? { reached: 0, dropped: 0 };
    reach.delete(ANY_JOURNEY);
    const perJourney = [...reach.entries()].sort(([a], [b]) => cmp(a, b)).map(([journey, r]) => ({ journey, ...r }));
    const denials = [...this.denials.values()].sort((a, b) => cmp(a.journey, b.journey) || cmp(a.code, b.code));
    return {
      format: "kairos-diff/1",
      ...(o.old === undefined ? {} : { old: o.old }),
      ...(o.new === undefined ? {} : { new: o.new }),
      ...(o.source === undefined ? {} : { source: o.source }),
      compared: this.compared,
      changed: this.changed,
      subjects: this.subjects.size,
      outcomes,
      transitions: transitions.map((t) => ({ journey: t.journey, kind: t.kind, from: t.from, to: t.to, count: t.count, examples: t.examples })),
      reach: [{ journey: ANY_JOURNEY, ...any }, ...perJourney],
      reached_examples: reachedSubjects.sort(cmp).slice(0, this.examples),
      dropped_examples: droppedSubjects.sort(cmp).slice(0, this.examples),
      denials,
    };
  }

  private count(outcome: string, side: "old" | "new"): void {
    let c = this.outcomes.get(outcome);
    if (c === undefined) this.outcomes.set(outcome, (c = { old: 0, new: 0 }));
    c[side]++;
  }

  private reach(set: Set<string>, subject: string, journey: string | undefined): void {
    set.add(`\n${subject}`);
    if (journey !== undefined) set.add(`${journey}\n${subject}`);
  }

  private denial(d: string): { added: number; removed: number } {
    let c = this.denials.get(d);
    if (c === undefined) {
      const cut = d.lastIndexOf(":");
      this.denials.set(d, (c = { journey: d.slice(0, cut), code: d.slice(cut + 1), added: 0, removed: 0 }));
    }
    return c;
  }
}

/** Summarizes rows (all at once; see DiffSummarizer to stream them). */
export function summarizeDiff(rows: Iterable<DiffRow>, options: SummarizeOptions = {}): DiffReport {
  const s = new DiffSummarizer(options);
  for (const row of rows) s.add(row);
  return s.report();
}

/** The outcome of a journey that was no candidate of the request under one version. */
export const NOT_EVALUATED = "not_evaluated";

type TransitionKey = { journey: string; kind: TransitionKind; from: string; to: string };

/** How one changed decision is grouped: per journey whose own outcome changed, else as a whole. */
function transitionsOf(a: DecisionDigest, b: DecisionDigest): TransitionKey[] {
  if (a.evaluations === undefined || b.evaluations === undefined) return [decisionTransition(a, b)];
  const out: TransitionKey[] = [];
  const ea = a.evaluations;
  const eb = b.evaluations;
  for (const journey of [...new Set([...Object.keys(ea), ...Object.keys(eb)])].sort(cmp)) {
    const from = ea[journey] ?? NOT_EVALUATED;
    const to = eb[journey] ?? NOT_EVALUATED;
    if (from !== to) out.push({ journey, kind: "outcome", from, to });
  }
  if (out.length > 0) return out;
  // Every journey kept its outcome: the winner's action, or only the sentence, changed — or the
  // decision as a whole (an error, out-of-date data).
  if (a.outcome !== b.outcome || a.journey !== b.journey || a.action !== b.action) return [decisionTransition(a, b)];
  return [{ journey: a.journey ?? NO_JOURNEY, kind: "rationale", from: a.outcome, to: b.outcome }];
}

/** A changed decision grouped as a whole, under the journey that won under OLD (else under NEW). */
function decisionTransition(a: DecisionDigest, b: DecisionDigest): TransitionKey {
  const journey = a.journey ?? b.journey ?? NO_JOURNEY;
  const label = (d: DecisionDigest) => (d.journey !== undefined && d.journey !== journey ? `${d.outcome} (${d.journey})` : d.outcome);
  if (a.outcome !== b.outcome || a.journey !== b.journey) return { journey, kind: "outcome", from: label(a), to: label(b) };
  if (a.action !== b.action)
    return { journey, kind: "action", from: `${a.outcome} ${a.action ?? "(no action)"}`, to: `${b.outcome} ${b.action ?? "(no action)"}` };
  const kind = a.denials.join("\n") !== b.denials.join("\n") ? "denials" : "rationale";
  return { journey, kind, from: a.outcome, to: b.outcome };
}

function exampleOf(row: DiffRow): DiffExample {
  return {
    subject: row.subject,
    decision_id: row.decision_id,
    at: row.at,
    ...(row.old.rationale === undefined ? {} : { old: row.old.rationale }),
    ...(row.new.rationale === undefined ? {} : { new: row.new.rationale }),
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export { renderDiff, type DiffFormat } from "./diff-render.ts";
export { parseFailOn, breachesOf, type FailOnRule, type Breach } from "./diff-gate.ts";
