// Properties of the decision contract on the spec's example policy set, compiled for real
// (codegen + OPA Wasm): determinism (in process, across engines, across processes), no action
// without a basis, nothing fetched outside the survivors' bundles, fail closed on injected faults.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ArtifactFiles } from "../../compiler/artifact/build.ts";
import { writeArtifactDir } from "../../compiler/node/artifact-write.ts";
import type { Decision } from "../../runtime/decision.ts";
import { decisionJson, Engine } from "../../runtime/engine.ts";
import { loadEngine } from "../../runtime/load.ts";
import { PolicyEngine } from "../../runtime/opa/index.ts";
import { compiledEngine } from "./compiled.ts";
import { RecordingProvider } from "./fixtures.ts";

const run = promisify(execFile);
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const START = Date.parse("2026-01-01T00:00:00Z");
const PURPOSES = ["renewal_marketing", "service_updates", "service_recovery", "claims_handling"];
const JOURNEYS = [
  "renewal_reminder_d90",
  "renewal_reminder_d30",
  "onboarding_nudge",
  "referral_invite",
  "service_recovery",
  "repeated_negative_interactions",
  "claim_status_update",
];

const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 4 });

/** Requests against the spec policy set: mostly valid data, sometimes a field missing or wrong. */
const requestArb = fc.integer({ min: START, max: START + 364 * DAY }).chain((now) =>
  fc.record({
    event: fc.oneof(
      fc.constant({ type: "daily", id: "d" }),
      fc.record({
        type: fc.constant("ticket.resolved"),
        id: fc.constant("t"),
        payload: fc.record({ ticket_id: fc.constant("T-1"), csat: fc.integer({ min: 1, max: 5 }) }),
      }),
      fc
        .record({ type: fc.constant("claim.filed"), id: fc.constant("k"), at: fc.constant(iso(now - 3 * DAY)), timer: fc.constantFrom(undefined, "3d", "7d") })
        .map((e) => JSON.parse(JSON.stringify(e)) as object),
    ),
    subject: fc.constantFrom("c-1", "c-2", "c-3", "c-42"),
    now: fc.constant(iso(now)),
    region: fc.constantFrom("eu", "uk", "us"),
    context: fc.record({
      customer: fc.record(
        {
          customer_id: fc.constant("c"),
          email: fc.constant("a@b.c"),
          timezone: fc.constantFrom("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC"),
          tenure_months: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant("twelve")),
          segment: fc.constantFrom("retail", "sme", "corporate"),
          nps: opt(fc.integer({ min: 0, max: 10 })),
          recent_interactions: fc.array(
            fc.record({
              at: fc.integer({ min: now - 40 * DAY, max: now }).map(iso),
              channel: fc.constantFrom("call", "web"),
              sentiment: fc.constantFrom("positive", "neutral", "negative"),
            }),
            { maxLength: 4 },
          ),
        },
        { requiredKeys: ["customer_id", "email", "timezone", "segment", "recent_interactions"] },
      ),
      policy: fc.record({
        status: fc.constantFrom("active", "lapsed"),
        renewal_date: fc.oneof(fc.constantFrom(30, 90), fc.integer({ min: -5, max: 100 })).map((d) => date(now + d * DAY)),
        premium: fc.constant(10.5),
      }),
      claim: fc.record({ filed_at: fc.constant(iso(now - 3 * DAY)), status: fc.constantFrom("filed", "paid"), diagnosis: fc.constant("x") }),
      onboarding: fc.record({
        completed_steps: fc.integer({ min: 0, max: 5 }),
        total_steps: fc.constant(5),
        last_progress_at: fc.integer({ min: now - 10 * DAY, max: now }).map(iso),
      }),
    }),
    consents: fc
      .array(
        fc.record({
          purpose: fc.constantFrom(...PURPOSES),
          channel: opt(fc.constantFrom("email", "push", "sms")),
          status: fc.constantFrom("granted", "withdrawn", "denied"),
          at: fc.integer({ min: START - 100 * DAY, max: now + DAY }).map(iso),
        }),
        { maxLength: 3 },
      )
      .map((cs) => JSON.parse(JSON.stringify(cs)) as object[]),
    objections: fc.array(fc.record({ scope: fc.constantFrom("direct_marketing", "purpose:service_recovery"), at: fc.constant(iso(START)) }), { maxLength: 1 }),
    history: fc.array(fc.record({ journey: fc.constantFrom(...JOURNEYS), at: fc.integer({ min: now - 200 * DAY, max: now }).map(iso) }), { maxLength: 3 }),
  }),
);

let engine: Engine;
let files: ArtifactFiles;
let tmp: string;

beforeAll(async () => {
  ({ engine, files } = await compiledEngine());
  tmp = mkdtempSync(join(tmpdir(), "kairos-props-"));
  writeArtifactDir(join(tmp, "artifact"), files);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function checkInvariants(d: Decision): void {
  // Acted: the action taken; deferred or pending review: the action proposed (spec §6).
  if (d.outcome === "acted" || d.outcome === "deferred" || d.outcome === "pending_review") {
    expect(d.basis).toBeTypeOf("string");
    const meta = engine.predicates.journeys.find((j) => j.meta.id === d.journey)?.meta;
    expect(d.action).toMatchObject({ name: meta?.action.name, channel: meta?.action.channel });
    expect(d.evaluations.find((e) => e.journey === d.journey)).toMatchObject({ outcome: d.outcome, basis: d.basis });
  } else expect(d.action).toBeUndefined();
  if (d.outcome === "error") {
    expect(d.journey).toBeUndefined();
    expect(d.error?.code).toBeTypeOf("string");
  }
  for (const e of d.evaluations)
    if (["acted", "held_out", "deferred", "pending_review", "suppressed", "capped"].includes(e.outcome)) expect(e.basis).toBeTypeOf("string");
}

describe("decision properties", () => {
  test("the same request gives byte-identical decisions, also from a second engine", async () => {
    const second = await loadEngine(files);
    await fc.assert(
      fc.asyncProperty(requestArb, async (req) => {
        const a = decisionJson(await engine.decide(req));
        expect(decisionJson(await engine.decide(structuredClone(req)))).toBe(a);
        expect(decisionJson(await second.decide(req))).toBe(a);
      }),
      { numRuns: 60 },
    );
  });

  test("never acted without a basis; errors carry no action and no winner", async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (req) => checkInvariants(await engine.decide(req))),
      { numRuns: 150 },
    );
  });

  test("the provider is asked once, for exactly the union of the surviving candidates' bundles", async () => {
    const bundles = new Map(engine.predicates.journeys.map((j) => [j.meta.id, j.meta.fields]));
    await fc.assert(
      fc.asyncProperty(requestArb, async (req) => {
        const provider = new RecordingProvider(req.context as never);
        const d = await engine.decide(req, { provider });
        const survivors = d.evaluations.filter((e) => !["denied_consent", "denied_residency"].includes(e.outcome));
        const union = [...new Set(survivors.flatMap((e) => bundles.get(e.journey) ?? []))].sort();
        expect(provider.asked).toEqual(union.length > 0 ? [union] : []);
        expect(d.fields).toEqual(union);
      }),
      { numRuns: 150 },
    );
  });

  test("an injected failure of the policies, the provider or a predicate ends in error with no action", async () => {
    const bundle = files.get("opa/bundle.tar.gz")!;
    const real = await PolicyEngine.load(bundle);
    const fault = fc.constantFrom("policy", "provider", "predicate");
    await fc.assert(
      fc.asyncProperty(requestArb, fault, fc.constantFrom(...JOURNEYS), async (req, where, victim) => {
        let reached = 0;
        const boom = (): never => {
          reached++;
          throw new Error("injected");
        };
        const predicates = { journeys: engine.predicates.journeys.map((j) => (where === "predicate" && j.meta.id === victim ? { ...j, when: boom } : j)) };
        const policy = where === "policy" ? { evaluate: boom } : real;
        const faulty = Engine.fromParts({ manifest: engine.manifest, catalog: engine.catalog, predicates, policy });
        const provider = where === "provider" ? new RecordingProvider({}, new Error("injected")) : undefined;
        const d = await faulty.decide(req, provider ? { provider } : {});
        checkInvariants(d);
        if (reached > 0 || (provider?.asked.length ?? 0) > 0) expect(d.outcome).toBe("error");
        // A fault never reached leaves the decision exactly as without it.
        else expect(d).toEqual(await engine.decide(req));
      }),
      { numRuns: 120 },
    );
  });
});

describe("determinism across processes", () => {
  test("`kairos decide` in two child processes prints the bytes this process computes", async () => {
    const samples = fc.sample(requestArb, { numRuns: 3, seed: 7 });
    for (const [i, req] of samples.entries()) {
      const file = join(tmp, `req-${i}.json`);
      writeFileSync(file, JSON.stringify(req));
      const expected = decisionJson(await engine.decide(req)) + "\n";
      const args = [
        join(import.meta.dirname, "../../bin/kairos.js"),
        "decide",
        "--artifact",
        join(tmp, "artifact"),
        "--request",
        file,
        "--trace",
        "compact",
        "--allow-error",
      ];
      const [a, b] = await Promise.all([run(process.execPath, args), run(process.execPath, args)]);
      expect(a.stdout).toBe(expected);
      expect(b.stdout).toBe(expected);
    }
  });
});
