// The second pass over the log entry (issue 13) takes shortcuts that must give what they replace:
// the line's self-check without re-deriving the hashed text (readers' scan checked per member when
// serialized), the entry's evaluations built in canonical key order, and the remembered entity
// paths of a decision. Each is compared here with the path it replaced, over generated input.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { canonicalJson, sortKeys } from "../../core/canonical-json.ts";
import type { Evaluation, TraceEvent } from "../../runtime/decision.ts";
import { LogError } from "../../runtime/log/errors.ts";
import { LOG_FORMAT } from "../../runtime/log/format.ts";
import { assembleEntry, EntryMac, entryProblem, hashedText, serializeEntry, serializeMembers, sha256 } from "../../runtime/log/hash.ts";
import { inCanonicalOrder, pathPlan, TraceTableCache } from "../../runtime/log/pseudonymize.ts";
import { JOURNEYS } from "../rationale/sample-decisions.ts";
import { TEST_INTEGRITY_KEY } from "./helpers.ts";

const MAC = new EntryMac(TEST_INTEGRITY_KEY);

/** Strings that look like the members the readers look for, or break a naive scan. */
const tricky = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 6 }),
  fc.constantFrom(',"hash":"', ',"mac":"', '","mac":"0"', "\\", '\\"', "}", "]", "{", "[", ',"context":', '"sealed"', "sha256:"),
);
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    tricky,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    tie("list"),
    tie("object"),
  ),
  list: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.dictionary(fc.oneof(tricky, fc.constantFrom("context", "sealed", "hash", "mac")), tie("value"), { maxKeys: 4 }),
})).value;

/** A decision-log/2 entry with arbitrary members besides its chain (hash and mac are set by the writer). */
const entry = fc
  .record({
    members: fc.dictionary(fc.oneof(fc.constantFrom("context", "sealed", "decision_id", "a", "history", "journey", "z", "~"), tricky), json, { maxKeys: 8 }),
    seq: fc.nat(),
    prev: fc.stringMatching(/^[0-9a-f]{64}$/),
  })
  .map(({ members, seq, prev }) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(members)) if (k !== "hash" && k !== "mac" && k !== "__proto__") out[k] = v;
    return { ...out, $kairos: LOG_FORMAT, seq, at: "2026-01-05T00:00:00.000Z", prev, ikey_id: MAC.keyId };
  });

describe("assembling a line without re-deriving its hashed text", () => {
  test("every line is what canonical JSON prints and what the readers hash and authenticate", () => {
    fc.assert(
      fc.property(entry, (e) => {
        const { line, hash, mac } = serializeEntry(e as never, MAC);
        expect(line).toBe(`${canonicalJson({ ...e, hash, mac })}\n`);
        const text = hashedText(line.slice(0, -1), LOG_FORMAT, hash, mac);
        expect(text).toBeDefined();
        expect(sha256(text!)).toBe(hash);
        expect(entryProblem(line.slice(0, -1), { ...e, hash, mac }, MAC)).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });

  test("the same line when the members' scan was not checked (the full derivation decides)", () => {
    fc.assert(
      fc.property(entry, (e) => {
        const serialized = serializeMembers(e);
        const { scans: _scans, ...unchecked } = serialized;
        expect(assembleEntry(unchecked, LOG_FORMAT, MAC)).toEqual(assembleEntry(serialized, LOG_FORMAT, MAC));
      }),
      { numRuns: 200 },
    );
  });

  test("a member the readers would misread is refused: the shortcut does not vouch for it, the full derivation fails", () => {
    const good = serializeMembers({ a: "x", context: { k: 1 }, $kairos: LOG_FORMAT });
    // A member whose value the readers' scanner cannot end where the writer thinks it ends.
    const broken = {
      ...good,
      members: good.members.map((m) => (m.startsWith('"a"') ? '"a":"x\\"' : m)),
      scans: good.scans!.map((s, i) => s && good.keys[i] !== "a"),
    };
    expect(() => assembleEntry(broken, LOG_FORMAT, MAC)).toThrow(LogError);
    expect(serializeMembers({ a: 'x\\"' }).scans).toEqual([true]);
  });
});

const EVALUATION_KEYS = ["basis", "journey", "matched", "outcome", "priority", "purpose", "reasons", "trace"];
const evaluationKey = fc.constantFrom(...EVALUATION_KEYS);

describe("the entry's evaluations in canonical key order", () => {
  test("equal to `{ ...ev, trace }`, members in code-unit order, for any subset and order of members (and extra ones)", () => {
    const member = fc.tuple(fc.oneof(evaluationKey, evaluationKey, fc.string({ maxLength: 4 })), json);
    fc.assert(
      fc.property(fc.array(member, { maxLength: 10 }), fc.array(fc.tuple(fc.nat(), json), { maxLength: 3 }), (members, trace) => {
        const ev: Record<string, unknown> = {};
        for (const [k, v] of members) if (k !== "__proto__") ev[k] = v;
        const t = trace as unknown as TraceEvent[];
        const fast = inCanonicalOrder(ev as unknown as Evaluation, t);
        const spread = { ...ev, trace: t };
        expect(fast).toStrictEqual(spread);
        expect(Object.keys(fast)).toEqual(Object.keys(spread).every((k) => EVALUATION_KEYS.includes(k)) ? Object.keys(spread).sort() : Object.keys(spread));
        expect(canonicalJson(fast)).toBe(canonicalJson(spread));
      }),
      { numRuns: 300 },
    );
  });
});

describe("remembered entity paths", () => {
  test("the plan of a decision's fields and journeys is the plan computed afresh, hit or miss", () => {
    const cache = new TraceTableCache();
    const field = fc.constantFrom("customer.tenure_months", "customer.email", "policy.status", "a.b", "a.b.c", "z.y", "nodot");
    fc.assert(
      fc.property(fc.uniqueArray(field, { maxLength: 5 }), fc.subarray([...JOURNEYS]), (fields, metas) => {
        const sortedFields = [...fields].sort();
        const fresh = pathPlan(sortedFields, metas);
        const remembered = cache.paths(sortedFields, metas);
        expect(remembered.sorted).toEqual(fresh.sorted);
        expect([...remembered.set].sort()).toEqual([...fresh.set].sort());
        expect(fresh.sorted.map(([p]) => p)).toEqual([...new Set([...sortedFields, ...metas.flatMap((m) => m.fields)])].sort());
      }),
      { numRuns: 300 },
    );
    // Equal keys but other journey objects: not the remembered plan's journeys, so a fresh plan.
    const meta = JOURNEYS[0]!;
    const twin = { ...meta, fields: [...meta.fields, "zz.only_in_twin"] };
    cache.paths(["a.b"], [meta]);
    expect(cache.paths(["a.b"], [twin]).set.has("zz.only_in_twin")).toBe(true);
  });
});

describe("sorting an object's keys", () => {
  test("sortKeys gives what Array.prototype.sort gives, for few keys (insertion sort) and many (native sort)", () => {
    const k = fc.oneof(
      fc.string({ maxLength: 5 }),
      fc.string({ unit: "binary", maxLength: 3 }),
      fc.constantFrom("", "a", "B", "é", "\ud800", "\udfff", "10", "9"),
    );
    fc.assert(
      fc.property(fc.uniqueArray(k, { maxLength: 40 }), (keys) => {
        const mine = [...keys];
        sortKeys(mine);
        expect(mine).toEqual([...keys].sort());
      }),
      { numRuns: 500 },
    );
  });
});
