// `kairos demo` through the decision service and its log: the simulation runs against a real
// `kairos serve` (in-process, 127.0.0.1, embedded store) with a real HTTP system of record; every
// decision the service acknowledged — answered events and the wake-ups it fired itself — is in
// the store's chain and in the exported file, which verifies offline; a second run on the same
// directory fails at once, and a store a service holds open is never moved; decisions the store
// refuses are counted and make the run exit 1, and "log verified" is said only of exactly the
// acknowledged decisions; the demo's event ids carry no customer id and repeat for a seed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDemo, type DemoOptions } from "../../cli/demo/run.ts";
import type { Io } from "../../cli/io.ts";
import { loadLogKey } from "../../runtime/log/key.ts";
import { FileLock } from "../../runtime/log/lock.ts";
import { unsealRequest } from "../../runtime/log/seal.ts";
import { FileSubjectKeyring } from "../../runtime/log/subject-keyring.ts";
import type { CommitResult, PendingCommit, Store } from "../../server/store/types.ts";

const BIN = resolve("bin/kairos.js");
const kairos = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env } });
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kairos-demo-log-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): Io & { text(): { out: string; err: string } } {
  let out = "";
  let err = "";
  return { out: (t) => void (out += t + "\n"), err: (t) => void (err += t + "\n"), color: false, text: () => ({ out, err }) };
}

const options = (out: string, extra: Partial<DemoOptions> = {}): DemoOptions => ({
  out,
  customers: 30,
  days: 3,
  seed: 7,
  policies: resolve("policies"),
  ...extra,
});

interface Line {
  readonly decision_id: string;
  readonly outcome: string;
  readonly request: { readonly subject: string; readonly event: { readonly id: string; readonly timer?: string } };
  /** The minimized request, encrypted with the pseudonymization key. */
  readonly sealed: string;
  /** The per-subject key that sealed it. */
  readonly subject_key?: string;
}

/** The entries of an exported log file. */
const entries = (path: string): Line[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Line);

/** "3. N decisions … N for events, W timed follow-ups …" → the three numbers. */
function counts(text: string): { total: number; events: number; wakeups: number } {
  const m = /3\. ([\d,]+) decisions in [\d.]+ s \([\d,]+\/s\): ([\d,]+) for events, ([\d,]+) timed follow-ups/.exec(text);
  if (!m) throw new Error(`no summary line in:\n${text}`);
  const num = (s: string) => Number(s.replace(/,/g, ""));
  return { total: num(m[1]!), events: num(m[2]!), wakeups: num(m[3]!) };
}

/** The store with `commit` replaced (fault injection between the service and the real store). */
function withCommit(store: Store, commit: (items: readonly PendingCommit[], real: Store["commit"]) => Promise<readonly CommitResult[]>): Store {
  const real = store.commit.bind(store);
  return new Proxy(store, {
    get(target, key) {
      if (key === "commit") return (items: readonly PendingCommit[]) => commit(items, real);
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe("the demo through the decision service", () => {
  it("logs every acknowledged decision, wake-ups the service fired included, and the exported log verifies offline", async () => {
    const out = join(dir, "full");
    const io = capture();
    expect(await runDemo(options(out, { days: 8 }), io)).toBe(0);
    const { out: text } = io.text();
    const c = counts(text);
    expect(c.wakeups).toBeGreaterThan(0);
    expect(c.total).toBe(c.events + c.wakeups);
    expect(text).toContain(`log verified: ${c.total.toLocaleString("en-US")} entries in the store and in`);
    const log = entries(join(out, "decisions.log"));
    expect(log.length).toBe(c.total);
    // The wake-ups are the entries with a timer: the service fired them (the demo sends none).
    expect(log.filter((e) => e.request.event.timer !== undefined).length).toBe(c.wakeups);
    expect(new Set(log.map((e) => e.decision_id)).size).toBe(log.length);
    const verify = kairos(["log", "verify", join(out, "decisions.log")]);
    expect(verify.stdout).toContain(`ok: ${c.total} entries, chain intact and authenticated`);
    expect(verify.status).toBe(0);
    // The pending reviews are listed, and the commands to query the store are printed.
    expect(text).toMatch(/decisions? wait for a person \(pending_review\)/);
    expect(text).toMatch(/npx kairos serve \S*full\/artifact --data-dir \S*full/);
    expect(text).toMatch(/curl -s -H 'Authorization: Bearer kairos_[A-Za-z0-9_-]+' http:\/\/127\.0\.0\.1:8181\/v1\/decisions\/d_[0-9a-f]{32}\/rationale/);
    expect(text).toMatch(/The system of record was asked [\d,]+ times/);
  });
});

describe("two demo runs on one directory", () => {
  it("fails the second at once, with exit 1, and the first run's log stays whole and verifies", async () => {
    const out = join(dir, "concurrent");
    let pause!: () => void;
    const paused = new Promise<void>((r) => (pause = r));
    let resume!: () => void;
    const resumed = new Promise<void>((r) => (resume = r));
    const io = capture();
    // The first run stops after its 20th answered decision until the second run is over.
    const first = runDemo(
      options(out, {
        afterDecision: async (n) => {
          if (n === 20) {
            pause();
            await resumed;
          }
        },
      }),
      io,
    );
    await paused;
    const second = kairos(["demo", "--out", out, "--customers", "5", "--days", "1"]);
    resume();
    expect(second.stderr).toMatch(/another `kairos demo` \(process \d+[^)]*\) is writing to `.*concurrent` right now; nothing in it was touched/);
    expect(second.stderr).not.toMatch(/internal error/);
    expect(second.status).toBe(1);
    expect(await first).toBe(0);
    const { total } = counts(io.text().out);
    expect(total).toBeGreaterThan(20);
    expect(entries(join(out, "decisions.log")).length).toBe(total);
    expect(readdirSync(out).filter((f) => /^(decisions\.\d+\.log|store\.\d+)/.test(f))).toEqual([]);
  });

  it("does not move a store that a service holds open, and says who holds it", async () => {
    const out = join(dir, "held");
    expect(await runDemo(options(out, { customers: 3, days: 1 }), capture())).toBe(0);
    const before = readFileSync(join(out, "store.sqlite"));
    const lock = FileLock.acquire(join(out, "store.sqlite.lock"));
    let r;
    try {
      r = kairos(["demo", "--out", out, "--customers", "3", "--days", "1"]);
    } finally {
      lock.release();
    }
    expect(r.stderr).toContain(`is open in process ${process.pid}`);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status).toBe(1);
    expect(readFileSync(join(out, "store.sqlite")).equals(before)).toBe(true);
    expect(existsSync(join(out, "store.1.sqlite"))).toBe(false);
  });
});

describe("decisions the store refuses", () => {
  it("are counted truthfully, are not in the log, and make the demo exit 1", async () => {
    const out = join(dir, "refusing");
    const io = capture();
    let calls = 0;
    let refusedItems = 0;
    const code = await runDemo(
      options(out, {
        // Every 4th commit fails as a lost connection would: the service answers 503, nothing is written.
        wrapStore: (store) =>
          withCommit(store, async (items, real) => {
            if (++calls % 4 === 0) {
              refusedItems += items.length;
              throw new Error("injected: the store connection was lost");
            }
            return real(items);
          }),
      }),
      io,
    );
    const { out: text, err } = io.text();
    expect(code).toBe(1);
    expect(refusedItems).toBeGreaterThan(0);
    const m = /kairos demo: ([\d,]+) decisions? refused by the service \(store_unavailable; first: .*503/.exec(err);
    expect(m, err).not.toBeNull();
    const refused = Number(m![1]!.replace(/,/g, ""));
    expect(refused).toBeGreaterThan(0);
    const c = counts(text);
    // Only what the service acknowledged is in the log, and it verifies.
    expect(text).toContain(`log verified: ${c.total.toLocaleString("en-US")} entries`);
    expect(entries(join(out, "decisions.log")).length).toBe(c.total);
    expect(err).toContain("kairos demo: failed — the service refused some calls");
  });

  it("never says the log verified when the store acknowledged a decision it did not write", async () => {
    const out = join(dir, "dropping");
    const io = capture();
    let dropped = 0;
    const code = await runDemo(
      options(out, {
        // A store that loses the first acted decision of a batch but says it committed it.
        wrapStore: (store) =>
          withCommit(store, async (items, real) => {
            const i = dropped === 0 ? items.findIndex((x) => x.decision.outcome === "acted") : -1;
            if (i < 0) return real(items);
            dropped++;
            const results = [...(await real(items.filter((_, j) => j !== i)))];
            results.splice(i, 0, { status: "committed", position: { shard: 0, seq: 0, hash: "0".repeat(64) } });
            return results;
          }),
      }),
      io,
    );
    expect(dropped).toBe(1);
    expect(code).toBe(1);
    expect(io.text().out).toMatch(/LOG VERIFICATION FAILED: the store's log holds [\d,]+ entries, but the service acknowledged [\d,]+ decisions/);
    expect(io.text().out).not.toContain("log verified");
  });
});

describe("the demo's decisions and event ids", () => {
  it("are the same for the same seed, run after run (the earlier store and log kept); event ids carry no customer id", async () => {
    const out = join(dir, "again");
    // The log pseudonymizes event ids; the requests as sent are sealed in each entry for the key holder.
    // Each subject's requests are sealed under their per-subject key (the export's `.subject-keys`).
    const requests = (dataDir: string, file: string) => {
      const key = loadLogKey(join(dataDir, "log"));
      const ring = FileSubjectKeyring.open(join(dataDir, file), key);
      return entries(join(dataDir, file)).map((e) => {
        expect(e.request.subject).toMatch(/^hmac:/);
        expect(e.request.event.id).toMatch(/^hmac:/);
        expect(e.subject_key).toMatch(/^[0-9a-f]{32}$/);
        return { id: e.decision_id, request: unsealRequest(ring.byId(e.subject_key!)!, e.sealed) };
      });
    };
    expect(await runDemo(options(out), capture())).toBe(0);
    expect(await runDemo(options(out), capture())).toBe(0);
    expect(existsSync(join(out, "store.1.sqlite"))).toBe(true);
    const first = requests(out, "decisions.1.log");
    const second = requests(out, "decisions.log");
    expect(first.length).toBeGreaterThan(90);
    // Sorted: decisions about different customers at the same moment are sent at once, so their
    // order in the chain may differ; the decisions themselves (the ids cover everything) may not.
    const ids = (xs: typeof first) => xs.map((x) => x.id).sort();
    const events = (xs: typeof first) => xs.map((x) => x.request.event.id).sort();
    expect(ids(second)).toEqual(ids(first));
    expect(events(second)).toEqual(events(first));
    for (const { request: r } of first) {
      expect(r.event.id).toMatch(/^ev-[0-9a-f]{20}$/);
      expect(r.subject).toMatch(/^c-\d{5}$/);
      expect(r.event.id).not.toContain(r.subject);
    }
    // The log holds no customer id anywhere in clear (subjects and PII pseudonymized; event ids carry none).
    // `sealed` is ciphertext in base64url, whose alphabet can spell `c-12345` by chance: it is left out.
    const lines = readFileSync(join(out, "decisions.log"), "utf8")
      .split("\n")
      .filter((l) => l !== "");
    const clear = lines.map((l) => {
      const { sealed, ...rest } = JSON.parse(l) as { sealed?: string };
      if (sealed !== undefined) expect(sealed).toMatch(/^aes256gcm:[A-Za-z0-9_-]+$/);
      return JSON.stringify(rest);
    });
    expect(clear.join("\n")).not.toMatch(/c-\d{5}/);
    const other = join(dir, "other-seed");
    expect(await runDemo(options(other, { seed: 8 }), capture())).toBe(0);
    const seen = new Set(events(first));
    expect(events(requests(other, "decisions.log")).filter((id) => seen.has(id))).toEqual([]);
  });
});
