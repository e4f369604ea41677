// Looking entries up in a decision log without verifying the whole chain: by decision id (for
// `kairos explain`) and the last few (for `kairos log tail`). Each entry found is checked
// against its own hash, so an edited entry is never explained as if it were intact.
import { closeSync, fstatSync, openSync, statSync } from "node:fs";
import { LogError, errnoCode } from "./errors.ts";
import { hashedText, shapeProblem, type LogEntry } from "./format.ts";
import { sha256 } from "./hash.ts";
import { forEachLine, lastNewlineBefore, readRange } from "./lines.ts";

/** An entry read from a log, with where it is and whether its bytes still match its hash. */
export interface FoundEntry {
  readonly line: number;
  readonly entry: LogEntry;
  readonly intact: boolean;
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

function toFound(text: string, line: number): FoundEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (shapeProblem(value) !== undefined) return undefined;
  const entry = value as LogEntry;
  const hashed = hashedText(text, entry.hash);
  return { line, entry, intact: hashed !== undefined && sha256(hashed) === entry.hash };
}

/** Every entry whose `decision_id` is `id`, in log order (a replayed decision repeats its id). */
export function findDecision(path: string, id: string): FoundEntry[] {
  const fd = openLog(path);
  const needle = `"decision_id":${JSON.stringify(id)}`;
  const found: FoundEntry[] = [];
  try {
    forEachLine(fd, (line) => {
      if (!line.terminated || !line.text.includes(needle)) return;
      const f = toFound(line.text, line.number);
      if (f && f.entry.decision_id === id) found.push(f);
    });
  } finally {
    closeSync(fd);
  }
  return found;
}

/**
 * The last `n` complete lines that are entries, oldest first, with their line numbers counted
 * from the end (`line` is negative: -1 is the last line) — counting from the start would mean
 * reading the whole file.
 */
export function lastEntries(path: string, n: number): FoundEntry[] {
  const fd = openLog(path);
  const out: FoundEntry[] = [];
  try {
    let end = lastNewlineBefore(fd, fstatSync(fd).size); // ignore an unterminated tail
    let fromEnd = 0;
    while (end >= 0 && out.length < n) {
      const start = lastNewlineBefore(fd, end) + 1;
      fromEnd++;
      const f = toFound(readRange(fd, start, end - start).toString("utf8"), -fromEnd);
      if (f) out.push(f);
      end = start - 1;
    }
  } finally {
    closeSync(fd);
  }
  return out.reverse();
}
