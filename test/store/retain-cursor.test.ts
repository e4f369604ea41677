// The store retention's cursor (server/store/retain.ts): an entry still within its retention
// does not stop a bounded run from reaching due entries after it, the scan wraps around to the
// first unsettled entry once it got to the end, and it never reads past entries younger than the
// shortest retention. Run on the SQLite store (the planning is the same on every backend: the
// three run in retain.test.ts).
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { RetentionPolicy } from "../../runtime/log/retain-policy.ts";
import { openStore, verifyStoreLog, type SqlStore } from "../../server/store/index.ts";
import type { PendingCommit } from "../../server/store/types.ts";
import { SAMPLES, sinkEntry } from "../rationale/sample-decisions.ts";
import { KEYS, LOG, removeTempDirs, tempDir } from "./helpers.ts";

const opened: SqlStore[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close().catch(() => {});
});
afterAll(() => removeTempDirs());

/** A commit of sample `sample` decided at `now` about `subject`. */
function decidedAt(subject: string, sample: number, now: string): PendingCommit {
  const s = SAMPLES[sample]!;
  const request = { ...s.request, subject, now, event: { ...s.request.event, id: `ev-${subject}` } };
  const entry = sinkEntry({ ...s, request }, { decision_id: `d-${subject}` });
  return { key: { subject, eventId: `ev-${subject}`, timer: "" }, expectedVersion: 0, decision: entry.decision, entry };
}

const isDigest = (v: unknown): boolean => typeof v === "string" && v.startsWith("sha256:");

// Sample 0 reads customer.tenure_months, sample 2 customer.email.
const policy: RetentionPolicy = {
  fields: new Map([
    ["customer.email", "P1M"],
    ["customer.tenure_months", "P2M"],
  ]),
};

describe("store retention's cursor", () => {
  it("goes past an entry within retention to the due ones after it, wraps around, and settles once all are purged", async () => {
    const store = await openStore("sqlite:", { dataDir: tempDir(), keys: KEYS, log: LOG });
    opened.push(store);
    const commits = [
      decidedAt("a", 0, "2026-05-30T09:00:00Z"), // due 2026-07-30 (P2M)
      decidedAt("b", 2, "2026-06-01T22:30:00Z"), // due 2026-07-01 (P1M)
      decidedAt("c", 2, "2026-06-02T08:00:00Z"), // due 2026-07-02
      decidedAt("d", 0, "2026-07-10T09:00:00Z"), // younger than the shortest retention on 2026-07-15: never read then
    ];
    for (const c of commits) expect((await store.commit([c]))[0]?.status).toBe("committed");
    const run = (now: string) => store.retainLog(policy, { now: Date.parse(now), batch: 1, maxBatches: 1 });
    const contexts = async () => (await store.logLines(0, 1, 4)).map((l) => isDigest((JSON.parse(l) as { context: unknown }).context));

    // One entry per run: "a" is kept, yet the next runs go on to "b" and "c".
    expect(await run("2026-07-15T00:00:00Z")).toMatchObject({ purged: 0, examined: 1, shards: [{ complete: false }] });
    expect(await run("2026-07-15T00:00:00Z")).toMatchObject({ purged: 1, examined: 1, shards: [{ complete: false }] });
    expect(await run("2026-07-15T00:00:00Z")).toMatchObject({ purged: 1, examined: 1, shards: [{ complete: false }] });
    // "d" is younger than a month: the run stops there, and the next one starts again at "a".
    expect(await run("2026-07-15T00:00:00Z")).toMatchObject({ purged: 0, examined: 0, shards: [{ complete: true }] });
    expect(await contexts()).toEqual([false, true, true, false]);
    expect(await run("2026-07-15T00:00:00Z")).toMatchObject({ purged: 0, examined: 1 });

    // Later: "a" is due; once purged, everything up to "d" is settled and is not read again.
    const all = await store.retainLog(policy, { now: Date.parse("2026-09-15T00:00:00Z"), batch: 1, maxBatches: 10 });
    expect(all).toMatchObject({ purged: 2, shards: [{ complete: true }] });
    expect(await contexts()).toEqual([true, true, true, true]);
    expect(await store.retainLog(policy, { now: Date.parse("2026-09-15T00:00:00Z") })).toMatchObject({ purged: 0, examined: 0 });
    expect(await verifyStoreLog(store)).toMatchObject({ ok: true });
  });
});
