// Freshness through the real engine (spec catalog compiled for real): where a value's age comes
// from besides the request's `context_as_of` — a provider answer's `$as_of`, also over real HTTP —
// which of two ages counts, what a malformed age does (fails closed), what the log keeps of the
// ages (only those checked, so other requests keep their ids and bytes) and that deciding the
// logged request again gives the same stale decision. The decision rules themselves are pinned
// by the conformance corpus (test/conformance/decisions/freshness.yaml).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import type { EntityRecords } from "../../runtime/context.ts";
import { decisionJson } from "../../runtime/engine.ts";
import { formatAge } from "../../runtime/freshness.ts";
import { HttpProvider } from "../../runtime/http-provider.ts";
import { parseRequest, RequestSchema } from "../../runtime/request.ts";
import { parseCompiled } from "../../runtime/request-compiled.ts";
import { MemorySink } from "../../runtime/sink.ts";
import { compiledEngine, SPEC_POLICY_DIR } from "./compiled.ts";
import { FRESHNESS_CUSTOMER as CUSTOMER, freshnessJourneys, promoterThanks, tenureGift } from "../helpers/freshness-fixtures.ts";

const JOURNEYS = freshnessJourneys(promoterThanks(), tenureGift());

const NOW = "2026-05-30T12:00:00Z";

function request(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { event: { type: "daily", id: "d" }, subject: "c-1", now: NOW, region: "eu", context: { customer: CUSTOMER }, ...extra };
}

/** A provider answering the customer record and, when given, `$as_of`. */
function provider(asOf?: unknown): { fetch(): EntityRecords } {
  return { fetch: () => ({ customer: CUSTOMER, ...(asOf === undefined ? {} : { $as_of: asOf }) }) as unknown as EntityRecords };
}

const engine = async () => (await compiledEngine(SPEC_POLICY_DIR, JOURNEYS)).engine;

describe("formatAge", () => {
  test("shows the two largest units, the second only when not zero", () => {
    expect(formatAge(42_000)).toBe("42s");
    expect(formatAge(7 * 60_000 + 5_000)).toBe("7m 5s");
    expect(formatAge(3 * 3_600_000 + 20 * 60_000)).toBe("3h 20m");
    expect(formatAge(61 * 86_400_000 + 2 * 3_600_000 + 59_000)).toBe("61d 2h");
    expect(formatAge(45 * 86_400_000)).toBe("45d");
    expect(formatAge(0)).toBe("0s");
  });
});

describe("`context_as_of` in the request", () => {
  test("the compiled parse reads it as zod does, and leaves a bad one to zod", () => {
    const ok = request({ context_as_of: { customer: "2026-05-01T00:00:00Z", "customer.nps": "2026-05-02T00:00:00+02:00" } });
    const compiled = parseCompiled(ok);
    expect(compiled?.request).toEqual(RequestSchema.parse(ok));
    expect(compiled?.times.get("2026-05-02T00:00:00+02:00")).toBe(Date.parse("2026-05-01T22:00:00Z"));
    expect(parseCompiled(request({ context_as_of: { customer: "2026-05-01" } }))).toBeUndefined();
    expect(parseCompiled(request({ context_as_of: ["2026-05-01T00:00:00Z"] }))).toBeUndefined();
  });

  test("names an unknown entity or field with a did-you-mean, and a value that is not a datetime", async () => {
    const { catalog } = await engine();
    const bad = parseRequest(request({ context_as_of: { custmer: "2026-05-01T00:00:00Z", "customer.npss": "2026-05-01T00:00:00Z" } }), catalog);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems).toEqual([
      { path: "context_as_of.custmer", message: "unknown entity `custmer`: the catalog does not declare it", hint: "did you mean `customer`?" },
      { path: "context_as_of.customer.npss", message: "unknown field `customer.npss`: the catalog does not declare it", hint: "did you mean `customer.nps`?" },
    ]);
    const text = parseRequest(request({ context_as_of: { customer: 5 } }), catalog);
    expect(!text.ok && text.problems.map((p) => p.path)).toEqual(["context_as_of.customer"]);
  });
});

describe("a stale event that no journey acts on at once", () => {
  const claim = (at: string) => ({
    event: { type: "claim.filed", id: "K-1", at },
    subject: "c-1",
    now: NOW,
    region: "eu",
    context: { customer: CUSTOMER, claim: { filed_at: at, status: "filed", diagnosis: "x" } },
  });

  test("is stale when only its follow-ups listen, says why in `stale` and drops the overdue ones", async () => {
    // The spec set's only `claim.filed` journey runs `after 3d, 7d`.
    const { engine: spec } = await compiledEngine(SPEC_POLICY_DIR);
    const old = await spec.decide(claim("2026-03-30T12:00:00Z"));
    expect(old).toMatchObject({ outcome: "stale", evaluations: [], fields: [] });
    expect(old).not.toHaveProperty("wakeups");
    expect(old.stale).toEqual([expect.objectContaining({ code: "stale_event", event: "claim.filed", freshness: "PT5M" })]);
    const late = await spec.decide(claim("2026-05-28T12:00:00Z"));
    expect(late.outcome).toBe("stale");
    // Two days late: the 3-day follow-up is still ahead, the 7-day one too.
    expect(late.wakeups?.map((w) => w.at)).toEqual(["2026-05-31T12:00:00Z", "2026-06-04T12:00:00Z"]);
  });

  test("is `no_match`, as before, when nothing listens to it at all", async () => {
    const d = await (await engine()).decide(claim("2026-03-30T12:00:00Z"));
    expect(d).toMatchObject({ outcome: "no_match", evaluations: [] });
    expect(d).not.toHaveProperty("stale");
  });
});

describe("ages from the context provider", () => {
  test("a provider's `$as_of` for an entity ages its fields, and a stale one stops the decision", async () => {
    const d = await (await engine()).decide(request(), { provider: provider({ customer: "2026-04-01T00:00:00Z" }) });
    expect(d.outcome).toBe("stale");
    const reason = d.evaluations[0]!.reasons!.find((r) => r.code === "stale_field");
    expect(d.stale).toEqual([reason]);
    expect(reason).toEqual({
      code: "stale_field",
      message: "`customer.nps` was read at 2026-04-01T00:00:00Z, 59d 12h before `now`; its freshness is P30D",
      field: "customer.nps",
      as_of: "2026-04-01T00:00:00Z",
      age_seconds: 59 * 86_400 + 12 * 3_600,
      freshness: "P30D",
    });
  });

  test("of the request's and the provider's ages the earlier counts", async () => {
    const e = await engine();
    const old = { "customer.nps": "2026-04-01T00:00:00Z" };
    const recent = { "customer.nps": "2026-05-29T00:00:00Z" };
    expect((await e.decide(request({ context_as_of: recent }), { provider: provider(old) })).outcome).toBe("stale");
    expect((await e.decide(request({ context_as_of: old }), { provider: provider(recent) })).outcome).toBe("stale");
    expect((await e.decide(request({ context_as_of: recent }), { provider: provider(recent) })).outcome).toBe("acted");
  });

  test("an age that is not a datetime fails the candidates reading the field closed, naming it", async () => {
    const d = await (await engine()).decide(request(), { provider: provider({ "customer.nps": "last week" }) });
    expect(d.outcome).toBe("error");
    expect(d.error?.code).toBe("wrong_type");
    expect(d.error?.message).toContain("`$as_of.customer.nps` (the age of `customer.nps`) is not an ISO 8601 datetime");
    expect(d.evaluations.map((e) => [e.journey, e.outcome])).toEqual([
      ["promoter_thanks", "error"],
      ["tenure_gift", "error"],
    ]);
  });

  test("`$as_of` that is not an object fails closed too", async () => {
    const d = await (await engine()).decide(request(), { provider: provider("2026-05-30T00:00:00Z") });
    expect(d).toMatchObject({ outcome: "error", error: { code: "wrong_type" } });
  });

  describe("over HTTP", () => {
    const servers: Server[] = [];
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    });

    test("a system of record answering `$as_of` makes an old value stale", async () => {
      const server = createServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ customer: CUSTOMER, $as_of: { "customer.nps": "2026-03-01T00:00:00Z" } }));
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as AddressInfo).port;
      const http = new HttpProvider({ url: `http://127.0.0.1:${port}/ctx/{subject}?fields={fields}`, retries: 0 });
      const { context: _c, ...noContext } = request();
      const d = await (await engine()).decide(noContext, { provider: http });
      expect(d.outcome).toBe("stale");
      expect(d.evaluations[0]).toMatchObject({ journey: "promoter_thanks", outcome: "stale" });
    });
  });
});

describe("what the log keeps", () => {
  test("the minimized request keeps the ages it checked, per field, and deciding it again gives the same decision", async () => {
    const e = await engine();
    const sink = new MemorySink();
    const d = await e.decide(request({ context_as_of: { customer: "2026-04-01T00:00:00Z" } }), { sink });
    expect(d.outcome).toBe("stale");
    const entry = sink.entries[0]!;
    // tenure_months has no freshness: its age is not kept.
    expect(entry.request.context_as_of).toEqual({ "customer.nps": "2026-04-01T00:00:00Z" });
    expect(entry.requestJson).toContain('"context_as_of":{"customer.nps":"2026-04-01T00:00:00Z"}');
    const again = await e.decide(JSON.parse(entry.requestJson!));
    expect(decisionJson(again)).toBe(decisionJson(d));
  });

  test("ages of fields without a freshness change neither the logged request nor the decision id", async () => {
    const e = await engine();
    const sink = new MemorySink();
    const plain = await e.decide(request(), { sink });
    const aged = await e.decide(request({ context_as_of: { "customer.tenure_months": "2020-01-01T00:00:00Z" } }), { sink });
    expect(aged.outcome).toBe("acted");
    expect(decisionJson(aged)).toBe(decisionJson(plain));
    expect(sink.entries[1]!.requestJson).toBe(sink.entries[0]!.requestJson);
    expect(sink.entries[1]!.request).not.toHaveProperty("context_as_of");
  });

  test("a stale decision the log refuses becomes `error`, without the `stale` member", async () => {
    const refusing = { append: () => Promise.reject(new Error("disk full")) };
    const d = await (await engine()).decide(request({ context_as_of: { "customer.nps": "2026-01-01T00:00:00Z" } }), { sink: refusing });
    expect(d).toMatchObject({ outcome: "error", error: { code: "log_failed" } });
    expect(d).not.toHaveProperty("stale");
  });

  test("a stale decision's entry names no winner, no basis and no action", async () => {
    const sink = new MemorySink();
    const d = await (await engine()).decide(request({ context_as_of: { "customer.nps": "2026-01-01T00:00:00Z" } }), { sink });
    expect(d).not.toHaveProperty("action");
    expect(d).not.toHaveProperty("journey");
    expect(sink.entries[0]).toMatchObject({ outcome: "stale" });
    expect(sink.entries[0]).not.toHaveProperty("journey");
    expect(sink.entries[0]).not.toHaveProperty("basis");
  });
});
