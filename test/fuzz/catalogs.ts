// Random catalogs for the fuzz target: entities, fields of every type (enums with odd values,
// lists of scalars and of records, optional fields), PII classes and labels, events binding
// entities with payload fields, purposes with bases, channels, forbidden and allowed labels,
// actions with typed parameters — with names drawn from ordinary ones and from those that mean
// something to JavaScript (`constructor`, `prototype`, `then`, …). Well-typed journeys over each
// catalog come from ./typed-journeys.ts, so the whole pipeline runs on catalogs nobody wrote.
import fc from "fast-check";
import { stringify } from "yaml";
import { loadCatalog } from "../../compiler/catalog/index.ts";
import { SourceFile } from "../../core/source.ts";
import { journeyFile } from "./typed-journeys.ts";
import type { PolicyCase } from "./types.ts";

/** Names a catalog may use (`[a-z][a-z0-9_]*`), ordinary and JavaScript's own. */
const NAMES = [
  "customer",
  "account",
  "policy",
  "a",
  "x_1",
  "constructor",
  "prototype",
  "then",
  "length",
  "valueof",
  "tostring",
  "hasownproperty",
  "proto",
  "name",
  "caller",
  "arguments",
];
const ENUM_VALUES = ["active", "x", "constructor", "__proto__", "toString", "a b", "é", "1", "true", "null", 'with "quote"', "back\\slash", "{brace}"];
const SCALARS = ["bool", "int", "decimal", "string", "date", "datetime", "duration"];
const LABELS = ["health", "financial", "constructor", "kids"];
const CHANNELS = ["email", "sms", "push", "constructor"];
const BASES = ["consent", "contract", "legitimate_interest", "legal_obligation", "vital_interests", "public_task"];

type Obj = Record<string, unknown>;

const name = fc.constantFrom(...NAMES);

const scalarType: fc.Arbitrary<Obj> = fc.oneof(
  fc.constantFrom(...SCALARS).map((t) => ({ type: t })),
  fc.uniqueArray(fc.constantFrom(...ENUM_VALUES), { minLength: 1, maxLength: 4 }).map((values) => ({ type: "enum", values })),
);

const fieldType: fc.Arbitrary<Obj> = fc.oneof(
  { arbitrary: scalarType, weight: 5 },
  fc
    .uniqueArray(fc.tuple(name, scalarType), { minLength: 1, maxLength: 3, selector: ([n]) => n })
    .map((ms) => ({ type: "list", of: Object.fromEntries(ms.map(([n, t]) => [n, t["type"] === "enum" ? t : t["type"]])) })),
  fc.constantFrom(...SCALARS).map((t) => ({ type: "list", of: t })),
);

const field: fc.Arbitrary<Obj> = fc
  .tuple(fieldType, fc.constantFrom("none", "none", "identifier", "direct", "sensitive"), fc.subarray(LABELS, { maxLength: 2 }), fc.boolean(), fc.boolean())
  .map(([t, pii, labels, optional, allowed]) => ({
    ...t,
    ...(pii !== "none" ? { pii } : {}),
    ...(labels.length ? { labels } : {}),
    ...(pii === "sensitive" && labels.length === 0 ? { labels: ["health"] } : {}),
    ...(optional ? { optional: true } : {}),
    ...(allowed && pii !== "none" ? { reason_allowed: true } : {}),
  }));

const entity: fc.Arbitrary<Obj> = fc.uniqueArray(fc.tuple(name, field), { minLength: 1, maxLength: 5, selector: ([n]) => n }).map((fs) => {
  const fields: Obj = { id: { type: "string", pii: "identifier" } };
  for (const [n, f] of fs) if (n !== "id") fields[n] = f;
  return { key: "id", fields };
});

/** A random catalog as YAML text (most of them load; those that do not exercise the loader). */
export const catalogText: fc.Arbitrary<string> = fc
  .record({
    entities: fc.uniqueArray(
      fc.tuple(
        name.filter((n) => !["now", "event"].includes(n)),
        entity,
      ),
      { minLength: 1, maxLength: 3, selector: ([n]) => n },
    ),
    events: fc.uniqueArray(
      fc.tuple(
        fc.oneof(
          name,
          fc.tuple(name, name).map(([a, b]) => `${a}.${b}`),
        ),
        fc.boolean(),
        fc.uniqueArray(fc.tuple(name, fc.constantFrom(...SCALARS)), { maxLength: 3, selector: ([n]) => n }),
        fc.nat(),
      ),
      { minLength: 1, maxLength: 3, selector: ([n]) => n },
    ),
    purposes: fc.uniqueArray(
      fc.tuple(name, fc.subarray(BASES, { minLength: 1 }), fc.subarray(CHANNELS, { minLength: 1 }), fc.subarray(LABELS), fc.subarray(LABELS), fc.boolean()),
      { minLength: 1, maxLength: 3, selector: ([n]) => n },
    ),
    actions: fc.uniqueArray(
      fc.tuple(
        name,
        fc.constantFrom(...CHANNELS),
        fc.uniqueArray(fc.tuple(name, fc.constantFrom("string", "int", "bool")), { minLength: 1, maxLength: 2, selector: ([n]) => n }),
      ),
      { minLength: 1, maxLength: 3, selector: ([n]) => n },
    ),
  })
  .map(({ entities, events, purposes, actions }) => {
    const names = entities.map(([n]) => n);
    const doc = {
      version: 1,
      entities: Object.fromEntries(entities),
      events: Object.fromEntries(
        events.map(([n, schedule, fields, pick]) => [
          n,
          {
            binds: names.filter((_, i) => (pick >> i) & 1 || i === 0),
            ...(schedule ? { schedule: true } : {}),
            ...(fields.length && !schedule ? { fields: Object.fromEntries(fields) } : {}),
          },
        ]),
      ),
      purposes: Object.fromEntries(
        purposes.map(([n, bases, channels, forbids, allowsAll, marketing]) => {
          const allows = allowsAll.filter((l) => !forbids.includes(l));
          return [
            n,
            { bases, channels, ...(forbids.length ? { forbids } : {}), ...(allows.length ? { allows } : {}), ...(marketing ? { marketing: true } : {}) },
          ];
        }),
      ),
      transfers: { eu: ["uk"] },
      actions: Object.fromEntries(actions.map(([n, channel, params]) => [n, { channel, params: Object.fromEntries(params) }])),
    };
    return stringify(doc);
  });

/** A random catalog and well-typed journeys over it (when it loads), decided with hostile requests. */
export const catalogCases: fc.Arbitrary<PolicyCase> = fc.tuple(catalogText, fc.integer({ min: 0, max: 2 ** 31 - 1 })).chain(([text, seed]) => {
  const loaded = loadCatalog(new SourceFile("catalog.yaml", text));
  const journeys = loaded.value ? journeyFile(loaded.value, 2) : fc.constant("");
  return journeys.map(
    (j): PolicyCase => ({
      kind: "policies",
      label: "random catalog with typed journeys",
      catalog: { name: "catalog.yaml", text },
      journeys: [{ name: "typed.journey", text: j }],
      generate: { seed, count: 3 },
    }),
  );
});
