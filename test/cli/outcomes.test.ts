// `kairos outcomes import FILE` as a user runs it (the real binary in a child process): a CSV file
// straight into a real SQLite store (type-checked against the example policy set's catalog) and a
// JSON Lines file through a running service's `POST /v1/outcomes`; a file of 1,500 outcomes goes in
// two batches; importing again adds nothing (idempotent by id); a file with mistakes is reported
// line by line and writes nothing; a type the service refuses is reported at its line; no target,
// or a store without its policy set, is a usage error.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openStore } from "../../server/store/index.ts";
import type { ServiceStore } from "../../server/store/types.ts";
import { startTestServer, type TestServer } from "../server/helpers.ts";

const BIN = resolve("bin/kairos.js");
const POLICIES = resolve("policies");
const root = mkdtempSync(join(tmpdir(), "kairos-outcomes-cli-"));
const dataDir = join(root, "data");

/** Runs the binary without blocking this process (a test server answers it meanwhile). */
function kairos(args: readonly string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, "outcomes", ...args], { env: { ...process.env, NO_COLOR: "1", ...env }, cwd: root, timeout: 120_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", fail);
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}

async function counts(): Promise<Readonly<Record<string, number>>> {
  const store = (await openStore("sqlite:", { dataDir })) as ServiceStore;
  try {
    return await store.outcomeCounts();
  } finally {
    await store.close();
  }
}

function file(name: string, text: string): string {
  const path = join(root, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(async () => {
  // The store a `kairos serve --store sqlite:` made (its data directory), not in use.
  await (await openStore("sqlite:", { dataDir })).close();
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("kairos outcomes import into a store", () => {
  test("imports a CSV file (header in any order, quoted fields, empty cells), then adds nothing when it comes again", async () => {
    const csv = file(
      "renewals.csv",
      'at,subject,type,value,id\r\n2026-06-01T09:00:00Z,c-1,renewal,1200.50,\r\n2026-06-02T09:00:00+02:00,"c,2",complaint,,crm-9\n2026-06-03T09:00:00Z,c-3,claim_closed,12,\n',
    );
    const first = await kairos(["import", csv, "--store", dataDir, "--policies", POLICIES]);
    expect(first.stderr).toBe("");
    expect(first).toMatchObject({ status: 0 });
    expect(first.stdout).toContain(`imported 3 outcomes from ${csv} into the store at ${dataDir}: 3 added, 0 already there`);
    const again = await kairos(["import", csv, "--store", dataDir, "--policies", POLICIES, "--format", "json"]);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ file: csv, outcomes: 3, batches: 1, store: { added: 0, duplicates: 3 } });
    expect(await counts()).toEqual({ claim_closed: 1, complaint: 1, renewal: 1 });
  });

  test("reports every problem of a file with its line and field, and writes nothing", async () => {
    const before = await counts();
    const bad = file(
      "bad.csv",
      [
        "subject,type,at,value",
        "c-1,renewal,2026-06-01T09:00:00Z,10",
        "c-1,refund,2026-06-01T09:00:00Z,12",
        "c-2,renewal,2026-06-01,1",
        "c-3,renewal,2026-06-01T09:00:00Z,1.200,50",
        "c-4,renewal,2026-06-01T09:00:00Z,€12",
      ].join("\n"),
    );
    const r = await kairos(["import", bad, "--store", dataDir, "--policies", POLICIES]);
    expect(r.status).toBe(1);
    expect(r.stderr.split("\n").slice(0, 5)).toEqual([
      `${bad}:3: \`type\` \`refund\` is not an outcome type of the policy set (claim_closed, complaint, conversion, renewal, unsubscribe)`,
      `${bad}:4: \`at\` \`2026-06-01\` is not an ISO 8601 datetime with an offset (\`2026-05-30T09:00:00Z\`)`,
      `${bad}:5: has 5 fields, the header 4`,
      `${bad}:6: \`value\` \`€12\` is not a number (write 1200.50, not 1.200,50 or €1200)`,
      `kairos outcomes: 4 problems in ${bad}; nothing was imported`,
    ]);
    const jsonl = file("bad.jsonl", '{"subject":"c-1","type":"renewal","at":"2026-06-01T09:00:00Z"}\n\n{"subject":"c-1",\n[1]\n');
    const j = await kairos(["import", jsonl, "--store", dataDir, "--policies", POLICIES]);
    expect(j.status).toBe(1);
    expect(j.stderr).toMatch(new RegExp(`${jsonl}:3: is not JSON: .*\\n${jsonl}:4: is not a JSON object`));
    expect(await counts()).toEqual(before);
  });

  test("writes a large file in batches of 1,000", async () => {
    const lines = Array.from({ length: 1500 }, (_, i) => JSON.stringify({ id: `big-${i}`, subject: `b-${i}`, type: "conversion", at: "2026-06-05T00:00:00Z" }));
    const big = file("big.jsonl", `${lines.join("\n")}\n`);
    const r = await kairos(["import", big, "--store", dataDir, "--policies", POLICIES, "--format", "json"]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcomes: 1500, batches: 2, store: { added: 1500, duplicates: 0 } });
    expect((await counts())["conversion"]).toBe(1500);
  });

  test("needs a target, and the policy set with a store", async () => {
    const csv = join(root, "renewals.csv");
    expect(await kairos(["import", csv])).toMatchObject({ status: 2, stderr: expect.stringContaining("say where the outcomes go") });
    expect(await kairos(["import", csv, "--store", dataDir])).toMatchObject({ status: 2, stderr: expect.stringContaining("`--store` needs `--policies") });
    expect(await kairos(["import", csv, "--url", "http://127.0.0.1:9"], { KAIROS_TOKEN: "" })).toMatchObject({ status: 2 });
    expect(await kairos(["import", join(root, "renewals.txt"), "--store", dataDir, "--policies", POLICIES])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining("cannot tell the format"),
    });
  });
});

describe("kairos outcomes import through a running service", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ clock: "request" });
  });
  afterAll(async () => {
    await t?.close();
  });

  test("posts a JSON Lines file with a token, then adds nothing when it comes again", async () => {
    const jsonl = file(
      "crm.jsonl",
      '{"subject":"c-1","type":"renewal","at":"2026-06-01T09:00:00Z","value":900}\n{"id":"x-1","subject":"c-2","type":"unsubscribe","at":"2026-06-02T09:00:00Z"}\n',
    );
    const r = await kairos(["import", jsonl, "--url", t.url], { KAIROS_TOKEN: t.admin });
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(`imported 2 outcomes from ${jsonl} into the service at ${t.url}: 2 added, 0 already there`);
    const again = await kairos(["import", jsonl, "--url", t.url, "--token", t.admin, "--format", "json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ service: { added: 0, duplicates: 2 } });
    expect(await (t.server.store as ServiceStore).outcomeCounts()).toEqual({ renewal: 1, unsubscribe: 1 });
  });

  test("reports a type the service's policy set lacks at its line, and a token without the scope", async () => {
    const jsonl = file(
      "other.jsonl",
      '{"subject":"c-1","type":"renewal","at":"2026-06-01T10:00:00Z"}\n{"subject":"c-1","type":"claim_closed","at":"2026-06-01T10:00:00Z"}\n',
    );
    const r = await kairos(["import", jsonl, "--url", t.url, "--token", t.admin]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${jsonl}:2: \`type\` \`claim_closed\` is not an outcome type of the policy set`);
    expect(r.stderr).toContain("this batch was not written");
    const reader = t.token(`reader-${Date.now()}`, ["audit:read"]);
    const denied = await kairos(["import", jsonl, "--url", t.url, "--token", reader]);
    expect(denied).toMatchObject({ status: 1, stderr: expect.stringContaining("answered 403") });
    expect(await (t.server.store as ServiceStore).outcomeCounts()).toEqual({ renewal: 1, unsubscribe: 1 });
  });
});
