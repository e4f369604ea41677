// Catalog loading: the spec example and the example catalog, and each diagnostic asserted by
// its code, the YAML text it underlines and its hint.
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { catalogCodes, catalogSchema, type FieldType } from "../../compiler/catalog/index.ts";
import { catalogOf, load, minimal, only, POLICIES_CATALOG, SPEC_EXAMPLE } from "./helpers.ts";

describe("the spec example (§1.1)", () => {
  it("loads with zero diagnostics", () => {
    const r = load(SPEC_EXAMPLE);
    expect(r.shown).toEqual([]);
    expect(r.value?.version).toBe(1);
    expect(r.value?.file).toBe("policies/catalog.yaml");
  });

  it("gives fields their declared types and tags, and the documented defaults", () => {
    const c = catalogOf(SPEC_EXAMPLE);
    const customer = c.entities.get("customer")!;
    expect(customer.key).toBe("customer_id");
    expect(customer.fields.get("email")).toMatchObject({
      path: "customer.email",
      type: { kind: "scalar", name: "string" },
      pii: "direct",
      lineage: "crm.contacts.email",
      residency: "eu",
      retention: "P7Y",
      optional: false,
      labels: [],
    });
    const timezone = customer.fields.get("timezone")!;
    expect(timezone).toMatchObject({ pii: "none", residency: "any", optional: false, labels: [] });
    expect(timezone.retention).toBeUndefined();
    expect(customer.fields.get("nps")).toMatchObject({ type: { kind: "scalar", name: "int" }, optional: true, freshness: "P30D" });
    expect(customer.fields.get("segment")!.type).toEqual({ kind: "enum", values: ["retail", "sme", "corporate"] });
    expect(c.entities.get("claim")!.fields.get("diagnosis")).toMatchObject({ pii: "sensitive", labels: ["health"], residency: "eu" });
    expect(c.entities.get("policy")!.fields.get("premium")).toMatchObject({ type: { kind: "scalar", name: "decimal" }, labels: ["financial"] });
    expect(c.entities.get("policy")!.fields.get("renewal_date")!.type).toEqual({ kind: "scalar", name: "date" });
    expect([...c.entities.keys()]).toEqual(["customer", "policy", "claim", "onboarding"]);
  });

  it("parses a list `of` record into named members, bare type names and type mappings alike", () => {
    const c = catalogOf(SPEC_EXAMPLE);
    const type = c.entities.get("customer")!.fields.get("recent_interactions")!.type;
    expect(type.kind).toBe("list");
    if (type.kind !== "list" || type.of.kind !== "record") throw new Error("expected a list of records");
    expect([...type.of.members]).toEqual([
      ["at", { kind: "scalar", name: "datetime" }],
      ["channel", { kind: "scalar", name: "string" }],
      ["sentiment", { kind: "enum", values: ["positive", "neutral", "negative"] }],
    ]);
  });

  it("reads events, purposes, actions and transfers with their defaults", () => {
    const c = catalogOf(SPEC_EXAMPLE);
    expect(c.events.get("daily")).toMatchObject({ binds: ["customer", "policy", "onboarding"], schedule: true });
    expect(c.events.get("daily")!.fields.size).toBe(0);
    const filed = c.events.get("claim.filed")!;
    expect(filed).toMatchObject({ binds: ["customer", "claim"], schedule: false, freshness: "PT5M" });
    expect([...filed.fields]).toEqual([
      ["claim_id", { kind: "scalar", name: "string" }],
      ["at", { kind: "scalar", name: "datetime" }],
    ]);
    expect(c.purposes.get("renewal_marketing")).toMatchObject({
      bases: ["consent", "legitimate_interest"],
      channels: ["email", "push"],
      forbids: ["health", "financial"],
      allows: [],
      marketing: true,
    });
    expect(c.purposes.get("claims_handling")).toMatchObject({ allows: ["health"], forbids: [], marketing: false });
    expect(c.actions.get("email")).toMatchObject({ channel: "email", cost: "low" });
    expect(c.actions.get("email")!.params.get("template")).toEqual({ name: "template", type: { kind: "scalar", name: "string" } });
    expect(c.actions.get("agent_callback")).toMatchObject({ channel: "call_task", cost: "high" });
    expect([...c.transfers]).toEqual([["eu", ["uk"]]]);
  });

  it("locates each definition at its name in the file", () => {
    const r = load(SPEC_EXAMPLE);
    const c = r.value!;
    const at = (loc: { start: number; end: number }) => r.file.text.slice(loc.start, loc.end);
    expect(at(c.entities.get("policy")!.loc)).toBe("policy");
    expect(at(c.entities.get("customer")!.fields.get("tenure_months")!.loc)).toBe("tenure_months");
    expect(at(c.events.get("claim.filed")!.loc)).toBe("claim.filed");
    expect(at(c.purposes.get("service_recovery")!.loc)).toBe("service_recovery");
    expect(at(c.actions.get("agent_callback")!.loc)).toBe("agent_callback");
  });
});

describe("the example policy set's catalog", () => {
  it("loads with zero diagnostics", () => {
    expect(load(POLICIES_CATALOG).shown).toEqual([]);
  });

  it("keeps every field, event, purpose and action of the spec example as the spec gives it, adding only governance tags", () => {
    const spec = catalogOf(SPEC_EXAMPLE);
    const ours = catalogOf(POLICIES_CATALOG);
    const noLoc = (x: object) => ({ ...x, loc: undefined });
    // Issue 15: the example adds `lineage` and `retention` where the spec's personal data (and
    // the fields its purposes' `systems` cover) have none, and a `description`, `systems` and
    // `pii` to purposes; nothing the spec gives is changed.
    const without = (x: object, keys: readonly string[], kept: object) =>
      Object.fromEntries(Object.entries(noLoc(x)).filter(([k]) => !keys.includes(k) || Object.hasOwn(kept, k)));
    for (const [name, entity] of spec.entities) {
      expect(ours.entities.get(name)?.key).toBe(entity.key);
      for (const [fname, field] of entity.fields) {
        expect(without(ours.entities.get(name)!.fields.get(fname)!, ["lineage", "retention"], field)).toEqual(noLoc(field));
      }
    }
    for (const [name, e] of spec.events) expect(noLoc(ours.events.get(name)!)).toEqual(noLoc(e));
    for (const [name, p] of spec.purposes) expect(without(ours.purposes.get(name)!, ["description", "systems", "pii"], p)).toEqual(noLoc(p));
    for (const [name, a] of spec.actions) expect(noLoc(ours.actions.get(name)!)).toEqual(noLoc(a));
    expect(ours.transfers).toEqual(spec.transfers);
  });
});

describe("YAML problems", () => {
  it("reports malformed YAML at the parser's position and gives no model", () => {
    const d = only(minimal("entities: {a: 1}}\n"), "catalog/yaml-syntax");
    expect(d.under).toBe("}");
    expect(d.message).toContain("flow-map-end");
    expect(d.result.value).toBeUndefined();
  });

  it("reports tab indentation as a YAML error", () => {
    const d = only(minimal("entities:\n\tcustomer: {}\n"), "catalog/yaml-syntax");
    expect(d.under).toBe("\t");
    expect(d.message).toBe("tabs are not allowed as indentation");
  });

  it("reports a duplicate key at the second occurrence, pointing back at the first", () => {
    const r = load(minimal("entities:\n  customer: { key: id, fields: {} }\n  customer: { key: id2, fields: {} }\n"));
    const d = r.diagnostics.find((x) => x.code === "catalog/duplicate-key")!;
    expect(r.file.slice(d.span)).toBe("customer");
    expect(d.span.start).toBeGreaterThan(r.file.text.indexOf("customer"));
    expect(d.related?.map((x) => r.file.slice(x.span))).toEqual(["customer"]);
    expect(d.message).toBe("duplicate key `customer`");
    // The model is still usable: the last definition wins, as in YAML.
    expect(r.value?.entities.get("customer")?.key).toBe("id2");
  });

  it("reports an alias without an anchor and an alias inside its own anchor", () => {
    expect(only(minimal("entities: *nope\n"), "catalog/yaml-syntax").under).toBe("*nope");
    expect(only(minimal("entities: &x { a: *x }\n"), "catalog/yaml-syntax").under).toBe("*x");
  });

  it("follows aliases to their anchors", () => {
    const c = catalogOf(
      minimal(
        "entities:\n  policy:\n    key: id\n    fields:\n      status: { type: enum, values: &statuses [active, lapsed] }\n      previous_status: { type: enum, values: *statuses }\n",
      ),
    );
    expect(c.entities.get("policy")!.fields.get("previous_status")!.type).toEqual({ kind: "enum", values: ["active", "lapsed"] });
  });

  it("reads Windows line endings and a byte order mark, keeping positions exact", () => {
    const crlf = "\ufeff" + SPEC_EXAMPLE.replace(/\n/g, "\r\n");
    expect(load(crlf).shown).toEqual([]);
    const d = only(crlf.replace("lineage: crm.customers.tz", "lineag: crm.customers.tz"), "catalog/unknown-key");
    expect(d.under).toBe("lineag");
    // The same line and column as in the file with Unix line endings.
    const lf = load(SPEC_EXAMPLE.replace("lineage: crm.customers.tz", "lineag: crm.customers.tz"));
    const at = (x: typeof lf) => x.file.position(x.diagnostics[0]!.span.start);
    expect(at(d.result)).toEqual(at(lf));
    expect(at(lf)).toEqual({ line: 8, column: 38 });
  });

  it("warns about an unknown YAML tag and reads the value without it", () => {
    const d = only(minimal("transfers: { eu: !region [uk] }\n"), "catalog/yaml-warning");
    expect(d.under).toBe("!region");
    expect(d.result.value?.transfers.get("eu")).toEqual(["uk"]);
  });

  it("reports an empty file, a comment-only file and a bare document marker as empty", () => {
    for (const text of ["", "   \n\n", "# just a comment\n", "---\n"]) {
      const r = load(text);
      expect(r.shown.map((d) => [d.code, d.under])).toEqual([["catalog/empty", ""]]);
      expect(r.shown[0]!.hint).toContain("version: 1");
      expect(r.value).toBeUndefined();
    }
  });

  it("rejects a catalog that is a list instead of a mapping", () => {
    const d = only("- version: 1\n", "catalog/invalid-value");
    expect(d.message).toContain("not a list");
    expect(d.result.value).toBeUndefined();
  });
});

describe("schema violations", () => {
  it("reports an unknown top-level key with a did-you-mean hint", () => {
    const d = only(minimal("entites: {}\n"), "catalog/unknown-key");
    expect(d).toMatchObject({ under: "entites", hint: "did you mean `entities`?", message: "unknown key `entites`" });
  });

  it("lists the allowed keys when an unknown key is not close to any", () => {
    const d = only(minimal("owner: risk-team\n"), "catalog/unknown-key");
    expect(d.under).toBe("owner");
    expect(d.hint).toBe("allowed keys here: `version`, `controller`, `entities`, `events`, `purposes`, `transfers`, `actions`, `caps`, `value`");
  });

  it("reports an unknown field tag with a did-you-mean hint, and keeps the field", () => {
    const d = only(minimal("entities:\n  customer:\n    key: id\n    fields:\n      email: { type: string, lineag: crm.email }\n"), "catalog/unknown-key");
    expect(d).toMatchObject({ under: "lineag", hint: "did you mean `lineage`?", message: "unknown key `lineag` in field `customer.email`" });
    expect(d.result.value?.entities.get("customer")?.fields.get("email")?.type).toEqual({ kind: "scalar", name: "string" });
  });

  it("suggests a key only when it is really close, preferring one the word begins", () => {
    const text = minimal("entities:\n  c:\n    key: id\n    fields:\n      f: { type: string, g: 1, ty: 2 }\n");
    const hints = load(text).shown.map((d) => [d.under, d.hint]);
    expect(hints[0]).toEqual(["g", expect.stringMatching(/^allowed keys here: `type`, `values`, `of`, `pii`/)]);
    expect(hints[1]).toEqual(["ty", "did you mean `type`?"]);
  });

  it("explains that YAML merge keys are not supported", () => {
    const d = only(minimal("entities:\n  c:\n    key: id\n    fields:\n      f: { type: string, <<: { pii: direct } }\n"), "catalog/unknown-key");
    expect(d.under).toBe("<<");
    expect(d.hint).toContain("merge keys are not supported");
  });

  it("explains that tags belong on the field, not on a record member", () => {
    const d = only(
      minimal("entities:\n  c:\n    key: id\n    fields:\n      notes: { type: list, of: { text: { type: string, pii: direct } } }\n"),
      "catalog/unknown-key",
    );
    expect(d.under).toBe("pii");
    expect(d.hint).toContain("tag of a whole entity field");
  });

  it("reports a value of the wrong type on the value, with a YAML 1.2 hint for `yes`", () => {
    const d = only(minimal("entities:\n  c:\n    key: id\n    fields:\n      nps: { type: int, optional: yes }\n"), "catalog/invalid-value");
    expect(d.under).toBe("yes");
    expect(d.message).toBe("`optional` of field `c.nps` must be `true` or `false`, not `yes`");
    expect(d.hint).toBe("YAML 1.2 reads `yes` as text: write `true` or `false`");
  });

  it("suggests the closest allowed value for a misspelled enum value", () => {
    const d = only(minimal("entities:\n  c:\n    key: id\n    fields:\n      d: { type: string, pii: sensitve, labels: [health] }\n"), "catalog/invalid-value");
    expect(d).toMatchObject({ under: "sensitve", hint: "did you mean `sensitive`?", message: "`sensitve` is not a PII class" });
    const t = only(minimal("entities:\n  c:\n    key: id\n    fields:\n      at: { type: datetim }\n"), "catalog/invalid-value");
    expect(t).toMatchObject({ under: "datetim", hint: "did you mean `datetime`?" });
  });

  it("suggests the shorthand's type mapping when a field is a bare type name", () => {
    const d = only(minimal("entities:\n  c:\n    key: id\n    fields:\n      tenure: int\n"), "catalog/invalid-value");
    expect(d).toMatchObject({ under: "int", hint: "write `{ type: int }`" });
  });

  it("reports a missing required key on the name of what lacks it", () => {
    const d = only(minimal("entities:\n  customer:\n    fields: {}\n"), "catalog/missing-key");
    expect(d).toMatchObject({ under: "customer", message: "missing key `key` in entity `customer`" });
    expect(d.hint).toContain("key: customer_id");
    const v = only("entities: {}\n", "catalog/missing-key");
    expect(v).toMatchObject({ under: "entities", message: "missing key `version`", hint: "add `version: 1` as the first line" });
  });

  it("reports an invalid name on the key, suggesting a valid spelling", () => {
    const d = only(minimal("entities:\n  Customer: { key: id, fields: {} }\n"), "catalog/invalid-name");
    expect(d).toMatchObject({ under: "Customer", message: "`Customer` is not a valid entity name" });
    expect(d.hint).toMatch(/^did you mean `customer`\?/);
    const e = only(minimal("entities: { c: { key: id, fields: {} } }\nevents:\n  Claim.Filed: { binds: [c] }\n"), "catalog/invalid-name");
    expect(e).toMatchObject({ under: "Claim.Filed" });
    expect(e.hint).toMatch(/^did you mean `claim\.filed`\?/);
  });

  it("accepts dotted event names but not dotted entity names", () => {
    expect(load(minimal("entities: { c: { key: id, fields: {} } }\nevents: { claim.filed.late: { binds: [c] } }\n")).shown).toEqual([]);
    expect(only(minimal("entities: { c.d: { key: id, fields: {} } }\n"), "catalog/invalid-name").under).toBe("c.d");
  });

  it("validates ISO 8601 durations and suggests one for the journey-language form", () => {
    const d = only(minimal("entities:\n  c:\n    key: id\n    fields:\n      email: { type: string, retention: 7y }\n"), "catalog/invalid-value");
    expect(d).toMatchObject({ under: "7y", message: "`7y` is not an ISO 8601 duration" });
    expect(d.hint).toMatch(/^did you mean `P7Y`\?/);
    for (const ok of ["P10Y", "P30D", "PT5M", "P1Y2M3DT4H5M6S", "P2W", "PT0.5S"]) {
      expect(load(minimal(`entities: { c: { key: id, fields: { f: { type: int, freshness: ${ok} } } } }\n`)).shown).toEqual([]);
    }
    for (const bad of ["P", "PT", "P1H", "10D", "P1.5D", "p30d"]) {
      expect(load(minimal(`entities: { c: { key: id, fields: { f: { type: int, freshness: ${bad} } } } }\n`)).shown.map((x) => x.code)).toEqual([
        "catalog/invalid-value",
      ]);
    }
  });

  it("rejects a lawful basis outside GDPR Art. 6(1)", () => {
    const d = only(minimal("purposes:\n  p: { bases: [consnt], channels: [email] }\n"), "catalog/invalid-value");
    expect(d).toMatchObject({ under: "consnt", hint: "did you mean `consent`?", message: "`consnt` is not a lawful basis" });
  });

  it("rejects a catalog version other than 1", () => {
    const d = only("version: 2\n", "catalog/unsupported-version");
    expect(d).toMatchObject({ under: "2", hint: "this compiler reads `version: 1`" });
  });

  it("rejects an empty `binds` list", () => {
    const d = only(minimal("events:\n  daily: { binds: [] }\n"), "catalog/invalid-value");
    expect(d.under).toBe("[]");
    expect(d.hint).toContain("[customer]");
  });

  it("reports one diagnostic for a value of the wrong type, not one per rule it breaks", () => {
    const r = load(minimal("entities:\n  c:\n    key: id\n    fields:\n      f: { type: 5 }\n"));
    expect(r.shown.map((d) => [d.code, d.under])).toEqual([["catalog/invalid-value", "5"]]);
  });
});

describe("semantic checks", () => {
  const entities = "entities:\n  customer: { key: customer_id, fields: {} }\n  claim: { key: claim_id, fields: {} }\n";

  it("reports an event binding an unknown entity, with a did-you-mean hint", () => {
    const d = only(minimal(`${entities}events:\n  claim.filed: { binds: [customer, clam] }\n`), "catalog/unknown-entity");
    expect(d).toMatchObject({ under: "clam", hint: "did you mean `claim`?", message: "event `claim.filed` binds unknown entity `clam`" });
  });

  it("lists the declared entities when the unknown one is not close to any", () => {
    const d = only(minimal(`${entities}events:\n  daily: { binds: [household] }\n`), "catalog/unknown-entity");
    expect(d.hint).toBe("declared entities: `customer`, `claim`; or declare `household` under `entities`");
  });

  it("reports an enum without values, in a field and as a bare payload type", () => {
    const f = only(minimal("entities:\n  c:\n    key: id\n    fields:\n      segment: { type: enum }\n"), "catalog/enum-without-values");
    expect(f).toMatchObject({ under: "enum", hint: "add `values: [a, b]` with the enum's values" });
    const p = only(minimal(`${entities}events:\n  e: { binds: [customer], fields: { mood: enum } }\n`), "catalog/enum-without-values");
    expect(p.under).toBe("enum");
  });

  it("reports a list without `of`, and `values` or `of` on a type they do not apply to", () => {
    expect(only(minimal("entities:\n  c:\n    key: id\n    fields:\n      tags: { type: list }\n"), "catalog/list-without-of").under).toBe("list");
    const v = only(minimal("entities:\n  c:\n    key: id\n    fields:\n      n: { type: int, values: [a] }\n"), "catalog/inapplicable-key");
    expect(v).toMatchObject({ under: "values", message: "`values` applies only to `type: enum`, not `int`" });
  });

  it("reads lists of scalars and lists of enums as element types, not records", () => {
    const c = catalogOf(
      minimal(
        "entities:\n  c:\n    key: id\n    fields:\n      tags: { type: list, of: string }\n      moods: { type: list, of: { type: enum, values: [calm, upset] } }\n      visits: { type: list, of: { type: { type: string }, at: datetime } }\n",
      ),
    );
    const f = c.entities.get("c")!.fields;
    expect(f.get("tags")!.type).toEqual({ kind: "list", of: { kind: "type", type: { kind: "scalar", name: "string" } } });
    expect(f.get("moods")!.type).toEqual({ kind: "list", of: { kind: "type", type: { kind: "enum", values: ["calm", "upset"] } } });
    const visits = f.get("visits")!.type as Extract<FieldType, { kind: "list" }>;
    expect(visits.of.kind === "record" && [...visits.of.members.keys()]).toEqual(["type", "at"]);
  });

  it("reports a purpose that both forbids and allows a label", () => {
    const r = load(
      minimal(
        "entities:\n  c:\n    key: id\n    fields:\n      d: { type: string, pii: sensitive, labels: [health] }\npurposes:\n  p: { bases: [contract], channels: [email], forbids: [health], allows: [health] }\n",
      ),
    );
    const d = r.diagnostics.find((x) => x.code === "catalog/overlapping-labels")!;
    expect(r.file.slice(d.span)).toBe("health");
    expect(d.span.start).toBe(r.file.text.lastIndexOf("health"));
    expect(d.related?.[0]?.message).toBe("forbidden here");
    expect(d.hint).toContain("either forbidden or allowed");
  });

  it("warns about a near-miss label or channel, but not about a label no field carries yet", () => {
    const text = minimal(
      "entities:\n  c:\n    key: id\n    fields:\n      d: { type: string, pii: sensitive, labels: [health] }\npurposes:\n  p: { bases: [contract], channels: [emial], forbids: [helth, biometric] }\nactions:\n  email: { channel: email }\n",
    );
    const r = load(text);
    expect(r.shown.map((d) => [d.code, d.under, d.hint])).toEqual([
      ["catalog/unknown-channel", "emial", "did you mean `email`?"],
      ["catalog/unknown-label", "helth", "did you mean `health`?"],
    ]);
    expect(r.diagnostics.every((d) => d.severity === "warning")).toBe(true);
  });

  it("warns about a sensitive field without labels", () => {
    const d = only(minimal("entities:\n  c:\n    key: id\n    fields:\n      d: { type: string, pii: sensitive }\n"), "catalog/sensitive-without-labels");
    expect(d.under).toBe("sensitive");
    expect(d.result.diagnostics[0]!.severity).toBe("warning");
  });

  it("accepts an entity key that is not among its fields, and checks one that is", () => {
    expect(load(minimal("entities:\n  policy: { key: policy_id, fields: { status: { type: string } } }\n")).shown).toEqual([]);
    const o = only(minimal("entities:\n  c: { key: id, fields: { id: { type: string, optional: true } } }\n"), "catalog/invalid-key");
    expect(o.under).toBe("id");
    expect(o.message).toBe("the key of entity `c` is declared optional");
    const t = only(minimal("entities:\n  c: { key: id, fields: { id: { type: date } } }\n"), "catalog/invalid-key");
    expect(t.message).toBe("the key of entity `c` must be a `string` or `int` field");
  });

  it("rejects entity names the language reserves", () => {
    const d = only(minimal("entities:\n  event: { key: id, fields: {} }\n"), "catalog/reserved-name");
    expect(d.under).toBe("event");
    expect(d.hint).toContain("payload");
  });

  it("warns about an item listed twice", () => {
    const d = only(minimal("entities: { c: { key: id, fields: {} } }\nevents:\n  daily: { binds: [c, c] }\n"), "catalog/duplicate-item");
    expect(d).toMatchObject({ under: "c", message: "`c` is listed twice in `binds`" });
    expect(d.result.value!.events.get("daily")!.binds).toEqual(["c"]);
  });

  it("parses transfers between several regions", () => {
    const c = catalogOf(minimal("transfers:\n  eu: [uk, ch]\n  us: []\n  eu-west: [eu]\n"));
    expect([...c.transfers]).toEqual([
      ["eu", ["uk", "ch"]],
      ["us", []],
      ["eu-west", ["eu"]],
    ]);
  });
});

describe("best-effort model", () => {
  it("keeps what is valid and leaves out a field whose type is unusable", () => {
    const r = load(
      minimal("entities:\n  c:\n    key: id\n    fields:\n      ok: { type: int, pii: secret }\n      bad: { type: nope }\nactions:\n  a: { params: {} }\n"),
    );
    expect(r.value).toBeDefined();
    const fields = r.value!.entities.get("c")!.fields;
    expect(fields.get("ok")).toMatchObject({ type: { kind: "scalar", name: "int" }, pii: "none" });
    expect(fields.has("bad")).toBe(false);
    expect(r.value!.actions.has("a")).toBe(false);
    expect(r.shown.map((d) => d.code)).toEqual(["catalog/invalid-value", "catalog/invalid-value", "catalog/missing-key"]);
  });

  it("does not let a `__proto__` key touch object prototypes", () => {
    const r = load(minimal("entities:\n  __proto__: { key: id, fields: { polluted: { type: int } } }\n"));
    expect(r.shown.map((d) => [d.code, d.under])).toEqual([["catalog/invalid-name", "__proto__"]]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).key).toBeUndefined();
  });
});

describe("code registry and docs", () => {
  it("documents every code in docs/diagnostics.md", () => {
    const doc = readFileSync(new URL("../../docs/diagnostics.md", import.meta.url), "utf8");
    for (const code of Object.keys(catalogCodes)) expect(doc, code).toContain(`### \`${code}\``);
  });

  it("publishes a valid draft 2020-12 JSON Schema", () => {
    const ajv = new Ajv2020({ strict: true });
    expect(ajv.validateSchema(catalogSchema)).toBe(true);
    expect(catalogSchema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  });
});
