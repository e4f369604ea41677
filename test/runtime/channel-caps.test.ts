// The catalog's cross-journey channel caps at run time: what a cap counts (the channel and the
// covered purposes of each history entry, its own or its journey's), its rolling window (the
// same as `cap N per D`), where it applies (before arbitration, so another journey may win),
// what the decision says (`channel_cap_reached` naming the cap), and that the minimized request
// the log keeps holds the entries a cap counted, so it re-decides to the same decision.
import { describe, expect, test } from "vitest";
import { catalogFromJson, catalogToJson } from "../../core/catalog/serialize.ts";
import { checkChannelCap, type PastAction } from "../../runtime/guardrails.ts";
import { MemorySink } from "../../runtime/sink.ts";
import { SPEC_CATALOG } from "../helpers/spec-catalog.ts";
import { catalog as plainCatalog, catalogFromYaml, engine, journey, request } from "./fixtures.ts";

const CAPS = `caps:
  marketing_email: { channel: email, max: 2, per: 7d, purposes: marketing }
  sms_recovery: { channel: sms, max: 1, per: 24h, purposes: [service_updates, claims_handling] }
  all_push: { channel: push, max: 1, per: 1d }
`;
const capped = catalogFromYaml(`${SPEC_CATALOG}${CAPS}`);

const EMAIL = { name: "email", channel: "email", params: { template: "t" } };
const promo = journey({ id: "promo", purpose: "renewal_marketing", action: EMAIL, priority: 10 });
const otherPromo = journey({ id: "other_promo", purpose: "renewal_marketing", action: EMAIL, event: "ticket.resolved" });
const service = journey({ id: "service_mail", purpose: "service_updates", action: EMAIL, priority: 1 });
const DAY = 86_400_000;
const NOW = Date.parse("2026-05-30T12:00:00Z");
const ago = (ms: number): string => new Date(NOW - ms).toISOString();

describe("checkChannelCap", () => {
  const cap = capped.caps!.get("marketing_email")!;
  const h = (atMs: number, channel?: string, purpose?: string): PastAction => ({ journey: "x", atMs, channel, purpose });

  test("counts entries on its channel for covered purposes in (now − per, now]", () => {
    const history = [h(NOW - DAY, "email", "renewal_marketing"), h(NOW, "email", "renewal_marketing")];
    expect(checkChannelCap(cap, capped, history, NOW)).toMatchObject({ capped: true, count: 2, limit: 2, window: "7d", cap: "marketing_email" });
    expect(checkChannelCap(cap, capped, [h(NOW - 7 * DAY, "email", "renewal_marketing")], NOW).count).toBe(0);
    expect(checkChannelCap(cap, capped, [h(NOW - 7 * DAY + 1, "email", "renewal_marketing")], NOW).count).toBe(1);
    expect(checkChannelCap(cap, capped, [h(NOW + 1, "email", "renewal_marketing")], NOW).count).toBe(0);
  });

  test("does not count other channels, uncovered purposes, or entries whose channel is unknown", () => {
    const history = [
      h(NOW, "push", "renewal_marketing"),
      h(NOW, "email", "service_updates"),
      h(NOW, undefined, "renewal_marketing"),
      h(NOW, "email", undefined),
    ];
    expect(checkChannelCap(cap, capped, history, NOW).count).toBe(0);
  });

  test("`all` covers any purpose, even one the catalog does not know, and a list only its purposes", () => {
    const all = capped.caps!.get("all_push")!;
    expect(checkChannelCap(all, capped, [h(NOW, "push", "gone"), h(NOW, "push", undefined)], NOW).count).toBe(2);
    const listed = capped.caps!.get("sms_recovery")!;
    expect(checkChannelCap(listed, capped, [h(NOW, "sms", "claims_handling"), h(NOW, "sms", "service_recovery")], NOW).count).toBe(1);
  });
});

describe("channel caps in decisions", () => {
  test("a candidate whose channel and purpose a cap covers is capped when the window holds `max` entries, whatever journey took them", async () => {
    const history = [
      { journey: "other_promo", at: ago(DAY) },
      { journey: "retired_journey", channel: "email", purpose: "renewal_marketing", at: ago(2 * DAY) },
    ];
    const d = await engine([promo, otherPromo], undefined, capped).decide(request({ history }));
    expect(d.outcome).toBe("capped");
    expect(d.action).toBeUndefined();
    expect(d.evaluations[0]!.reasons).toContainEqual({
      code: "channel_cap_reached",
      message: "channel cap `marketing_email`: 2 action(s) on channel `email` in the last 7d; the cap is 2 per 7d",
      cap: "marketing_email",
      channel: "email",
      count: 2,
      limit: 2,
      window: "7d",
    });
  });

  test("below `max`, outside the window, or without the catalog's caps, the candidate acts", async () => {
    const two = [
      { journey: "other_promo", at: ago(DAY) },
      { journey: "other_promo", at: ago(7 * DAY) },
    ];
    expect((await engine([promo, otherPromo], undefined, capped).decide(request({ history: two }))).outcome).toBe("acted");
    const full = [
      { journey: "other_promo", at: ago(DAY) },
      { journey: "other_promo", at: ago(2 * DAY) },
    ];
    expect((await engine([promo, otherPromo], undefined, plainCatalog).decide(request({ history: full }))).outcome).toBe("acted");
  });

  test("an entry of a journey the artifact does not know counts only with its own channel", async () => {
    const history = [
      { journey: "retired_journey", at: ago(DAY) },
      { journey: "retired_journey", at: ago(2 * DAY) },
    ];
    expect((await engine([promo], undefined, capped).decide(request({ history }))).outcome).toBe("acted");
  });

  test("a purpose the cap does not cover is not capped, and wins when the covered one is capped", async () => {
    const history = [
      { journey: "other_promo", at: ago(DAY) },
      { journey: "other_promo", at: ago(2 * DAY) },
    ];
    const d = await engine([promo, service, otherPromo], undefined, capped).decide(request({ history }));
    expect(d).toMatchObject({ outcome: "acted", journey: "service_mail" });
    expect(d.evaluations.map((e) => [e.journey, e.outcome])).toEqual([
      ["promo", "capped"],
      ["service_mail", "acted"],
    ]);
  });

  test("the journey's own cap is reported first when both are reached", async () => {
    const own = journey({ id: "promo", purpose: "renewal_marketing", action: EMAIL, cap: { count: 1, windowMs: 30 * DAY, window: "30d" } });
    const history = [
      { journey: "promo", at: ago(DAY) },
      { journey: "other_promo", at: ago(DAY) },
    ];
    const d = await engine([own, otherPromo], undefined, capped).decide(request({ history }));
    expect(d.evaluations[0]!.reasons?.map((r) => r.code)).toEqual(expect.arrayContaining(["cap_reached"]));
    expect(d.evaluations[0]!.reasons?.map((r) => r.code)).not.toContain("channel_cap_reached");
  });

  test("the log keeps the entries a cap counted (and only those), and the minimized request decides the same", async () => {
    const sink = new MemorySink();
    const history = [
      { journey: "other_promo", at: ago(DAY) },
      { journey: "retired_journey", channel: "email", purpose: "renewal_marketing", at: ago(2 * DAY) },
      { journey: "retired_journey", channel: "sms", purpose: "renewal_marketing", at: ago(DAY) },
      { journey: "service_mail_elsewhere", channel: "email", purpose: "service_updates", at: ago(DAY) },
      { journey: "unknown", at: ago(DAY) },
    ];
    const e = engine([promo, otherPromo], undefined, capped).attach(sink);
    const d = await e.decide(request({ history }));
    expect(d.outcome).toBe("capped");
    const logged = sink.entries[0]!.request;
    expect(logged.history).toEqual(history.slice(0, 2));
    const again = await e.decide(logged, { sink: new MemorySink() });
    expect(again).toEqual(d);
  });

  test("history entries take `channel` and `purpose` in the request, and reject empty ones", async () => {
    const d = await engine([promo], undefined, capped).decide(request({ history: [{ journey: "x", at: ago(DAY), channel: "" }] }));
    expect(d.error?.code).toBe("invalid_request");
    expect(d.error?.message).toContain("history[0].channel: must not be empty");
  });
});

describe("the catalog part of the artifact", () => {
  test("round-trips the caps", () => {
    const back = catalogFromJson(JSON.parse(JSON.stringify(catalogToJson(capped))));
    expect(back.caps).toEqual(capped.caps);
    expect(back).toEqual(capped);
  });

  test("a catalog without caps serializes without a `caps` key (artifacts built before caps keep their hash)", () => {
    const json = catalogToJson(plainCatalog) as Record<string, unknown>;
    expect(Object.keys(json)).not.toContain("caps");
    expect(catalogFromJson(json).caps).toEqual(new Map());
  });
});
