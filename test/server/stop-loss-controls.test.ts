// The journey controls an instance decides with (server/value/controls.ts), on a real SQLite
// store: a stop in the store becomes the `stop_loss` reason the engine records (the same object
// while the row is unchanged), a change written by this instance applies at once, and a store that
// stops answering keeps the states last read — a stop is never dropped for want of an answer —
// with the failure reported once, not on every read.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { openStore } from "../../server/store/index.ts";
import type { JourneyControl } from "../../server/store/types.ts";
import { JourneyControls, stopReason } from "../../server/value/controls.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const STOP: JourneyControl = {
  journey: "referral_invite",
  state: "stopped",
  by: "stop-loss",
  reason: "complaint_rate 7.50% > 3% over 40 treated subjects",
  since: "2026-05-31T12:00:00Z",
  sinceId: 0,
};

describe("the journey controls of an instance", () => {
  test("read stops from the store, apply local changes at once, and keep the last states when the store fails", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "kairos-controls-"));
    dirs.push(dataDir);
    const store = await openStore(undefined, { dataDir });
    const lines: string[] = [];
    const controls = new JourneyControls(store, { refreshMs: 0, log: (l) => lines.push(l) });
    let closed = false;
    try {
      await controls.refresh();
      expect(controls.stopped).toBeUndefined();

      expect(await store.setJourneyControl(STOP, "active")).toBe(true);
      await controls.refresh();
      const reason = controls.stopped?.get("referral_invite");
      expect(reason).toEqual({
        code: "stop_loss",
        message: `journey \`referral_invite\` was stopped by stop-loss at 2026-05-31T12:00:00Z: ${STOP.reason}; it acts again once a person resumes it`,
        since: STOP.since,
        by: "stop-loss",
      });
      expect(reason).toEqual(stopReason(STOP));
      // Read again, unchanged: the very same object (decisions share it).
      await controls.refresh();
      expect(controls.stopped?.get("referral_invite")).toBe(reason);

      // A resume written here applies before the next read.
      controls.apply({ ...STOP, state: "active", by: "Dana", reason: "fixed", since: "2026-06-01T00:00:00Z" });
      expect(controls.stopped).toBeUndefined();
      await controls.refresh(); // the store still says stopped (the resume above was not written to it)
      expect(controls.stopped?.has("referral_invite")).toBe(true);

      // The store goes away: the stop stays, and the failure is reported once.
      await store.close();
      closed = true;
      await controls.refreshReported();
      await controls.refreshReported();
      expect(controls.stopped?.get("referral_invite")).toEqual(reason);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^kairos serve: journey controls: .+; deciding with the states last read until the store answers$/);
    } finally {
      await controls.stop();
      if (!closed) await store.close();
    }
  }, 60_000);
});
