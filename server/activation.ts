// Which journeys `kairos serve` activates (docs/approvals.md#serving): those that need no DPO
// approval, and those a trusted, valid approval covers. The others stay inactive — the engine
// the service runs never selects them, so no decision can act on them (fail closed) — and are
// reported at the start, in /readyz and in the metrics. Each decision whose winning journey
// needed an approval names it in its log entry (`approval`).
import { Gauge, type Registry } from "prom-client";
import { approvalStatus, catalogHash, needText, piiOfBundle, type ApprovalSubject, type JourneyApproval } from "../core/approval.ts";
import type { DecideOptions, DecisionRecord, Engine } from "../runtime/engine.ts";
import { readApprovals, type RefusedApproval } from "./approvals.ts";

/** One journey's standing at the start. */
export interface JourneyActivation {
  readonly subject: ApprovalSubject;
  readonly state: JourneyApproval;
  /** True when the service may select it. */
  readonly active: boolean;
}

/** The activation of an artifact's journeys under a set of approvals. */
export interface Activation {
  /** Where the approvals were read (a policy set, or `--approvals DIR`); undefined: none were given. */
  readonly home: string | undefined;
  /** The artifact catalog's hash. */
  readonly catalog: string;
  /** Every journey, by id. */
  readonly journeys: readonly JourneyActivation[];
  /** Approval records that were not accepted (bad signature, untrusted key, …). */
  readonly refused: readonly RefusedApproval[];
}

/** What approvals see of an engine's journeys: id, purpose, risk, content hash (from the manifest), PII read. */
export function subjectsOfEngine(engine: Engine): ApprovalSubject[] {
  const content = new Map<string, string | undefined>();
  for (const j of engine.manifest.journeys) content.set(j.id, j.content);
  return engine.predicates.journeys
    .map((j) => ({
      id: j.meta.id,
      purpose: j.meta.purpose,
      risk: j.meta.risk,
      content: content.get(j.meta.id),
      pii: piiOfBundle(j.meta.fields, engine.catalog),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The activation of `engine`'s journeys under the approvals in `home` (none when undefined: then
 * every journey that needs an approval is inactive). Throws ApprovalError on a broken approvers.yaml.
 */
export function activationOf(engine: Engine, home: string | undefined): Activation {
  const read = home === undefined ? { trusted: [], refused: [] } : readApprovals(home);
  const subjects = subjectsOfEngine(engine);
  const catalog = catalogHash(engine.catalog);
  const status = approvalStatus(subjects, catalog, read.trusted);
  const journeys = subjects.map((subject) => {
    const state = status.get(subject.id)!;
    return { subject, state, active: state.status !== "unapproved" };
  });
  return { home, catalog, journeys, refused: read.refused };
}

/** True when some journey needs an approval (else the service runs the engine as it is). */
export function needsApprovals(a: Activation): boolean {
  return a.journeys.some((j) => j.state.status !== "not-needed");
}

const ACTIVATIONS = new WeakMap<Engine, Activation>();

/** The activation an engine was gated with (applyActivation), for /readyz; undefined for an engine that was not. */
export function activationFor(engine: Engine): Activation | undefined {
  return ACTIVATIONS.get(engine);
}

/**
 * The engine the service runs under an activation: without the inactive journeys (when there are
 * some, `engine.without(…)`: the same artifact — its hash, catalog and policies — whose trigger
 * index holds only the active ones; else `engine` itself), whose log entries name the approval
 * that covered the winning journey and list the journeys left out (`inactive`, which `kairos
 * replay` decides without). An activation in which no journey needs an approval returns `engine`
 * itself, unchanged.
 */
export async function applyActivation(engine: Engine, activation: Activation): Promise<Engine> {
  if (!needsApprovals(activation)) return engine;
  const inactive = new Set(activation.journeys.filter((j) => !j.active).map((j) => j.subject.id));
  const gated = inactive.size > 0 ? engine.without(inactive) : engine;
  const approvals = new Map<string, string>();
  for (const j of activation.journeys) if (j.state.status === "approved") approvals.set(j.subject.id, j.state.approval.record.id);
  const left = inactive.size > 0 ? [...inactive].sort() : undefined;
  // The service commits `entry` itself (no sink is attached), so what is added here reaches the
  // log: the approval that covered the winning journey, and the journeys left out (for replay).
  // The entry is otherwise the engine's, byte for byte.
  const decideRecord = gated.decideRecord.bind(gated);
  gated.decideRecord = async (raw: unknown, options?: DecideOptions): Promise<DecisionRecord> => {
    const r = await decideRecord(raw, options);
    const approval = r.entry.journey === undefined ? undefined : approvals.get(r.entry.journey);
    if (approval === undefined && left === undefined) return r;
    return { decision: r.decision, entry: { ...r.entry, ...(approval === undefined ? {} : { approval }), ...(left === undefined ? {} : { inactive: left }) } };
  };
  ACTIVATIONS.set(gated, activation);
  return gated;
}

/** The /readyz member: approved journeys with their approval, inactive ones with why. */
export function readyJourneys(a: Activation): { approved: Record<string, string>; inactive: { journey: string; why: string }[]; refused: RefusedApproval[] } {
  // No prototype: a journey may be called anything an identifier can be, `__proto__` too.
  const approved = Object.create(null) as Record<string, string>;
  const inactive: { journey: string; why: string }[] = [];
  for (const j of a.journeys) {
    if (j.state.status === "approved") approved[j.subject.id] = j.state.approval.record.id;
    else if (j.state.status === "unapproved") inactive.push({ journey: j.subject.id, why: `${needText(j.subject)}; ${j.state.why}` });
  }
  return { approved, inactive, refused: [...a.refused] };
}

/** The lines `kairos serve` prints about approvals at its start (none when no journey needs one). */
export function activationLines(a: Activation, approveCommand: (journey: string) => string): string[] {
  if (!needsApprovals(a)) return [];
  const r = readyJourneys(a);
  const lines = [
    `  approvals: ${Object.keys(r.approved).length} journey${Object.keys(r.approved).length === 1 ? "" : "s"} approved, ${r.inactive.length} inactive` +
      (a.home === undefined ? " (no approvals given: `--approvals DIR`)" : ` (from ${a.home})`),
  ];
  for (const [journey, id] of Object.entries(r.approved)) lines.push(`    active:   ${journey} (approval ${id})`);
  for (const x of r.inactive) lines.push(`    INACTIVE: ${x.journey}: ${x.why}\n              approve it: ${approveCommand(x.journey)}`);
  for (const x of r.refused) lines.push(`    refused approval ${x.file}: ${x.problem}`);
  return lines;
}

/**
 * Registers the activation's gauges on the service's registry: `kairos_journeys_inactive` (how many
 * journeys wait for an approval) and `kairos_journey_active{journey}` (1 or 0, for each journey that
 * needs an approval).
 */
export function registerActivationMetrics(registry: Registry, a: Activation): void {
  const inactive = a.journeys.filter((j) => !j.active).length;
  new Gauge({
    name: "kairos_journeys_inactive",
    help: "Journeys not activated because they need a DPO approval that no valid, trusted record gives",
    registers: [registry],
    collect() {
      this.set(inactive);
    },
  });
  const perJourney = new Gauge({
    name: "kairos_journey_active",
    help: "1 when a journey that needs a DPO approval is active (approved), 0 when it is not",
    labelNames: ["journey"],
    registers: [registry],
  });
  for (const j of a.journeys) if (j.state.status !== "not-needed") perJourney.set({ journey: j.subject.id }, j.active ? 1 : 0);
}

/**
 * How a journey stands in the engine the service runs: `active` false when an activation left it
 * inactive, and the approval that covers it when it needed one. An engine that was not gated has
 * every journey active and no approvals. (For code outside the engine's decide path — a review
 * verdict that acts on a pending decision — to fail closed and name the approval too.)
 */
export function journeyActivation(engine: Engine, journey: string): { readonly active: boolean; readonly approval?: string } {
  const a = ACTIVATIONS.get(engine);
  const j = a?.journeys.find((x) => x.subject.id === journey);
  if (!j) return { active: true };
  return j.state.status === "approved" ? { active: true, approval: j.state.approval.record.id } : { active: j.active };
}
