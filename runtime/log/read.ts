// Looking entries up in a decision log without verifying the whole chain: by decision id (for
// `kairos explain`) and the last few (for `kairos log tail`). Each entry found is checked
// against its own hash, so an edited entry is never explained as if it were intact.
import { closeSync, fstatSync, openSync, statSync } from "node:fs";
import type { JourneyMeta } from "../../core/artifact.ts";
import { LogError, errnoCode } from "./errors.ts";
import type { AppliedPolicies } from "../sink.ts";
import { LOG_SIGNATURE, shapeProblem, type LogEntry } from "./format.ts";
import { entryProblem } from "./hash.ts";
import { forEachLine, lastNewlineBefore, readRange } from "./lines.ts";

/** An entry read from a log, with where it is and whether its bytes still match its hash. */
export interface FoundEntry {
  readonly line: number;
  readonly entry: LogEntry;
  /** False when its bytes (or those of the entry its journey metadata comes from) fail their hash. */
  readonly intact: boolean;
  /** Metadata of its evaluated journeys: from the entry itself or the earlier entry that logged it. */
  readonly journeys: ReadonlyMap<string, JourneyMeta>;
}

function openLog(path: string): number {
  try {
    if (statSync(path).isDirectory()) throw new LogError("log/not-a-log", `${path} is a directory, not a decision log`);
    return openSync(path, "r");
  } catch (e) {
    if (e instanceof LogError) throw e;
    const what = errnoCode(e) === "ENOENT" ? "does not exist" : `cannot be read (${(e as Error).message})`;
    throw new LogError("log/not-a-log", `${path} ${what}`);
  }
}

function parseEntry(text: string): { entry: LogEntry; intact: boolean } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (shapeProblem(value) !== undefined) return undefined;
  const entry = value as LogEntry;
  return { entry, intact: entryProblem(text, entry) === undefined };
}

/**
 * Every entry whose `decision_id` is `id` — or starts with it, with `prefix` — in log order (a
 * replayed decision repeats its id), each with its journeys' metadata gathered from the
 * entries up to it.
 */
export function findDecision(path: string, id: string, prefix = false): FoundEntry[] {
  const fd = openLog(path);
  const quoted = JSON.stringify(id);
  const needle = `"decision_id":${prefix ? quoted.slice(0, -1) : quoted}`;
  const matches = (d: string): boolean => (prefix ? d.startsWith(id) : d === id);
  const known = new Map<string, { meta: JourneyMeta; intact: boolean }>();
  const policies = new Map<string, AppliedPolicies>();
  const found: FoundEntry[] = [];
  try {
    forEachLine(fd, (line) => {
      if (!line.terminated) return;
      const target = line.text.includes(needle);
      if (!target && !line.text.includes(`"meta":{"`) && !line.text.includes(`"policies":{"`)) return;
      const p = parseEntry(line.text);
      if (!p) return;
      const { intact } = p;
      let { entry } = p;
      for (const [journey, meta] of Object.entries(entry.meta ?? {})) known.set(`${entry.artifact}:${journey}`, { meta, intact });
      // decision-log/2 stores `policies` once per artifact and writer: fill it in from there.
      if (entry.policies) policies.set(entry.artifact, entry.policies);
      else if (policies.has(entry.artifact)) entry = { ...entry, policies: policies.get(entry.artifact)! };
      if (!target || !matches(entry.decision_id)) return;
      const journeys = new Map<string, JourneyMeta>();
      let allIntact = intact;
      for (const ev of entry.evaluations) {
        const k = known.get(`${entry.artifact}:${ev.journey}`);
        if (!k) continue;
        journeys.set(ev.journey, k.meta);
        allIntact &&= k.intact;
      }
      found.push({ line: line.number, entry, intact: allIntact, journeys });
    });
  } finally {
    closeSync(fd);
  }
  return found;
}

/**
 * The last `n` complete lines that are entries, oldest first (read from the end of the file).
 * A non-empty file whose first line is not an entry is not a log: `log/not-a-log`.
 */
export function lastEntries(path: string, n: number): LogEntry[] {
  const fd = openLog(path);
  const out: LogEntry[] = [];
  try {
    const size = fstatSync(fd).size;
    if (size > 0) {
      const first = readRange(fd, 0, Math.min(size, 64)).toString("utf8");
      if (!first.startsWith(`{${LOG_SIGNATURE}`)) {
        throw new LogError(
          "log/not-a-log",
          `${path} is not a Kairos decision log (its lines are not \`${LOG_SIGNATURE}…\` entries)`,
          "give a log that Kairos wrote",
        );
      }
    }
    let end = lastNewlineBefore(fd, size); // an unterminated tail is not an entry
    while (end >= 0 && out.length < n) {
      const start = lastNewlineBefore(fd, end) + 1;
      const p = parseEntry(readRange(fd, start, end - start).toString("utf8"));
      if (p) out.push(p.entry);
      end = start - 1;
    }
  } finally {
    closeSync(fd);
  }
  return out.reverse();
}
