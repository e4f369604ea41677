// `kairos journey status|resume --store …` as a user runs it (the real binary in a child process)
// on a real SQLite store in which the stop-loss stopped a journey: the status names it with its
// reason, a resume needs `--by`, lets it run again and is recorded in its history, a second resume
// and an unknown journey are refused with exit 1, and a store location that is not one is a usage
// error. Nothing but the state of the journey resumed changes.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openStore } from "../../server/store/index.ts";
import type { JourneyControl } from "../../server/store/types.ts";

const BIN = resolve("bin/kairos.js");
const root = mkdtempSync(join(tmpdir(), "kairos-journey-cli-"));
const dataDir = join(root, "data");
const empty = join(root, "nothing-here");

const STOP: JourneyControl = {
  journey: "referral_invite",
  state: "stopped",
  by: "stop-loss",
  reason: "complaint_rate 7.50% > 3% over 40 treated subjects",
  detail: { metric: "complaint_rate", value: 0.075, threshold: 0.03, subjects: 40 },
  since: "2026-05-31T12:00:00Z",
  sinceId: 0,
};

function kairos(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, "journey", ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function controls(): Promise<{ now: readonly JourneyControl[]; history: readonly JourneyControl[] }> {
  const store = await openStore(undefined, { dataDir });
  try {
    return { now: await store.journeyControls(), history: await store.journeyControlHistory("referral_invite") };
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  // The store as a service leaves it: migrated, with the stop-loss's write of one stop.
  const store = await openStore(undefined, { dataDir });
  try {
    expect(await store.setJourneyControl(STOP, "active")).toBe(true);
    expect(
      await store.setJourneyControl({ ...STOP, journey: "onboarding_nudge", reason: "unsubscribe_rate 2.00% > 1% over 100 treated subjects" }, "active"),
    ).toBe(true);
  } finally {
    await store.close();
  }
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("kairos journey", () => {
  test("status lists the stopped journeys with why, since when and how to resume them", () => {
    const r = kairos("status", "--store", dataDir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("2 of the 2 journey(s) a stop-loss ever stopped");
    expect(r.stdout).toContain(`referral_invite: STOPPED since 2026-05-31T12:00:00Z by stop-loss: ${STOP.reason}`);
    expect(r.stdout).toContain("kairos journey resume referral_invite --store … --by NAME");
    const json = kairos("status", "--store", dataDir, "--format", "json");
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout).journeys.map((j: JourneyControl) => [j.journey, j.state])).toEqual([
      ["onboarding_nudge", "stopped"],
      ["referral_invite", "stopped"],
    ]);
  });

  test("resume needs a journey and --by, and says what is missing", () => {
    const noBy = kairos("resume", "referral_invite", "--store", dataDir);
    expect(noBy.status).toBe(2);
    expect(noBy.stderr).toContain("`--by NAME`");
    const noJourney = kairos("resume", "--store", dataDir, "--by", "Dana");
    expect(noJourney.status).toBe(2);
    expect(noJourney.stderr).toContain("missing the journey to resume");
    const noStore = kairos("status");
    expect(noStore.status).toBe(2);
    expect(noStore.stderr).toContain("--store URL|DATA_DIR");
  });

  test("resume lets the journey run again, records who and why, and a second resume is refused", async () => {
    const r = kairos("resume", "referral_invite", "--store", dataDir, "--by", "Dana Scholz", "--note", "complaint template fixed");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("resumed `referral_invite`");
    const after = await controls();
    expect(after.now.map((c) => [c.journey, c.state, c.by])).toEqual([
      ["onboarding_nudge", "stopped", "stop-loss"],
      ["referral_invite", "active", "Dana Scholz"],
    ]);
    expect(after.history.map((c) => [c.state, c.by, c.reason])).toEqual([
      ["stopped", "stop-loss", STOP.reason],
      ["active", "Dana Scholz", "complaint template fixed"],
    ]);
    const again = kairos("resume", "referral_invite", "--store", dataDir, "--by", "Sam");
    expect(again.status).toBe(1);
    expect(again.stderr).toContain("journey `referral_invite` is not stopped: Dana Scholz resumed it at");
    expect(again.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const unknown = kairos("resume", "no_such_journey", "--store", dataDir, "--by", "Sam");
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("its stop-loss never stopped it");
    expect(kairos("status", "--store", dataDir).stdout).toContain("referral_invite: running (resumed");
  }, 60_000);

  test("a store location that is not one is a usage error", () => {
    const r = kairos("status", "--store", empty);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("is neither a PostgreSQL URL nor a directory");
    expect(r.stderr).toContain("help: give postgres://…");
  });
});
