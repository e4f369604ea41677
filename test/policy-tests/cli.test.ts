// `kairos test DIR` as CI runs it: pass/fail per test and the summary line, exit codes 0/1/2,
// `--format json`, `--junit FILE`, `--coverage` and `--threshold N`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DAILY, JOURNEYS, policyDir, run } from "./helpers.ts";

const passing = `test "day 90 acts" {
  now       2026-03-02T10:00:00Z
${DAILY}
  expect    acted renewal_reminder_d90
}

test "a bad rating gets a callback" {
  now       2026-03-02T10:00:00Z
  event     ticket.resolved { ticket_id: "t-1", csat: 1 }
  given     customer { segment: "retail" }
  expect    pending_review service_recovery
}
`;
const failing = `test "day 90 is held out" {
  now       2026-03-02T10:00:00Z
${DAILY}
  expect    held_out renewal_reminder_d90
}
`;

describe("kairos test", () => {
  it("exits 0 and ends with the summary line when everything passes", async () => {
    const dir = policyDir({ "j.journey": JOURNEYS, "t.journey": passing });
    const r = await run("test", dir, "--runs", "30");
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    expect(lines.at(-1)).toBe("5 passed, 0 failed");
    expect(lines.at(-2)).toBe("");
    expect(r.out).toContain("  ✓ day 90 acts");
    expect(r.out).toContain("built-in properties\n  ✓ never acts without a lawful basis (30 cases");
  });

  it("exits 1 and shows expected vs actual when a test fails", async () => {
    const r = await run("test", policyDir({ "j.journey": JOURNEYS, "t.journey": passing + failing }), "--runs", "20");
    expect(r.code).toBe(1);
    expect(r.out).toContain("  ✗ day 90 is held out");
    expect(r.out).toContain("        expected  `held_out`, won by `renewal_reminder_d90`\n        actual    `acted`, won by `renewal_reminder_d90`");
    expect(r.out.trimEnd().split("\n").at(-1)).toBe("5 passed, 1 failed");
  });

  it("exits 2 with diagnostics when a test does not check, and runs nothing", async () => {
    const r = await run(
      "test",
      policyDir({ "j.journey": JOURNEYS, "t.journey": failing.replace("held_out renewal_reminder_d90", "acted renewal_reminder_d9") }),
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain("error[test/unknown-journey]: no journey `renewal_reminder_d9` in the policy set");
    expect(r.err).toContain("help: did you mean `renewal_reminder_d90`?");
    expect(r.err).toContain("does not compile; no test was run");
    expect(r.out).toBe("");
  });

  it("exits 2 on usage errors", async () => {
    expect((await run("test")).code).toBe(2);
    expect((await run("test", "/no/such/dir")).code).toBe(2);
    const dir = policyDir({ "j.journey": JOURNEYS });
    const bad = await run("test", dir, "--threshold", "101");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("`--threshold` must be a number from 0 to 100, not `101`");
    expect((await run("test", dir, "--format", "xml")).code).toBe(2);
    expect((await run("test", dir, "--frobnicate")).code).toBe(2);
  });

  it("prints JSON with --format json", async () => {
    const r = await run("test", policyDir({ "j.journey": JOURNEYS, "t.journey": passing + failing }), "--format", "json", "--runs", "20");
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.summary).toMatchObject({ passed: 5, failed: 1, total: 6 });
    expect(j.tests.map((t: { name: string; status: string }) => [t.name, t.status])).toEqual([
      ["day 90 acts", "passed"],
      ["a bad rating gets a callback", "passed"],
      ["day 90 is held out", "failed"],
    ]);
    expect(j.tests[2].failures[0]).toMatchObject({
      line: 20,
      expect: "expect held_out renewal_reminder_d90",
      actual: "`acted`, won by `renewal_reminder_d90`",
    });
    expect(j.properties.map((p: { builtin: boolean }) => p.builtin)).toEqual([true, true, true]);
  });

  it("prints compile errors as JSON diagnostics with --format json", async () => {
    const r = await run("test", policyDir({ "j.journey": JOURNEYS, "t.journey": 'test "t" {\n  now 2026-03-02\n}\n' }), "--format", "json");
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).diagnostics.map((d: { code: string }) => d.code)).toEqual([
      "test/missing-statement",
      "test/missing-statement",
      "test/bad-argument",
    ]);
  });

  it("writes JUnit XML with --junit", async () => {
    const dir = policyDir({ "j.journey": JOURNEYS, "t.journey": passing + failing.replace("day 90 is held out", "day 90 <is> held & out") });
    const file = join(dir, "junit.xml");
    const r = await run("test", dir, "--junit", file, "--runs", "20");
    expect(r.code).toBe(1);
    const xml = readFileSync(file, "utf8");
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="kairos test" tests="6" failures="1" errors="0" time="[\d.]+">/);
    expect(xml).toContain('<testsuite name="built-in properties" tests="3" failures="0"');
    expect(xml).toContain('<testcase name="day 90 &lt;is&gt; held &amp; out" classname="');
    expect(xml).toContain(
      '<failure message="expect held_out renewal_reminder_d90" type="AssertionError">expect held_out renewal_reminder_d90\n  expected  `held_out`, won by `renewal_reminder_d90`',
    );
    // Balanced: every opened element is closed.
    const opened = [...xml.matchAll(/<(testsuites|testsuite|testcase|failure)[\s>]/g)].length;
    const closed = [...xml.matchAll(/<\/(testsuites|testsuite|testcase|failure)>/g)].length + [...xml.matchAll(/<testcase [^>]*\/>/g)].length;
    expect(closed).toBe(opened);
  });

  it("prints coverage with --coverage, and fails below --threshold", async () => {
    const dir = policyDir({ "j.journey": JOURNEYS, "t.journey": passing });
    const r = await run("test", dir, "--coverage", "--runs", "10");
    expect(r.code).toBe(0);
    expect(r.out).toContain("coverage (conditions seen true and false by the tests; outcomes reached)");
    expect(r.out).toMatch(/ {2}renewal_reminder_d90 +3\/6 +50% {2}outcomes: acted\n {6}never false {5}policy\.status == "active"/);
    expect(r.out).toMatch(/ {2}claim_status_update +0\/2 +0% {2}outcomes: none\n {6}never evaluated claim\.status in \["filed", "assessing"\]/);
    const low = await run("test", dir, "--threshold", "90", "--runs", "10");
    expect(low.code).toBe(1);
    expect(low.err).toMatch(/coverage 4\d\.\d% is below the threshold 90%/);
    expect((await run("test", dir, "--threshold", "40", "--runs", "10")).code).toBe(0);
  });

  it("runs only what --filter names", async () => {
    const r = await run("test", policyDir({ "j.journey": JOURNEYS, "t.journey": passing + failing }), "--filter", "callback");
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split("\n").at(-1)).toBe("1 passed, 0 failed");
  });
});
