// Opening a log to extend it: the log is verified from its last checkpoint that the writer's
// integrity key signed (and that the log still holds) to its end, and refused when anything there
// is damaged or when entries a checkpoint covers were removed (docs/decision-log.md#checkpoints).
// Split from writer.ts, which appends; this only reads.
import { checkpointFileFor, checkpointSigner, checkSignature, parsePublicKey, readCheckpoints, type Checkpoint } from "./checkpoint.ts";
import { LogError } from "./errors.ts";
import { LOG_FORMAT } from "./format.ts";
import { EntryMac, entryProblem } from "./hash.ts";
import type { LogKey } from "./key.ts";
import { forEachLine, readFileEnd } from "./lines.ts";
import { notALog, type Head } from "./tail.ts";
import { verifyLog } from "./verify.ts";

/** The hash of the first entry of an open log. */
export function firstEntryHash(fd: number): string | undefined {
  let hash: string | undefined;
  forEachLine(fd, (line) => {
    try {
      const h = (JSON.parse(line.text) as { hash?: unknown }).hash;
      if (typeof h === "string") hash = h;
    } catch {
      // not an entry: no id
    }
    return false;
  });
  return hash;
}

/**
 * Verifies a log a writer is about to extend, from its last checkpoint that this integrity key
 * signed and that the log still holds (or from the start), and refuses it when anything is
 * damaged or when entries a checkpoint covers were removed. Returns the log's id.
 */
export function checkWholeLog(fd: number, path: string, head: Head, integrity: LogKey, warn: (m: string) => void): string {
  let checkpoints: Checkpoint[] = [];
  try {
    checkpoints = readCheckpoints(checkpointFileFor(path));
  } catch (e) {
    warn(`${(e as Error).message}; verifying the whole log instead`);
  }
  const trusted = parsePublicKey(checkpointSigner(integrity).publicKey);
  const mac = new EntryMac(integrity);
  const signed = checkpoints.filter((c) => checkSignature(c, trusted).ok);
  const latest = signed.reduce<Checkpoint | undefined>((best, c) => (best === undefined || c.seq > best.seq ? c : best), undefined);
  if (latest !== undefined && latest.seq > head.seq) {
    throw new LogError(
      "log/corrupt",
      `${path}: entries were removed: a checkpoint signed at ${latest.at} covers ${latest.seq} entries, but the log ends at entry ${head.seq}`,
      `run \`kairos log verify ${path}\`; restore the log from a backup before appending`,
    );
  }
  let from: { offset: number; seq: number; hash: string; log: string; format: typeof LOG_FORMAT } | undefined;
  if (latest !== undefined) {
    const line = readFileEnd(fd, latest.size).last;
    let ok = false;
    if (line !== undefined && line.offset + Buffer.byteLength(line.text) + 1 === latest.size) {
      try {
        const e = JSON.parse(line.text) as { $kairos: string; seq: number; hash: string; mac?: string; ikey_id?: string };
        ok = e.seq === latest.seq && e.hash === latest.head && entryProblem(line.text, e, mac) === undefined;
      } catch {
        ok = false;
      }
    }
    // When the checkpointed entry is not where it was, verify everything: the first bad line
    // says more than the checkpoint (which is checked again below).
    if (ok) from = { offset: latest.size, seq: latest.seq, hash: latest.head, log: latest.log, format: LOG_FORMAT };
  }
  const r = verifyLog(path, { integrityKey: integrity, ...(from ? { from } : latest ? { checkpoints: [latest] } : {}) });
  if (r.notALog) throw notALog(path);
  if (!r.ok) {
    const b = r.firstBad;
    const what = b
      ? `${path}:${b.line}: entry seq ${b.seq}: ${b.problem}`
      : `${path}: ${r.checkpoints?.find((c) => c.problem)?.problem ?? "the log does not verify"}`;
    throw new LogError("log/corrupt", `${what}; the log is not extended until this is looked at`, `run \`kairos log verify ${path}\``);
  }
  if (r.head.seq !== head.seq || r.head.hash !== head.hash) {
    throw new LogError(
      "log/corrupt",
      `${path}: the chain ends at entry ${r.head.seq}, but the last line is entry ${head.seq}`,
      `run \`kairos log verify ${path}\``,
    );
  }
  return r.log ?? firstEntryHash(fd) ?? head.hash;
}
