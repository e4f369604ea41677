// Issue 10 #7: every external call — the context provider, the policy evaluation, the sink —
// has a deadline. A call that never answers ends the decision as `error`, logged, instead of
// hanging `decide` forever; its AbortSignal fires so it can stop. Deadlines here are tens of
// milliseconds; the tests assert only that the decision finished with the right error.
import { describe, expect, test } from "vitest";
import { DEFAULT_DEADLINES, DeadlineExceeded } from "../../runtime/deadline.ts";
import type { FetchOptions } from "../../runtime/context.ts";
import type { CandidateVerdict } from "../../core/opa-contract.ts";
import type { PolicyRequest } from "../../runtime/opa/input.ts";
import { MemorySink, type AppendOptions, type DecisionLogEntry } from "../../runtime/sink.ts";
import { Engine } from "../../runtime/engine.ts";
import { catalog, engine, FakePolicy, journey, manifest, RecordingProvider, fullContext, request } from "./fixtures.ts";

const never = <T>(): Promise<T> => new Promise<T>(() => {});

/** A provider that never answers and remembers the signal it was given. */
class HangingProvider {
  signal: AbortSignal | undefined;
  fetch(_subject: string, _fields: readonly string[], options?: FetchOptions): Promise<never> {
    this.signal = options?.signal;
    return never();
  }
}

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // a synchronous call that takes `ms`
  }
}

const withFields = () => journey({ id: "a", fields: ["policy.status"] });

describe("the provider deadline", () => {
  test("a provider that never answers ends in `provider_timeout`, logged, and is told to stop", async () => {
    const provider = new HangingProvider();
    const sink = new MemorySink();
    const d = await engine([withFields()]).decide(request(), { provider, sink, deadlines: { provider: 30 } });
    expect(d).toMatchObject({ outcome: "error", error: { code: "provider_timeout", message: expect.stringContaining("did not answer within 30 ms") } });
    expect(d.action).toBeUndefined();
    expect(sink.entries).toHaveLength(1);
    expect(sink.entries[0]).toMatchObject({ outcome: "error", decision: { error: { code: "provider_timeout" } } });
    expect(provider.signal?.aborted).toBe(true);
    expect(provider.signal?.reason).toBeInstanceOf(DeadlineExceeded);
  });

  test("the engine's deadline applies when the decision sets none", async () => {
    const e = Engine.fromParts(
      { manifest: manifest([withFields()]), catalog, predicates: { journeys: [withFields()] }, policy: new FakePolicy() },
      { deadlines: { provider: 20 } },
    );
    const d = await e.decide(request(), { provider: new HangingProvider() });
    expect(d.error?.code).toBe("provider_timeout");
  });

  test("a provider that answers in time is not disturbed, and its signal does not fire", async () => {
    let signal: AbortSignal | undefined;
    const inner = new RecordingProvider(fullContext());
    const provider = { fetch: async (s: string, f: readonly string[], o?: FetchOptions) => ((signal = o?.signal), inner.fetch(s, f)) };
    const d = await engine([withFields()]).decide(request(), { provider, deadlines: { provider: 1000 } });
    expect(d.outcome).toBe("acted");
    expect(signal?.aborted).toBe(false);
  });

  test("a synchronous provider that answers after the deadline is not used", async () => {
    const provider = { fetch: () => (busy(40), fullContext()) };
    const d = await engine([withFields()]).decide(request(), { provider, deadlines: { provider: 5 } });
    expect(d.error?.code).toBe("provider_timeout");
  });
});

describe("the policy deadline", () => {
  test("an asynchronous policy that never answers ends in `policy_timeout`, before any fetch", async () => {
    const policy = { evaluate: (_r: PolicyRequest, _s?: AbortSignal) => never<CandidateVerdict[]>() };
    const provider = new RecordingProvider(fullContext());
    const sink = new MemorySink();
    const d = await engine([withFields()], policy).decide(request(), { provider, sink, deadlines: { policy: 30 } });
    expect(d).toMatchObject({ outcome: "error", error: { code: "policy_timeout" } });
    expect(provider.asked).toEqual([]);
    expect(sink.entries).toHaveLength(1);
  });

  test("a synchronous evaluation that overruns its deadline is discarded (it cannot be interrupted)", async () => {
    class Slow extends FakePolicy {
      override evaluate(r: PolicyRequest): CandidateVerdict[] {
        busy(40);
        return super.evaluate(r);
      }
    }
    const d = await engine([withFields()], new Slow()).decide(request(), { deadlines: { policy: 5 } });
    expect(d).toMatchObject({ outcome: "error", error: { code: "policy_timeout" } });
  });

  test("an asynchronous policy that answers in time is used", async () => {
    const fake = new FakePolicy();
    const policy = { evaluate: async (r: PolicyRequest) => fake.evaluate(r) };
    const d = await engine([withFields()], policy).decide(request(), { deadlines: { policy: 1000 } });
    expect(d.outcome).toBe("acted");
  });
});

describe("the sink deadline", () => {
  test("a sink that never takes the entry: `sink_timeout`, and the error entry is offered once more", async () => {
    const offered: DecisionLogEntry[] = [];
    const signals: (AbortSignal | undefined)[] = [];
    const sink = { append: (entry: DecisionLogEntry, o?: AppendOptions) => (offered.push(entry), signals.push(o?.signal), never<void>()) };
    const d = await engine([journey({ id: "a" })]).decide(request(), { sink, deadlines: { sink: 20 } });
    expect(d).toMatchObject({ outcome: "error", error: { code: "sink_timeout", message: expect.stringContaining("within 20 ms") } });
    expect(d.action).toBeUndefined();
    expect(offered.map((e) => e.outcome)).toEqual(["acted", "error"]);
    expect(offered[1]!.decision.error?.code).toBe("sink_timeout");
    expect(signals.every((s) => s?.aborted)).toBe(true);
  });

  test("a synchronous sink that has written the entry keeps it, however long it took", async () => {
    const sink = new MemorySink();
    const slow = { append: (e: DecisionLogEntry) => (busy(30), sink.append(e)) };
    const d = await engine([journey({ id: "a" })]).decide(request(), { sink: slow, deadlines: { sink: 5 } });
    expect(d.outcome).toBe("acted");
    expect(sink.entries).toHaveLength(1);
  });
});

describe("deadline options", () => {
  test("default to 2 s each", () => {
    expect(DEFAULT_DEADLINES).toEqual({ provider: 2000, policy: 2000, sink: 2000 });
    expect(engine([journey({ id: "a" })]).deadlines).toEqual(DEFAULT_DEADLINES);
  });

  test("one number sets all three; Infinity waits forever", () => {
    const parts = { manifest: manifest([]), catalog, predicates: { journeys: [] }, policy: null };
    expect(Engine.fromParts(parts, { deadlines: 50 }).deadlines).toEqual({ provider: 50, policy: 50, sink: 50 });
    expect(Engine.fromParts(parts, { deadlines: { sink: Infinity } }).deadlines).toEqual({ provider: 2000, policy: 2000, sink: Infinity });
  });

  test("an invalid deadline is refused when the engine is made, naming it", () => {
    const parts = { manifest: manifest([]), catalog, predicates: { journeys: [] }, policy: null };
    expect(() => Engine.fromParts(parts, { deadlines: { provider: 0 } })).toThrow("deadline `provider` must be a positive number of milliseconds");
    expect(() => Engine.fromParts(parts, { deadlines: { fetch: 5 } as never })).toThrow("unknown deadline `fetch`");
  });

  test("an invalid deadline for one decision is an `error` decision, not a throw", async () => {
    const d = await engine([journey({ id: "a" })]).decide(request(), { deadlines: { policy: -1 } });
    expect(d).toMatchObject({ outcome: "error", error: { code: "invalid_options", message: expect.stringContaining("deadline `policy`") } });
  });
});
