// Issue 10, defect 5 (compiler side): a `reason` is shown to the customer and kept in the
// decision log, so interpolating personal data (a field with `pii` other than `none`) is a
// compile error, `check/pii-in-reason`, unless the catalog allows that field in reasons with
// `reason_allowed: true`. Whatever form the read takes: a scalar, a list, a duration, through
// a function, a quantifier or a named condition.
import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../compiler/catalog/index.ts";
import { catalogFromJson, catalogToJson } from "../../core/catalog/serialize.ts";
import { SourceFile } from "../../core/source.ts";
import { checkText, seen } from "../helpers/compile.ts";

const CATALOG = `version: 1
entities:
  customer:
    key: customer_id
    fields:
      customer_id: { type: string, pii: identifier }
      email:       { type: string, pii: direct }
      emails:      { type: list, of: string, pii: direct }
      waited:      { type: duration, pii: identifier }
      birth_date:  { type: date, pii: direct }
      diagnosis:   { type: string, pii: sensitive, labels: [health] }
      first_name:  { type: string, pii: direct, reason_allowed: true }
      nickname:    { type: string, pii: direct, optional: true }
      tenure:      { type: int }
      tier:        { type: string, reason_allowed: true }
      tags:        { type: list, of: string }
      contacts:    { type: list, of: { kind: string, address: string }, pii: direct }
events:
  daily: { binds: [customer], schedule: true }
purposes:
  care: { bases: [contract], channels: [email], allows: [health] }
actions:
  email: { channel: email, params: { template: string } }
`;

const journey = (reason: string, when = "true", extra = "") =>
  `${extra}journey j {\n  purpose care\n  on daily\n  when ${when}\n  do email(template: "t")\n  reason "${reason}"\n}\n`;
const errors = (src: string) => seen(checkText(src, CATALOG)).filter((d) => d.severity === "error");

describe("check/pii-in-reason", () => {
  it.each([
    ["a direct identifier", "Hello {customer.email}", "customer.email", "customer.email", "direct"],
    ["a pseudonymous identifier", "Your id is {customer.customer_id}", "customer.customer_id", "customer.customer_id", "identifier"],
    ["special-category data", "About {customer.diagnosis}", "customer.diagnosis", "customer.diagnosis", "sensitive"],
    ["a list", "We wrote to {customer.emails}", "customer.emails", "customer.emails", "direct"],
    ["a duration", "You waited {customer.waited}", "customer.waited", "customer.waited", "identifier"],
    ["a read through a function", "Hello {lower(customer.email)}", "customer.email", "customer.email", "direct"],
    ["a derived number", "You are {days_since(customer.birth_date)} days old", "customer.birth_date", "customer.birth_date", "direct"],
    ["a count of a personal list", "{count(customer.emails)} addresses", "customer.emails", "customer.emails", "direct"],
    ["a quantifier over a personal list", "{any e in customer.emails: contains(e, customer.tier)}", "customer.emails", "customer.emails", "direct"],
  ])("rejects %s in a reason, at the read, with the fix", (_, reason, underlined, path, pii) => {
    expect(errors(journey(reason))).toEqual([
      {
        code: "check/pii-in-reason",
        severity: "error",
        underlined,
        line: 6,
        message: `this \`reason\` reads \`${path}\`, which is personal data (pii: ${pii})`,
        hint: `a reason is shown to the customer and kept in the decision log: leave \`${path}\` out of it, or mark the field \`reason_allowed: true\` in the catalog if showing it is intended`,
      },
    ]);
  });

  it("rejects personal data read through a named condition, at the condition's use", () => {
    const ds = errors(journey("{has_mail}", "has_mail", 'condition has_mail = contains(customer.email, "@")\n'));
    expect(ds.map((d) => [d.code, d.underlined])).toEqual([["check/pii-in-reason", "has_mail"]]);
  });

  // Issue 15: personal data reached indirectly — through a chain of named conditions, a
  // quantifier's variable or body, or a member of a list literal — is caught like a direct read.
  it.each([
    [
      "a chain of named conditions",
      "{is_active}",
      "is_active",
      'condition has_mail = contains(customer.email, "@")\ncondition is_active = has_mail and customer.tenure > 1\n',
    ],
    [
      "a named condition inside a quantifier",
      "{any t in customer.tags: t == customer.tier and has_mail}",
      "has_mail",
      'condition has_mail = contains(customer.email, "@")\n',
    ],
    ["a quantifier variable compared with personal data", "{any t in customer.tags: t == customer.email}", "customer.email", ""],
    // (A reason's interpolation holds no string literals: syntax/template-string.)
    ["a member of a personal list's element, through its variable", "{any c in customer.contacts: c.kind == customer.tier}", "customer.contacts", ""],
    ["a member of a list literal", "{customer.tier in [customer.tier, customer.email]}", "customer.email", ""],
  ])("rejects personal data reached through %s", (_, reason, underlined, extra) => {
    const used = extra === "" ? "true" : extra.includes("is_active") ? "is_active" : "has_mail";
    expect(errors(journey(reason, used, extra)).map((d) => [d.code, d.underlined])).toEqual([["check/pii-in-reason", underlined]]);
  });

  it("reports each read once per place", () => {
    const ds = errors(journey("{customer.email} {customer.email} {customer.tenure}"));
    expect(ds.map((d) => d.code)).toEqual(["check/pii-in-reason", "check/pii-in-reason"]);
  });

  it("allows a personal-data field the catalog marks `reason_allowed: true`", () => {
    expect(errors(journey("Hello {customer.first_name}, {lower(customer.first_name)}"))).toEqual([]);
  });

  it("allows fields that are not personal data, and personal data read only in `when`", () => {
    expect(errors(journey("{customer.tenure} months, tier {customer.tier}", 'contains(customer.email, "@") and customer.nickname is set'))).toEqual([]);
  });

  it("still checks an optional personal field's guard before its PII", () => {
    const ds = errors(journey("Hi {customer.nickname}", "customer.nickname is set"));
    expect(ds.map((d) => d.code)).toEqual(["check/pii-in-reason"]);
  });
});

describe("the `reason_allowed` catalog tag", () => {
  const load = (yaml: string) => loadCatalog(new SourceFile("catalog.yaml", yaml));

  it("loads as `reasonAllowed` and survives the artifact's catalog.json", () => {
    const c = load(CATALOG).value!;
    const fields = c.entities.get("customer")!.fields;
    expect(fields.get("first_name")!.reasonAllowed).toBe(true);
    expect(fields.get("email")!.reasonAllowed).toBeUndefined();
    const back = catalogFromJson(JSON.parse(JSON.stringify(catalogToJson(c))));
    expect(back.entities.get("customer")!.fields.get("first_name")!.reasonAllowed).toBe(true);
    expect(back.entities.get("customer")!.fields.get("email")!.reasonAllowed).toBeUndefined();
  });

  it("must be `true` or `false`", () => {
    const r = load(
      CATALOG.replace(
        "first_name:  { type: string, pii: direct, reason_allowed: true }",
        "first_name:  { type: string, pii: direct, reason_allowed: yes please }",
      ),
    );
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["catalog/invalid-value", "`reason_allowed` of field `customer.first_name` must be `true` or `false`, not `yes please`"],
    ]);
  });

  it("is a tag of a whole field, not of a list element", () => {
    const r = load(
      CATALOG.replace(
        "emails:      { type: list, of: string, pii: direct }",
        "emails:      { type: list, of: { type: string, reason_allowed: true }, pii: direct }",
      ),
    );
    expect(r.diagnostics.map((d) => [d.code, d.hint])).toEqual([
      ["catalog/unknown-key", expect.stringContaining("`reason_allowed` is a tag of a whole entity field")],
    ]);
  });
});
