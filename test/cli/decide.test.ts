// `kairos decide`: the decision on stdout as canonical JSON, exit 0 when a decision was made;
// 1 on an `error` outcome (unless --allow-error) and when the policies do not compile; 2 on
// usage errors and malformed request files.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { writeArtifactDir } from "../../compiler/node/artifact-write.ts";
import { runCli } from "../helpers/cli.ts";
import { compiledEngine, SPEC_POLICY_DIR } from "../runtime/compiled.ts";

let tmp: string;
const REQUEST = {
  event: { type: "daily", id: "d" },
  subject: "c-1",
  now: "2026-05-30T12:00:00Z",
  region: "eu",
  context: {
    customer: { customer_id: "c-1", email: "a@b.c", timezone: "Europe/Berlin", tenure_months: 24, segment: "retail", recent_interactions: [] },
    policy: { status: "active", renewal_date: "2026-08-28", premium: 1 },
    onboarding: { completed_steps: 5, total_steps: 5, last_progress_at: "2026-05-01T00:00:00Z" },
  },
  consents: [{ purpose: "renewal_marketing", channel: "email", status: "granted", at: "2026-01-01T00:00:00Z" }],
};

function kairos(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return runCli(["decide", ...argv]);
}

function file(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "kairos-decide-"));
  writeArtifactDir(join(tmp, "artifact"), (await compiledEngine()).files);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("kairos decide", () => {
  test("compiles a policy directory and prints the decision, exit 0", async () => {
    const r = await kairos(SPEC_POLICY_DIR, "--request", file("ok.json", JSON.stringify(REQUEST)));
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out) as Record<string, unknown>;
    expect(d).toMatchObject({ outcome: "acted", journey: "renewal_reminder_d90", basis: "consent" });
    expect(r.out).toMatch(/^\{\n {2}"action": \{\n {4}"channel": "email",/);
  });

  test("an artifact directory gives the same bytes as compiling in memory", async () => {
    const req = file("same.json", JSON.stringify(REQUEST));
    const a = await kairos("--artifact", join(tmp, "artifact"), "--request", req);
    const b = await kairos(join(tmp, "artifact"), "--request", req);
    const c = await kairos(SPEC_POLICY_DIR, "--request", req);
    expect(a.code).toBe(0);
    expect(b.out).toBe(a.out);
    expect(c.out).toBe(a.out);
  });

  test("an `error` outcome prints the decision and exits 1; --allow-error exits 0", async () => {
    const req = file("err.json", JSON.stringify({ ...REQUEST, context: {} }));
    const r = await kairos("--artifact", join(tmp, "artifact"), "--request", req);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ outcome: "error", error: { code: "missing_field" } });
    expect(r.err).toContain("the outcome is `error`");
    const allowed = await kairos("--artifact", join(tmp, "artifact"), "--request", req, "--allow-error");
    expect(allowed.code).toBe(0);
    expect(allowed.out).toBe(r.out);
  });

  test("invalid JSON exits 2 naming the file, line and column", async () => {
    const path = file("bad.json", '{\n  "subject": "c-1",\n  "now": ,\n}');
    const r = await kairos("--artifact", join(tmp, "artifact"), "--request", path);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain(`${path}:3:10: invalid JSON: expected a value, found \`,\``);
  });

  test("a malformed request exits 2 naming the JSON path and what is expected", async () => {
    const path = file("shape.json", JSON.stringify({ ...REQUEST, region: 7 }));
    const r = await kairos("--artifact", join(tmp, "artifact"), "--request", path);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${path}: region: expected a string, got the number 7`);
  });

  test("an event type the catalog lacks exits 2 with a hint", async () => {
    const path = file("event.json", JSON.stringify({ ...REQUEST, event: { type: "daly", id: "d" } }));
    const r = await kairos("--artifact", join(tmp, "artifact"), "--request", path);
    expect(r.code).toBe(2);
    expect(r.err).toContain("event.type: unknown event type `daly`");
    expect(r.err).toContain("help: did you mean `daily`?");
  });

  test("policies that do not compile exit 1 with diagnostics on stderr", async () => {
    const dir = join(tmp, "broken");
    cpSync(SPEC_POLICY_DIR, dir, { recursive: true });
    writeFileSync(
      join(dir, "journeys", "broken.journey"),
      'journey broken {\n  purpose renewal_marketing\n  on daily\n  when customer.tenure >= 1\n  do email(template: "x")\n}\n',
    );
    const r = await kairos(dir, "--request", file("ok2.json", JSON.stringify(REQUEST)));
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toContain("broken.journey:4:");
    expect(r.err).toContain("does not compile; no decision was made");
  });

  test("usage errors exit 2", async () => {
    expect((await kairos(SPEC_POLICY_DIR)).code).toBe(2);
    expect((await kairos("--request", "x.json")).code).toBe(2);
    expect((await kairos(SPEC_POLICY_DIR, "--artifact", "a", "--request", "x.json")).code).toBe(2);
    const missing = await kairos(SPEC_POLICY_DIR, "--request", join(tmp, "nope.json"));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("cannot read the request file");
  });

  test("a tampered artifact exits 1", async () => {
    const dir = join(tmp, "tampered");
    cpSync(join(tmp, "artifact"), dir, { recursive: true });
    writeFileSync(join(dir, "predicates.js"), "export const journeys = [];");
    const r = await kairos("--artifact", dir, "--request", file("ok3.json", JSON.stringify(REQUEST)));
    expect(r.code).toBe(1);
    expect(r.err).toContain("does not match its hash");
  });
});
