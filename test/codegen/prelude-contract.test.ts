// The generated predicates module inlines the artifact types (so it type-checks on its own);
// they must be the very declarations of core/artifact.ts, or the contract drifts silently (it
// had: `event` was `unknown` in the module and `ContextValue` in the contract).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ARTIFACT_TYPES } from "../../compiler/codegen/prelude.ts";

/** Each top-level interface or type alias, printed without comments, by name. */
function declarations(text: string): Map<string, string> {
  const file = ts.createSourceFile("x.ts", text, ts.ScriptTarget.ES2024, true);
  const printer = ts.createPrinter({ removeComments: true });
  const out = new Map<string, string>();
  for (const s of file.statements) {
    if (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) out.set(s.name.text, printer.printNode(ts.EmitHint.Unspecified, s, file));
  }
  return out;
}

describe("the artifact types inlined in every predicates module", () => {
  it("are exactly core/artifact.ts's declarations of the same names", () => {
    const inlined = declarations(ARTIFACT_TYPES.replaceAll("\\`", "`"));
    const contract = declarations(readFileSync(join(import.meta.dirname, "../../core/artifact.ts"), "utf8"));
    expect([...inlined.keys()].sort()).toEqual([
      "CompiledJourney",
      "ContextValue",
      "JourneyGoal",
      "JourneyMeta",
      "PredicateContext",
      "SourceLoc",
      "StopLoss",
      "StopLossCondition",
      "TraceNode",
      "Tracer",
    ]);
    for (const [name, text] of inlined) expect(text, name).toBe(contract.get(name));
  });
});
