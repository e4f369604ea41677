// The demo plays the DPO (docs/approvals.md#the-demo): it keeps a demo approver key and a trust
// list of that key alone in `<out>/governance/`, signs an approval of the journeys that need one
// (none again on a second run over the same policies), serves with it — every journey active —
// and each logged decision of an approved journey names that approval.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { Io } from "../../cli/io.ts";
import { runDemo } from "../../cli/demo/run.ts";

const root = mkdtempSync(join(tmpdir(), "kairos-approval-demo-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function capture(): Io & { text(): { out: string; err: string } } {
  let out = "";
  let err = "";
  return { out: (t) => void (out += t + "\n"), err: (t) => void (err += t + "\n"), color: false, text: () => ({ out, err }) };
}

it("approves with a demo key, activates every journey, names the approval in the log, and approves nothing twice", async () => {
  const out = join(root, "demo");
  const options = { out, customers: 40, days: 4, seed: 7, policies: resolve("policies") };
  const first = capture();
  expect(await runDemo(options, first), first.text().err).toBe(0);
  const text = first.text().out;
  const m = /DPO approval: (\d+) journeys? needs? one .* with a new demo key \S+demo-dpo\.key .*: signed approval (apr_[0-9a-f]{32}) of ([\w, ]+) → /.exec(
    text,
  );
  expect(m, text).not.toBeNull();
  const [, needing, id, journeys] = m!;
  expect(Number(needing)).toBeGreaterThan(0);
  expect(journeys!.split(", ")).toHaveLength(Number(needing));
  expect(first.text().err).not.toContain("stay inactive");
  expect(statSync(join(out, "governance", "demo-dpo.key")).mode & 0o777).toBe(0o600);
  expect(readFileSync(join(out, "governance", "approvers.yaml"), "utf8")).toMatch(/^ {2}- \{ name: "Demo DPO \(kairos demo\)", key: "[A-Za-z0-9_-]{43}" \}$/m);
  expect(text).toMatch(/kairos serve \S+ --data-dir \S+ --clock request --approvals \S*governance\n/);

  // Decisions of approved journeys name the approval; others do not.
  const approved = new Set(journeys!.split(", "));
  const lines = readFileSync(join(out, "decisions.log"), "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as { journey?: string; approval?: string });
  const named = lines.filter((l) => l.approval !== undefined);
  expect(named.length).toBeGreaterThan(0);
  for (const l of lines) expect(l.approval).toBe(l.journey !== undefined && approved.has(l.journey) ? id : undefined);

  const second = capture();
  expect(await runDemo(options, second), second.text().err).toBe(0);
  expect(second.text().out).toContain("with the demo key");
  expect(second.text().out).toContain("every one already has one");
  expect(readdirSync(join(out, "governance", "approvals"))).toHaveLength(1);
  expect(existsSync(join(out, "decisions.1.log"))).toBe(true);
});
