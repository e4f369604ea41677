// Replay: re-decide every entry of a decision log from its sealed request with a loaded
// artifact, and compare with what was logged — the evidence that decisions are deterministic
// (same artifact) or a what-if of a new artifact on real traffic (another artifact, summarized
// like `kairos diff`). The journeys stopped when an entry was decided are read back from its
// evaluations (stoppedOf). Opening entries (openEntries) and re-deciding them as their writer
// did (Redecider) are shared with `kairos diff`, which re-decides under two artifacts.
import { closeSync, openSync } from "node:fs";
import type { JourneyMeta } from "../../core/artifact.ts";
import { canonicalJson } from "../../core/canonical-json.ts";
import type { Decision, Reason } from "../decision.ts";
import { DiffSummarizer, digestOf, type DiffReport } from "../diff.ts";
import type { Engine } from "../engine.ts";
import { KILL_SWITCH_CODE, STOP_LOSS_CODE } from "../guardrails.ts";
import { decisionOf, PURGED_PREFIX, shapeProblem, type LogEntry } from "./format.ts";
import { LogError } from "./errors.ts";
import type { LogKey } from "./key.ts";
import { forEachLine } from "./lines.ts";
import { piiLookupOf, Pseudonymizer, toEntry, TraceTableCache, type PiiLookup } from "./pseudonymize.ts";
import { unsealRequest } from "./seal.ts";
import type { MinimizedRequest } from "../sink.ts";

export interface ReplayDifference {
  readonly line: number;
  readonly seq: number;
  readonly decision_id: string;
  /** True when the entry was decided by another artifact than the one replaying it. */
  readonly otherArtifact: boolean;
  /** The first differing JSON path, and both values there. */
  readonly path: string;
  readonly logged: unknown;
  readonly replayed: unknown;
}

export interface ReplayResult {
  readonly entries: number;
  readonly replayed: number;
  readonly identical: number;
  /** Entries decided by another artifact (their differences are a what-if, not a defect). */
  readonly otherArtifact: number;
  /** Entries without a sealed request (written before sealing existed): not replayable. */
  readonly unsealed: number;
  /** Entries whose sealed request was purged (retention or erasure): not replayable. */
  readonly purged: number;
  /** Entries whose subject was erased (their per-subject key destroyed): not replayable, not an error. */
  readonly erased: number;
  readonly differences: readonly ReplayDifference[];
  /**
   * When entries were made by another artifact: what this artifact would decide differently on
   * them, summarized like `kairos diff` (OLD: the logged decisions, NEW: this artifact's).
   */
  readonly whatIf?: DiffReport;
}

/**
 * The journeys a logged decision found stopped by their stop-loss (docs/runtime.md#stopped-journeys)
 * or turned off by a kill switch (docs/kill-switch.md): each evaluation `suppressed` with a reason
 * of code `stop_loss` or `kill_switch`, journey id → that reason as recorded. Undefined when there
 * are none (every decision made without stopped journeys).
 */
export function stoppedOf(decision: Decision): Map<string, Reason> | undefined {
  let stopped: Map<string, Reason> | undefined;
  const evaluations = Array.isArray(decision.evaluations) ? decision.evaluations : [];
  for (const e of evaluations) {
    if (e?.outcome !== "suppressed" || !Array.isArray(e.reasons)) continue;
    const reason = (e.reasons as readonly Reason[]).find((r) => r?.code === KILL_SWITCH_CODE || r?.code === STOP_LOSS_CODE);
    if (reason !== undefined) (stopped ??= new Map()).set(e.journey, reason);
  }
  return stopped;
}

/** Finds the per-subject key an entry names (`subject_key`); undefined once it was erased. */
export interface SubjectKeyLookup {
  byId(id: string): LogKey | undefined;
}

/** One entry of a log opened for re-deciding: where it is, the entry, its unsealed request, the pseudonymizer its writer used. */
export interface OpenedEntry {
  readonly line: number;
  readonly entry: LogEntry;
  readonly request: MinimizedRequest;
  readonly pseudo: Pseudonymizer;
}

/** What reading a log for re-deciding found besides the entries it opened. */
export interface OpenedCounts {
  /** Complete lines. */
  entries: number;
  /** Entries without a sealed request (written before sealing existed). */
  unsealed: number;
  /** Entries whose sealed request was purged (retention or erasure). */
  purged: number;
  /** Entries whose subject was erased (their per-subject key destroyed). */
  erased: number;
}

/**
 * Reads a log and opens every entry that can be re-decided, in log order; `counts` is told what
 * it read and what it could not open (no seal, purged, erased subject). Entries made under a
 * per-subject key are opened with it (`subjectKeys`).
 */
export function* openEntries(path: string, key: LogKey, counts: OpenedCounts, subjectKeys?: SubjectKeyLookup): Generator<OpenedEntry> {
  const lines: { number: number; text: string }[] = [];
  const fd = openSync(path, "r");
  try {
    forEachLine(fd, (l) => {
      if (l.terminated) lines.push({ number: l.number, text: l.text });
    });
  } finally {
    closeSync(fd);
  }
  counts.entries += lines.length;
  const pseudo = new Pseudonymizer(key.bytes);
  const pseudonymizers = new Map<string, Pseudonymizer>();
  for (const { number, text } of lines) {
    const entry = JSON.parse(text) as LogEntry;
    if (shapeProblem(entry) !== undefined) continue;
    if (!entry.sealed) {
      counts.unsealed++;
      continue;
    }
    if (entry.sealed.startsWith(PURGED_PREFIX)) {
      counts.purged++;
      continue;
    }
    let sealKey = key;
    let entryPseudo = pseudo;
    if (typeof entry.subject_key === "string") {
      if (subjectKeys === undefined) {
        throw new LogError(
          "log/no-key",
          `${path} pseudonymizes each subject under a key of its own, and its per-subject keys were not given`,
          `restore ${path}.subject-keys from where you keep it (without it no entry can be replayed)`,
        );
      }
      const subjectKey = subjectKeys.byId(entry.subject_key);
      if (subjectKey === undefined) {
        counts.erased++;
        continue;
      }
      sealKey = subjectKey;
      entryPseudo = pseudonymizers.get(subjectKey.id) ?? new Pseudonymizer(subjectKey.bytes);
      if (pseudonymizers.size >= 1024) pseudonymizers.clear();
      pseudonymizers.set(subjectKey.id, entryPseudo);
    }
    yield { line: number, entry, request: unsealRequest(sealKey, entry.sealed), pseudo: entryPseudo };
  }
}

/**
 * Re-decides opened entries with one engine, as the entry's writer decided them: without the
 * journeys it had left inactive, with those it found stopped; and pseudonymizes the new decision
 * exactly as the log did, so that it compares with the logged one member for member.
 */
export class Redecider {
  readonly engine: Engine;
  private readonly keyId: string;
  private readonly journeys: Map<string, JourneyMeta>;
  private readonly pii: PiiLookup;
  private readonly tables = new TraceTableCache();
  private readonly gated = new Map<string, Engine>();

  constructor(engine: Engine, keyId: string) {
    this.engine = engine;
    this.keyId = keyId;
    this.journeys = new Map(engine.predicates.journeys.map((j) => [j.meta.id, j.meta]));
    this.pii = piiLookupOf(engine.catalog);
  }

  /** The entry's request decided again, as the log would hold the decision. */
  async decide(opened: OpenedEntry): Promise<Decision> {
    const { entry } = opened;
    // Decided by a service that had left journeys inactive (no DPO approval): decide without them
    // too; and with the journeys its stop-loss had stopped, as the decision recorded them.
    const stopped = stoppedOf(decisionOf(entry));
    const record = await this.engineFor(entry.inactive).decideRecord(opened.request, stopped === undefined ? {} : { stopped });
    const again = toEntry(record.entry, this.journeys, opened.pseudo, this.keyId, this.pii, () => false, this.tables);
    return decisionOf(again as unknown as LogEntry);
  }

  private engineFor(inactive: readonly string[] | undefined): Engine {
    if (!Array.isArray(inactive) || inactive.length === 0) return this.engine;
    const k = inactive.join("\n");
    let e = this.gated.get(k);
    if (e === undefined) {
      if (this.gated.size >= 64) this.gated.clear();
      e = this.engine.without(inactive);
      this.gated.set(k, e);
    }
    return e;
  }
}

/**
 * Re-decides every entry; `onProgress` is told the count every 1,000 entries. Entries made under
 * a per-subject key are opened with it (`subjectKeys`); one whose key is gone was erased and is
 * counted as such. Entries made by another artifact are a what-if: their differences are kept
 * apart (`otherArtifact`) and summarized (`whatIf`: the logged decisions as OLD, the replayed as NEW).
 */
export async function replayLog(
  path: string,
  engine: Engine,
  key: LogKey,
  onProgress?: (n: number) => void,
  subjectKeys?: SubjectKeyLookup,
): Promise<ReplayResult> {
  const counts: OpenedCounts = { entries: 0, unsealed: 0, purged: 0, erased: 0 };
  const redecider = new Redecider(engine, key.id);
  const differences: ReplayDifference[] = [];
  const whatIf = new DiffSummarizer({ new: { name: "this artifact", hash: engine.hash } });
  const madeBy = new Set<string>();
  let replayed = 0;
  let identical = 0;
  let otherArtifact = 0;
  for (const opened of openEntries(path, key, counts, subjectKeys)) {
    const { entry, line } = opened;
    const before = decisionOf(entry);
    const after = await redecider.decide(opened);
    replayed++;
    // The decision's own `artifact` (decision-log/2 keeps `policies` once per artifact).
    const other = entry.artifact !== engine.hash;
    if (other) {
      otherArtifact++;
      madeBy.add(entry.artifact);
      whatIf.add({ subject: entry.request.subject, decision_id: entry.decision_id, at: entry.at, old: digestOf(before), new: digestOf(after) });
    }
    if (canonicalJson(before as never) === canonicalJson(after as never)) identical++;
    else differences.push({ line, seq: entry.seq, decision_id: entry.decision_id, otherArtifact: other, ...firstDifference(before, after) });
    if (replayed % 1000 === 0) onProgress?.(replayed);
  }
  const { entries, unsealed, purged, erased } = counts;
  const result = { entries, replayed, identical, otherArtifact, unsealed, purged, erased, differences };
  if (otherArtifact === 0) return result;
  const made = [...madeBy].sort();
  const old = made.length === 1 ? { name: "as logged", hash: made[0]! } : undefined;
  const report = whatIf.report();
  return { ...result, whatIf: old === undefined ? report : { ...report, old } };
}

/** The first path at which two JSON values differ (depth first, keys sorted). */
export function firstDifference(a: unknown, b: unknown, path = "$"): { path: string; logged: unknown; replayed: unknown } {
  if (a === b) return { path, logged: a, replayed: b };
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b))
    return { path, logged: a, replayed: b };
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (canonicalJson(a[i] as never) !== canonicalJson(b[i] as never)) return firstDifference(a[i], b[i], `${path}[${i}]`);
    }
    return { path, logged: a, replayed: b };
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const k of [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort()) {
    if (canonicalJson(ao[k] as never) !== canonicalJson(bo[k] as never)) return firstDifference(ao[k], bo[k], `${path}.${k}`);
  }
  return { path, logged: a, replayed: b };
}
