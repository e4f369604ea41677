// A data subject's rights on a file log (GDPR Art. 15 and 17; docs/decision-log.md#erasure):
// erasure destroys the subject's per-subject key under the log's lock, so their entries stay in
// the chain and verify but can no longer be linked to them or unsealed; an access export finds
// every entry about the subject (through their key's id, or their pseudonym under the log key in
// a log without per-subject keys), opens each seal, and gives each decision with the sentence the
// customer would read (pseudonyms in it turned back into the subject's own values) and the
// consents and objections on record. The service's store does the same in server/store/.
import { closeSync, existsSync, openSync } from "node:fs";
import { customerSentence } from "../rationale/customer.ts";
import type { Action, Decision } from "../decision.ts";
import type { MinimizedRequest } from "../sink.ts";
import { errnoCode, LogError } from "./errors.ts";
import { decisionOf, shapeProblem, type LogEntry } from "./format.ts";
import { loadLogKey, type LogKey } from "./key.ts";
import { forEachLine } from "./lines.ts";
import { FileLock, type LockOptions } from "./lock.ts";
import { Pseudonymizer, renderings } from "./pseudonymize.ts";
import { unsealRequest } from "./seal.ts";
import { FileSubjectKeyring, subjectKeysFileFor } from "./subject-keyring.ts";

/** What erasing a subject did. */
export interface ErasureResult {
  readonly subject_key?: string;
  /** True when a key was destroyed now (false: none was there — never logged, or already erased). */
  readonly key_destroyed: boolean;
  /** Entries made under the destroyed key: they stay in the chain, unlinkable and sealed for good. */
  readonly entries: number;
  /**
   * Entries about the subject made under the log key alone (a log, or a part of one, written
   * without per-subject keys): destroying a subject key cannot erase them; only destroying the
   * log key (every subject) does.
   */
  readonly not_erasable: number;
}

/** One decision about the subject, as an access export gives it. */
export interface SubjectDecision {
  readonly decision_id: string;
  readonly at: string;
  readonly outcome: string;
  readonly journey?: string;
  readonly action?: Action;
  readonly basis?: string;
  readonly deferred_until?: string;
  /** "Why you got this": the customer-facing sentence (runtime/rationale/customer.ts). */
  readonly customer: string;
  /** Where the decision is in the log. */
  readonly log?: { readonly seq: number; readonly hash: string; readonly shard?: number };
}

/** An access export: every decision about a person, and the consents and objections on record. */
export interface SubjectExport {
  readonly subject: string;
  readonly decisions: readonly SubjectDecision[];
  readonly consents: readonly unknown[];
  readonly objections: readonly unknown[];
  /** Entries about the subject whose seal did not open (named by seq), if any. */
  readonly unreadable?: readonly number[];
}

/** A decision as the export gives it. */
export function subjectDecision(decision: Decision, at: string, log?: SubjectDecision["log"], customer = customerSentence(decision)): SubjectDecision {
  return {
    decision_id: decision.decision_id,
    at,
    outcome: decision.outcome,
    ...(decision.journey === undefined ? {} : { journey: decision.journey }),
    ...(decision.action === undefined ? {} : { action: decision.action }),
    ...(decision.basis === undefined ? {} : { basis: decision.basis }),
    ...(decision.deferred_until === undefined ? {} : { deferred_until: decision.deferred_until }),
    customer,
    ...(log === undefined ? {} : { log }),
  };
}

export interface SubjectLogOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly lock?: LockOptions;
}

/** The keys a subject operation on a file log needs: the log key and, when the log has them, its subject keys. */
function keysOf(logPath: string, options: SubjectLogOptions): { master: LogKey; ring: FileSubjectKeyring | undefined } {
  if (!existsSync(logPath)) throw new LogError("log/io", `${logPath} does not exist`, "give the path of a decision log");
  const master = loadLogKey(logPath, { env: options.env });
  const ring = existsSync(subjectKeysFileFor(logPath)) ? FileSubjectKeyring.open(logPath, master) : undefined;
  return { master, ring };
}

/** Calls `visit` with every entry of the log about the subject: under its key id, or its pseudonym under the log key. */
function entriesAbout(logPath: string, keyId: string | undefined, legacyPseudonym: string, visit: (entry: LogEntry, underSubjectKey: boolean) => void): void {
  let fd: number;
  try {
    fd = openSync(logPath, "r");
  } catch (e) {
    throw new LogError("log/io", `cannot read ${logPath}: ${errnoCode(e) ?? (e as Error).message}`, undefined, e);
  }
  const byKey = keyId === undefined ? undefined : `"subject_key":${JSON.stringify(keyId)}`;
  const byPseudonym = `"subject":${JSON.stringify(legacyPseudonym)}`;
  try {
    forEachLine(fd, (line) => {
      if (!line.terminated) return;
      const mine = byKey !== undefined && line.text.includes(byKey);
      if (!mine && !line.text.includes(byPseudonym)) return;
      let entry: LogEntry;
      try {
        entry = JSON.parse(line.text) as LogEntry;
      } catch {
        return;
      }
      if (shapeProblem(entry) !== undefined) return;
      if (mine && entry.subject_key === keyId) visit(entry, true);
      else if (entry.subject_key === undefined && entry.request?.subject === legacyPseudonym) visit(entry, false);
    });
  } finally {
    closeSync(fd);
  }
}

/**
 * Erases `subject` from the file log at `logPath`: destroys their per-subject key (the keyring
 * rewritten atomically under the log's lock). Idempotent: erasing again destroys nothing and
 * says so. Entries about them under the log key alone are counted (`not_erasable`), not hidden.
 */
export function eraseSubjectInLog(logPath: string, subject: string, options: SubjectLogOptions = {}): ErasureResult {
  const lock = FileLock.acquire(`${logPath}.lock`, options.lock);
  try {
    const { master, ring } = keysOf(logPath, options);
    const key = ring?.find(subject);
    let entries = 0;
    let notErasable = 0;
    entriesAbout(logPath, key?.id, new Pseudonymizer(master.bytes).of(subject), (_entry, underKey) => {
      if (underKey) entries++;
      else notErasable++;
    });
    const destroyed = ring?.erase(subject);
    return { ...(destroyed === undefined ? {} : { subject_key: destroyed }), key_destroyed: destroyed !== undefined, entries, not_erasable: notErasable };
  } finally {
    lock.release();
  }
}

/**
 * Every decision about `subject` in the file log at `logPath`, oldest first, each seal opened with
 * the key it was made under; the consents and objections are those the latest decision was made
 * from (the log holds what each decision saw, not a register). Needs the log key (and the subject
 * keys file, when the log has one); an erased subject has no decisions left to export.
 */
export function exportSubjectFromLog(logPath: string, subject: string, options: SubjectLogOptions = {}): SubjectExport {
  const { master, ring } = keysOf(logPath, options);
  const key = ring?.find(subject);
  const legacy = new Pseudonymizer(master.bytes);
  const decisions: SubjectDecision[] = [];
  const unreadable: number[] = [];
  let latest: MinimizedRequest | undefined;
  entriesAbout(logPath, key?.id, legacy.of(subject), (entry, underKey) => {
    const sealKey = underKey ? key! : master;
    let request: MinimizedRequest | undefined;
    if (typeof entry.sealed === "string" && entry.sealed.startsWith("aes256gcm:")) {
      try {
        request = unsealRequest(sealKey, entry.sealed);
      } catch {
        unreadable.push(entry.seq);
      }
    }
    if (request !== undefined) latest = request;
    const decision = decisionOf(entry);
    const sentence =
      request === undefined ? customerSentence(decision) : inClear(customerSentence(decision), request, underKey ? new Pseudonymizer(sealKey.bytes) : legacy);
    decisions.push(subjectDecision(decision, entry.at, { seq: entry.seq, hash: entry.hash }, sentence));
  });
  return {
    subject,
    decisions,
    consents: latest?.consents ?? [],
    objections: latest?.objections ?? [],
    ...(unreadable.length > 0 ? { unreadable } : {}),
  };
}

/**
 * The customer sentence with the pseudonyms the log put into it turned back into the subject's
 * own values (from their opened request): the sentence they would have read. A value computed in
 * a `reason` from a field (`upper(customer.name)`) is not in the request and stays a pseudonym.
 */
function inClear(sentence: string, request: MinimizedRequest, pseudo: Pseudonymizer): string {
  if (!sentence.includes("hmac:")) return sentence;
  const clear = new Map<string, string>();
  const add = (value: unknown): void => {
    for (const s of renderings(value, undefined)) clear.set(pseudo.of(s), s);
    if (typeof value === "number") {
      for (const type of ["date", "datetime"]) for (const s of renderings(value, type)) clear.set(pseudo.of(s), s);
    }
  };
  for (const fields of Object.values(request.context)) for (const v of Object.values(fields)) add(v);
  for (const v of Object.values(request.event.payload ?? {})) add(v);
  add(request.subject);
  return sentence.replace(/hmac:[0-9a-f]{16}/g, (p) => clear.get(p) ?? p);
}
