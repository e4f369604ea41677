// Two `kairos serve` instances on one PostgreSQL (issue 12 goal): two children sharing one
// database of a throwaway cluster (bench/service.ts starts it) and the log keys, and a bounded concurrent run in which every
// subject gets many decisions at once on both instances (and some events twice, once on each,
// as an at-least-once event stream delivers them). Afterwards the store's log is exported and
// counted: cap violations (more acted decisions for a subject and journey than its cap allows;
// the requests of a subject share one `now`, so every cap window holds them all), acknowledged
// decisions missing from the log (lost), decisions or event keys logged twice (duplicated), and
// the chain verified by `kairos log verify --store`. All three counts must be 0.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadEngineDir } from "../../runtime/node.ts";
import { startKairosServer, type KairosServer } from "./kairos-server.ts";

const BIN = fileURLToPath(new URL("../../bin/kairos.js", import.meta.url));

export interface PairResult {
  readonly subjects: number;
  /** Requests sent (distinct events + repeats of an event on the other instance). */
  readonly requests: number;
  readonly repeats: number;
  readonly acknowledged: number;
  /** Answers that were not 200, by status and error code. */
  readonly refused: Readonly<Record<string, number>>;
  /** Repeats answered with a different decision than the event's first (must be 0). */
  readonly repeatMismatches: number;
  readonly acted: number;
  readonly capViolations: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly logEntries: number;
  readonly chainVerified: boolean;
  readonly verifyDetail: string;
  readonly seconds: number;
  readonly decisions_s: number;
  readonly pass: boolean;
}

export interface PairOptions {
  readonly artifact: string;
  /** A fresh, empty PostgreSQL database for the two instances. */
  readonly database: string;
  readonly dir: string;
  readonly subjects?: number;
  readonly perSubject?: number;
  readonly concurrency?: number;
  readonly progress?: (line: string) => void;
}

const NOW = "2026-03-02T10:00:00Z";

/** A daily event on which three journeys match (renewal at day 90, onboarding nudge, referral). */
function request(subject: string, eventId: string): Record<string, unknown> {
  return {
    event: { type: "daily", id: eventId, at: NOW },
    subject,
    now: NOW,
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
  };
}

interface Answer {
  readonly subject: string;
  readonly eventId: string;
  readonly status: number;
  readonly code?: string;
  readonly decisionId?: string;
}

async function send(k: KairosServer, body: Record<string, unknown>): Promise<Omit<Answer, "subject" | "eventId">> {
  try {
    const res = await fetch(`${k.url}/v1/decisions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${k.token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const json = (await res.json().catch(() => undefined)) as { decision_id?: string; error?: { code?: string } } | undefined;
    return res.status === 200
      ? { status: 200, ...(json?.decision_id ? { decisionId: json.decision_id } : {}) }
      : { status: res.status, code: json?.error?.code ?? "?" };
  } catch (e) {
    return { status: 0, code: e instanceof Error ? e.name : "error" };
  }
}

function kairos(args: readonly string[], env: NodeJS.ProcessEnv): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...env, NO_COLOR: "1" }, timeout: 300_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`.trim() };
}

/** Runs the two-instance check. */
export async function benchPair(o: PairOptions): Promise<PairResult> {
  const say = o.progress ?? (() => {});
  const subjects = o.subjects ?? 20;
  const perSubject = o.perSubject ?? 100;
  const concurrency = o.concurrency ?? 16;
  const env = { ...process.env, KAIROS_LOG_KEY: randomBytes(32).toString("hex"), KAIROS_LOG_INTEGRITY_KEY: randomBytes(32).toString("hex") };
  const servers: KairosServer[] = [];
  try {
    mkdirSync(o.dir, { recursive: true });
    for (const n of [1, 2]) {
      const dataDir = join(o.dir, `instance-${n}`);
      mkdirSync(dataDir);
      servers.push(await startKairosServer({ artifact: o.artifact, dataDir, store: o.database, output: join(o.dir, `instance-${n}.log`), env }));
    }
    const [a, b] = servers as [KairosServer, KairosServer];
    const names = Array.from({ length: subjects }, (_, i) => `pair-${String(i + 1).padStart(3, "0")}`);
    for (const s of names) {
      const r = await fetch(`${a.url}/v1/subjects/${s}/consents`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${a.token}` },
        body: JSON.stringify({ records: [{ purpose: "renewal_marketing", status: "granted", at: "2025-01-01T00:00:00Z", source: "bench" }] }),
        signal: AbortSignal.timeout(30_000),
      });
      if (!r.ok) throw new Error(`seeding consents: ${r.status} ${(await r.text()).slice(0, 300)}`);
    }
    // Round-robin over subjects, so that requests in flight at once are about the same few
    // subjects on both instances; every 10th event is sent again, to the other instance.
    const jobs: { subject: string; eventId: string; to: KairosServer; repeat: boolean }[] = [];
    for (let i = 0; i < perSubject; i++) {
      for (const [j, s] of names.entries()) {
        const eventId = `pair-ev-${s}-${i}`;
        jobs.push({ subject: s, eventId, to: (i + j) % 2 === 0 ? a : b, repeat: false });
        if (i % 10 === 3) jobs.push({ subject: s, eventId, to: (i + j) % 2 === 0 ? b : a, repeat: true });
      }
    }
    say(`bench: service: pair: ${jobs.length.toLocaleString("en-US")} requests about ${subjects} subjects, ${concurrency} at a time over both instances`);
    const answers: (Answer & { repeat: boolean })[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < jobs.length) {
          const job = jobs[next++]!;
          answers.push({ subject: job.subject, eventId: job.eventId, repeat: job.repeat, ...(await send(job.to, request(job.subject, job.eventId))) });
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    for (const s of servers) await s.child.stop(30_000);

    // The store's log, as a user would read it: verify, then export every shard and count.
    const verify = kairos(["log", "verify", "--store", o.database], env);
    const exportDir = join(o.dir, "export");
    mkdirSync(exportDir);
    const lines: Record<string, unknown>[] = [];
    for (let shard = 0; shard < 256; shard++) {
      const file = join(exportDir, `shard-${shard}.log`);
      const r = kairos(["log", "export", "--store", o.database, "--shard", String(shard), "--out", file], env);
      if (r.status !== 0 || !existsSync(file)) {
        if (shard === 0) throw new Error(`kairos log export --store failed: ${r.out.slice(0, 400)}`);
        break;
      }
      for (const l of readFileSync(file, "utf8").split("\n")) if (l.trim() !== "") lines.push(JSON.parse(l) as Record<string, unknown>);
    }

    const engine = await loadEngineDir(o.artifact);
    const caps = new Map(engine.predicates.journeys.map((j) => [j.meta.id, j.meta.cap?.count]));
    const byId = new Map<string, number>();
    const byEvent = new Map<string, number>();
    const acted = new Map<string, number>();
    for (const e of lines) {
      const id = String(e["decision_id"]);
      byId.set(id, (byId.get(id) ?? 0) + 1);
      const req = e["request"] as { subject?: string; event?: { id?: string; timer?: string } } | undefined;
      if (e["review"] === undefined) {
        const key = `${req?.subject}|${req?.event?.id}|${req?.event?.timer ?? ""}`;
        byEvent.set(key, (byEvent.get(key) ?? 0) + 1);
      }
      if ((e["outcome"] === "acted" || e["outcome"] === "deferred") && typeof e["journey"] === "string") {
        const key = `${req?.subject}|${e["journey"]}`;
        acted.set(key, (acted.get(key) ?? 0) + 1);
      }
    }
    let capViolations = 0;
    for (const [key, n] of acted) {
      const cap = caps.get(key.split("|")[1]!);
      if (cap !== undefined) capViolations += Math.max(0, n - cap);
    }
    const ok = answers.filter((x) => x.status === 200);
    const acknowledged = new Set(ok.map((x) => x.decisionId));
    const lost = [...acknowledged].filter((id) => id === undefined || !byId.has(id)).length;
    const duplicated = [...byId.values()].reduce((s, n) => s + (n - 1), 0) + [...byEvent.values()].reduce((s, n) => s + (n - 1), 0);
    const firstOf = new Map<string, string>();
    let repeatMismatches = 0;
    for (const x of ok) {
      const key = `${x.subject}|${x.eventId}`;
      const first = firstOf.get(key);
      if (first === undefined) firstOf.set(key, x.decisionId!);
      else if (first !== x.decisionId) repeatMismatches++;
    }
    const refused: Record<string, number> = {};
    for (const x of answers) if (x.status !== 200) refused[`${x.status} ${x.code}`] = (refused[`${x.status} ${x.code}`] ?? 0) + 1;
    const result = {
      subjects,
      requests: jobs.length,
      repeats: jobs.filter((j) => j.repeat).length,
      acknowledged: ok.length,
      refused,
      repeatMismatches,
      acted: [...acted.values()].reduce((s, n) => s + n, 0),
      capViolations,
      lost,
      duplicated,
      logEntries: lines.length,
      chainVerified: verify.status === 0,
      verifyDetail: verify.out.split("\n").slice(0, 4).join(" / "),
      seconds: Math.round(seconds * 10) / 10,
      decisions_s: Math.round(ok.length / seconds),
    };
    return { ...result, pass: capViolations === 0 && lost === 0 && duplicated === 0 && repeatMismatches === 0 && result.chainVerified };
  } finally {
    for (const s of servers) await s.child.stop(30_000);
  }
}
