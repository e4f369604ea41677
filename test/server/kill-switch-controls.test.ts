// The kill switches an instance decides with (server/value/controls.ts, server/value/kill-switches.ts)
// on a real SQLite store, with the spec policy set's journeys: a journey's switch and its channel's
// switch become the `kill_switch` reason its candidates record (the same object while the row is
// unchanged), a journey's own switch wins over its channel's and both over a stop-loss stop, a
// channel stops the journeys acting on it in each version (`addJourneys`, `stoppedFor`), a change
// written here applies at once, a store that fails keeps the switches last read (reported once), and
// the conditional write refuses a switch already in that state, naming who set it.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Decision } from "../../runtime/decision.ts";
import { stoppedOf } from "../../runtime/log/replay.ts";
import { openStore } from "../../server/store/index.ts";
import type { JourneyControl, KillSwitch, ServiceStore } from "../../server/store/types.ts";
import { JourneyControls, stopReason } from "../../server/value/controls.ts";
import { KillSwitchError, killReason, setKillSwitchState } from "../../server/value/kill-switches.ts";
import { compiledEngine, SPEC_POLICY_DIR } from "../runtime/compiled.ts";
import { removeTempDirs, tempDir } from "../store/helpers.ts";

const T1 = "2026-06-01T09:00:00Z";
const T2 = "2026-06-01T10:00:00Z";

let metas: readonly JourneyMeta[];
beforeAll(async () => {
  metas = (await compiledEngine(SPEC_POLICY_DIR)).engine.predicates.journeys.map((j) => j.meta);
});
afterAll(removeTempDirs);

async function freshStore(): Promise<ServiceStore> {
  return openStore(undefined, { dataDir: tempDir("kairos-kill-controls-") });
}

const off = (kind: KillSwitch["kind"], name: string, by = "Dana Scholz", reason = "wrong template", since = T1): KillSwitch => ({
  kind,
  name,
  state: "disabled",
  by,
  reason,
  since,
});

describe("the reason a turned-off journey records", () => {
  test("names the switch, who turned it off, when and why", () => {
    expect(killReason(off("journey", "referral_invite"), "referral_invite")).toEqual({
      code: "kill_switch",
      message: "journey `referral_invite` was turned off by Dana Scholz at 2026-06-01T09:00:00Z: wrong template; it acts again once a person enables it",
      kind: "journey",
      name: "referral_invite",
      by: "Dana Scholz",
      since: T1,
    });
    expect(killReason(off("channel", "sms", "Sam", "provider garbles texts"), "claim_status_update")).toEqual({
      code: "kill_switch",
      message:
        "channel `sms` of journey `claim_status_update` was turned off by Sam at 2026-06-01T09:00:00Z: provider garbles texts; " +
        "it acts again once a person enables the channel",
      kind: "channel",
      name: "sms",
      by: "Sam",
      since: T1,
    });
  });
});

describe("replay reads the switches back from a logged decision", () => {
  test("stoppedOf gives each suppressed journey its `kill_switch` or `stop_loss` reason, and nothing for other suppressions", () => {
    const killed = killReason(off("channel", "sms"), "claim_status_update");
    const stopped = stopReason({ journey: "referral_invite", state: "stopped", by: "stop-loss", reason: "complaints", since: T1, sinceId: 0 });
    const evaluation = (journey: string, reasons: readonly { code: string; message: string }[]) => ({
      journey,
      outcome: "suppressed",
      purpose: "p",
      priority: 1,
      reasons,
      trace: [],
    });
    const decision = {
      evaluations: [
        evaluation("claim_status_update", [killed]),
        evaluation("referral_invite", [stopped]),
        evaluation("onboarding_nudge", [{ code: "lost_arbitration", message: "another journey won" }]),
      ],
    } as unknown as Decision;
    const map = stoppedOf(decision);
    expect([...(map?.keys() ?? [])]).toEqual(["claim_status_update", "referral_invite"]);
    expect(map?.get("claim_status_update")).toBe(killed);
    expect(map?.get("referral_invite")).toBe(stopped);
  });
});

describe("the kill switches of an instance", () => {
  test("a journey's switch, its channel's, precedence over a stop-loss stop, versions, local changes and a failing store", async () => {
    const store = await freshStore();
    const lines: string[] = [];
    const controls = new JourneyControls(store, { refreshMs: 0, journeys: metas, log: (l) => lines.push(l) });
    let closed = false;
    try {
      await controls.refresh();
      expect(controls.stopped).toBeUndefined();

      // A journey turned off: only it.
      const journeyOff = off("journey", "referral_invite");
      expect(await store.setKillSwitch(journeyOff, "enabled")).toBe(true);
      await controls.refresh();
      expect([...(controls.stopped?.keys() ?? [])]).toEqual(["referral_invite"]);
      const reason = controls.stopped?.get("referral_invite");
      expect(reason).toEqual(killReason(journeyOff, "referral_invite"));
      await controls.refresh();
      expect(controls.stopped?.get("referral_invite")).toBe(reason); // unchanged row: the very same object

      // The e-mail channel turned off: every journey acting by e-mail, and the journey's own switch still wins for referral_invite.
      const emailOff = off("channel", "email", "Sam", "mail provider down", T2);
      expect(await store.setKillSwitch(emailOff, "enabled")).toBe(true);
      await controls.refresh();
      const emailJourneys = metas.filter((m) => m.action.channel === "email").map((m) => m.id);
      expect(emailJourneys).toEqual(expect.arrayContaining(["referral_invite", "renewal_reminder_d90"]));
      expect([...(controls.stopped?.keys() ?? [])].sort()).toEqual([...emailJourneys].sort());
      expect(controls.stopped?.get("referral_invite")).toBe(reason);
      expect(controls.stopped?.get("renewal_reminder_d90")).toEqual(killReason(emailOff, "renewal_reminder_d90"));
      expect(controls.killing("renewal_reminder_d90")).toEqual(emailOff);
      expect(controls.killing("onboarding_nudge")).toBeUndefined();

      // A stop-loss stop of a turned-off journey: the kill switch is what its candidates record; of another journey: the stop.
      const stop: JourneyControl = { journey: "renewal_reminder_d90", state: "stopped", by: "stop-loss", reason: "complaints", since: T1, sinceId: 0 };
      expect(await store.setJourneyControl(stop, "active")).toBe(true);
      expect(await store.setJourneyControl({ ...stop, journey: "onboarding_nudge" }, "active")).toBe(true);
      await controls.refresh();
      expect(controls.stopped?.get("renewal_reminder_d90")?.code).toBe("kill_switch");
      expect(controls.stopped?.get("onboarding_nudge")).toEqual(stopReason({ ...stop, journey: "onboarding_nudge" }));

      // Another version in which renewal_reminder_d90 sends an SMS: the e-mail switch does not stop it there.
      const moved = metas.map((m) => (m.id === "renewal_reminder_d90" ? { ...m, action: { ...m.action, channel: "sms" } } : m));
      controls.addJourneys(moved, "sha256:candidate");
      expect(controls.stoppedFor("sha256:candidate")?.get("renewal_reminder_d90")?.code).toBe("stop_loss");
      expect(controls.stoppedFor("sha256:candidate")?.get("referral_invite")).toBe(reason);
      expect(controls.stoppedFor("sha256:unknown")).toBe(controls.stopped);
      expect(controls.knows("journey", "renewal_reminder_d90")).toBe(true);
      expect(controls.knows("channel", "fax")).toBe(false);

      // A change written by this instance applies before the next read; the store's state comes back with the read.
      controls.applyKillSwitch({ ...emailOff, state: "enabled", since: T2 });
      expect(controls.stopped?.get("renewal_reminder_d90")?.code).toBe("stop_loss");
      await controls.refresh();
      expect(controls.stopped?.get("renewal_reminder_d90")?.code).toBe("kill_switch");

      // The store goes away: the switches stay, and the failure is reported once.
      const before = controls.stopped;
      await store.close();
      closed = true;
      await controls.refreshReported();
      await controls.refreshReported();
      expect(controls.stopped).toEqual(before);
      expect(controls.stopped?.get("referral_invite")).toBe(reason);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^kairos serve: journey controls: .+; deciding with the states last read until the store answers$/);
    } finally {
      await controls.stop();
      if (!closed) await store.close();
    }
  }, 60_000);

  test("turning a switch is one conditional write: the second of two refuses and names who came first; the history keeps both", async () => {
    const store = await freshStore();
    try {
      const first = await setKillSwitchState(store, { kind: "channel", name: "sms", state: "disabled", by: "Dana", reason: "garbled", at: T1 });
      expect(first).toEqual({ kind: "channel", name: "sms", state: "disabled", by: "Dana", reason: "garbled", since: T1 });
      const again = setKillSwitchState(store, { kind: "channel", name: "sms", state: "disabled", by: "Sam", reason: "also garbled", at: T2 });
      await expect(again).rejects.toBeInstanceOf(KillSwitchError);
      await expect(again).rejects.toMatchObject({
        code: "already_disabled",
        message: "channel `sms` is already off: Dana turned it off at 2026-06-01T09:00:00Z: garbled",
      });
      const never = setKillSwitchState(store, { kind: "journey", name: "referral_invite", state: "enabled", by: "Sam", reason: "x", at: T2 });
      await expect(never).rejects.toMatchObject({ code: "not_disabled", message: "journey `referral_invite` was never turned off" });
      await expect(setKillSwitchState(store, { kind: "journey", name: "no-such thing", state: "disabled", by: "x", reason: "y" })).rejects.toThrow(
        "is not a journey name",
      );
      await setKillSwitchState(store, { kind: "channel", name: "sms", state: "enabled", by: "Sam", reason: "fixed", at: T2 });
      expect((await store.killSwitchHistory("channel", "sms")).map((k) => [k.state, k.by, k.reason, k.since])).toEqual([
        ["disabled", "Dana", "garbled", T1],
        ["enabled", "Sam", "fixed", T2],
      ]);
      expect(await store.killSwitches()).toEqual([{ kind: "channel", name: "sms", state: "enabled", by: "Sam", reason: "fixed", since: T2 }]);
    } finally {
      await store.close();
    }
  }, 60_000);
});
