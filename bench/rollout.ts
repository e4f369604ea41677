// How fast a rollout change reaches every instance (issue 17: "every instance switches within a
// bounded time (measured, target ≤ 2 s)"): two `kairos serve` children on one PostgreSQL (a
// throwaway cluster bench/run.ts starts), under a steady load of decisions on both, take turns
// writing rollout changes — a 5% canary of a second version, then its rollback — through one
// instance's API, while the bench polls the OTHER instance's `GET /v1/rollout` every 10 ms until
// it decides with the new generation. The switch time of a change is from just before the write
// was sent to the first poll that shows it applied (so it over-counts by up to one poll and the
// write's own time). The instances' own `kairos_rollout_switch_seconds` histograms (from the
// change's `since` to applying it) are read back as a second view.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { table } from "./markdown.ts";
import { startKairosServer, type KairosServer } from "./service/kairos-server.ts";

const BIN = fileURLToPath(new URL("../bin/kairos.js", import.meta.url));
const POLICIES = fileURLToPath(new URL("../policies", import.meta.url));

export interface RolloutBench {
  /** Changes written (starts and rollbacks). */
  readonly changes: number;
  /** Per change: ms from the write to the other instance deciding with it (polled every 10 ms). */
  readonly switchMs: readonly number[];
  readonly p50Ms: number;
  readonly maxMs: number;
  /** Decisions answered during the run (the load), and how many were not 200. */
  readonly decisions: number;
  readonly refused: number;
  /** The instances' own histogram: changes applied and the sum of their switch seconds, per instance. */
  readonly instanceHistogram: readonly { readonly count: number; readonly sumSeconds: number; readonly overTwoSeconds: number }[];
  readonly goal: { readonly goal: string; readonly target: string; readonly measured: string; readonly pass: boolean };
}

export interface RolloutBenchOptions {
  /** A fresh, empty PostgreSQL database. */
  readonly database: string;
  readonly dir: string;
  /** Changes to write (default 20: 10 starts, 10 rollbacks). */
  readonly changes?: number;
  readonly progress?: (line: string) => void;
}

function kairos(args: readonly string[], env: NodeJS.ProcessEnv): void {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...env, NO_COLOR: "1" }, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`kairos ${args.join(" ")}: exit ${r.status}\n${r.stdout}\n${r.stderr}`.slice(0, 2000));
}

async function api(server: KairosServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${server.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, json };
}

/** The `kairos_rollout_switch_seconds` histogram of one instance (count, sum, and changes slower than 2 s). */
async function histogram(server: KairosServer): Promise<{ count: number; sumSeconds: number; overTwoSeconds: number }> {
  const r = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.token}` }, signal: AbortSignal.timeout(10_000) });
  const text = await r.text();
  if (!r.ok) throw new Error(`GET ${server.url}/metrics: ${r.status} ${text.slice(0, 200)}`);
  const value = (re: RegExp): number => Number(re.exec(text)?.[1] ?? Number.NaN);
  const count = value(/^kairos_rollout_switch_seconds_count(?:\{[^}]*\})? (\S+)$/m);
  const under2 = value(/^kairos_rollout_switch_seconds_bucket\{[^}]*le="2"[^}]*\} (\S+)$/m);
  return { count, sumSeconds: value(/^kairos_rollout_switch_seconds_sum(?:\{[^}]*\})? (\S+)$/m), overTwoSeconds: count - under2 };
}

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};

/** Runs the measurement. */
export async function benchRollout(o: RolloutBenchOptions): Promise<RolloutBench> {
  const say = o.progress ?? (() => {});
  const changes = o.changes ?? 20;
  const env = { ...process.env, KAIROS_LOG_KEY: randomBytes(32).toString("hex"), KAIROS_LOG_INTEGRITY_KEY: randomBytes(32).toString("hex") };
  mkdirSync(o.dir, { recursive: true });
  // v1: the example policy set; v2: the same with the day-90 reminder's template renamed.
  const v1 = join(o.dir, "v1");
  const v2src = join(o.dir, "policies-v2");
  const v2 = join(o.dir, "v2");
  kairos(["compile", POLICIES, "--out", v1], env);
  cpSync(POLICIES, v2src, { recursive: true });
  const renewals = join(v2src, "journeys", "renewals.journey");
  const text = readFileSync(renewals, "utf8");
  if (!text.includes('"renewal-d90"')) throw new Error(`${renewals} has no "renewal-d90" template to change`);
  writeFileSync(renewals, text.replace('"renewal-d90"', '"renewal-d90-v2"'));
  kairos(["compile", v2src, "--out", v2], env);
  kairos(["artifacts", "publish", v2, "--version", "bench-v2", "--by", "bench", "--store", o.database], env);

  const servers: KairosServer[] = [];
  let loading = true;
  let decisions = 0;
  let refused = 0;
  try {
    for (const n of [1, 2]) {
      const dataDir = join(o.dir, `instance-${n}`);
      mkdirSync(dataDir);
      // On the system clock, so that the instances also time their own switches (`since` → applied).
      servers.push(await startKairosServer({ artifact: v1, dataDir, store: o.database, output: join(o.dir, `instance-${n}.log`), env, clock: "system" }));
    }
    const [a, b] = servers as [KairosServer, KairosServer];
    // A steady load on both: 4 requests in flight, new events about 200 subjects.
    const load = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; loading && i < 1_000_000; i++) {
        const subject = `rb-${(i * 4 + w) % 200}`;
        const to = (i + w) % 2 ? a : b;
        const r = await fetch(`${to.url}/v1/decisions`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${to.token}` },
          body: JSON.stringify({
            event: { type: "daily", id: `rb-${w}-${i}` },
            subject,
            region: "eu",
            context: {
              customer: {
                customer_id: subject,
                email: `${subject}@example.test`,
                timezone: "Europe/London",
                tenure_months: 36,
                segment: "retail",
                nps: 10,
                recent_interactions: [],
              },
              policy: { status: "active", renewal_date: "2026-05-31", premium: 500 },
              onboarding: { completed_steps: 2, total_steps: 5, last_progress_at: "2026-02-20T09:00:00Z" },
            },
          }),
          signal: AbortSignal.timeout(10_000),
        }).catch(() => undefined);
        decisions++;
        if (r?.status !== 200) refused++;
        await r?.arrayBuffer().catch(() => {});
      }
    });
    const switchMs: number[] = [];
    for (let c = 0; c < changes; c++) {
      const [writer, other] = c % 4 < 2 ? [a, b] : [b, a];
      const start = c % 2 === 0;
      const sent = performance.now();
      const r = start
        ? await api(writer, "POST", "/v1/rollout", { candidate: "bench-v2", mode: "canary", percent: 5, by: "bench", reason: "switch time" })
        : await api(writer, "POST", "/v1/rollout/rollback", { by: "bench", reason: "switch time" });
      if (r.status !== 200) throw new Error(`rollout change ${c}: ${r.status} ${JSON.stringify(r.json).slice(0, 400)}`);
      const g = r.json.rollout.generation as number;
      let seen = false;
      for (let i = 0; i < 1000 && !seen; i++) {
        const v = await api(other, "GET", "/v1/rollout");
        if (v.status === 200 && v.json.instance.generation >= g) {
          switchMs.push(performance.now() - sent);
          seen = true;
        } else await new Promise((x) => setTimeout(x, 10));
      }
      if (!seen) throw new Error(`change ${c} (generation ${g}) did not reach the other instance within 10 s`);
      say(`bench: rollout: change ${c + 1}/${changes}: ${switchMs[switchMs.length - 1]!.toFixed(0)} ms`);
      await new Promise((x) => setTimeout(x, 300 + ((c * 137) % 400))); // changes at different phases of the 500 ms reads
    }
    loading = false;
    await Promise.all(load);
    const instanceHistogram = await Promise.all(servers.map(histogram));
    const p50 = quantile(switchMs, 0.5);
    const max = Math.max(...switchMs);
    return {
      changes,
      switchMs,
      p50Ms: p50,
      maxMs: max,
      decisions,
      refused,
      instanceHistogram,
      goal: {
        goal: "rollout: every instance decides with a change ≤ 2 s after it is written (two instances on PostgreSQL, under load; issue 17)",
        target: "≤ 2,000 ms",
        measured: `max ${max.toFixed(0)} ms, p50 ${p50.toFixed(0)} ms over ${changes} changes`,
        pass: max <= 2000,
      },
    };
  } finally {
    loading = false;
    for (const s of servers) await s.child.stop(30_000);
  }
}

/** The section of docs/benchmarks.md. */
export function rolloutSection(r: RolloutBench): string {
  const hist = r.instanceHistogram
    .map(
      (h, i) =>
        `instance ${i + 1}: ${h.count} changes applied, mean ${h.count > 0 ? ((h.sumSeconds / h.count) * 1000).toFixed(0) : "–"} ms, ${h.overTwoSeconds} over 2 s`,
    )
    .join("; ");
  return `## Rollout switch time

Two \`kairos serve\` instances on one PostgreSQL, under a steady load (4 decisions in flight over both; ${r.decisions.toLocaleString("en-US")}
decisions, ${r.refused} not answered 200), take turns writing ${r.changes} rollout changes (a 5% canary of a second version, then
its rollback) through one instance's API; the bench polls the other instance's \`GET /v1/rollout\` every 10 ms until it decides
with the change. Measured from just before the write was sent to the first poll that shows it applied.

${table(
  ["changes", "p50 ms", "max ms", "every change (ms)"],
  [[String(r.changes), r.p50Ms.toFixed(0), r.maxMs.toFixed(0), r.switchMs.map((x) => x.toFixed(0)).join(", ")]],
)}

The instances' own \`kairos_rollout_switch_seconds\` (from the change's \`since\` to applying it, the writer included): ${hist}.
`;
}
