// The reproduction from the command line, on the example policy set (policies/): a
// `claim.filed` event two months old, whose catalog freshness is PT5M, is decided `stale` by
// `kairos decide` (exit 0: a decision was printed), logged, explained to the customer and
// replayed byte for byte from the log; the same event five minutes old is decided as before.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { runCli } from "../helpers/cli.ts";

const POLICIES = join(import.meta.dirname, "../../policies");
const dir = mkdtempSync(join(tmpdir(), "kairos-freshness-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function claimFiled(at: string): string {
  const file = join(dir, `claim-${at.replace(/:/g, "")}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      event: { type: "claim.filed", id: "cl-2", at, payload: { claim_id: "cl-2", at } },
      subject: "c-1",
      now: "2026-03-02T09:00:00Z",
      region: "eu",
      context: {
        customer: { customer_id: "c-1", email: "ana@example.com", timezone: "Europe/Berlin", tenure_months: 30, segment: "retail", recent_interactions: [] },
        claim: { filed_at: at, status: "filed", diagnosis: "Fracture of the left wrist", amount: 1200 },
      },
    }),
  );
  return file;
}

describe("kairos decide on a claim filed two months ago (freshness PT5M)", () => {
  const log = join(dir, "decisions.jsonl");
  const artifact = join(dir, "artifact");
  let decisionId = "";

  test("prints a `stale` decision with no action and exits 0", async () => {
    const r = await runCli(["decide", POLICIES, "--request", claimFiled("2026-01-02T09:00:00Z"), "--log", log]);
    expect(r.code, r.err).toBe(0);
    const d = JSON.parse(r.out.slice(0, r.out.lastIndexOf("}") + 1)) as Record<string, unknown> & { evaluations: { reasons: { code: string }[] }[] };
    expect(d).toMatchObject({ outcome: "stale", fields: [] });
    expect(d).not.toHaveProperty("action");
    expect(d.evaluations[0]!.reasons.map((x) => x.code)).toEqual(["stale_event"]);
    decisionId = String(d["decision_id"]);
  });

  test("the same claim five minutes old is decided as before", async () => {
    const r = await runCli(["decide", POLICIES, "--request", claimFiled("2026-03-02T08:55:00Z")]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('"outcome": "pending_review"');
  });

  test("the logged decision is explained to the customer and replays byte for byte", async () => {
    expect(readFileSync(log, "utf8")).toContain('"outcome":"stale"');
    const explained = await runCli(["explain", log, "--decision", decisionId, "--format", "customer"]);
    expect(explained.code, explained.err).toBe(0);
    expect(explained.out.trim()).toBe("We did not contact you: the information we had was out of date.");
    expect((await runCli(["compile", POLICIES, "--out", artifact])).code).toBe(0);
    const replayed = await runCli(["replay", log, "--artifact", artifact]);
    expect(replayed.code, replayed.out + replayed.err).toBe(0);
    expect(replayed.out).toContain("1 identical, 0 different");
  });
});
