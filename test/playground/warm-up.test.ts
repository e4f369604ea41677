// The compiler worker's warm-up (playground/src/warm-up.ts): after files are loaded it replays
// typing-like edits through the real check — reaching the error paths a keystroke reaches — on a
// private copy of the check cache, stops when a real request arrives, and stays out of the way
// of ordinary typing.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CheckCache, compilePolicySet, type CompileResult, type PolicySources } from "../../compiler/index.ts";
import { WarmUp } from "../../playground/src/warm-up.ts";

const dir = new URL("../../policies/", import.meta.url);
const sources: PolicySources = {
  catalog: { name: "catalog.yaml", text: readFileSync(new URL("catalog.yaml", dir), "utf8") },
  journeys: readdirSync(new URL("journeys/", dir))
    .filter((f) => f.endsWith(".journey"))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(new URL(`journeys/${f}`, dir), "utf8") })),
  rego: [],
};

/** Lets queued tasks run until the warm-up has been quiet for a while. */
async function settle(results: readonly CompileResult[]): Promise<void> {
  let seen = -1;
  while (seen !== results.length) {
    seen = results.length;
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** The cache's entries, by identity: what the real checks will find. */
const state = (cache: CheckCache) => [new Map(cache.catalogs), new Map(cache.journeys), new Map(cache.clean)];

async function checked(s: PolicySources): Promise<CheckCache> {
  const cache = new CheckCache();
  const r = await compilePolicySet(s, { cache, mode: "check" });
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return cache;
}

describe("the compiler worker's warm-up", () => {
  it("checks typing-like edits of the loaded files, errors included, without touching the real cache", async () => {
    const cache = await checked(sources);
    const before = state(cache);
    const results: CompileResult[] = [];
    const warm = new WarmUp((r) => results.push(r));
    warm.afterCheck(sources, cache);
    await settle(results);
    // Edit and revert, alternately: an unknown field (the "did you mean" path), then clean again.
    expect(results.length).toBeGreaterThanOrEqual(10);
    expect(results.length % 2).toBe(0);
    const codes = results.map((r) => r.diagnostics.map((d) => d.code));
    expect(codes.filter((c) => c.length === 0).length).toBe(results.length / 2);
    expect(codes.flat()).toContain("check/unknown-field");
    expect(state(cache)).toEqual(before);
    for (const [i, m] of state(cache).entries()) for (const [k, v] of m) expect(v).toBe(before[i]!.get(k));
  });

  it("stops as soon as a real request arrives", async () => {
    const cache = await checked(sources);
    const results: CompileResult[] = [];
    const warm = new WarmUp((r) => results.push(r));
    warm.afterCheck(sources, cache);
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setTimeout(resolve, 0));
    warm.interrupt();
    const at = results.length;
    await settle(results);
    expect(results.length).toBeLessThanOrEqual(at + 1);
    expect(results.length).toBeLessThan(10);
  });

  it("warms up when files are loaded or pasted into, not when they are typed into", async () => {
    const cache = await checked(sources);
    const results: CompileResult[] = [];
    const warm = new WarmUp((r) => results.push(r));
    warm.afterCheck(sources, cache);
    await settle(results);
    const afterLoad = results.length;
    expect(afterLoad).toBeGreaterThan(0);
    // A keystroke: one character more in one file.
    const first = sources.journeys[0]!;
    const typed = { ...sources, journeys: [{ name: first.name, text: `${first.text} ` }, ...sources.journeys.slice(1)] };
    warm.afterCheck(typed, cache);
    await settle(results);
    expect(results.length).toBe(afterLoad);
    // A paste: a whole journey more.
    const pasted = {
      ...sources,
      journeys: [{ name: first.name, text: `${first.text}\n${sources.journeys[1]!.text.replaceAll("journey ", "journey p_")}` }, ...sources.journeys.slice(1)],
    };
    warm.afterCheck(pasted, cache);
    await settle(results);
    expect(results.length).toBeGreaterThan(afterLoad);
  });
});
