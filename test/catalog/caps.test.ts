// Channel caps in catalog.yaml (`caps:`): the model they load into, and each mistake reported by
// its code, the YAML text it underlines and its hint.
import { describe, expect, it } from "vitest";
import { catalogOf, load, minimal, only } from "./helpers.ts";

const BASE = `purposes:
  promo: { bases: [consent], channels: [email, push], marketing: true }
  service: { bases: [contract], channels: [sms, email] }
actions:
  email: { channel: email, params: { template: string } }
  sms: { channel: sms }
`;
const withCaps = (caps: string): string => minimal(`${BASE}caps:\n${caps}\n`);

describe("loading caps", () => {
  it("reads each cap with its window in ms, and `purposes` defaulting to `all`", () => {
    const c = catalogOf(withCaps("  weekly_promo: { channel: email, max: 2, per: 7d, purposes: marketing }\n  daily_sms: { channel: sms, max: 1, per: 24h }"));
    expect(c.caps!.get("weekly_promo")).toMatchObject({
      name: "weekly_promo",
      channel: "email",
      max: 2,
      per: "7d",
      windowMs: 7 * 86_400_000,
      purposes: "marketing",
    });
    expect(c.caps!.get("daily_sms")).toMatchObject({ per: "24h", windowMs: 86_400_000, purposes: "all" });
  });

  it("reads a list of purposes", () => {
    const c = catalogOf(withCaps("  s: { channel: email, max: 3, per: 2w, purposes: [service, promo] }"));
    expect(c.caps!.get("s")!.purposes).toEqual(["service", "promo"]);
  });

  it("a catalog without `caps` has none", () => {
    expect(catalogOf(minimal(BASE)).caps).toEqual(new Map());
  });
});

describe("cap mistakes", () => {
  it("a channel no action or purpose uses is an error with the closest channel", () => {
    const d = only(withCaps("  w: { channel: emial, max: 2, per: 7d }"), "catalog/unknown-cap-channel");
    expect(d).toMatchObject({ under: "emial", hint: "did you mean `email`?", message: "cap `w` counts channel `emial`, which no action or purpose uses" });
  });

  it("a channel far from every one lists the channels in use", () => {
    const d = only(withCaps("  w: { channel: carrier_pigeon, max: 2, per: 7d }"), "catalog/unknown-cap-channel");
    expect(d.hint).toBe("channels in use: `email`, `push`, `sms`");
  });

  it("an unknown purpose is an error with the closest purpose", () => {
    const d = only(withCaps("  w: { channel: email, max: 2, per: 7d, purposes: [service, promos] }"), "catalog/unknown-purpose");
    expect(d).toMatchObject({ under: "promos", hint: "did you mean `promo`?", message: "cap `w` names unknown purpose `promos`" });
  });

  it("a single purpose name instead of a list says how to write a list", () => {
    const d = only(withCaps("  w: { channel: email, max: 2, per: 7d, purposes: promo }"), "catalog/invalid-value");
    expect(d).toMatchObject({ under: "promo", hint: "to name purposes, write a list: `[promo]`", message: "`promo` is not `marketing` or `all`" });
  });

  it("`max` below 1 is an error", () => {
    const d = only(withCaps("  w: { channel: email, max: 0, per: 7d }"), "catalog/invalid-value");
    expect(d).toMatchObject({ under: "0", message: "`max` of cap `w` must be at least 1, not `0`" });
  });

  it("`max` that is not a whole number is an error", () => {
    const d = only(withCaps("  w: { channel: email, max: 2.5, per: 7d }"), "catalog/invalid-value");
    expect(d).toMatchObject({ under: "2.5", message: "`max` of cap `w` must be a whole number of at least 1, not `2.5`" });
  });

  it.each([
    ["P7D", "did you mean `7d`? a cap window is written like a journey's `cap N per 7d`"],
    ["PT12H", "did you mean `12h`? a cap window is written like a journey's `cap N per 12h`"],
    ["7 days", "did you mean `7d`? a cap window is written like a journey's `cap N per 7d`"],
    ["0d", "write a whole number of at least 1 and a unit, as in a journey's `cap N per 7d`: `7d` (days), `24h` (hours), `2w` (weeks), `30m` (minutes)"],
    ["1 month", "write a whole number of at least 1 and a unit, as in a journey's `cap N per 7d`: `7d` (days), `24h` (hours), `2w` (weeks), `30m` (minutes)"],
  ])("window `%s` is a bad duration with a fix", (per, hint) => {
    const d = only(withCaps(`  w: { channel: email, max: 2, per: ${per} }`), "catalog/invalid-value");
    expect(d).toMatchObject({ under: per, hint, message: `\`${per}\` is not a cap window` });
  });

  it("a window longer than any the runtime counts is an error", () => {
    const d = only(withCaps("  w: { channel: email, max: 2, per: 99999999w }"), "catalog/invalid-value");
    expect(d).toMatchObject({ under: "99999999w", message: "`99999999w` is longer than any window a cap can count" });
  });

  it("missing keys name what to add", () => {
    const r = load(withCaps("  w: { channel: email }"));
    expect(r.shown.map((d) => [d.code, d.message, d.hint])).toEqual([
      ["catalog/missing-key", "missing key `max` in cap `w`", "add how many actions the window may hold, such as `max: 3`"],
      ["catalog/missing-key", "missing key `per` in cap `w`", "add the rolling window, such as `per: 7d`"],
    ]);
    expect(r.value!.caps!.size).toBe(0);
  });

  it("an unknown key and a bad cap name are reported on the key", () => {
    const r = load(withCaps("  Weekly: { channel: email, max: 1, per: 7d, limit: 3 }"));
    expect(r.shown.map((d) => [d.code, d.under])).toEqual([
      ["catalog/invalid-name", "Weekly"],
      ["catalog/unknown-key", "limit"],
    ]);
    expect(r.shown[0]!.message).toBe("`Weekly` is not a valid cap name");
  });

  it("a cap no covered purpose can act through is a warning", () => {
    const d = only(withCaps("  w: { channel: sms, max: 2, per: 7d, purposes: marketing }"), "catalog/ineffective-cap");
    expect(d).toMatchObject({ under: "w", message: "cap `w` never applies: no purpose it covers (`promo`) lists channel `sms`" });
    expect(
      only(
        minimal(
          `purposes:\n  s: { bases: [contract], channels: [sms] }\nactions:\n  sms: { channel: sms }\ncaps:\n  m: { channel: sms, max: 1, per: 1d, purposes: marketing }\n`,
        ),
        "catalog/ineffective-cap",
      ).message,
    ).toBe("cap `m` never applies: no purpose is `marketing: true`");
  });
});
