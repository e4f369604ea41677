// The check stage for `test` and `property` blocks of a policy set (docs/testing.md): a pure
// function of the parsed files and the catalog, like every compiler stage. It runs after the
// journeys are checked, with its own tables, and never changes what journeys mean.
import type * as A from "../syntax/ast.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import type { Resolution, Type } from "../checker/checked.ts";
import { emptyEnv, ExprChecker, type CheckContext } from "../checker/expr.ts";
import type { Diagnostic, StageResult } from "../../core/diagnostics.ts";
import type { Span } from "../../core/source.ts";
import { reporter } from "./args.ts";
import { checkProperty, DECISION, decisionScope } from "./check-property.ts";
import { checkTest } from "./check-test.ts";
import { suiteContext } from "./inputs.ts";
import type { CheckedProperty, CheckedSuite, CheckedTest } from "./model.ts";

/** Checks every test and property of the files. Never throws on a user's mistake. */
export function checkTests(files: readonly A.JourneyFile[], catalog: Catalog): StageResult<CheckedSuite> {
  const diagnostics: Diagnostic[] = [];
  const report = reporter(diagnostics);
  const sc = suiteContext(files, catalog, report);
  const scope = decisionScope(catalog, [...sc.journeys.keys()].sort());
  const conditions = new Map<string, A.ConditionDecl>();
  for (const f of files) for (const d of f.decls) if (d.kind === "condition" && !conditions.has(d.name.name)) conditions.set(d.name.name, d);
  const types = new Map<A.Expr, Type>();
  const resolutions = new Map<A.PathExpr, Resolution>();
  const errors = () => diagnostics.filter((d) => d.severity === "error").length;

  // Conditions are checked again here, quietly (the journey checker reports their problems),
  // so that a property narrows optional fields through them exactly as a journey does.
  const quiet: CheckContext = { catalog, conditions, types, resolutions, diagnostics: [] };
  for (const [name, decl] of conditions) new ExprChecker(quiet, { kind: "condition", name }).check(decl.body, emptyEnv);
  const ctx: CheckContext = { catalog: scope, conditions, types, resolutions, diagnostics };

  const blocks = files.flatMap((f) => f.tests ?? []);
  if (blocks.some((b) => b.kind === "property") && catalog.entities.has(DECISION)) {
    const first = blocks.find((b) => b.kind === "property")!;
    report(
      "test/decision-entity",
      "the catalog has an entity `decision`, which properties use for the decision",
      first.name.span,
      "rename the entity in catalog.yaml",
    );
    return { value: { tests: [], properties: [], scope, types, resolutions }, diagnostics };
  }

  const names = new Map<string, Span>();
  const tests: CheckedTest[] = [];
  const properties: CheckedProperty[] = [];
  for (const b of blocks) {
    const name = b.name.value;
    const first = names.get(name);
    if (name.trim() === "")
      report("test/bad-argument", `a ${b.kind} needs a name`, b.name.span, `write what it shows: \`${b.kind} "renewal reminder at day 90"\``);
    else if (first)
      diagnostics.push({
        code: "test/duplicate-name",
        severity: "error",
        message: `two tests or properties are named "${name}"`,
        span: b.name.span,
        hint: "give each a name of its own, so failures point at one",
        related: [{ span: first, message: "first named here" }],
      });
    else names.set(name, b.name.span);
    if (b.kind === "test") {
      const t = checkTest(b, sc, errors);
      if (t) tests.push(t);
    } else {
      const p = checkProperty(b, sc, ctx, errors);
      if (p) properties.push(p);
    }
  }
  return { value: { tests, properties, scope, types, resolutions }, diagnostics };
}
