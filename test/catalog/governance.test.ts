// The catalog's governance members (issue 15): `controller`, an entity's `subjects`, a
// purpose's `description`, `systems` (lineage allow-list) and `pii` (allowance for direct and
// sensitive personal data). Loaded into the model, carried by the artifact's catalog.json, and
// each mistake reported at the YAML that makes it, with the fix.
import { describe, expect, it } from "vitest";
import { catalogFromJson, catalogToJson } from "../../core/catalog/serialize.ts";
import { catalogOf, load, minimal, only, POLICIES_CATALOG, SPEC_EXAMPLE } from "./helpers.ts";

const BASE = minimal(`entities:
  customer:
    key: customer_id
    subjects: customers
    fields:
      customer_id: { type: string, pii: identifier, lineage: crm.customers.id }
      email:       { type: string, pii: direct, lineage: crm.contacts.email }
      segment:     { type: string, lineage: crm.customers.segment }
      diagnosis:   { type: string, pii: sensitive, labels: [health], lineage: claims.claims.diagnosis }
      tenure:      { type: int, lineage: billing.accounts.tenure }
events:
  daily: { binds: [customer], schedule: true }
purposes:
  promo:
    description: Offers to customers.
    bases: [consent]
    channels: [email]
    marketing: true
    systems: [crm, billing]
    pii: [customer.email]
actions:
  email: { channel: email, params: { template: string } }
`);

/** BASE with one line replaced (the line must exist). */
function patch(from: string, to: string): string {
  expect(BASE).toContain(from);
  return BASE.replace(from, to);
}

describe("the governance members", () => {
  it("load into the model", () => {
    const c = catalogOf(
      BASE.replace("version: 1\n", "version: 1\ncontroller:\n  name: Example AG\n  contact: privacy@example.com\n  dpo: Jane Roe, dpo@example.com\n"),
    );
    expect(c.controller).toEqual({ name: "Example AG", contact: "privacy@example.com", dpo: "Jane Roe, dpo@example.com" });
    expect(c.entities.get("customer")!.subjects).toBe("customers");
    expect(c.purposes.get("promo")).toMatchObject({ description: "Offers to customers.", systems: ["crm", "billing"], pii: ["customer.email"] });
  });

  it("are absent when not written, and an empty `systems` allows no system", () => {
    const spec = catalogOf(SPEC_EXAMPLE);
    expect(spec.controller).toBeUndefined();
    expect(spec.entities.get("customer")!.subjects).toBeUndefined();
    for (const p of spec.purposes.values()) {
      expect(Object.keys(p).filter((k) => ["description", "systems", "pii"].includes(k))).toEqual([]);
    }
    const c = catalogOf(patch("    systems: [crm, billing]\n", "    systems: []\n"));
    expect(c.purposes.get("promo")!.systems).toEqual([]);
    expect(catalogOf(patch("    systems: [crm, billing]\n", "")).purposes.get("promo")!.systems).toBeUndefined();
  });

  it("survive the artifact's catalog.json", () => {
    const c = catalogOf(POLICIES_CATALOG);
    const back = catalogFromJson(JSON.parse(JSON.stringify(catalogToJson(c))));
    expect(back.controller).toEqual(c.controller);
    expect(back.controller?.name).toBe("Example Insurance AG");
    for (const [name, e] of c.entities) expect(back.entities.get(name)!.subjects).toBe(e.subjects);
    for (const [name, p] of c.purposes) {
      expect(back.purposes.get(name)).toEqual(p);
      expect(p.description).toBeDefined();
      expect(p.systems).toBeDefined();
    }
    expect(catalogToJson(back)).toEqual(catalogToJson(c));
  });

  it("leave the catalog.json of a catalog without them as it was (same artifact hash)", () => {
    const json = catalogToJson(catalogOf(SPEC_EXAMPLE)) as Record<string, Record<string, Record<string, unknown>>>;
    expect(Object.keys(json)).toEqual(["version", "file", "entities", "events", "purposes", "actions", "transfers"]);
    expect(Object.keys(json.entities!.customer!)).toEqual(["key", "loc", "fields"]);
    expect(Object.keys(json.purposes!.renewal_marketing!)).toEqual(["bases", "channels", "forbids", "allows", "marketing", "loc"]);
  });

  it("are filled in for the example policy set: a controller, every entity's subjects, every purpose's description and systems", () => {
    const c = catalogOf(POLICIES_CATALOG);
    expect(c.controller).toMatchObject({ name: expect.any(String), contact: expect.any(String), dpo: expect.any(String) });
    for (const e of c.entities.values()) expect(e.subjects, e.name).toMatch(/\S/);
    for (const p of c.purposes.values()) {
      expect(p.description, p.name).toMatch(/\S/);
      expect(p.systems?.length, p.name).toBeGreaterThan(0);
    }
  });
});

describe("mistakes in the governance members", () => {
  it("a controller without a name", () => {
    const d = only(BASE.replace("version: 1\n", "version: 1\ncontroller: { dpo: Jane Roe }\n"), "catalog/missing-key");
    expect(d).toMatchObject({
      under: "controller",
      message: "missing key `name` in `controller`",
      hint: "add the controller's legal name, such as `name: Example Insurance AG`",
    });
    expect(d.result.value!.controller).toBeUndefined();
  });

  it("a controller written as text", () => {
    const d = only(BASE.replace("version: 1\n", "version: 1\ncontroller: Example AG\n"), "catalog/invalid-value");
    expect(d).toMatchObject({ under: "Example AG", hint: 'write `controller: { name: "Example AG" }`' });
  });

  it("an unknown key in the controller", () => {
    const d = only(BASE.replace("version: 1\n", "version: 1\ncontroller: { name: A, email: a@example.com }\n"), "catalog/unknown-key");
    expect(d).toMatchObject({ under: "email", message: "unknown key `email` in `controller`", hint: "allowed keys here: `name`, `contact`, `dpo`" });
  });

  it("empty subjects", () => {
    const d = only(patch("    subjects: customers\n", '    subjects: ""\n'), "catalog/invalid-value");
    expect(d).toMatchObject({ under: '""', message: "`subjects` of entity `customer` must not be empty text" });
  });

  it("a system no field's lineage names, with the closest one", () => {
    const d = only(patch("systems: [crm, billing]", "systems: [crm, biling]"), "catalog/unknown-system");
    expect(d).toMatchObject({
      under: "biling",
      message: "purpose `promo` allows system `biling`, which no field's `lineage` names",
      hint: "did you mean `billing`?",
    });
  });

  it("a system far from every lineage, with the systems there are", () => {
    const d = only(patch("systems: [crm, billing]", "systems: [crm, warehouse]"), "catalog/unknown-system");
    expect(d.hint).toBe("systems named by the fields' `lineage`: `billing`, `claims`, `crm`");
  });

  it("a whole lineage path where a system is expected", () => {
    const d = only(patch("systems: [crm, billing]", "systems: [crm.contacts, billing]"), "catalog/invalid-name");
    expect(d).toMatchObject({ under: "crm.contacts", hint: "did you mean `crm`? a system is the first segment of a `lineage` only" });
  });

  it("an allowance for a field the catalog does not declare", () => {
    const d = only(patch("pii: [customer.email]", "pii: [customer.emial]"), "catalog/unknown-pii-field");
    expect(d).toMatchObject({
      under: "customer.emial",
      message: "purpose `promo` allows personal data `customer.emial`, which the catalog does not declare",
      hint: "did you mean `customer.email`?",
    });
  });

  it("an allowance for an entity the catalog does not declare", () => {
    const d = only(patch("pii: [customer.email]", "pii: [client.phone]"), "catalog/unknown-pii-field");
    expect(d.hint).toBe("the direct and sensitive personal data: `customer.diagnosis`, `customer.email`");
  });

  it("an allowance for a field that is not direct or sensitive personal data, pointing at the field", () => {
    const r = load(patch("pii: [customer.email]", "pii: [customer.email, customer.segment, customer.customer_id]"));
    expect(r.shown.map((d) => [d.code, d.under, d.hint])).toEqual([
      [
        "catalog/needless-pii-allowance",
        "customer.segment",
        "remove `customer.segment` from `pii`, or tag the field `pii: direct` or `pii: sensitive` if it is personal data",
      ],
      [
        "catalog/needless-pii-allowance",
        "customer.customer_id",
        "pseudonymous identifiers need no allowance: remove `customer.customer_id` from `pii`, or tag the field `pii: direct` if it identifies a person",
      ],
    ]);
    expect(r.shown[0]!.message).toBe("purpose `promo` allows `customer.segment`, which is not direct or sensitive personal data (pii: none)");
    const d = r.diagnostics[0]!;
    expect(d.related?.map((x) => [r.file.slice(x.span), x.message])).toEqual([["segment", "`customer.segment` is declared here"]]);
  });

  it("an allowance that is not written `entity.field`", () => {
    const d = only(patch("pii: [customer.email]", "pii: [email]"), "catalog/invalid-name");
    expect(d).toMatchObject({
      under: "email",
      message: "`email` is not a field path `entity.field`",
      hint: "write a field as `entity.field`, such as `customer.email`",
    });
  });

  it("a repeated allowance", () => {
    const d = only(patch("pii: [customer.email]", "pii: [customer.email, customer.email]"), "catalog/duplicate-item");
    expect(d.message).toBe("`customer.email` is listed twice in `pii`");
  });
});
