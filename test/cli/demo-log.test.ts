// `kairos demo` and its decision log: a second run on the same directory fails at once and
// leaves the first run's live log alone; decisions the log refuses (a failing disk, a full
// file-size limit) are counted and make the run exit 1, and "log verified" is said only of
// exactly the entries the run wrote; the demo's event ids carry no customer id.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDemo, type DemoOptions } from "../../cli/demo/run.ts";
import type { Io } from "../../cli/io.ts";
import { FileLock } from "../../runtime/log/lock.ts";
import type { DecisionLogEntry, DecisionSink } from "../../runtime/sink.ts";

const BIN = resolve("bin/kairos.js");
const kairos = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
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

/** The number of entries (lines) of a log file. */
const lines = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "").length;

/** A sink in front of the log that throws for the entries `refuse` picks, counting what it did. */
function failing(log: DecisionSink, refuse: (n: number, entry: DecisionLogEntry) => boolean) {
  const seen = { calls: 0, decisionsRefused: 0, retriesRefused: 0, written: 0 };
  const sink: DecisionSink = {
    async append(entry) {
      const n = ++seen.calls;
      if (refuse(n, entry)) {
        // The engine offers a decision the log refused once more, as an `error` (log_failed).
        if (entry.decision.error?.code === "log_failed") seen.retriesRefused++;
        else seen.decisionsRefused++;
        throw new Error(`injected: the disk refused entry ${n}`);
      }
      const written = await log.append(entry);
      seen.written++;
      return written;
    },
  };
  return { sink, seen };
}

describe("two demo runs on one directory", () => {
  it("fails the second at once, with exit 1, and the first run's log stays whole and verifies", async () => {
    const out = join(dir, "concurrent");
    let pause!: () => void;
    const paused = new Promise<void>((r) => (pause = r));
    let resume!: () => void;
    const resumed = new Promise<void>((r) => (resume = r));
    const io = capture();
    // The first run stops after its 20th entry until the second run is over.
    const first = runDemo(
      options(out, {
        wrapSink: (log) => ({
          async append(entry) {
            const written = await log.append(entry);
            if ((written as { seq?: number }).seq === 20) {
              pause();
              await resumed;
            }
            return written;
          },
        }),
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
    const { out: text } = io.text();
    const decisions = Number(/3\. ([\d,]+) decisions/.exec(text)?.[1]?.replace(/,/g, ""));
    expect(decisions).toBeGreaterThan(20);
    expect(text).toContain(`log verified: ${decisions.toLocaleString("en-US")} entries, chain intact and authenticated`);
    expect(readdirSync(out).filter((f) => /^decisions\.\d+\.log/.test(f))).toEqual([]);
    expect(lines(join(out, "decisions.log"))).toBe(decisions);
    expect(kairos(["log", "verify", join(out, "decisions.log")]).status).toBe(0);
  });

  it("does not move a log that another writer holds, and says who holds it", async () => {
    const out = join(dir, "held");
    expect(await runDemo(options(out, { customers: 3, days: 1 }), capture())).toBe(0);
    const before = readFileSync(join(out, "decisions.log"));
    const lock = FileLock.acquire(join(out, "decisions.log.lock"));
    let r;
    try {
      r = kairos(["demo", "--out", out, "--customers", "3", "--days", "1"]);
    } finally {
      lock.release();
    }
    expect(r.stderr).toContain(`is being written by process ${process.pid}`);
    expect(r.status).toBe(1);
    expect(readFileSync(join(out, "decisions.log"))).toEqual(before);
    expect(existsSync(join(out, "decisions.1.log"))).toBe(false);
  });
});

describe("decisions the log refuses", () => {
  it("are counted truthfully and make the demo exit 1", async () => {
    const out = join(dir, "refusing");
    let seen: ReturnType<typeof failing>["seen"] | undefined;
    const io = capture();
    // Refuse every 5th call, and both tries of the decisions made in calls 40–60.
    const code = await runDemo(
      options(out, {
        wrapSink: (log) => {
          const f = failing(log, (n) => n % 5 === 0 || (n >= 40 && n <= 60));
          seen = f.seen;
          return f.sink;
        },
      }),
      io,
    );
    const { out: text, err } = io.text();
    expect(code).toBe(1);
    const s = seen!;
    expect(s.decisionsRefused).toBeGreaterThan(0);
    expect(s.retriesRefused).toBeGreaterThan(0);
    expect(err).toContain(
      `${s.decisionsRefused} decisions could not be logged as made — the log refused ${s.decisionsRefused + s.retriesRefused} entries (first: injected: the disk refused entry 5)`,
    );
    expect(err).toContain(`${s.decisionsRefused - s.retriesRefused} are in the log as \`error\` entries, ${s.retriesRefused} are not in the log at all`);
    expect(text).toContain(`log verified: ${s.written} entries (every entry this run wrote), chain intact and authenticated`);
    expect(lines(join(out, "decisions.log"))).toBe(s.written);
    expect(err).toContain("kairos demo: failed — not every decision was logged");
  });

  it("never says the log verified when it holds other entries than the run wrote", async () => {
    const out = join(dir, "dropping");
    const io = capture();
    // A sink that loses one entry without saying so.
    let dropped = 0;
    const code = await runDemo(
      options(out, { wrapSink: (log) => ({ append: (e: DecisionLogEntry) => (e.outcome === "acted" && dropped++ === 0 ? { seq: 0 } : log.append(e)) }) }),
      io,
    );
    expect(dropped).toBeGreaterThan(0);
    expect(code).toBe(1);
    expect(io.text().out).toMatch(/LOG VERIFICATION FAILED: .*decisions\.log holds [\d,]+ entries ending at [0-9a-f]+, but this run appended [\d,]+ ending at/);
    expect(io.text().out).not.toContain("log verified");
  });

  it("exits 1 and says so when the file-size limit stops the log (EFBIG), and the log still verifies", () => {
    const out = join(dir, "efbig");
    // 200 KiB: room for the artifact, not for the log of 40 customers over 3 days.
    const r = spawnSync("bash", ["-c", `ulimit -f 200; exec "${process.execPath}" "${BIN}" demo --out "${out}" --customers 40 --days 3`], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(r.stderr).toMatch(/\d+ decisions could not be logged as made — the log refused \d+ entries \(first: cannot append to .*decisions\.log: EFBIG/);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status).toBe(1);
    const written = lines(join(out, "decisions.log"));
    expect(r.stdout).toContain(`log verified: ${written} entries (every entry this run wrote)`);
    expect(kairos(["log", "verify", join(out, "decisions.log")]).status).toBe(0);
  });
});

describe("the demo's event ids", () => {
  async function eventIds(out: string, seed: number): Promise<{ ids: string[]; subjects: string[] }> {
    const ids: string[] = [];
    const subjects: string[] = [];
    const code = await runDemo(
      options(out, {
        seed,
        wrapSink: (log) => ({
          append(entry: DecisionLogEntry) {
            ids.push(entry.request.event.id);
            subjects.push(entry.request.subject);
            return log.append(entry);
          },
        }),
      }),
      capture(),
    );
    expect(code).toBe(0);
    return { ids, subjects };
  }

  it("carry no customer id, and are the same for the same seed", async () => {
    const a = await eventIds(join(dir, "ids-a"), 7);
    expect(a.ids.length).toBeGreaterThan(90);
    for (const [i, id] of a.ids.entries()) {
      expect(id).toMatch(/^ev-[0-9a-f]{20}$/);
      expect(id).not.toContain(a.subjects[i]!);
    }
    // The log file holds no customer id anywhere (subjects are pseudonymized; event ids carry none).
    expect(readFileSync(join(dir, "ids-a", "decisions.log"), "utf8")).not.toMatch(/c-\d{5}/);
    expect((await eventIds(join(dir, "ids-b"), 7)).ids).toEqual(a.ids);
    const other = await eventIds(join(dir, "ids-c"), 8);
    expect(other.ids.filter((id) => a.ids.includes(id))).toEqual([]);
  });
});
