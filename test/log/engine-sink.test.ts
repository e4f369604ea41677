// The log as the engine's sink, end to end: a policy set compiled by the compiler, decisions
// from the real engine, pseudonymized entries, and `kairos explain --artifact` over them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { writeArtifactDir } from "../../compiler/node/artifact-write.ts";
import { runCli } from "../helpers/cli.ts";
import { corpFollowupEngine, ticketResolved } from "../helpers/corp-followup.ts";
import type { Engine } from "../../runtime/engine.ts";
import { DecisionLog, verifyLog, type LogEntry } from "../../runtime/log/index.ts";
import { compiledEngine, SPEC_POLICY_DIR } from "../runtime/compiled.ts";
import { TEST_KEY, tempDir } from "./helpers.ts";

const EMAIL = "ana.lima@corp.example";
const request = (csat: number) => ticketResolved({ subject: "cust-42", email: EMAIL }, csat);

function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return runCli(argv);
}

describe("the decision log behind the real engine", () => {
  let engine: Engine;
  let dir: string;
  let logPath: string;
  let acted: string;

  beforeAll(async () => {
    const compiled = await corpFollowupEngine(tempDir());
    engine = compiled.engine;
    dir = tempDir();
    writeArtifactDir(join(dir, "artifact"), compiled.files);
    logPath = join(dir, "decisions.log");
    const log = DecisionLog.open(logPath, { pii: engine.catalog, journeys: engine.predicates.journeys.map((j) => j.meta), key: TEST_KEY });
    engine.attach(log);
    acted = (await engine.decide(request(2))).decision_id;
    await engine.decide(request(5));
    log.close();
  });

  it("logs every decision, chained and without the person's e-mail address or id", () => {
    expect(verifyLog(logPath)).toMatchObject({ ok: true, entries: 2 });
    const text = readFileSync(logPath, "utf8");
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain("cust-42");
    const [first] = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as LogEntry);
    expect(first).toMatchObject({ decision_id: acted, outcome: "acted", artifact: engine.hash, context: { "event.csat": 2 } });
    const context = first!.context as Record<string, unknown>;
    expect(context["customer.email"]).toMatch(/^hmac:[0-9a-f]{16}$/);
    expect(first!.explanation).toBe(`We wrote to ${String(context["customer.email"])} about your ticket.`);
  });

  it("explains a logged decision with the node texts of its artifact", async () => {
    const r = await run("explain", logPath, "--decision", acted, "--artifact", join(dir, "artifact"), "--format", "text");
    expect(r.code).toBe(0);
    expect(r.out).toContain('✓ contains(customer.email, "@corp.example") → true');
    expect(r.out).toMatch(/· customer\.email → hmac:[0-9a-f]{16}/);
    expect(r.out).toContain("· event.csat → 2");
  });

  it("refuses an artifact other than the one that made the decision", async () => {
    const other = await compiledEngine(SPEC_POLICY_DIR);
    const otherDir = join(tempDir(), "artifact");
    writeArtifactDir(otherDir, other.files);
    const r = await run("explain", logPath, "--decision", acted, "--artifact", otherDir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/but the decision was made by/);
  });
});
