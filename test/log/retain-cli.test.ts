// `kairos log retain` (cli/commands/log.ts): on a file log with the retention of a compiled
// artifact's catalog and/or a default, dry or for real, and on the service's store; its usage
// errors and exit codes.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../server/store/index.ts";
import { runCli } from "../helpers/cli.ts";
import { KEY_ENV, KEYS, LOG, pending } from "../store/helpers.ts";
import { readLines, tempDir, writeIntegrityKeyFile, writeLog } from "./helpers.ts";

const NOW = "2026-12-06T12:00:00Z";

function logFile(n = 4): string {
  const path = join(tempDir(), "decisions.log");
  writeLog(path, n, { checkpointEvery: 2 });
  writeIntegrityKeyFile(path);
  return path;
}

const CATALOG = `version: 1
entities:
  customer:
    key: customer_id
    fields:
      customer_id:   { type: string, pii: identifier, lineage: crm.customers.id, residency: eu, retention: P10Y }
      tenure_months: { type: int, lineage: billing.accounts.tenure_months, retention: P90D }
events:
  ticket.resolved: { binds: [customer], fields: { ticket_id: string } }
purposes:
  service_updates: { bases: [contract], channels: [email] }
actions:
  email: { channel: email, params: { template: string } }
`;

const JOURNEY = `journey tenure_thanks {
  title    "Thanks for staying"
  purpose  service_updates
  on       ticket.resolved
  when     customer.tenure_months >= 12
  do       email(template: "thanks")
  reason   "You have been with us for a while."
}
`;

let artifact: string;

beforeAll(async () => {
  const dir = tempDir();
  mkdirSync(join(dir, "journeys"));
  writeFileSync(join(dir, "catalog.yaml"), CATALOG);
  writeFileSync(join(dir, "journeys", "thanks.journey"), JOURNEY);
  artifact = join(tempDir(), "artifact");
  const r = await runCli(["compile", dir, "--out", artifact]);
  expect(r.code, r.err).toBe(0);
}, 60_000);

describe("kairos log retain FILE", () => {
  it("purges with the artifact's catalog retentions, reports by field, and the log still verifies", async () => {
    const path = logFile(8);
    const r = await runCli(["log", "retain", path, "--artifact", artifact, "--now", NOW]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    // Sample 1 of the 4 (entries 1 and 5) reads customer.tenure_months (decided 2026-05-30: due 2026-08-28); the others nothing with a retention.
    expect(r.out).toContain(`${path}: purged 2 entries (context and sealed request replaced by their sha256 digests): 2 by customer.tenure_months (P90D)`);
    expect(r.out).toContain("already purged 0, within retention 0, no retention 6");
    expect(r.out).toMatch(/4 checkpoints signed again with the new size/);
    expect(r.out).toMatch(/^ok: 8 entries, chain intact and authenticated, head [0-9a-f]{64} \(unchanged by the purge\)$/m);
    const purged = readLines(path).map((l) => (JSON.parse(l) as { context: unknown }).context);
    expect(purged.map((c) => typeof c === "string")).toEqual([true, false, false, false, true, false, false, false]);
    const verified = await runCli(["log", "verify", path]);
    expect(verified.code).toBe(0);
    expect(verified.out).toMatch(/^note: 4 checkpoints signed again after retention purged entries before them \(the last at 20\d\d-/m);
  });

  it("purges a decision `kairos decide --log` made; replay then counts it as purged, not as a difference", async () => {
    const dir = tempDir();
    const request = join(dir, "request.json");
    writeFileSync(
      request,
      JSON.stringify({
        event: { type: "ticket.resolved", id: "t-1", payload: { ticket_id: "t-1" } },
        subject: "cust-1",
        now: "2026-05-30T09:00:00Z",
        region: "eu",
        context: { customer: { tenure_months: 14 } },
        consents: [],
        objections: [],
        history: [],
      }),
    );
    const log = join(dir, "decisions.log");
    const decided = await runCli(["decide", artifact, "--request", request, "--log", log]);
    expect(decided.code, decided.err).toBe(0);
    const within = await runCli(["log", "retain", log, "--artifact", artifact, "--now", "2026-08-28T08:59:59Z"]);
    expect(within.out).toContain("within retention 1 (the next one due 2026-08-28T09:00:00.000Z)");
    const r = await runCli(["log", "retain", log, "--artifact", artifact, "--now", "2026-08-28T09:00:00Z"]);
    expect(r.out).toContain("purged 1 entry (context and sealed request replaced by their sha256 digests): 1 by customer.tenure_months (P90D)");
    expect(readFileSync(log, "utf8")).not.toContain('"customer.tenure_months":14');
    expect((await runCli(["log", "verify", log])).code).toBe(0);
    const replay = await runCli(["replay", log, "--artifact", artifact]);
    expect(replay.code).toBe(0);
    expect(replay.out).toContain("1 entries had their sealed request purged (retention or erasure) and were not replayed");
  });

  it("reports a dry run without writing, and with --format json", async () => {
    const path = logFile();
    const bytes = readFileSync(path);
    const r = await runCli(["log", "retain", path, "--default-retention", "P30D", "--now", NOW, "--dry-run", "--format", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ file: path, now: "2026-12-06T12:00:00.000Z", purged: 4, dryRun: true, bySource: { default: 4 } });
    expect(readFileSync(path).equals(bytes)).toBe(true);
    const text = await runCli(["log", "retain", path, "--default-retention", "P30D", "--now", NOW, "--dry-run"]);
    expect(text.out).toContain("would purge 4 entries");
    expect(text.out).toContain("dry run: nothing was written");
  });

  it("says what is missing or wrong, with exit 2", async () => {
    const path = logFile(1);
    const none = await runCli(["log", "retain", path]);
    expect(none.code).toBe(2);
    expect(none.err).toContain("nothing says how long to keep entries: give `--artifact OUT`");
    const bad = await runCli(["log", "retain", path, "--default-retention", "30d"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("`--default-retention` takes an ISO 8601 duration like `P2Y`");
    const when = await runCli(["log", "retain", path, "--default-retention", "P1D", "--now", "yesterday"]);
    expect(when.code).toBe(2);
    expect(when.err).toContain("`--now` takes an ISO 8601 datetime");
    const notArtifact = await runCli(["log", "retain", path, "--artifact", tempDir()]);
    expect(notArtifact.code).toBe(2);
    expect(notArtifact.err).toMatch(/cannot read the artifact .*manifest\.json/);
    const notLog = join(tempDir(), "notes.txt");
    writeFileSync(notLog, "hello\n");
    writeIntegrityKeyFile(notLog);
    const nl = await runCli(["log", "retain", notLog, "--default-retention", "P1D"]);
    expect(nl.code).toBe(2);
    expect(nl.err).toContain("is not a Kairos decision log");
    const noKey = join(tempDir(), "decisions.log");
    writeLog(noKey, 1);
    const nk = await runCli(["log", "retain", noKey, "--default-retention", "P1D"]);
    expect(nk.code).toBe(2);
    expect(nk.err).toContain("retention needs the log's integrity key");
  });

  it("refuses a damaged log (exit 1) and leaves it as it was", async () => {
    const path = logFile(2);
    const text = readFileSync(path, "utf8").replace('"outcome":"acted"', '"outcome":"denied"');
    writeFileSync(path, text);
    const r = await runCli(["log", "retain", path, "--default-retention", "P1D", "--now", NOW]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("retention rewrites only a log that verifies, so nothing was changed");
    expect(readFileSync(path, "utf8")).toBe(text);
  });
});

describe("kairos log retain --store", () => {
  const saved = { ...process.env };
  beforeAll(() => void Object.assign(process.env, KEY_ENV));
  afterAll(() => {
    process.env = saved;
  });

  it("purges every shard of an embedded store and checks it as `log verify --store` does", async () => {
    const dataDir = tempDir();
    const store = await openStore("sqlite:", { dataDir, keys: KEYS, log: LOG, shards: 2, checkpointEvery: 2 });
    for (let i = 0; i < 6; i++) expect((await store.commit([pending({ subject: `s-${i}`, version: 0 })]))[0]?.status).toBe("committed");
    await store.close();
    const r = await runCli(["log", "retain", "--store", dataDir, "--default-retention", "P30D", "--now", NOW]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^shard 0: purged \d+ entr(y|ies) of \d+ examined/m);
    expect(r.out).toMatch(/: purged 6 entries: 6 by the default \(P30D\)$/m);
    expect(r.out).toMatch(/^shard 1: ok: \d+ entr(y|ies), chain intact and authenticated$/m);
    const again = await runCli(["log", "retain", "--store", dataDir, "--default-retention", "P30D", "--now", NOW]);
    expect(again.out).toMatch(/: purged 0 entries$/m);
    expect((await runCli(["log", "verify", "--store", dataDir])).code).toBe(0);
  });
});
