// Issue 10, defect 4 (compiler side): no name a user chooses — field, entity, event field,
// list member, action parameter, enum value, quantifier variable, function name, test record
// member — reaches a plain object's prototype, in the compiler or in generated code. The
// golden case test/golden/prototype-names holds the catalog and journeys (and its predicates
// pass `tsc --strict` standalone in tsc.test.ts).
import { describe, expect, it } from "vitest";
import type { PredicateContext } from "../../core/artifact.ts";
import { emitPredicates } from "../../compiler/codegen/index.ts";
import { key } from "../../compiler/codegen/code.ts";
import { loadCatalog } from "../../compiler/catalog/index.ts";
import { SourceFile } from "../../core/source.ts";
import { checkText, seen } from "../helpers/compile.ts";
import { compileCase, importPredicates, run } from "./helpers.ts";

const INHERITED = ["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty"];

async function caseModule() {
  const r = compileCase("prototype-names");
  const mod = await importPredicates(emitPredicates(r.program, r.sources).js);
  const byId = new Map(mod.journeys.map((j) => [j.meta.id, j]));
  return (id: string) => byId.get(id)!;
}

const ctx = (values: Record<string, unknown>) => ({ now: Date.UTC(2026, 4, 30, 12), event: {}, ...values }) as unknown as PredicateContext;

describe("generated predicates read only own properties", () => {
  it("an absent optional field named `constructor` is not set; a present one is", async () => {
    const j = (await caseModule())("constructor_set");
    expect(run(j.when, ctx({ customer: { kind: "toString" } }))).toMatchObject({
      value: false,
      events: [
        [1, undefined],
        [0, false],
      ],
    });
    expect(run(j.when, ctx({ customer: { kind: "toString", constructor: null } }))).toMatchObject({ value: false });
    expect(run(j.when, ctx({ customer: { kind: "toString", constructor: 7 } }))).toMatchObject({ value: true });
    expect(run(j.reason!, ctx({ customer: { kind: "toString", constructor: 7 } }))).toMatchObject({ value: "7 and toString" });
  });

  it("reads an entity named `constructor` and its own field of that name", async () => {
    const j = (await caseModule())("entity_named_constructor");
    expect(run(j.when, ctx({ constructor: { level: 2 } }))).toMatchObject({ value: true });
    expect(run(j.when, ctx({ constructor: { level: 2, constructor: "x" } }))).toMatchObject({ value: false });
  });

  it("reads event fields and list members named `constructor`, and compares enum values named like Object's methods", async () => {
    const j = (await caseModule())("inherited_names");
    const visits = [{ constructor: "a", at: 0 }];
    expect(run(j.when, ctx({ event: { constructor: "x" }, customer: { kind: "hasOwnProperty", visits } }))).toMatchObject({ value: true });
    expect(run(j.when, ctx({ event: {}, customer: { kind: "hasOwnProperty", visits } }))).toMatchObject({ value: false });
    expect(run(j.when, ctx({ event: { constructor: "x" }, customer: { kind: "__proto__", visits: [{ at: 0 }] } }))).toMatchObject({ value: false });
  });

  it("keeps an action parameter named `constructor` as an own, plain parameter", async () => {
    const j = (await caseModule())("constructor_set");
    expect(Object.hasOwn(j.meta.action.params, "constructor")).toBe(true);
    expect(j.meta.action.params).toEqual({ constructor: "c", template: "set" });
  });

  it("writes a key named `__proto__` as a computed key, which an object literal keeps as a key", () => {
    expect(key("__proto__")).toBe('["__proto__"]');
    const o = new Function(`return { ${key("__proto__")}: 1, ${key("constructor")}: 2 };`)() as Record<string, number>;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o).sort()).toEqual(["__proto__", "constructor"]);
  });
});

describe("the checker looks names up in own entries only", () => {
  const CATALOG = `version: 1
entities:
  customer:
    key: id
    fields:
      constructor: { type: int, optional: true }
      visits: { type: list, of: { constructor: string, at: datetime } }
events:
  daily: { binds: [customer], schedule: true }
purposes:
  p: { bases: [contract], channels: [email] }
actions:
  email: { channel: email, params: { constructor: string, template: string } }
`;
  const j = (when: string, doClause = 'email(template: "t", constructor: "c")') =>
    `journey j {\n  purpose p\n  on daily\n  when ${when}\n  do ${doClause}\n}\n`;
  const errors = (src: string) => seen(checkText(src, CATALOG)).filter((d) => d.severity === "error");

  it("accepts an action parameter named `constructor` given once (it was reported as given twice)", () => {
    expect(errors(j("customer.constructor is set"))).toEqual([]);
  });

  it("still reports a parameter given twice", () => {
    expect(errors(j("true", 'email(template: "t", constructor: "c", constructor: "d")')).map((d) => [d.code, d.message])).toEqual([
      ["check/duplicate-parameter", "parameter `constructor` is given twice"],
    ]);
  });

  it.each(INHERITED)("reports `%s(…)` as an unknown function instead of crashing", (name) => {
    expect(errors(j(`${name}(1) == 1`)).map((d) => [d.code, d.underlined])).toEqual([["check/unknown-function", name]]);
  });

  it.each(INHERITED)("allows a quantifier variable named `%s`", (name) => {
    expect(errors(j(`any ${name} in customer.visits: ${name}.constructor == "a"`))).toEqual([]);
  });

  it.each(INHERITED.filter((n) => n !== "constructor"))("reports a member `%s` of a list element as unknown", (name) => {
    expect(errors(j(`any v in customer.visits: v.${name} == "a"`)).map((d) => d.code)).toEqual(["check/unknown-member"]);
  });

  it("accepts a test record whose member is named `constructor` (it was reported as set twice)", () => {
    const test = `test "t" {\n  now 2026-05-30T10:00:00Z\n  event daily\n  given customer { visits: [{ constructor: "a", at: 2026-05-30T09:00:00Z }] }\n  expect j no_match\n}\n`;
    const r = checkText(j("customer.constructor is set") + test, CATALOG);
    expect(seen(r).filter((d) => d.severity === "error")).toEqual([]);
  });

  it("rejects catalog names that are not lowercase names, with a diagnostic, not a polluted object", () => {
    for (const name of INHERITED.filter((n) => n !== "constructor")) {
      const yaml = CATALOG.replace("      constructor: { type: int, optional: true }", `      ${name}: { type: int, optional: true }`);
      const r = loadCatalog(new SourceFile("catalog.yaml", yaml));
      expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([["catalog/invalid-name", `\`${name}\` is not a valid field name`]]);
      expect(Object.getPrototypeOf({})).toBe(Object.prototype);
      expect(({} as Record<string, unknown>)["type"]).toBeUndefined();
    }
  });
});
