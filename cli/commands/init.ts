// `kairos init [DIR]`: a new policy set that works as written — a catalog, one journey with its
// tests, and the standard consent/residency Rego with its OPA tests — so a newcomer starts from
// something `kairos check` and `kairos test` accept (test/cli/init.test.ts runs both on it).
// Refuses a directory that already holds files: nothing of the user's is ever overwritten.
import { copyFileSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_REGO_DIR } from "../../compiler/opa/index.ts";
import { helpOf } from "../help/commands.ts";
import { CliError, EXIT, parse, UsageError } from "../io.ts";
import type { Command } from "../main.ts";

const HELP = helpOf("init");

const CATALOG = `# The data catalog: entities and their fields (with data-protection tags), events, purposes,
# residency transfers and actions. Reference: docs/catalog.md.
version: 1
entities:
  customer:
    key: customer_id
    fields:
      customer_id:   { type: string, pii: identifier, lineage: crm.customers.id, residency: eu, retention: P10Y }
      email:         { type: string, pii: direct, lineage: crm.contacts.email, residency: eu, retention: P7Y }
      timezone:      { type: string, lineage: crm.customers.tz }
      signed_up_at:  { type: datetime, lineage: crm.customers.signed_up_at }
      verified:      { type: bool, lineage: crm.customers.verified }
events:
  daily: { binds: [customer], schedule: true }
purposes:
  service_updates: { bases: [contract], channels: [email] }
transfers: {}
actions:
  email: { channel: email, params: { template: string } }
`;

const JOURNEY = `# A first journey: welcome a customer who has not verified their account after two days.
# Check it with \`kairos check .\`, run its tests with \`kairos test .\` (docs/language.md, docs/testing.md).

journey welcome_reminder {
  title    "Reminder to verify the account"
  purpose  service_updates
  priority 10
  on       daily
  when     not customer.verified and days_since(customer.signed_up_at) >= 2
  do       email(template: "verify-account")
  cap      1 per 7d
  quiet    21:00 .. 08:00
  reason   "You signed up but have not verified your account yet, so we sent you a reminder."
}

test "reminds an unverified customer after two days" {
  now       2026-03-02T10:00:00Z
  event     daily
  given     customer { timezone: "Europe/Berlin", signed_up_at: 2026-02-27T09:00:00Z, verified: false }
  expect    acted welcome_reminder
  expect    basis contract
  expect    action email(template: "verify-account")
}

test "does not remind a verified customer" {
  now       2026-03-02T10:00:00Z
  event     daily
  given     customer { timezone: "Europe/Berlin", signed_up_at: 2026-02-27T09:00:00Z, verified: true }
  expect    no_match
}

test "waits two days after sign-up" {
  now       2026-03-02T10:00:00Z
  event     daily
  given     customer { timezone: "Europe/Berlin", signed_up_at: 2026-03-01T09:00:00Z, verified: false }
  expect    no_match
}
`;

const README = `# Policy set

Created by \`kairos init\`.

- \`catalog.yaml\`: the data catalog (docs/catalog.md)
- \`journeys/welcome.journey\`: a journey and its tests (docs/language.md, docs/testing.md)
- \`rego/\`: the consent and residency policies OPA evaluates, with their tests (docs/opa-contract.md)

    kairos check .      # diagnostics
    kairos test .       # the tests
    kairos compile . --out build/artifact
`;

function isEmptyOrMissing(dir: string): boolean {
  try {
    if (!statSync(dir).isDirectory()) throw new CliError(`\`${dir}\` is a file, not a directory`, { exit: EXIT.usage, hint: "give a new directory name" });
  } catch (e) {
    if (e instanceof CliError) throw e;
    return true;
  }
  return readdirSync(dir).length === 0;
}

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const { positionals } = parse(argv, {});
    if (positionals.length > 1) throw new UsageError("give at most one directory");
    const dir = positionals[0] ?? ".";
    if (!isEmptyOrMissing(dir)) {
      throw new CliError(`\`${dir}\` is not empty; \`kairos init\` never overwrites files`, {
        exit: EXIT.usage,
        hint: "give a new or empty directory: `kairos init my-policies`",
      });
    }
    mkdirSync(join(dir, "journeys"), { recursive: true });
    mkdirSync(join(dir, "rego"), { recursive: true });
    const written: string[] = [];
    const write = (path: string, text: string) => {
      writeFileSync(join(dir, path), text, { flag: "wx" });
      written.push(path);
    };
    write("catalog.yaml", CATALOG);
    write("journeys/welcome.journey", JOURNEY);
    for (const f of readdirSync(DEFAULT_REGO_DIR).sort()) {
      if (!f.endsWith(".rego")) continue;
      copyFileSync(join(DEFAULT_REGO_DIR, f), join(dir, "rego", f));
      written.push(`rego/${f}`);
    }
    write("README.md", README);
    io.out(
      [`created a policy set in ${dir}:`, ...written.map((w) => `  ${join(dir, w)}`), "", "next:", `  kairos check ${dir}`, `  kairos test ${dir}`].join("\n"),
    );
    return EXIT.ok;
  },
};
