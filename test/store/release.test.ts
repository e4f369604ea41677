// Safe change on every store backend (PGlite, SQLite, a real PostgreSQL this file starts): the
// artifact registry keeps each artifact with its files, byte for byte, publishes idempotently by
// hash and refuses a version name another hash has; the rollout is one row replaced by
// compare-and-set on its generation — once when two instances race — with every change in its
// history and the stable version's first activation recorded; shadow results read back per
// generation; a kill switch is set only from the expected state, once under a race, with its
// history; a wake-up keeps the artifact that scheduled it; erasure deletes the subject's shadow
// results; and a store an older Kairos made is refused with `store/migration`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../server/store/db.ts";
import { NO_ROLLOUT } from "../../server/store/release-sql.ts";
import type { SqliteDb } from "../../server/store/sqlite-db.ts";
import type { KillSwitch, RegisteredArtifact, RolloutState, ServiceStore, ShadowResult } from "../../server/store/types.ts";
import { startPostgres, type TestPostgres } from "../helpers/postgres.ts";
import { pending, removeTempDirs, storeBackends } from "./helpers.ts";

let postgres: TestPostgres | undefined;

beforeAll(async () => {
  postgres = await startPostgres();
});

afterAll(async () => {
  await postgres?.stop();
  removeTempDirs();
});

const BACKENDS = storeBackends(() => postgres);

const H1 = "a".repeat(64);
const H2 = "b".repeat(64);
const H3 = "c".repeat(64);
const T = "2026-12-06T10:00:00.000Z";

/** Bytes that a text conversion would change: every byte value, then a NUL-laden tail. */
const BINARY = new Uint8Array([...Array.from({ length: 256 }, (_, i) => i), 0, 0, 255]);

function registered(hash: string, version: string, extra: Partial<RegisteredArtifact> = {}): Omit<RegisteredArtifact, "activatedAt"> {
  return { hash, version, approvals: [], publishedBy: "alice", publishedAt: T, ...extra };
}

function files(tag: string): Record<string, Uint8Array> {
  return {
    "manifest.json": new TextEncoder().encode(`{"tag":"${tag}"}\n`),
    "predicates.js": new TextEncoder().encode("export const x = 1;\n"),
    "opa/bundle.tar.gz": BINARY,
  };
}

function state(generation: number, extra: Partial<RolloutState> = {}): RolloutState {
  return { generation, stable: H1, mode: "none", action: "start", by: "alice", reason: "first start", since: T, ...extra };
}

async function withTwo(backend: (typeof BACKENDS)[number], fn: (a: ServiceStore, b: ServiceStore) => Promise<void>): Promise<void> {
  const location = await backend.fresh();
  const a = await location.open();
  const b = location.second ? await location.second() : a;
  try {
    await fn(a, b);
  } finally {
    if (b !== a) await b.close();
    await a.close();
  }
}

describe.each(BACKENDS)("safe change on the $name store", (backend) => {
  it("keeps published artifacts with their files byte for byte, idempotently by hash, oldest first", async () => {
    await withTwo(backend, async (a, b) => {
      expect(await a.artifacts()).toEqual([]);
      expect(await a.artifact(H1)).toBeUndefined();
      expect(await a.artifactFiles(H1)).toBeUndefined();
      const signed = registered(H1, "v1", { signature: '{"format":"kairos-signature/1"}', signer: "release-bot", approvals: ["apr_1", "apr_2"] });
      expect(await a.publishArtifact(signed, files("one"))).toEqual(signed);
      // The same hash again (from another instance, even under another name): the row already there.
      expect(await b.publishArtifact(registered(H1, "v1-again"), files("other"))).toEqual(signed);
      await a.publishArtifact(registered(H2, "v2"), files("two"));
      expect((await b.artifacts()).map((x) => x.version)).toEqual(["v1", "v2"]);
      expect(await b.artifact("v2")).toEqual(registered(H2, "v2"));
      expect(await b.artifact(H1)).toEqual(signed);
      expect(await b.artifact("v3")).toBeUndefined();
      const back = await b.artifactFiles(H1);
      expect(back).toEqual(files("one"));
      expect(back?.["opa/bundle.tar.gz"]).toBeInstanceOf(Uint8Array);
    });
  });

  it("adds a signature to an artifact registered unsigned under the same version name, and nothing else", async () => {
    await withTwo(backend, async (a, b) => {
      const unsigned = registered(H1, "v1");
      expect(await a.publishArtifact(unsigned, files("one"))).toEqual(unsigned);
      const sig = '{"format":"kairos-signature/1","version":"v1"}';
      const withSig = { ...files("one"), "signature.json": new TextEncoder().encode(sig) };
      // Signed as another version name: the row stays as it is.
      expect(await b.publishArtifact(registered(H1, "v2", { signature: sig, signer: "bot", publishedBy: "bob" }), withSig)).toEqual(unsigned);
      const signed = await b.publishArtifact(registered(H1, "v1", { signature: sig, signer: "bot", publishedBy: "bob" }), withSig);
      expect(signed).toEqual({ ...unsigned, signature: sig, signer: "bot" });
      expect(await a.artifactFiles(H1)).toEqual(withSig);
      // A signed row is never re-signed.
      const other = '{"format":"kairos-signature/1","version":"v1","other":true}';
      await a.publishArtifact(registered(H1, "v1", { signature: other, signer: "eve" }), {
        ...files("one"),
        "signature.json": new TextEncoder().encode(other),
      });
      expect(await b.artifact("v1")).toEqual(signed);
      expect(await b.artifactFiles(H1)).toEqual(withSig);
    });
  });

  it("refuses a version name another artifact has, writing nothing of it, and artifacts that are not ones", async () => {
    await withTwo(backend, async (a) => {
      await a.publishArtifact(registered(H1, "v1"), files("one"));
      const conflict = a.publishArtifact(registered(H2, "v1"), files("two"));
      await expect(conflict).rejects.toMatchObject({
        code: "store/conflict",
        message: expect.stringContaining("`v1` is already used"),
        hint: expect.any(String),
      });
      expect(await a.artifactFiles(H2)).toBeUndefined();
      expect(await a.artifacts()).toHaveLength(1);
      const invalid = { code: "store/invalid" };
      await expect(a.publishArtifact(registered("abc", "v9"), files("x"))).rejects.toMatchObject(invalid);
      await expect(a.publishArtifact(registered(H3, ""), files("x"))).rejects.toMatchObject(invalid);
      await expect(a.publishArtifact(registered(H3, "v9", { publishedBy: "" }), files("x"))).rejects.toMatchObject(invalid);
      await expect(a.publishArtifact(registered(H3, "v9"), { "predicates.js": BINARY })).rejects.toMatchObject(invalid);
      await expect(a.publishArtifact(registered(H3, "v9"), { ...files("x"), "../escape": BINARY })).rejects.toMatchObject(invalid);
      expect(await a.artifact(H3)).toBeUndefined();
    });
  });

  it("sets the rollout by compare-and-set on its generation, once when two instances race, keeping every change in its history", async () => {
    await withTwo(backend, async (a, b) => {
      await a.publishArtifact(registered(H1, "v1"), files("one"));
      await a.publishArtifact(registered(H2, "v2"), files("two"));
      expect(await a.rollout()).toEqual(NO_ROLLOUT);
      expect(await a.rolloutHistory()).toEqual([]);

      const first = await Promise.all([a.setRollout(state(1), 0), b.setRollout(state(1, { by: "bob" }), 0)]);
      expect(first.filter(Boolean)).toHaveLength(1);
      const started = await b.rollout();
      expect(started.generation).toBe(1);
      expect((await a.artifact(H1))?.activatedAt).toBe(T);

      const canary = state(2, {
        mode: "canary",
        candidate: H2,
        percent: 5.25,
        salt: "s4lt",
        budget: { maxErrorRate: 0.01, maxP99Ms: 250, minDecisions: 100 },
        action: "start_canary",
        reason: "try the new renewal day",
        since: "2026-12-06T11:00:00.000Z",
      });
      const raced = await Promise.all([a.setRollout(canary, 1), b.setRollout({ ...canary, by: "bob" }, 1)]);
      expect(raced.filter(Boolean)).toHaveLength(1);
      expect(await a.setRollout(state(2), 1)).toBe(false);
      const now = await b.rollout();
      expect(now).toEqual(raced[0] ? canary : { ...canary, by: "bob" });
      // A candidate is not activated by becoming a candidate; promoting it makes it the stable version.
      expect((await a.artifact(H2))?.activatedAt).toBeUndefined();

      const rollback = state(3, {
        stable: H1,
        action: "auto_rollback",
        by: "auto-rollback",
        reason: "error rate 4% > 1% over 120 decisions",
        detail: { metric: "error_rate", value: 0.04, threshold: 0.01, decisions: 120 },
        since: "2026-12-06T11:05:00.000Z",
      });
      expect(await b.setRollout(rollback, 2)).toBe(true);
      const promote = state(4, { stable: H2, action: "promote", since: "2026-12-06T12:00:00.000Z" });
      expect(await a.setRollout(promote, 3)).toBe(true);
      expect((await a.artifact(H2))?.activatedAt).toBe("2026-12-06T12:00:00.000Z");
      // Stable again later: the first activation stays.
      expect(await a.setRollout(state(5, { since: "2026-12-07T00:00:00.000Z" }), 4)).toBe(true);
      expect((await a.artifact(H1))?.activatedAt).toBe(T);

      const history = await b.rolloutHistory();
      expect(history.map((h) => [h.generation, h.action])).toEqual([
        [1, "start"],
        [2, "start_canary"],
        [3, "auto_rollback"],
        [4, "promote"],
        [5, "start"],
      ]);
      expect(history[1]).toEqual(now);
      expect(history[2]).toEqual(rollback);
      expect(await a.rollout()).toEqual(history[4]);
    });
  });

  it("refuses rollout states that are not ones, writing nothing", async () => {
    await withTwo(backend, async (a) => {
      const invalid = { code: "store/invalid" };
      await expect(a.setRollout(state(2), 0)).rejects.toMatchObject({ ...invalid, message: expect.stringContaining("must be 1") });
      await expect(a.setRollout(state(1, { mode: "canary", candidate: H2 }), 0)).rejects.toMatchObject({
        ...invalid,
        message: expect.stringContaining("percent"),
      });
      await expect(a.setRollout(state(1, { mode: "canary", candidate: H2, percent: 0 }), 0)).rejects.toMatchObject(invalid);
      await expect(a.setRollout(state(1, { mode: "canary", candidate: H2, percent: 100.5 }), 0)).rejects.toMatchObject(invalid);
      await expect(a.setRollout(state(1, { mode: "canary", candidate: H2, percent: 1.125 }), 0)).rejects.toMatchObject(invalid);
      await expect(a.setRollout(state(1, { mode: "shadow" }), 0)).rejects.toMatchObject(invalid);
      await expect(a.setRollout(state(1, { candidate: H2 }), 0)).rejects.toMatchObject(invalid);
      await expect(a.setRollout(state(1, { mode: "blue" as RolloutState["mode"] }), 0)).rejects.toMatchObject(invalid);
      await expect(a.setRollout(state(1, { stable: "v1" }), 0)).rejects.toMatchObject(invalid);
      await expect(a.setRollout(state(1, { by: "" }), 0)).rejects.toMatchObject(invalid);
      await expect(a.setRollout(state(1, { since: "yesterday" }), 0)).rejects.toMatchObject(invalid);
      await expect(a.setRollout(state(1, { mode: "shadow", candidate: H2, budget: { maxErrorRate: 2 } }), 0)).rejects.toMatchObject(invalid);
      expect(await a.rollout()).toEqual(NO_ROLLOUT);
      expect(await a.rolloutHistory()).toEqual([]);
    });
  });

  it("keeps shadow results per generation, oldest first, up to the limit asked", async () => {
    await withTwo(backend, async (a, b) => {
      const row = (generation: number, i: number, same: boolean): ShadowResult => ({
        generation,
        decision_id: `d_${generation}_${i}`,
        subject: `s${i}`,
        at: T,
        stable: `{"outcome":"acted","journey":"j${i}"}`,
        candidate: same ? `{"outcome":"acted","journey":"j${i}"}` : `{"outcome":"no_match"}`,
        same,
      });
      // More rows than one statement carries.
      const many = Array.from({ length: 450 }, (_, i) => row(2, i, i % 3 !== 0));
      await a.addShadowResults(many);
      await b.addShadowResults([row(3, 0, true)]);
      await a.addShadowResults([]);
      expect(await b.shadowResults(2)).toEqual(many);
      expect(await b.shadowResults(2, 5)).toEqual(many.slice(0, 5));
      expect(await a.shadowResults(3)).toEqual([row(3, 0, true)]);
      expect(await a.shadowResults(4)).toEqual([]);
      await expect(a.addShadowResults([{ ...row(2, 0, true), same: "yes" as unknown as boolean }])).rejects.toMatchObject({ code: "store/invalid" });
      await expect(a.addShadowResults([row(0, 0, true)])).rejects.toMatchObject({ code: "store/invalid" });
      expect(await a.shadowResults(2)).toHaveLength(450);
    });
  });

  it("sets a kill switch only from the expected state, once when two instances race, and keeps its history oldest first", async () => {
    await withTwo(backend, async (a, b) => {
      const off = (by: string): KillSwitch => ({
        kind: "journey",
        name: "renewal_reminder_d90",
        state: "disabled",
        by,
        reason: "wrong price in the email",
        since: T,
      });
      const on: KillSwitch = {
        kind: "journey",
        name: "renewal_reminder_d90",
        state: "enabled",
        by: "carol",
        reason: "price fixed",
        since: "2026-12-06T12:00:00.000Z",
      };
      const sms: KillSwitch = { kind: "channel", name: "sms", state: "disabled", by: "dave", reason: "provider outage", since: T };
      expect(await a.killSwitches()).toEqual([]);
      // Enabling what is not disabled writes nothing.
      expect(await a.setKillSwitch(on, "disabled")).toBe(false);
      const raced = await Promise.all([a.setKillSwitch(off("alice"), "enabled"), b.setKillSwitch(off("bob"), "enabled")]);
      expect(raced.filter(Boolean)).toHaveLength(1);
      const winner = off(raced[0] ? "alice" : "bob");
      expect(await b.killSwitches()).toEqual([winner]);
      expect(await a.setKillSwitch(sms, "enabled")).toBe(true);
      expect(await a.killSwitches()).toEqual([sms, winner]);
      expect(await b.setKillSwitch(on, "disabled")).toBe(true);
      expect(await b.setKillSwitch(on, "disabled")).toBe(false);
      expect(await a.killSwitches()).toEqual([sms, on]);
      expect(await a.killSwitchHistory("journey", "renewal_reminder_d90")).toEqual([winner, on]);
      expect(await a.killSwitchHistory("channel")).toEqual([sms]);
      expect(await a.killSwitchHistory()).toEqual([winner, sms, on]);
      expect(await a.killSwitchHistory("journey", "other")).toEqual([]);
      const invalid = { code: "store/invalid" };
      await expect(a.setKillSwitch({ ...sms, by: "" }, "enabled")).rejects.toMatchObject(invalid);
      await expect(a.setKillSwitch({ ...sms, kind: "team" as KillSwitch["kind"] }, "enabled")).rejects.toMatchObject(invalid);
      await expect(a.setKillSwitch(sms, "off" as KillSwitch["state"])).rejects.toMatchObject(invalid);
      expect(await a.killSwitchHistory()).toHaveLength(3);
    });
  });

  it("keeps the artifact that scheduled a wake-up, and none for a wake-up without one", async () => {
    await withTwo(backend, async (a, b) => {
      const wakeup = (id: string, artifact?: string) => ({
        subject: "wk",
        journey: "renewal_reminder_d90",
        timer: "3d",
        due_at: "2026-12-09T10:00:00Z",
        request: { event: { type: "daily", id, timer: "3d" }, subject: "wk", region: "eu" },
        scheduled_by: "d_sched",
        ...(artifact === undefined ? {} : { artifact }),
      });
      await a.commit([pending({ subject: "wk", version: 0, extra: { wakeups: [wakeup("w1", H2), wakeup("w2")] } })]);
      const stored = await b.pendingWakeups("wk");
      expect(stored.map((w) => [w.request["event"], w.artifact])).toEqual([
        [{ type: "daily", id: "w1", timer: "3d" }, H2],
        [{ type: "daily", id: "w2", timer: "3d" }, undefined],
      ]);
      expect(stored[1]).not.toHaveProperty("artifact");
      const claimed = await b.claimWakeups("2026-12-10T00:00:00Z", 10, "B", 60_000);
      expect(claimed.map((w) => w.artifact)).toEqual([H2, undefined]);
    });
  });

  it("erases a subject's shadow results with the subject, and no one else's", async () => {
    await withTwo(backend, async (a) => {
      const row = (subject: string, i: number): ShadowResult => ({
        generation: 1,
        decision_id: `d${i}`,
        subject,
        at: T,
        stable: "{}",
        candidate: "{}",
        same: true,
      });
      await a.addShadowResults([row("gone", 1), row("kept", 2), row("gone", 3)]);
      expect(await a.eraseSubject("gone")).toMatchObject({ shadow_results: 2 });
      expect(await a.shadowResults(1)).toEqual([row("kept", 2)]);
      expect(await a.eraseSubject("gone")).toMatchObject({ shadow_results: 0 });
    });
  });

  it("says that a store an older Kairos made lacks the safe-change tables, instead of failing a statement", async () => {
    const location = await backend.fresh();
    const store = await location.open();
    // Back to what 0004 left: the tables of 0005_releases and its record gone (the wake-ups' column may stay).
    const db = (store as unknown as { parts: { db: Db | SqliteDb } }).parts.db;
    const tables = ["artifacts", "artifact_files", "rollout", "rollout_history", "shadow_results", "kill_switches", "kill_switch_history"];
    for (const sql of [...tables.map((t) => `DROP TABLE ${t}`), "DELETE FROM kairos_migrations WHERE id = '0005_releases'"]) {
      if ("all" in db) db.run(sql);
      else await db.query(sql);
    }
    await store.close();
    const old = await location.open({ readOnly: true, migrate: false });
    try {
      const refused = { code: "store/migration", message: expect.stringContaining("(migration 0005_releases)") };
      await expect(old.rollout()).rejects.toMatchObject(refused);
      await expect(old.artifacts()).rejects.toMatchObject(refused);
      await expect(old.killSwitches()).rejects.toMatchObject(refused);
      await expect(old.setKillSwitch({ kind: "channel", name: "sms", state: "disabled", by: "a", reason: "", since: T }, "enabled")).rejects.toMatchObject(
        refused,
      );
      expect((await old.health()).migrations.pending).toEqual(["0005_releases"]);
    } finally {
      await old.close();
    }
  });
});
