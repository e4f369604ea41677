// The service benchmark (issue 12): `kairos serve` against the OPA server (`opa run --server`,
// Go) evaluating the same decisions written all in Rego (bench/contenders/all-rego) with its
// console decision log, both as child processes on loopback, driven by the same load generator
// (autocannon, in this process) with the same connections and duration, from the same
// workload (bench/contenders/workload.ts). Kairos runs as a user runs it: durable logging on
// the embedded store (every acknowledged decision committed before the answer), consents and
// objections posted to the store beforehand (OPA gets them in every request, it keeps no
// state). `npm run bench` calls benchService(); `node bench/service.ts` runs it alone.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileTo, readSources } from "./contenders/kairos.ts";
import { summarizeProfile, type CpuProfile, type ProfileEntry } from "./contenders/profile.ts";
import { buildWorkload, type BenchRequest } from "./contenders/workload.ts";
import { byComponent, type ComponentShare } from "./service/components.ts";
import { startKairosServer, type KairosServer } from "./service/kairos-server.ts";
import { merge, runLoad, templateOf, type BodyTemplate, type LoadResult } from "./service/load.ts";
import { readServiceMetrics, type ServiceMetrics } from "./service/metrics.ts";
import { OPA_DECISION_PATH, startOpaServer } from "./service/opa-server.ts";
import { startPostgres, type TestPostgres } from "../scripts/pg-cluster.ts";
import { benchPair, type PairResult } from "./service/pair.ts";
import { cpuUs, rssMb } from "./service/proc.ts";

const POLICIES = fileURLToPath(new URL("../policies", import.meta.url));
const BIN = fileURLToPath(new URL("../bin/kairos.js", import.meta.url));
/** Stands for the event id in a body template; each send puts a fresh id in its place. */
const ID = "\u0000event-id\u0000";

export interface ServiceRow {
  readonly name: string;
  readonly decisions_s: number;
  readonly p50_us: number;
  readonly p99_us: number;
  /** Server CPU time (user + system) per answered decision, µs, over the timed run. */
  readonly cpu_us?: number;
  readonly rss_mb?: number;
  /** Non-2xx answers by status, connection errors and timeouts in the timed run. */
  readonly errors: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly answered: number;
}

export interface ServiceBench {
  readonly load: { readonly connections: number; readonly seconds: number; readonly rounds: number; readonly warmup_s: number; readonly requests: number };
  readonly rows: readonly ServiceRow[];
  readonly goal: { readonly goal: string; readonly target: string; readonly measured: string; readonly pass: boolean };
  /** Outcomes of one untimed pass over the workload on each server. */
  readonly mix: { readonly opa: Record<string, number>; readonly kairos: Record<string, number> };
  /** Share of the pass where both servers gave the same outcome and winner (percent). */
  readonly agreement: number;
  /**
   * Every decision Kairos answered 2xx, against the entries its store's log holds afterwards:
   * `logged` may exceed `acknowledged` by the requests in flight when a load run stopped
   * (committed, their answers not counted), at most `connections` per run.
   */
  readonly durable: {
    readonly acknowledged: number;
    readonly logged?: number;
    readonly verified: boolean;
    readonly detail: string;
    /** logged − acknowledged within [0, 2 × connections] and the chain verified. */
    readonly ok: boolean;
  };
  /** The Kairos server's own metrics over the whole run (stage means, group commit). */
  readonly kairosMetrics?: ServiceMetrics;
  /** The same for the instance on PostgreSQL, its durability check, or why it was not measured. */
  readonly postgresMetrics?: ServiceMetrics;
  readonly postgresDurable?: ServiceBench["durable"];
  readonly postgres?: string;
  readonly opaLogBytesPerDecision?: number;
  /**
   * Where the Kairos server's CPU time goes (a separate `--cpu-prof` run under the same load,
   * the process's whole life: start, consents, load), when the goal was missed: by component
   * and the functions with the most self time.
   */
  readonly profile?: { readonly ops: number; readonly components: readonly ComponentShare[]; readonly self: readonly ProfileEntry[] };
  readonly pair?: PairResult | { readonly skipped: string };
  readonly notes: readonly string[];
}

export interface ServiceOptions {
  readonly seconds?: number;
  readonly warmupSeconds?: number;
  readonly connections?: number;
  /** Timed rounds; each gives every server `seconds / rounds` (default 2). */
  readonly rounds?: number;
  /** Profile the Kairos server even when the goal is met. */
  readonly alwaysProfile?: boolean;
  readonly pair?: boolean;
  readonly progress?: (line: string) => void;
}

/** What Kairos is sent: the request without consents, objections and history (the store has them). */
function kairosBody(r: BenchRequest): Record<string, unknown> {
  return { event: r.event, subject: r.subject, now: r.now, region: r.region, context: r.context };
}

function templates(workload: readonly BenchRequest[], shape: (r: BenchRequest) => unknown): BodyTemplate[] {
  return workload.map((r) => templateOf(shape({ ...r, event: { ...r.event, id: ID } }), ID));
}

/** Each subject's own consent records and objections, as the preference centre posts them. */
export function recordsBySubject(
  workload: readonly BenchRequest[],
): Map<string, { consents: Record<string, unknown>[]; objections: Record<string, unknown>[] }> {
  const out = new Map<string, { consents: Record<string, unknown>[]; objections: Record<string, unknown>[] }>();
  for (const r of workload) {
    if (out.has(r.subject)) continue;
    const mine = <T extends { subject?: string }>(x: T) => x.subject === undefined || x.subject === r.subject;
    const strip = <T extends { subject?: string }>({ subject: _s, ...rest }: T) => rest as Record<string, unknown>;
    out.set(r.subject, { consents: r.consents.filter(mine).map(strip), objections: r.objections.filter(mine).map(strip) });
  }
  return out;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/** Posts every subject's consents and objections to a Kairos server. */
export async function seedConsents(k: KairosServer, workload: readonly BenchRequest[]): Promise<number> {
  const auth = { authorization: `Bearer ${k.token}` };
  let n = 0;
  for (const [subject, rec] of recordsBySubject(workload)) {
    for (const [kind, rows] of [
      ["consents", rec.consents],
      ["objections", rec.objections],
    ] as const) {
      if (rows.length === 0) continue;
      const r = await post(`${k.url}/v1/subjects/${encodeURIComponent(subject)}/${kind}`, { records: rows }, auth);
      if (r.status >= 300) throw new Error(`seeding ${kind} of ${subject}: ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`);
      n += rows.length;
    }
  }
  return n;
}

const decisionKey = (d: { outcome?: unknown; journey?: unknown } | undefined) => `${String(d?.outcome)}:${String(d?.journey ?? "")}`;

function tally(keys: readonly string[]): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const k of keys) {
    const outcome = k.split(":")[0]!;
    mix[outcome] = (mix[outcome] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(mix).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function serviceRow(name: string, r: LoadResult, cpu: number | undefined, rss: number | undefined): ServiceRow {
  const non2xx = Object.values(r.statuses).reduce((a, b) => a + b, 0);
  return {
    name,
    decisions_s: r.decisions_s,
    p50_us: r.p50_us,
    p99_us: r.p99_us,
    ...(cpu === undefined || r.ok === 0 ? {} : { cpu_us: Math.round(cpu / r.ok) }),
    ...(rss === undefined ? {} : { rss_mb: rss }),
    errors: non2xx + r.errors + r.timeouts,
    statuses: r.statuses,
    answered: r.ok,
  };
}

/**
 * Entries of the store's log after the run, verified by `kairos log verify --store` (the CLI a
 * user would run); `dataDir` holds the keys when `store` is a PostgreSQL URL.
 */
function verifyStore(store: string, dataDir?: string): { logged?: number; verified: boolean; detail: string } {
  const r = spawnSync(process.execPath, [BIN, "log", "verify", "--store", store, ...(dataDir ? ["--data-dir", dataDir] : [])], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 300_000,
  });
  const text = `${r.stdout}\n${r.stderr}`.trim();
  const counts = [...text.matchAll(/([\d,]+) entries/g)].map((m) => Number(m[1]!.replace(/,/g, "")));
  return {
    ...(counts.length ? { logged: counts.reduce((a, b) => a + b, 0) } : {}),
    verified: r.status === 0,
    detail: text.split("\n").slice(0, 4).join(" / "),
  };
}

function newestProfile(dir: string): string | undefined {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return files[0];
}

/** One server under load: how to reach it, what it answered, what it cost. */
interface Contender {
  readonly name: string;
  readonly url: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly templates: readonly BodyTemplate[];
  readonly pid: number | undefined;
  /** Outcome and winner of each request of the untimed pass. */
  readonly keys: string[];
  /** 2xx answers over the whole run (pass, warm-up, timed). */
  acknowledged: number;
  readonly timed: LoadResult[];
  cpuUs: number | undefined;
  rssMb?: number | undefined;
}

function contender(name: string, url: string, path: string, headers: Record<string, string>, t: readonly BodyTemplate[], pid: number | undefined): Contender {
  return { name, url, path, headers, templates: t, pid, keys: [], acknowledged: 0, timed: [], cpuUs: 0 };
}

/** One untimed pass over the workload (sequential), keeping each answer's outcome and winner. */
async function pass(c: Contender, workload: readonly BenchRequest[], body: (r: BenchRequest) => unknown, outcomeOf: (json: unknown) => unknown): Promise<void> {
  let i = 0;
  for (const r of workload) {
    const res = await post(c.url + c.path, body({ ...r, event: { ...r.event, id: `pass-${i++}` } }), c.headers);
    if (res.status === 200) c.acknowledged++;
    c.keys.push(res.status === 200 ? decisionKey(outcomeOf(res.json) as { outcome?: string; journey?: string }) : `http_${res.status}:`);
  }
}

/** A Kairos server started for the benchmark, with its consents posted. */
async function kairosContender(dir: string, name: string, artifact: string, workload: readonly BenchRequest[], t: readonly BodyTemplate[], store?: string) {
  const dataDir = join(dir, `kairos-${name}`);
  mkdirSync(dataDir);
  const k = await startKairosServer({ artifact, dataDir, output: join(dir, `kairos-${name}.log`), ...(store ? { store } : {}) });
  await seedConsents(k, workload);
  const what =
    store === undefined
      ? "embedded store: SQLite, the default"
      : store === "pglite:"
        ? "embedded store: PGlite"
        : store.startsWith("sqlite:")
          ? "SQLite store"
          : "on PostgreSQL, one instance";
  const c = contender(
    `kairos serve (${what}; every decision committed before the answer)`,
    k.url,
    "/v1/decisions",
    { authorization: `Bearer ${k.token}` },
    t,
    k.child.process.pid,
  );
  return { server: k, dataDir, store, contender: c };
}

/** Runs the benchmark. */
export async function benchService(options: ServiceOptions = {}): Promise<ServiceBench> {
  const seconds = options.seconds ?? 10;
  const warmup = options.warmupSeconds ?? 3;
  const connections = options.connections ?? 10;
  const say = options.progress ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), "kairos-bench-service-"));
  const notes: string[] = [
    "Kairos gets each subject's consent records and objections through `POST /v1/subjects/{s}/consents|objections` before its runs (untimed); OPA gets them inside every request.",
    "Kairos runs with `--quiet` (no access-log line per request), as OPA runs with `--log-level error` (none either); both write their decision log.",
  ];
  try {
    const artifact = join(dir, "artifact");
    await compileTo(readSources(POLICIES), artifact);
    const workload = buildWorkload();
    const opaTemplates = templates(workload, (r) => ({ input: r }));
    const kairosTemplates = templates(workload, kairosBody);
    const metricsOf = new Map<unknown, ServiceMetrics>();

    const rounds = options.rounds ?? 2;
    const load = (c: Contender, idPrefix: string, s: number) =>
      runLoad({ url: c.url, path: c.path, headers: c.headers, templates: c.templates, idPrefix, connections, seconds: s });

    // ---- the servers: OPA, Kairos on the embedded store, Kairos on PostgreSQL (when it is here) --
    const opaLog = join(dir, "opa-console.log");
    say("bench: service: starting opa run --server (all-Rego, console decision log) and kairos serve (embedded store)");
    const opa = await startOpaServer(opaLog);
    const stops: (() => Promise<void>)[] = [() => opa.child.stop()];
    let pg: TestPostgres | undefined;
    let pgWhy: string | undefined;
    let pair: PairResult | { skipped: string } | undefined;
    const kairos: Awaited<ReturnType<typeof kairosContender>>[] = [];
    const opaC = contender(
      "OPA server (opa run --server, all-Rego, console decision log)",
      opa.url,
      OPA_DECISION_PATH,
      {},
      opaTemplates,
      opa.child.process.pid,
    );
    try {
      kairos.push(await kairosContender(dir, "embedded", artifact, workload, kairosTemplates));
      stops.push(() => kairos[0]!.server.child.stop(30_000));
      try {
        pg = await startPostgres();
      } catch (e) {
        pgWhy = `not measured: no throwaway PostgreSQL could be started (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`;
      }
      // The first embedded design, PGlite (PostgreSQL in Wasm), beside the default SQLite store.
      try {
        say("bench: service: starting kairos serve on the PGlite store");
        const k = await kairosContender(dir, "pglite", artifact, workload, kairosTemplates, "pglite:");
        kairos.push(k);
        stops.push(() => k.server.child.stop(30_000));
      } catch (e) {
        notes.push(`Kairos on the PGlite store: not measured (${e instanceof Error ? e.message.split("\n")[0] : String(e)}).`);
      }
      if (pg) {
        say("bench: service: starting kairos serve on PostgreSQL (one instance)");
        const k = await kairosContender(dir, "postgres", artifact, workload, kairosTemplates, await pg.createDatabase());
        kairos.push(k);
        stops.push(() => k.server.child.stop(30_000));
      }
      const all = [opaC, ...kairos.map((k) => k.contender)];
      const where = (c: Contender) =>
        c === opaC ? "" : c.name.includes("PostgreSQL") ? " on PostgreSQL" : c.name.includes("PGlite") ? " (PGlite)" : " (SQLite)";

      say("bench: service: one untimed pass of the workload on each, then warm-up");
      await pass(
        opaC,
        workload,
        (r) => ({ input: r }),
        (json) => (json as { result?: unknown }).result,
      );
      for (const k of kairos) await pass(k.contender, workload, kairosBody, (json) => json);
      for (const c of all) c.acknowledged += (await load(c, "warm", warmup)).ok;

      // Interleaved: each round gives every server its share of the timed seconds, so that load
      // from elsewhere on the machine falls on all of them alike.
      for (let r = 0; r < rounds; r++) {
        for (const c of all) {
          say(`bench: service: round ${r + 1}/${rounds}: ${c.name.split(" (")[0]}${where(c)}`);
          const cpu0 = cpuUs(c.pid);
          const t = await load(c, `timed-${r}`, seconds / rounds);
          const cpu1 = cpuUs(c.pid);
          c.timed.push(t);
          c.acknowledged += t.ok;
          c.cpuUs = c.cpuUs === undefined || cpu0 === undefined || cpu1 === undefined ? undefined : c.cpuUs + (cpu1 - cpu0);
        }
      }
      for (const c of all) c.rssMb = rssMb(c.pid);
      for (const k of kairos) {
        const m = await readServiceMetrics(k.server.url, k.server.token);
        if (m) metricsOf.set(k, m);
      }
    } finally {
      for (const stop of stops.reverse()) await stop();
    }
    const opaLogBytes = statSync(opaLog).size;
    const durableOf = (k: (typeof kairos)[number]): ServiceBench["durable"] => {
      const stored = k.store === undefined || k.store === "pglite:" ? verifyStore(k.dataDir) : verifyStore(k.store, k.dataDir);
      const slack = stored.logged === undefined ? -1 : stored.logged - k.contender.acknowledged;
      return { acknowledged: k.contender.acknowledged, ...stored, ok: stored.verified && slack >= 0 && slack <= (rounds + 1) * connections };
    };
    say("bench: service: verifying the stores' logs");
    const embedded = kairos[0]!;
    const onPg = kairos.find((k) => k.store !== undefined && k.store !== "pglite:");
    const onPglite = kairos.find((k) => k.store === "pglite:");
    const durable = durableOf(embedded);
    const postgresDurable = onPg ? durableOf(onPg) : undefined;
    const pgliteDurable = onPglite ? durableOf(onPglite) : undefined;
    if (onPglite && pgliteDurable)
      notes.push(
        `Kairos on the PGlite store: ${pgliteDurable.acknowledged.toLocaleString("en-US")} acknowledged, ${pgliteDurable.logged?.toLocaleString("en-US") ?? "?"} entries in its store's log, ${pgliteDurable.verified ? "verified" : "NOT verified"} — ${pgliteDurable.ok ? "within the bound above" : "OUTSIDE the bound above"}.`,
      );
    try {
      if (pg && options.pair !== false) {
        say("bench: service: two kairos serve instances on one PostgreSQL");
        pair = await benchPair({ artifact, database: await pg.createDatabase(), dir: join(dir, "pair"), progress: say });
      } else if (options.pair !== false) pair = { skipped: pgWhy ?? "not measured" };
    } finally {
      await pg?.stop();
    }

    const opaRow = serviceRow(opaC.name, merge(opaC.timed), opaC.cpuUs, opaC.rssMb);
    const kairosRow = serviceRow(embedded.contender.name, merge(embedded.contender.timed), embedded.contender.cpuUs, embedded.contender.rssMb);
    const pgRow = onPg ? serviceRow(onPg.contender.name, merge(onPg.contender.timed), onPg.contender.cpuUs, onPg.contender.rssMb) : undefined;
    const pgliteRow = onPglite
      ? serviceRow(onPglite.contender.name, merge(onPglite.contender.timed), onPglite.contender.cpuUs, onPglite.contender.rssMb)
      : undefined;
    const opaKeys = opaC.keys;
    const kairosKeys = embedded.contender.keys;
    const kairosMetrics = metricsOf.get(embedded);
    const postgresMetrics = onPg ? metricsOf.get(onPg) : undefined;
    const opaSent = opaC.acknowledged;

    const same = opaKeys.filter((key, i) => key === kairosKeys[i]).length;
    const pass_ = kairosRow.decisions_s >= 2 * opaRow.decisions_s && kairosRow.p99_us <= opaRow.p99_us;
    const goal = {
      goal: "kairos serve (durable logging) ≥ 2× the decisions/s of the OPA server (all-Rego, console decision log) at p99 ≤ OPA's (issue 12)",
      target: "≥ 2×, p99 ≤ OPA's",
      measured: `${Math.round((kairosRow.decisions_s / Math.max(opaRow.decisions_s, 1e-9)) * 100) / 100}× decisions/s; p99 ${Math.round(kairosRow.p99_us / 100) / 10} ms vs ${Math.round(opaRow.p99_us / 100) / 10} ms`,
      pass: pass_,
    };

    // ---- profile -----------------------------------------------------------------------------
    let profile: ServiceBench["profile"];
    if (!pass_ || options.alwaysProfile) {
      say("bench: service: profiling kairos serve (--cpu-prof) under the same load");
      const profDir = join(dir, "profile");
      const pDir = join(dir, "kairos-profiled");
      mkdirSync(pDir);
      mkdirSync(profDir);
      const p = await startKairosServer({ artifact, dataDir: pDir, output: join(dir, "kairos-profiled.log"), cpuProfDir: profDir });
      let ops = 0;
      try {
        await seedConsents(p, workload);
        const c = contender("profiled", p.url, "/v1/decisions", { authorization: `Bearer ${p.token}` }, kairosTemplates, p.child.process.pid);
        ops = (await load(c, "prof", seconds)).ok;
      } finally {
        await p.child.stop(30_000);
      }
      const file = newestProfile(profDir);
      if (file) {
        const cpu = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
        profile = { ops, components: byComponent(cpu), self: summarizeProfile(cpu, ops, {}, 12).self };
      } else notes.push("The profiled kairos serve wrote no CPU profile (it did not exit normally on SIGTERM).");
    }

    return {
      load: { connections, seconds, rounds, warmup_s: warmup, requests: workload.length },
      rows: [opaRow, kairosRow, ...(pgliteRow ? [pgliteRow] : []), ...(pgRow ? [pgRow] : [])],
      goal,
      mix: { opa: tally(opaKeys), kairos: tally(kairosKeys) },
      agreement: Math.round((same / workload.length) * 1000) / 10,
      durable,
      ...(kairosMetrics ? { kairosMetrics } : {}),
      ...(postgresMetrics ? { postgresMetrics } : {}),
      ...(postgresDurable ? { postgresDurable } : pgWhy ? { postgres: pgWhy } : {}),
      ...(opaSent > 0 ? { opaLogBytesPerDecision: Math.round(opaLogBytes / opaSent) } : {}),
      ...(profile ? { profile } : {}),
      ...(pair ? { pair } : {}),
      notes,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await benchService({
    progress: (l) => console.error(l),
    alwaysProfile: process.argv.includes("--profile"),
    pair: !process.argv.includes("--no-pair"),
  });
  console.log(JSON.stringify(r, null, 2));
}
