// The checks that turn catalog tags into duties (issue 15, item 2): a marketing purpose reading
// direct or sensitive personal data needs an explicit allowance (`check/marketing-pii`), a
// purpose's `systems` allow-list rejects fields from other systems or without lineage
// (`check/system-not-allowed`, `check/no-lineage`), and personal data that journeys read
// without `retention` or `lineage` is a warning at the catalog field, which `--strict` fails.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkSources } from "../../compiler/index.ts";
import { checkText, seen } from "../helpers/compile.ts";

const EXAMPLE_CATALOG = readFileSync("policies/catalog.yaml", "utf8");

const CATALOG = `version: 1
entities:
  customer:
    key: customer_id
    fields:
      customer_id: { type: string, pii: identifier, lineage: crm.customers.id, retention: P10Y }
      email:       { type: string, pii: direct, lineage: crm.contacts.email, retention: P7Y }
      phone:       { type: string, pii: direct, lineage: crm.contacts.phone, retention: P7Y }
      birth_date:  { type: date, pii: direct, lineage: crm.customers.birth_date }
      nickname:    { type: string, pii: direct, retention: P1Y }
      diagnosis:   { type: string, pii: sensitive, labels: [health], lineage: claims.claims.diagnosis, retention: P10Y }
      timezone:    { type: string, lineage: crm.customers.tz }
      tenure:      { type: int, lineage: billing.accounts.tenure }
      score:       { type: int }
events:
  daily: { binds: [customer], schedule: true }
purposes:
  promo:      { bases: [consent], channels: [email], marketing: true, pii: [customer.phone], allows: [health] }
  promo_safe: { bases: [consent], channels: [email], marketing: true, forbids: [health] }
  care:       { bases: [contract], channels: [email], allows: [health] }
  billing_only: { bases: [contract], channels: [email], systems: [billing] }
  nothing:    { bases: [contract], channels: [email], systems: [] }
actions:
  email: { channel: email, params: { template: string } }
`;

const journey = (purpose: string, when: string, extra = "", id = "j") =>
  `journey ${id} {\n  purpose ${purpose}\n  on daily\n  when ${when}\n  do email(template: "t")\n${extra}}\n`;
const shown = (src: string | Record<string, string>, catalog = CATALOG) => seen(checkText(src, catalog));
const codes = (src: string | Record<string, string>, catalog = CATALOG) => shown(src, catalog).map((d) => [d.code, d.underlined]);

describe("the issue's reproduction", () => {
  // As a new user would write it against the example catalog: a renewal-marketing journey that
  // filters on the email address and the birth date and writes them into its reason.
  const REPRO = `journey renewal_birthday_offer {
  purpose renewal_marketing
  on      daily
  when    contains(customer.email, "@") and days_since(customer.birth_date) > 6570
  do      email(template: "birthday-offer")
  reason  "Hello {customer.email}, born {customer.birth_date}: here is your renewal offer."
}
`;

  it("is rejected: marketing may not read the direct personal data, and the reason may not show it", () => {
    const ds = shown(REPRO, EXAMPLE_CATALOG);
    expect(ds.filter((d) => d.severity === "error").map((d) => [d.code, d.underlined, d.line])).toEqual([
      ["check/marketing-pii", "customer.email", 4],
      ["check/marketing-pii", "customer.birth_date", 4],
      ["check/marketing-pii", "customer.email", 6],
      ["check/pii-in-reason", "customer.email", 6],
      ["check/marketing-pii", "customer.birth_date", 6],
      ["check/pii-in-reason", "customer.birth_date", 6],
    ]);
    const first = ds[0]!;
    expect(first.message).toBe("marketing purpose `renewal_marketing` reads `customer.email`, which identifies a person (pii: direct), without an allowance");
    expect(first.hint).toBe(
      "direct marketing may read such data only where the catalog allows it: add `customer.email` to `pii:` of purpose `renewal_marketing` if this use is intended and covered by its lawful basis, or remove the read",
    );
  });

  it("with the allowance in the catalog, only the reason is still rejected", () => {
    const allowed = EXAMPLE_CATALOG.replace("    marketing: true\n", "    marketing: true\n    pii: [customer.email, customer.birth_date]\n");
    expect(allowed).not.toBe(EXAMPLE_CATALOG);
    expect(codes(REPRO, allowed).filter(([c]) => c !== "check/pii-in-reason")).toEqual([]);
    expect(codes(REPRO, allowed).map(([c]) => c)).toEqual(["check/pii-in-reason", "check/pii-in-reason"]);
  });

  describe("through `kairos check`", () => {
    const root = mkdtempSync(join(tmpdir(), "kairos-governance-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const kairos = (args: string[]) =>
      spawnSync(process.execPath, [resolve("bin/kairos.js"), ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

    it("fails with the errors, each with its place and fix", () => {
      const dir = join(root, "repro");
      mkdirSync(join(dir, "journeys"), { recursive: true });
      cpSync("policies/catalog.yaml", join(dir, "catalog.yaml"));
      writeFileSync(join(dir, "journeys", "birthday.journey"), REPRO);
      const r = kairos(["check", dir]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("birthday.journey:4:20: error[check/marketing-pii]: marketing purpose `renewal_marketing` reads `customer.email`");
      expect(r.stderr).toContain("birthday.journey:6:19: error[check/pii-in-reason]");
      expect(r.stderr).toContain("6 errors, 0 warnings");
    });

    it("with `--strict`, fails on personal data without retention or lineage, and passes the example set", () => {
      const dir = join(root, "strict");
      cpSync("policies", dir, { recursive: true });
      const ok = kairos(["check", dir, "--strict"]);
      expect(ok.status).toBe(0);
      const catalog = join(dir, "catalog.yaml");
      const text = readFileSync(catalog, "utf8");
      // Without `retention` (its lineage stays: purpose `claims_handling` lists systems, so
      // dropping it would be an error, check/no-lineage).
      const untagged = text.replace("lineage: claims.claims.diagnosis, retention: P10Y }", "lineage: claims.claims.diagnosis }");
      expect(untagged).not.toBe(text);
      writeFileSync(catalog, untagged);
      const lax = kairos(["check", dir]);
      expect(lax.status).toBe(0);
      expect(lax.stderr).toContain("0 errors, 1 warning");
      const strict = kairos(["check", dir, "--strict"]);
      expect(strict.status).toBe(1);
      expect(strict.stderr).toContain("warning[check/pii-without-retention]: `claim.diagnosis` is personal data (pii: sensitive) that journeys read");
      expect(strict.stderr).toContain("0 errors, 1 warning (--strict: warnings fail)");
    });
  });
});

describe("check/marketing-pii", () => {
  it("rejects direct and sensitive personal data the allowance does not list, at each read", () => {
    expect(codes(journey("promo", 'customer.email != "" and customer.diagnosis != "" and customer.phone != ""'))).toEqual([
      ["check/marketing-pii", "customer.email"],
      ["check/marketing-pii", "customer.diagnosis"],
    ]);
    const sensitive = shown(journey("promo", 'customer.diagnosis != ""'))[0]!;
    expect(sensitive.message).toBe(
      "marketing purpose `promo` reads `customer.diagnosis`, which is special-category data (pii: sensitive), without an allowance",
    );
  });

  it("accepts pseudonymous identifiers, data that is not personal, and what the allowance lists", () => {
    expect(codes(journey("promo", 'customer.customer_id != "" and customer.tenure > 1 and customer.phone != ""'))).toEqual([]);
  });

  it("does not apply to a purpose that is not marketing", () => {
    expect(codes(journey("care", 'customer.email != "" and customer.diagnosis != ""'))).toEqual([]);
  });

  it("reports a read through a named condition at the condition's use", () => {
    const src = `condition reachable = contains(customer.email, "@")\n${journey("promo", "reachable and customer.tenure > 1")}`;
    expect(codes(src)).toEqual([["check/marketing-pii", "reachable"]]);
  });

  it("is not asked for on top of a forbidden label, which no allowance can lift", () => {
    expect(codes(journey("promo_safe", 'customer.diagnosis != ""'))).toEqual([["check/forbidden-label", "customer.diagnosis"]]);
  });
});

describe("a purpose's `systems` allow-list", () => {
  it("rejects a field from a system the purpose does not list, at the read", () => {
    const ds = shown(journey("billing_only", 'customer.tenure > 1 and customer.timezone != ""'));
    expect(ds.map((d) => [d.code, d.underlined])).toEqual([["check/system-not-allowed", "customer.timezone"]]);
    expect(ds[0]!.message).toBe("`customer.timezone` comes from system `crm` (lineage `crm.customers.tz`), which purpose `billing_only` does not allow");
    expect(ds[0]!.hint).toBe(
      "purpose `billing_only` may read from `billing`: add `crm` to its `systems` in the catalog if this source is intended, or remove the read",
    );
  });

  it("rejects a field without lineage: its source cannot be shown to be allowed", () => {
    const ds = shown(journey("billing_only", "customer.score > 1"));
    expect(ds.map((d) => [d.code, d.underlined])).toEqual([["check/no-lineage", "customer.score"]]);
    expect(ds[0]!.message).toBe("`customer.score` has no `lineage`, so it cannot be shown to come from a system purpose `billing_only` allows (`billing`)");
    expect(ds[0]!.hint).toBe("tag the field in the catalog with its source, such as `lineage: billing.table.column`, or remove the read");
  });

  it("covers the time zone that quiet hours read, at `quiet`", () => {
    expect(codes(journey("billing_only", "customer.tenure > 1", "  quiet 21:00 .. 08:00\n"))).toEqual([["check/system-not-allowed", "quiet"]]);
  });

  it("allows no system when empty, and any system when absent", () => {
    expect(codes(journey("nothing", "customer.tenure > 1 and customer.score > 1"))).toEqual([
      ["check/system-not-allowed", "customer.tenure"],
      ["check/no-lineage", "customer.score"],
    ]);
    expect(codes(journey("care", "customer.tenure > 1 and customer.score > 1"))).toEqual([]);
  });
});

describe("personal data without retention or lineage", () => {
  it("warns once per field, at the field in the catalog, pointing at the first read", () => {
    const r = checkText(
      {
        "a.journey": journey("care", 'customer.birth_date < 2000-01-01 and customer.nickname != ""', "", "first"),
        "b.journey": journey("care", "customer.birth_date < 1990-01-01", "", "second"),
      },
      CATALOG.replace("      nickname:    { type: string, pii: direct, retention: P1Y }", "      nickname:    { type: string, pii: direct, optional: false }"),
    );
    const ds = seen(r);
    expect(ds.map((d) => [d.code, d.severity, d.underlined, d.line])).toEqual([
      ["check/pii-without-retention", "warning", "birth_date", 9],
      ["check/pii-without-lineage", "warning", "nickname", 10],
      ["check/pii-without-retention", "warning", "nickname", 10],
    ]);
    const d = r.diagnostics[0]!;
    expect(d.span.file).toBe("catalog.yaml");
    expect(d.message).toBe("`customer.birth_date` is personal data (pii: direct) that journeys read, but has no `retention`");
    expect(d.hint).toBe("say how long the value is kept, as an ISO 8601 duration, such as `retention: P7Y`");
    expect(d.related?.map((x) => [x.span.file, r.sources.get(x.span.file)!.slice(x.span), x.message])).toEqual([
      ["a.journey", "customer.birth_date", "read by journey `first` here"],
    ]);
    expect(r.program).toBeDefined();
  });

  it("does not warn about fields no journey reads, or that are not personal data", () => {
    expect(codes(journey("care", "customer.score > 1 and customer.tenure > 1"))).toEqual([]);
  });

  it("leaves the example policy set without any diagnostic", () => {
    const dir = "policies";
    const r = checkSources({
      catalog: { name: "catalog.yaml", text: EXAMPLE_CATALOG },
      journeys: readdirSync(join(dir, "journeys")).map((name) => ({ name, text: readFileSync(join(dir, "journeys", name), "utf8") })),
      rego: [],
    });
    expect(r.diagnostics).toEqual([]);
    expect(r.program?.journeys.length).toBeGreaterThan(0);
  });
});
