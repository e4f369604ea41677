// `kairos demo` proves value end to end (docs/value.md#the-demo): the simulation posts business
// outcomes to the real service's `POST /v1/outcomes` as they happen, runs the stop-loss check
// once per simulated day, and the harmful referral invitation is stopped during the run — from
// the next day on, every one of its candidates in the log is `suppressed` with the reason
// `stop_loss`, and replay re-decides the log identically; the store holds exactly the outcomes
// posted and the stop; the value table has a row per journey with a goal, beside the true effect;
// `value.html` is written; a second run with the same seed prints the same value section; and
// outcomes the service refuses are counted and make the run exit 1.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDemo, type DemoOptions } from "../../cli/demo/run.ts";
import type { Io } from "../../cli/io.ts";
import { decisionOf, type LogEntry } from "../../runtime/log/format.ts";
import { StoreError } from "../../server/store/errors.ts";
import { openStore } from "../../server/store/index.ts";
import type { Store } from "../../server/store/types.ts";

const BIN = resolve("bin/kairos.js");
const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 0, 5);
let dir: string;
let policies: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kairos-demo-value-"));
  // The example set, with the referral invitation's stop-loss judged from 10 treated subjects:
  // a 200-customer book invites about a dozen promoters (docs/value.md#the-demo). A no-op when
  // the example set already says so.
  policies = join(dir, "policies");
  cpSync(resolve("policies"), policies, { recursive: true });
  const file = join(policies, "journeys", "service.journey");
  const source = readFileSync(file, "utf8");
  expect(source).toMatch(/stop_loss\s+complaint_rate > [\d.]+%/);
  writeFileSync(file, source.replace(/(stop_loss\s+complaint_rate > [\d.]+%(?: or [^\n]*?)?) min \d+/, "$1 min 10"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): Io & { text(): { out: string; err: string } } {
  let out = "";
  let err = "";
  return { out: (t) => void (out += t + "\n"), err: (t) => void (err += t + "\n"), color: false, text: () => ({ out, err }) };
}

const options = (out: string): DemoOptions => ({ out, customers: 200, days: 12, seed: 42, policies, start: START });

/** The value section of the demo's output with the run's directory taken out. */
function valueSection(text: string, out: string): string {
  const from = text.indexOf("\n4. ");
  const to = text.indexOf("  The scoreboard (");
  expect(from).toBeGreaterThan(0);
  expect(to).toBeGreaterThan(from);
  return text.slice(from, to).replaceAll(relative(process.cwd(), out), "OUT");
}

describe("the demo's proof of value", () => {
  let out: string;
  let text: string;
  let err: string;
  let code: number;

  beforeAll(async () => {
    out = join(dir, "first");
    const io = capture();
    code = await runDemo(options(out), io);
    ({ out: text, err } = io.text());
  }, 180_000);

  it("posts outcomes the store holds, and stops the harmful journey during the run, from the next day on", async () => {
    expect(code, err).toBe(0);
    const posted = /\n4\. ([\d,]+) business outcomes posted to POST \/v1\/outcomes as they happened \(([^)]*)\)/.exec(text);
    expect(posted, text).not.toBeNull();
    const added = Number(posted![1]!.replaceAll(",", ""));
    expect(added).toBeGreaterThan(50);
    const trip = /referral_invite STOPPED at the end of day (\d+) \(complaint_rate ([\d.]+)% > 3% over (\d+) treated subjects\)/.exec(text);
    expect(trip, text).not.toBeNull();
    const day = Number(trip![1]);
    expect(day).toBeLessThan(12);
    expect(Number(trip![2])).toBeGreaterThan(3);
    expect(Number(trip![3])).toBeGreaterThanOrEqual(10);

    // The log: nothing stopped it before the end of that day; every candidate after it was suppressed for it.
    const stoppedAt = START + day * DAY_MS;
    const entries = readFileSync(join(out, "decisions.log"), "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as LogEntry);
    let before = 0;
    let after = 0;
    for (const e of entries) {
      const referral = decisionOf(e).evaluations.find((x) => x.journey === "referral_invite");
      if (!referral) continue;
      const stop = referral.reasons?.find((r) => r.code === "stop_loss");
      if (Date.parse(e.request.now) < stoppedAt) {
        expect(stop).toBeUndefined();
        before++;
      } else {
        expect(referral.outcome).toBe("suppressed");
        expect(stop).toMatchObject({ code: "stop_loss", by: "stop-loss" });
        after++;
      }
    }
    expect(before).toBeGreaterThan(0);
    expect(after).toBeGreaterThan(100);
    expect(text).toMatch(/suppressed\s+stop_loss\s+[\d,]+/);
    expect(text).toContain(`treated subjects), ${after.toLocaleString("en-US")} later candidates of it suppressed (reason \`stop_loss\`)`);

    // The store: exactly the outcomes posted, and the stop, by the stop-loss.
    const store = await openStore(undefined, { dataDir: out, readOnly: true });
    try {
      const counts = await store.outcomeCounts();
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(added);
      for (const part of posted![2]!.split(", ")) {
        const [type, n] = part.split(" ") as [string, string];
        expect(counts[type], type).toBe(Number(n.replaceAll(",", "")));
      }
      const controls = await store.journeyControls();
      expect(controls).toEqual([expect.objectContaining({ journey: "referral_invite", state: "stopped", by: "stop-loss" })]);
    } finally {
      await store.close();
    }
  });

  it("prints a value row per journey with a goal, beside its true effect, and writes the scoreboard", () => {
    const section = valueSection(text, out);
    for (const j of ["claim_status_update", "onboarding_nudge", "referral_invite", "renewal_reminder_d30", "renewal_reminder_d90"]) {
      expect(section).toMatch(new RegExp(`\\n  ${j}\\s+\\S+ \\d+d\\s+\\d+\\s+\\d+\\s+.*\\s(yes|no|—)\\s+EUR `));
    }
    expect(section).toMatch(/\n {2}referral_invite .* STOPPED\n/);
    expect(section).toMatch(/referral_invite\s+harmful/);
    expect(text).toMatch(/npx kairos journey resume referral_invite --store \S+ --by NAME/);
    const html = readFileSync(join(out, "value.html"), "utf8");
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toContain("referral_invite");
    expect(html).toContain("renewal_reminder_d90");
    expect(text).toContain(`→ ${relative(process.cwd(), join(out, "value.html"))}`);
  });

  it("replays its log identically, the stopped journey's suppressions included", () => {
    const r = spawnSync(process.execPath, [BIN, "replay", join(out, "decisions.log"), "--artifact", join(out, "artifact")], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(r.stdout, r.stderr).toMatch(/ 0 different/);
    expect(r.status).toBe(0);
  });

  it("prints the same value section for the same seed", async () => {
    const again = join(dir, "second");
    const io = capture();
    expect(await runDemo(options(again), io)).toBe(0);
    expect(existsSync(join(again, "value.html"))).toBe(true);
    expect(valueSection(io.text().out, again)).toBe(valueSection(text, out));
  }, 180_000);
});

describe("outcomes the service refuses", () => {
  it("are counted by what refused them, and make the demo exit 1", async () => {
    const out = join(dir, "refused");
    const io = capture();
    // The store refuses every outcome (as a store that went away would); decisions still commit.
    const refuse = (store: Store): Store =>
      new Proxy(store, {
        get(target, key) {
          if (key === "addOutcomes") return async () => Promise.reject(new StoreError("store/unavailable", "the outcomes table is gone"));
          const v: unknown = Reflect.get(target, key, target);
          return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    const code = await runDemo({ ...options(out), customers: 40, days: 4, wrapStore: refuse }, io);
    const { out: text, err } = io.text();
    expect(code).toBe(1);
    expect(err).toMatch(/kairos demo: [\d,]+ posts? of outcomes refused by the service \(store_unavailable; first: POST \/v1\/outcomes: 503 /);
    expect(text).toMatch(/\n4\. 0 business outcomes posted to POST \/v1\/outcomes as they happened \([^)]+\), [\d,]+ refused;/);
    expect(text).toContain("log verified");
  }, 180_000);
});
