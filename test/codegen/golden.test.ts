// Golden files: test/golden/<case>/input.journey (with the case's catalog.yaml, or the spec's
// catalog) compiles to exactly test/golden/<case>/predicates.ts. Review diffs of these files
// like code; regenerate them with `UPDATE_GOLDEN=1 npx vitest run test/codegen/golden.test.ts`.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generatePredicates } from "../../compiler/codegen/index.ts";
import { compileCase, GOLDEN, goldenCases } from "./helpers.ts";

const UPDATE = process.env["UPDATE_GOLDEN"] === "1";

describe("golden predicates", () => {
  it("has golden cases", () => {
    expect(goldenCases().length).toBeGreaterThanOrEqual(3);
  });

  it.each(goldenCases())("%s compiles to its predicates.ts", (name) => {
    const r = compileCase(name);
    const out = generatePredicates(r.program, r.sources);
    expect(out.diagnostics).toEqual([]);
    const ts = out.value!.ts;
    const file = join(GOLDEN, name, "predicates.ts");
    if (UPDATE) writeFileSync(file, ts);
    expect(existsSync(file), `missing ${file}: run with UPDATE_GOLDEN=1`).toBe(true);
    expect(ts).toBe(readFileSync(file, "utf8"));
  });
});
