// The emitted TypeScript type-checks on its own with `tsc --strict` (no imports, types
// inlined), and the module it declares satisfies the artifact contract (PredicatesModule).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emitPredicates } from "../../compiler/codegen/index.ts";
import { compileCase, compileExample, goldenCases, ROOT } from "./helpers.ts";

function tsc(dir: string, files: string[], extra: Record<string, unknown> = {}): { ok: boolean; output: string } {
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: "ES2022", module: "ESNext", moduleResolution: "Bundler", lib: ["ES2022"], types: [], ...extra },
      files,
    }),
  );
  try {
    const output = execFileSync(join(ROOT, "node_modules/.bin/tsc"), ["-p", join(dir, "tsconfig.json")], { encoding: "utf8", stdio: "pipe" });
    return { ok: true, output };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

describe("emitted TypeScript", () => {
  it("passes tsc --strict --noEmit standalone for the example policy set and every golden case", () => {
    const dir = mkdtempSync(join(tmpdir(), "kairos-tsc-"));
    try {
      const sets = [["example", compileExample()] as const, ...goldenCases().map((c) => [c, compileCase(c)] as const)];
      const files: string[] = [];
      for (const [name, r] of sets) {
        mkdirSync(join(dir, name));
        writeFileSync(join(dir, name, "predicates.ts"), emitPredicates(r.program, r.sources).ts);
        files.push(`${name}/predicates.ts`);
      }
      const r = tsc(dir, files);
      expect(r.output).toBe("");
      expect(r.ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("declares a module assignable to the artifact's PredicatesModule", () => {
    const dir = mkdtempSync(join(tmpdir(), "kairos-tsc-"));
    try {
      const r = compileExample();
      writeFileSync(join(dir, "predicates.ts"), emitPredicates(r.program, r.sources).ts);
      const artifact = join(ROOT, "core/artifact.ts");
      writeFileSync(
        join(dir, "contract.ts"),
        [
          `import type { PredicatesModule } from ${JSON.stringify(artifact)};`,
          `import * as generated from "./predicates.ts";`,
          "export const contract: PredicatesModule = generated;",
          "",
        ].join("\n"),
      );
      const out = tsc(dir, ["contract.ts"], { allowImportingTsExtensions: true });
      expect(out.output).toBe("");
      expect(out.ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is rejected by the same check when it is broken (the check can fail)", () => {
    const dir = mkdtempSync(join(tmpdir(), "kairos-tsc-"));
    try {
      const r = compileExample();
      const broken = emitPredicates(r.program, r.sources).ts.replace(
        "function when_",
        "function when_broken(c: Ctx_nothing): number { return c; }\nfunction when_",
      );
      writeFileSync(join(dir, "predicates.ts"), broken);
      expect(tsc(dir, ["predicates.ts"]).ok).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
