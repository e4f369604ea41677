// Erasure of one data subject from a file log (issue 15, item 4), end to end with the real
// engine: decisions about two people under per-subject keys, then `kairos subject erase` of one.
// After it the chain still verifies (with the integrity key, and against its signed checkpoints),
// replay re-decides the other person's entries byte for byte and reports the erased person's as
// erased (not as errors), the access export finds nothing more, and no byte of the log or of any
// file next to it contains the person's id, their values, the key or lookup that made their
// pseudonyms, or a pseudonym that any remaining key computes from their data.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { writeArtifactDir } from "../../compiler/node/artifact-write.ts";
import type { Engine } from "../../runtime/engine.ts";
import {
  DecisionLog,
  exportSubjectFromLog,
  FileSubjectKeyring,
  loadLogKey,
  Pseudonymizer,
  readCheckpoints,
  checkpointFileFor,
  replayLog,
  subjectLookup,
  unsealRequest,
  verifyLog,
  type LogEntry,
  type LogKey,
} from "../../runtime/log/index.ts";
import { runCli } from "../helpers/cli.ts";
import { type CorpContact, corpFollowupEngine, ticketResolved } from "../helpers/corp-followup.ts";
import { tempDir } from "../log/helpers.ts";

/** The person who asks to be erased, and someone who does not. */
const GONE = { subject: "cust-4242", email: "erase.me@corp.example" };
const KEPT = { subject: "cust-7", email: "keep.me@corp.example" };

function request(who: CorpContact, csat: number) {
  return {
    ...ticketResolved(who, csat, `T-${who.subject}-${csat}`),
    consents: [{ subject: who.subject, purpose: "service_updates", channel: "email", status: "granted", at: "2026-01-01T00:00:00Z" }],
  };
}

/** Every file of the log's directory (the log, its key files, checkpoints, anything else written there), as text. */
function everyFile(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    try {
      out.set(name, readFileSync(join(dir, name), "latin1"));
    } catch {
      // a directory
    }
  }
  return out;
}

describe("erasing one subject from a file log under per-subject keys", () => {
  let engine: Engine;
  let dir: string;
  let logPath: string;
  let artifactDir: string;
  let master: LogKey;
  let integrity: LogKey;
  /** The erased person's key, captured before erasure (what must be gone from every file after). */
  let goneKey: LogKey;
  let keptKey: LogKey;
  let goneEntries: LogEntry[];

  beforeAll(async () => {
    const compiled = await corpFollowupEngine(tempDir());
    engine = compiled.engine;
    const root = tempDir();
    artifactDir = join(root, "artifact");
    writeArtifactDir(artifactDir, compiled.files);
    dir = join(root, "log");
    logPath = join(dir, "decisions.log");
    // The defaults of a new log: key files created next to it, per-subject keys on.
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dir);
    const log = DecisionLog.open(logPath, { pii: engine.catalog, journeys: engine.predicates.journeys.map((j) => j.meta), env: {}, onWarning: () => {} });
    engine.attach(log);
    for (const who of [GONE, KEPT, GONE, KEPT]) await engine.decide(request(who, who === GONE ? 2 : 3));
    await engine.decide(request(GONE, 5));
    log.close();
    engine.attach(undefined);
    master = loadLogKey(logPath, { env: {} });
    integrity = loadLogKey(logPath, { purpose: "integrity", env: {} });
    const ring = FileSubjectKeyring.open(logPath, master);
    goneKey = ring.find(GONE.subject)!;
    keptKey = ring.find(KEPT.subject)!;
    const entries = readFileSync(logPath, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as LogEntry);
    goneEntries = entries.filter((e) => e.subject_key === goneKey.id);
  });

  it("logs each person under a key of their own, named by `subject_key`, and the export finds their decisions in clear", () => {
    expect(goneKey).toBeDefined();
    expect(keptKey.id).not.toBe(goneKey.id);
    expect(goneEntries).toHaveLength(3);
    // Their pseudonyms are made under their own key, not the log key.
    expect(goneEntries[0]!.request.subject).toBe(new Pseudonymizer(goneKey.bytes).of(GONE.subject));
    expect(goneEntries[0]!.request.subject).not.toBe(new Pseudonymizer(master.bytes).of(GONE.subject));
    expect(unsealRequest(goneKey, goneEntries[0]!.sealed!).subject).toBe(GONE.subject);
    expect(() => unsealRequest(master, goneEntries[0]!.sealed!)).toThrow(/does not open/);

    const x = exportSubjectFromLog(logPath, GONE.subject, { env: {} });
    expect(x.decisions.map((d) => d.outcome)).toEqual(["acted", "acted", "no_match"]);
    // The sentence they were given, with their own address back in it (the log holds its pseudonym).
    expect(x.decisions[0]!.customer).toBe(`We wrote to ${GONE.email} about your ticket.`);
    expect(goneEntries[0]!.explanation).not.toContain(GONE.email);
    expect(x.consents).toEqual([expect.objectContaining({ subject: GONE.subject, purpose: "service_updates", status: "granted" })]);
  });

  it("erases the subject: the key is destroyed, the chain verifies, replay reports their entries as erased, and nothing links to them", async () => {
    const before = verifyLog(logPath, { integrityKey: integrity });
    const erased = await runCli(["subject", "erase", GONE.subject, "--log", logPath, "--format", "json"]);
    expect(erased.code, erased.err).toBe(0);
    expect(JSON.parse(erased.out)).toMatchObject({ subject: GONE.subject, subject_key: goneKey.id, key_destroyed: true, entries: 3, not_erasable: 0 });

    // The chain is untouched and still verifies, authenticated, against its own signed checkpoints.
    const after = verifyLog(logPath, { integrityKey: integrity, checkpoints: readCheckpoints(checkpointFileFor(logPath)) });
    expect(after).toMatchObject({ ok: true, authenticated: true, entries: 5, head: before.head });
    const verified = await runCli(["log", "verify", logPath]);
    expect(verified.code, verified.out + verified.err).toBe(0);

    // Replay: the kept person's entries replay byte for byte; the erased person's are counted as erased.
    const replay = await replayLog(logPath, engine, master, undefined, FileSubjectKeyring.open(logPath, master));
    expect(replay).toMatchObject({ entries: 5, replayed: 2, identical: 2, erased: 3, differences: [] });
    const cli = await runCli(["replay", logPath, "--artifact", artifactDir]);
    expect(cli.code, cli.out + cli.err).toBe(0);
    expect(cli.out).toContain("3 entries are about erased subjects");

    // No byte of any file next to the log links to the erased person.
    const files = everyFile(dir);
    expect([...files.keys()].sort()).toEqual(
      ["decisions.log", "decisions.log.checkpoints", "decisions.log.integrity-key", "decisions.log.key", "decisions.log.subject-keys"].sort(),
    );
    const values = [GONE.subject, GONE.email, `T-${GONE.subject}-2`, `T-${GONE.subject}-5`];
    const ring = FileSubjectKeyring.open(logPath, master);
    const remaining = [master, integrity, ring.find(KEPT.subject)!];
    const forbidden = [
      ...values,
      Buffer.from(goneKey.bytes).toString("hex"),
      subjectLookup(master, GONE.subject),
      // What any key still held computes from the person's data: never in the log.
      ...remaining.flatMap((k) => values.map((v) => new Pseudonymizer(k.bytes).of(v))),
    ];
    for (const [name, text] of files) for (const f of forbidden) expect(text.includes(f), `${name} contains ${f}`).toBe(false);
    // And no remaining key opens their seals.
    for (const e of goneEntries) for (const k of remaining) expect(() => unsealRequest(k, e.sealed!)).toThrow();
    // The residuals documented in docs/decision-log.md: their entries keep the destroyed key's id
    // (tying them to one another, not to a person) and decision ids (hashes of the full request).
    expect(files.get("decisions.log")).toContain(goneKey.id);
  });

  it("is idempotent, the export finds nothing left, and the other person's data is untouched", async () => {
    const again = await runCli(["subject", "erase", GONE.subject, "--log", logPath]);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain("nothing to erase");
    expect(exportSubjectFromLog(logPath, GONE.subject, { env: {} }).decisions).toEqual([]);
    const kept = await runCli(["subject", "export", KEPT.subject, "--log", logPath, "--format", "md"]);
    expect(kept.code, kept.err).toBe(0);
    expect(kept.out).toContain(`We wrote to ${KEPT.email} about your ticket.`);
    expect(kept.out).toContain(`"subject":"${KEPT.subject}"`);
  });
});
