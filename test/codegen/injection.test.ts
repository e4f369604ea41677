// No text from a policy file reaches generated code except as an escaped string literal:
// quotes, backticks, `${`, comment terminators and line separators in titles, literals,
// salts, reasons and catalog enum values stay inert data.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { PredicateContext } from "../../core/artifact.ts";
import { emitPredicates } from "../../compiler/codegen/index.ts";
import { compileCase, GOLDEN, importPredicates, run } from "./helpers.ts";

const BREAKOUT = '"); process.exit(1); ("';

/** The code with every string literal and comment removed: what is left is program text. */
function codeOnly(src: string): string {
  return src
    .replace(/"(?:[^"\\\n]|\\.)*"/g, '""')
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/[^\n]*/g, "");
}

describe("user text in generated code", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    delete (globalThis as Record<string, unknown>)["pwned"];
  });

  const r = compileCase("injection");
  const out = emitPredicates(r.program, r.sources);

  it("appears only inside string literals, in both flavours", () => {
    for (const src of [out.ts, out.js]) {
      expect(src).toContain(JSON.stringify(BREAKOUT));
      const code = codeOnly(src);
      expect(code).not.toContain("process");
      expect(code).not.toContain("pwned");
      expect(code).not.toContain("`");
      expect(code).not.toContain("${");
      expect(code).not.toContain("\u2028");
    }
  });

  it("loads and runs as data: no exit, no global written, values exactly as written", async () => {
    const exit = vi.spyOn(process, "exit").mockImplementation(() => {
      throw new Error("process.exit called");
    });
    const mod = await importPredicates(out.js);
    expect(Object.keys(mod)).toEqual(["journeys"]);
    const j = mod.journeys[0]!;
    const source = readFileSync(join(GOLDEN, "injection/input.journey"), "utf8");
    expect(source).toContain("\\u2028");
    expect(j.meta.title).toBe('"); process.exit(1); (" ` ${process.exit(1)} */ </script> \u2028 \\ end');
    expect(j.meta.holdout?.salt).toBe("${process.exit(1)}");
    expect(j.meta.action.params["template"]).toBe(BREAKOUT);
    const ctx = (name: string, kind: string) => ({ now: 0, event: {}, account: { name, kind } }) as unknown as PredicateContext;
    const when = (name: string, kind: string) => run(j.when, ctx(name, kind));
    expect(when(BREAKOUT, "line\nbreak")).toMatchObject({ value: true });
    expect(when("`${globalThis.pwned = 1}`", "line\nbreak")).toMatchObject({ value: true });
    expect(when("x", "a`b${c}`")).toMatchObject({ value: true });
    expect(when("x", "*/ x /*")).toMatchObject({ value: true });
    expect(when("x", "line\nbreak")).toMatchObject({ value: false });
    expect(run(j.reason!, ctx("${x}", "*/ x /*"))).toMatchObject({ value: 'Hi ${x}: "); process.exit(1); (" ` ${process.exit(1)} \n done' });
    expect(exit).not.toHaveBeenCalled();
    expect((globalThis as Record<string, unknown>)["pwned"]).toBeUndefined();
  });
});
