// Share links: the state survives the round trip exactly; damaged, truncated and other-version
// links decode to an error that says so.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeState, encodeState } from "../../playground/src/share.ts";
import type { PlaygroundState } from "../../playground/src/state.ts";

const STATE: PlaygroundState = {
  catalog: "version: 1\nentities: {}\n",
  journeys: [
    { name: "renewals.journey", text: 'journey a {\n  reason "ünïcödé ✓ — {x}"\n}\n' },
    { name: "claims.journey", text: "# empty\n" },
  ],
  request: '{ "subject": "s" }',
  context: "{}",
  consents: '{ "consents": [], "objections": [] }',
};

describe("share links", () => {
  it("round-trips a state exactly, in a versioned fragment", () => {
    const fragment = encodeState(STATE);
    expect(fragment).toMatch(/^#v1:[A-Za-z0-9_-]+$/);
    expect(decodeState(fragment)).toEqual({ ok: true, state: STATE });
  });

  it("round-trips any texts", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 200 });
    fc.assert(
      fc.property(text, text, text, text, fc.array(text, { maxLength: 3 }), (catalog, request, context, consents, journeys) => {
        const state: PlaygroundState = { catalog, request, context, consents, journeys: journeys.map((t, i) => ({ name: `f${i}.journey`, text: t })) };
        expect(decodeState(encodeState(state))).toEqual({ ok: true, state });
      }),
      { numRuns: 100 },
    );
  });

  it("reports a truncated link as damaged", () => {
    const fragment = encodeState(STATE);
    for (const cut of [fragment.length - 1, Math.floor(fragment.length / 2), 5]) {
      const r = decodeState(fragment.slice(0, cut));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toContain("damaged or truncated");
    }
  });

  it("names the format of a link from another version", () => {
    const r = decodeState("#v2:" + encodeState(STATE).slice(4));
    expect(r).toEqual({ ok: false, error: "this share link is of format v2; this playground reads v1 links" });
  });

  it("rejects fragments that are not share links or do not hold a state", () => {
    expect(decodeState("#section-2").ok).toBe(false);
    expect(decodeState("#v1:!!!").ok).toBe(false);
    const notState = encodeState(STATE).replace(/^#v1:/, "");
    expect(decodeState("#v1:" + notState.split("").reverse().join("")).ok).toBe(false);
    const bad = { ...STATE, journeys: [{ name: "../evil.journey", text: "" }] };
    const r = decodeState(encodeState(bad));
    expect(r).toEqual({ ok: false, error: "this share link does not hold a playground state" });
  });
});
