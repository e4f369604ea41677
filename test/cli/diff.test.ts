// `kairos diff OLD NEW --log LOG | --store …`: a change to the example policy set (the day-90
// renewal reminder moved to day 60, the onboarding nudge after 3 days of no progress instead of 5)
// re-decided on a fixed, recorded traffic, held to golden files in three formats
// (test/golden/diff/; regenerate after an intended change with UPDATE_GOLDEN=1 npx vitest run
// test/cli/diff.test.ts); the `--fail-on` gate's exit codes; the service's store as the source; the
// mistakes a user makes; and `kairos replay` keeping a what-if apart from a determinism check.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Io } from "../../cli/io.ts";
import { main } from "../../cli/main.ts";
import { DecisionLog, keyFileFor, parseKey } from "../../runtime/log/index.ts";
import { loadEngineDir } from "../../runtime/node.ts";

const BIN = resolve("bin/kairos.js");
const GOLDEN = resolve("test/golden/diff");
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";
const KEY_HEX = Buffer.from("kairos-diff-golden-pseudonym-key", "utf8").toString("hex");
const INTEGRITY_HEX = Buffer.from("kairos-diff-golden-integrity-key", "utf8").toString("hex");

let dir: string;
const kairos = (args: string[], cwd = dir) =>
  spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
let oldHash: string;
let newHash: string;
/** `kairos diff old new --log decisions.log --format json`, run once. */
let jsonReport: string;

/** `kairos …` in this process (for the quick refusals): exit code and stderr. */
async function inProcess(args: string[]): Promise<{ status: number; stderr: string }> {
  let stderr = "";
  const io: Io = { out: () => {}, err: (t) => void (stderr += `${t}\n`), color: false };
  const status = await main(args, io);
  return { status, stderr };
}

/** The fixed traffic: 48 customers, 14 mornings of the daily event, spread over the hours. */
function requests(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const start = Date.UTC(2026, 2, 2); // Monday 2026-03-02
  const day = 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
  const date = (ms: number) => iso(ms).slice(0, 10);
  for (let d = 0; d < 14; d++) {
    for (let i = 0; i < 48; i++) {
      const now = start + d * day + (9 + (i % 13)) * 3_600_000;
      const consents: Record<string, unknown>[] = [];
      if (i % 3 === 0) consents.push({ purpose: "renewal_marketing", channel: "email", status: "granted", at: "2025-11-01T00:00:00Z" });
      if (i % 5 === 1) consents.push({ purpose: "renewal_marketing", status: "denied", at: "2025-10-01T00:00:00Z" });
      out.push({
        event: { type: "daily", id: `daily-${d}-c${i}` },
        subject: `c-${i}`,
        now: iso(now),
        region: "eu",
        context: {
          customer: {
            customer_id: `c-${i}`,
            email: `c${i}@example.com`,
            timezone: i % 4 === 0 ? "America/New_York" : "Europe/Berlin",
            tenure_months: [6, 12, 24, 36, 60][i % 5],
            segment: ["retail", "sme", "corporate"][i % 3],
            ...(i % 4 === 2 ? { nps: 9 + (i % 2) } : {}),
            recent_interactions: [],
            birth_date: "1980-01-01",
            preferred_language: "de",
          },
          policy: {
            status: i % 7 === 0 ? "lapsed" : "active",
            renewal_date: date(start + (30 + ((i * 7) % 86)) * day),
            premium: 500 + i,
            product: "home",
            auto_renew: i % 2 === 0,
            claims_count: 0,
          },
          onboarding: { completed_steps: i % 6, total_steps: 5, last_progress_at: iso(start - (i % 9) * day) },
        },
        consents,
        ...(i % 11 === 0 ? { objections: [{ scope: "direct_marketing", at: "2025-12-01T00:00:00Z" }] } : {}),
      });
    }
  }
  return out;
}

/** The report without what changes when the toolchain does: artifact hashes (and so decision ids). */
function stable(text: string): string {
  return text
    .replaceAll(oldHash, "<OLD hash>")
    .replaceAll(newHash, "<NEW hash>")
    .replaceAll(oldHash.slice(0, 12), "<OLD>")
    .replaceAll(newHash.slice(0, 12), "<NEW>")
    .replace(/\bd_[0-9a-f]{10,}/g, "d_<id>");
}

function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (UPDATE) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`missing golden file ${path}; run with UPDATE_GOLDEN=1 to create it`);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kairos-diff-"));
  // OLD: the example policy set, compiled. NEW: a changed copy, given as a policy set.
  const compiled = kairos(["compile", resolve("policies"), "--out", "old"]);
  expect(compiled.status, compiled.stderr).toBe(0);
  cpSync("policies", join(dir, "new"), { recursive: true });
  const edit = (file: string, from: string, to: string) => {
    const path = join(dir, "new/journeys", file);
    const text = readFileSync(path, "utf8");
    expect(text).toContain(from);
    writeFileSync(path, text.replace(from, to));
  };
  edit("renewals.journey", "days_until(policy.renewal_date) == 90", "days_until(policy.renewal_date) == 60");
  edit("onboarding.journey", "days_since(onboarding.last_progress_at) >= 5", "days_since(onboarding.last_progress_at) >= 3");
  // The recorded traffic: decided by OLD into a log under fixed keys (pseudonyms are reproducible).
  const engine = await loadEngineDir(join(dir, "old"));
  oldHash = engine.hash;
  const log = join(dir, "decisions.log");
  writeFileSync(keyFileFor(log, "pseudonymization"), `${KEY_HEX}\n`, { mode: 0o600 });
  writeFileSync(keyFileFor(log, "integrity"), `${INTEGRITY_HEX}\n`, { mode: 0o600 });
  const sink = DecisionLog.open(log, {
    pii: engine.catalog,
    journeys: engine.predicates.journeys.map((j) => j.meta),
    key: parseKey(KEY_HEX, "test", "pseudonymization"),
    integrityKey: parseKey(INTEGRITY_HEX, "test", "integrity"),
    subjectKeys: false,
    fsync: "batch",
    onWarning: () => {},
  });
  engine.attach(sink);
  for (const r of requests()) await engine.decide(r);
  sink.close();
  const artifact = kairos(["compile", "new", "--out", "new-artifact"]);
  expect(artifact.status, artifact.stderr).toBe(0);
  const json = kairos(["diff", "old", "new", "--log", "decisions.log", "--format", "json"]);
  expect(json.status, json.stderr).toBe(0);
  jsonReport = json.stdout;
  newHash = (JSON.parse(json.stdout) as { new: { hash: string } }).new.hash;
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("kairos diff golden output", () => {
  for (const [format, ext] of [
    ["text", "txt"],
    ["md", "md"],
    ["json", "json"],
  ] as const) {
    it(`reports the change to the example policy set as ${format}`, () => {
      if (format === "json") return golden(`renewal-d60.${ext}`, stable(jsonReport));
      const r = kairos(["diff", "old", "new", "--log", "decisions.log", "--format", format]);
      expect(r.status, r.stderr).toBe(0);
      golden(`renewal-d60.${ext}`, stable(r.stdout));
    });
  }

  it("finds what the change is about: day-90 reminders move to day 60, stalled onboarding is nudged sooner", () => {
    const report = JSON.parse(jsonReport) as {
      compared: number;
      changed: number;
      source: { entries: number; made_by_old: number };
      transitions: { journey: string; from: string; to: string; count: number; examples: { old?: string; new?: string }[] }[];
    };
    expect(report.compared).toBe(48 * 14);
    expect(report.source).toMatchObject({ entries: 48 * 14, made_by_old: 48 * 14 });
    const t = (journey: string, from: string, to: string) => report.transitions.find((x) => x.journey === journey && x.from === from && x.to === to);
    expect(t("renewal_reminder_d90", "acted", "no_match")?.examples[0]?.old).toMatch(/renews in 90 days/);
    expect(t("renewal_reminder_d90", "no_match", "acted")?.examples[0]?.new).toMatch(/renews in 60 days/);
    expect(t("onboarding_nudge", "no_match", "acted")?.count).toBeGreaterThan(0);
    // Nothing but these two journeys changed, and the referral invitation they outrank (priority 10).
    expect(new Set(report.transitions.map((x) => x.journey))).toEqual(new Set(["renewal_reminder_d90", "onboarding_nudge", "referral_invite"]));
    for (const x of report.transitions.filter((x) => x.journey === "referral_invite")) expect([x.from, x.to]).toContain("suppressed");
  });

  it("compares a version with itself as no change at all", () => {
    const r = kairos(["diff", "old", resolve("policies"), "--log", "decisions.log"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("no decision changes");
    expect(r.stdout).not.toContain("transitions per journey");
  });

  it("notes when OLD is not the artifact that made the entries", () => {
    const r = kairos(["diff", "new", "old", "--log", "decisions.log"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/made 672 by NEW/);
    expect(r.stdout).toContain("note: OLD did not make every entry");
  });

  it("keeps only the entries in --since/--until", () => {
    const r = kairos(["diff", "old", "new", "--log", "decisions.log", "--since", "2026-03-05", "--until", "2026-03-06T00:00:00Z", "--format", "json"]);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { compared: number }).compared).toBe(48);
  });
});

describe("kairos diff --fail-on", () => {
  it("exits 1 and names the breached rule when the change moves a count too far", () => {
    const r = kairos(["diff", "old", "new", "--log", "decisions.log", "--fail-on", "denied_consent+1000,acted+0"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--fail-on acted\+0: `acted` decisions grew by \d+/);
    expect(r.stderr).not.toContain("denied_consent+1000");
  });

  it("exits 0 when every rule holds", () => {
    const r = kairos(["diff", "old", "new", "--log", "decisions.log", "--fail-on", "acted+1000%,dropped+100"]);
    expect(r.status, r.stderr).toBe(0);
  });
});

describe("kairos diff mistakes", () => {
  it("refuses a missing source, both sources, a bad rule, a bad time, an unknown format, missing files", async () => {
    const [old, neu, log] = ["old", "new", "decisions.log"].map((f) => join(dir, f)) as [string, string, string];
    const cases: [string[], RegExp][] = [
      [["diff", old, neu], /either `--log LOG` or `--store/],
      [["diff", old, neu, "--log", log, "--store", "x"], /either `--log LOG` or `--store/],
      [["diff", old, "--log", log], /give OLD and NEW/],
      [["diff", old, neu, "--log", log, "--fail-on", "acted*3"], /not a rule: write METRIC\+N/],
      [["diff", old, neu, "--log", log, "--since", "yesterday"], /`--since` takes an ISO 8601 time/],
      [["diff", old, neu, "--log", log, "--format", "html"], /unknown format `html`/],
      [["diff", old, join(dir, "missing"), "--log", log], /NEW `.*missing` does not exist/],
      [["diff", old, neu, "--log", join(dir, "nope.log")], /the log `.*nope.log` does not exist/],
    ];
    for (const [args, message] of cases) {
      const r = await inProcess(args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it("stops with exit 1 and the diagnostics when NEW does not compile", () => {
    cpSync(join(dir, "new"), join(dir, "broken"), { recursive: true });
    const file = join(dir, "broken/journeys/onboarding.journey");
    writeFileSync(file, readFileSync(file, "utf8").replace("onboarding.total_steps", "onboarding.total_stepz"));
    const r = kairos(["diff", "old", "broken", "--log", "decisions.log"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("check/unknown-field");
    expect(r.stderr).toContain("NEW `broken` does not compile");
  });

  it("refuses a log without its keys, and one that is not intact", () => {
    cpSync(join(dir, "decisions.log"), join(dir, "keyless.log"));
    const keyless = kairos(["diff", "old", "new", "--log", "keyless.log"]);
    expect(keyless.status).toBe(2);
    expect(keyless.stderr).toMatch(/no integrity key/);
    for (const suffix of ["", ".key", ".integrity-key"]) cpSync(join(dir, `decisions.log${suffix}`), join(dir, `tampered.log${suffix}`));
    const text = readFileSync(join(dir, "tampered.log"), "utf8");
    writeFileSync(join(dir, "tampered.log"), text.replace('"outcome":"no_match"', '"outcome":"acted"'));
    const tampered = kairos(["diff", "old", "new", "--log", "tampered.log"]);
    expect(tampered.status).toBe(1);
    expect(tampered.stderr).toContain("is not intact");
  });
});

describe("kairos replay keeps a what-if apart", () => {
  it("summarizes entries made by another artifact like diff, and never calls them ok", () => {
    const r = kairos(["replay", "decisions.log", "--artifact", "new-artifact"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("byte for byte");
    expect(r.stdout).not.toContain("$.artifact");
    expect(r.stdout).toContain("no entry was made by this artifact");
    expect(r.stdout).toMatch(/what-if: 672 entries were made by another artifact/);
    expect(r.stdout).toMatch(/renewal_reminder_d90: acted → no_match: \d+/);
    expect(r.stdout).toContain("kairos diff OLD NEW --log decisions.log");
  });

  it("still checks the artifact that made the entries byte for byte", () => {
    const r = kairos(["replay", "decisions.log", "--artifact", "old"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("same artifact: 672 entries made by this artifact, 672 identical, 0 different");
    expect(r.stdout).toContain("ok: every decision made by this artifact replays byte for byte");
    expect(r.stdout).not.toContain("what-if");
  });
});

describe("kairos diff --store", () => {
  it("re-decides the service store's log like the file it exports, and takes a version of its registry", () => {
    const demo = join(dir, "demo");
    const d = kairos(["demo", "--out", demo, "--customers", "20", "--days", "4"]);
    expect(d.status, d.stderr).toBe(0);
    const fromStore = kairos(["diff", join(demo, "artifact"), "new", "--store", demo, "--format", "json"]);
    expect(fromStore.status, fromStore.stderr).toBe(0);
    const fromLog = kairos(["diff", join(demo, "artifact"), "new", "--log", join(demo, "decisions.log"), "--format", "json"]);
    expect(fromLog.status, fromLog.stderr).toBe(0);
    const a = JSON.parse(fromStore.stdout) as { compared: number; source: { description: string; made_by_old: number } };
    const b = JSON.parse(fromLog.stdout) as { compared: number; source: { description: string } };
    expect(a.compared).toBeGreaterThan(50);
    expect(a.source.made_by_old).toBe(a.compared);
    expect(a.source.description).toMatch(/^store /);
    expect({ ...a, source: { ...a.source, description: "" } }).toEqual({ ...b, source: { ...b.source, description: "" } });
    // NEW as a version published in the store's registry rather than a directory.
    const published = kairos(["artifacts", "publish", "new-artifact", "--version", "next", "--by", "test", "--store", demo]);
    expect(published.status, published.stderr).toBe(0);
    const byVersion = kairos(["diff", join(demo, "artifact"), "next", "--store", demo, "--format", "json"]);
    expect(byVersion.status, byVersion.stderr).toBe(0);
    const c = JSON.parse(byVersion.stdout) as typeof a & { new: { name: string } };
    expect(c.new.name).toBe("next");
    expect({ ...c, new: undefined }).toEqual({ ...a, new: undefined });
    // A version compared with itself, one side from its directory, the other from the registry by
    // hash (publishing is idempotent: a service that started on it may have published it already).
    expect(kairos(["artifacts", "publish", join(demo, "artifact"), "--version", "current", "--by", "test", "--store", demo]).status).toBe(0);
    const hash = (JSON.parse(readFileSync(join(demo, "artifact/manifest.json"), "utf8")) as { hash: string }).hash;
    const itself = kairos(["diff", join(demo, "artifact"), hash, "--store", demo]);
    expect(itself.status, itself.stderr).toBe(0);
    expect(itself.stdout).toContain("no decision changes");
    const unknown = kairos(["diff", join(demo, "artifact"), "nope", "--store", demo]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("NEW `nope` is neither a directory nor a version in the registry");
  }, 120_000);
});
