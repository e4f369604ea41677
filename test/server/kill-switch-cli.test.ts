// `kairos journey disable|enable` and `kairos channel status|disable|enable` as a user runs them (the
// real binary in a child process): straight on a real SQLite store — the switch is written with who
// and why, `status` shows it with how to undo it, a second disable is refused naming who came first,
// the channel's history is listed — and through a running service (`--url --token`): the service
// checks the name against its journeys and channels, and its refusals come back as messages with a
// hint and exit 1, never a stack trace. Usage mistakes (no target, two targets, no `--by` or
// `--reason`, a name that cannot be one) exit 2 and say what is missing.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openStore } from "../../server/store/index.ts";
import { compiledEngine, SPEC_POLICY_DIR } from "../runtime/compiled.ts";
import { kairosAsync, noStackTrace } from "../helpers/kairos-process.ts";
import { startTestServer, type TestServer } from "./helpers.ts";

const root = mkdtempSync(join(tmpdir(), "kairos-kill-cli-"));
const dataDir = join(root, "data");

const kairos = kairosAsync;

beforeAll(async () => {
  // A migrated store, as a service leaves it: the spec policy set published and stable.
  const { files, engine } = await compiledEngine(SPEC_POLICY_DIR);
  const store = await openStore(undefined, { dataDir });
  try {
    const at = "2026-06-01T08:00:00Z";
    await store.publishArtifact({ hash: engine.hash, version: "v1", approvals: [], publishedBy: "ci", publishedAt: at }, Object.fromEntries(files));
    const start = { generation: 1, stable: engine.hash, mode: "none" as const, action: "start", by: "kairos serve", reason: "first start", since: at };
    expect(await store.setRollout(start, 0)).toBe(true);
  } finally {
    await store.close();
  }
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("usage mistakes", () => {
  test("no target, two targets, no --by or --reason, a name that cannot be one: exit 2 saying what is missing", async () => {
    const noTarget = await kairos("journey", "disable", "referral_invite", "--by", "Dana", "--reason", "x");
    expect(noTarget.status).toBe(2);
    expect(noTarget.stderr).toContain("`--store URL|DATA_DIR`");
    expect(noTarget.stderr).toContain("`--url URL`");
    const both = await kairos("channel", "status", "--store", dataDir, "--url", "http://127.0.0.1:1");
    expect(both.status).toBe(2);
    expect(both.stderr).toContain("not both");
    const noBy = await kairos("journey", "disable", "referral_invite", "--store", dataDir, "--reason", "x");
    expect(noBy.status).toBe(2);
    expect(noBy.stderr).toContain("`--by NAME`");
    const noReason = await kairos("channel", "disable", "sms", "--store", dataDir, "--by", "Dana");
    expect(noReason.status).toBe(2);
    expect(noReason.stderr).toContain("`--reason TEXT`");
    const badName = await kairos("journey", "disable", "referral-invite", "--store", dataDir, "--by", "Dana", "--reason", "x");
    expect(badName.status).toBe(2);
    expect(badName.stderr).toContain("is not a journey id");
    const noToken = await kairos("journey", "status", "--url", "http://127.0.0.1:1");
    expect(noToken.status).toBe(2);
    expect(noToken.stderr).toContain("`--token TOKEN`");
    for (const r of [noTarget, both, noBy, noReason, badName, noToken]) noStackTrace(r);
  }, 120_000);
});

describe("on the store", () => {
  test("a journey or channel the running version does not have is refused, naming those it has", async () => {
    const typo = await kairos("journey", "disable", "referral_invit", "--store", dataDir, "--by", "Dana", "--reason", "x");
    expect(typo.status).toBe(1);
    expect(typo.stderr).toContain("no journey `referral_invit` in the version the service runs (");
    expect(typo.stderr).toContain("): nothing was turned off");
    expect(typo.stderr).toMatch(/help: check the spelling; its journeys are: .*referral_invite/);
    const fax = await kairos("channel", "disable", "fax", "--store", dataDir, "--by", "Dana", "--reason", "x");
    expect(fax.status).toBe(1);
    expect(fax.stderr).toContain("help: check the spelling; its channels are: call_task, email, push, sms");
    noStackTrace(typo);
    noStackTrace(fax);
  }, 120_000);

  test("a journey and a channel turned off and on again, with who and why, status and history", async () => {
    const off = await kairos("journey", "disable", "referral_invite", "--store", dataDir, "--by", "Dana Scholz", "--reason", "wrong discount");
    expect(off.status, off.stderr).toBe(0);
    expect(off.stdout).toContain("turned `referral_invite` off in");
    expect(off.stdout).toContain(`kairos journey enable referral_invite --store ${dataDir} --by NAME --reason TEXT`);
    const twice = await kairos("journey", "disable", "referral_invite", "--store", dataDir, "--by", "Sam", "--reason", "me too");
    expect(twice.status).toBe(1);
    expect(twice.stderr).toContain("journey `referral_invite` is already off: Dana Scholz turned it off at");
    expect(twice.stderr).toContain("help: see the journeys' switches: kairos journey status");
    noStackTrace(twice);

    const sms = await kairos("channel", "disable", "sms", "--store", dataDir, "--by", "Sam", "--reason", "gateway garbles texts", "--format", "json");
    expect(sms.status, sms.stderr).toBe(0);
    expect(JSON.parse(sms.stdout)).toMatchObject({ kind: "channel", name: "sms", state: "disabled", by: "Sam", reason: "gateway garbles texts" });

    const status = await kairos("journey", "status", "--store", dataDir);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toContain("no stop-loss ever stopped a journey in");
    expect(status.stdout).toContain("2 of the 2 kill switches ever turned in");
    expect(status.stdout).toMatch(/journey referral_invite: OFF since \S+ by Dana Scholz: wrong discount/);
    expect(status.stdout).toMatch(/channel sms: OFF since \S+ by Sam: gateway garbles texts/);
    const json = JSON.parse((await kairos("journey", "status", "--store", dataDir, "--format", "json")).stdout);
    expect(json.kill_switches.map((k: { kind: string; name: string; state: string }) => [k.kind, k.name, k.state])).toEqual([
      ["journey", "referral_invite", "disabled"],
      ["channel", "sms", "disabled"],
    ]);

    expect((await kairos("channel", "enable", "sms", "--store", dataDir, "--by", "Sam", "--reason", "gateway fixed")).status).toBe(0);
    const history = await kairos("channel", "status", "sms", "--store", dataDir);
    expect(history.status, history.stderr).toBe(0);
    expect(history.stdout).toMatch(/channel sms: on \(turned on again \S+ by Sam: gateway fixed\)/);
    expect(history.stdout).toMatch(/off {2}by Sam: gateway garbles texts\n.*on {3}by Sam: gateway fixed/);
    const again = await kairos("channel", "enable", "sms", "--store", dataDir, "--by", "Sam", "--reason", "again");
    expect(again.status).toBe(1);
    expect(again.stderr).toContain("channel `sms` is not off: Sam turned it on again at");
    const never = await kairos("channel", "status", "fax", "--store", dataDir);
    expect(never.stdout).toContain("channel `fax` was never turned off in");
  }, 120_000);
});

describe("through a running service", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ stopLoss: { intervalMs: 0, controlsRefreshMs: 0 } });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  test("the service checks the name, turns the switch, lists it; its refusals are messages with a hint", async () => {
    const url = ["--url", t.url, "--token", t.admin];
    const off = await kairos("journey", "disable", "renewal_reminder_d90", ...url, "--by", "Dana Scholz", "--reason", "stale premium");
    expect(off.status, off.stderr).toBe(0);
    expect(off.stdout).toContain(`turned \`renewal_reminder_d90\` off in the service at ${t.url}`);
    const typo = await kairos("journey", "disable", "renewal_reminder_d9", ...url, "--by", "Dana", "--reason", "x");
    expect(typo.status).toBe(1);
    expect(typo.stderr).toContain("no journey `renewal_reminder_d9` in the versions this service runs");
    expect(typo.stderr).toContain("help: list them with GET /v1/journeys");
    noStackTrace(typo);

    const status = await kairos("journey", "status", ...url);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toContain("1 turned off by a kill switch, 0 stopped by a stop-loss");
    expect(status.stdout).toMatch(/renewal_reminder_d90: OFF since \S+ by Dana Scholz: stale premium/);
    expect(status.stdout).toMatch(/referral_invite: running/);

    const email = await kairos("channel", "disable", "email", ...url, "--by", "Sam", "--reason", "mail provider down");
    expect(email.status, email.stderr).toBe(0);
    expect(email.stdout).toContain("suppresses its journeys (");
    const channels = await kairos("channel", "status", ...url);
    expect(channels.stdout).toMatch(/email: OFF since \S+ by Sam: mail provider down \(journeys .*referral_invite.* suppressed\)/);
    expect(channels.stdout).toMatch(/sms: on \(journeys claim_status_update\)/);
    const fax = await kairos("channel", "disable", "fax", ...url, "--by", "Sam", "--reason", "x");
    expect(fax.status).toBe(1);
    expect(fax.stderr).toContain("no channel `fax` in the versions this service runs");

    const reader = t.token("reader", ["audit:read"]);
    const denied = await kairos("channel", "enable", "email", "--url", t.url, "--token", reader, "--by", "Sam", "--reason", "x");
    expect(denied.status).toBe(1);
    expect(denied.stderr).toContain("help: give `--token` a token with the scope this needs");
    expect((await kairos("channel", "status", "--url", t.url, "--token", reader)).status).toBe(0);
    const gone = await kairos("journey", "status", "--url", "http://127.0.0.1:9", "--token", "t");
    expect(gone.status).toBe(1);
    expect(gone.stderr).toContain("cannot reach the service at http://127.0.0.1:9");
    noStackTrace(gone);

    // The instance itself decides with the switches at once (it applied its own writes).
    expect(t.server.service.controls?.stopped?.get("renewal_reminder_d90")).toMatchObject({ code: "kill_switch", by: "Dana Scholz" });
    expect(t.server.service.controls?.stopped?.get("referral_invite")).toMatchObject({ code: "kill_switch", kind: "channel", name: "email" });
  }, 120_000);
});
