// The check stage for a whole policy set: named conditions (once each, in dependency order),
// then every journey, then program-wide rules (duplicate ids, unused conditions).
import type * as A from "../ast.ts";
import type { Catalog, FieldDef } from "../catalog/types.ts";
import type { CheckedJourney, CheckedProgram, Resolution, Type } from "../checked.ts";
import type { Diagnostic, StageResult } from "../diagnostics.ts";
import { hasErrors } from "../diagnostics.ts";
import type { SourceSet, Span } from "../source.ts";
import { emptyEnv, ExprChecker, type CheckContext } from "./expr.ts";
import { checkJourney, NAME_RE, type ConditionReads } from "./journey.ts";

/**
 * Checks parsed journey files against a catalog. Returns the checked program when there are
 * no errors (warnings allowed), else undefined — with every diagnostic found either way.
 */
export function checkProgram(files: readonly A.JourneyFile[], catalog: Catalog, sources?: SourceSet): StageResult<CheckedProgram | undefined> {
  const diagnostics: Diagnostic[] = [];
  const source = (s: Span) => sources?.get(s.file)?.slice(s) ?? "";
  const conditions = new Map<string, A.ConditionDecl>();
  const journeysById = new Map<string, A.JourneyDecl>();
  const journeys: A.JourneyDecl[] = [];

  for (const f of files) {
    for (const d of f.decls) {
      if (d.kind === "condition") {
        const first = conditions.get(d.name.name);
        if (first) diagnostics.push(dup("check/duplicate-condition", `condition \`${d.name.name}\` is defined twice`, d.name.span, first.name.span));
        else conditions.set(d.name.name, d);
        if (!NAME_RE.test(d.name.name)) diagnostics.push({ code: "check/invalid-name", severity: "error", message: `condition name \`${d.name.name}\` must be lowercase snake_case`, span: d.name.span });
        if (catalog.entities.has(d.name.name) || d.name.name === "event" || d.name.name === "now") {
          diagnostics.push({ code: "check/name-clash", severity: "error", message: `condition \`${d.name.name}\` has the name of ${d.name.name === "now" || d.name.name === "event" ? `the built-in \`${d.name.name}\`` : "an entity"}`, span: d.name.span, hint: "choose another name" });
        }
      } else {
        const first = journeysById.get(d.name.name);
        if (first) diagnostics.push(dup("check/duplicate-journey", `journey \`${d.name.name}\` is defined twice`, d.name.span, first.name.span));
        else journeysById.set(d.name.name, d);
        journeys.push(d);
      }
    }
  }

  const ctx: CheckContext = { catalog, conditions, types: new Map<A.Expr, Type>(), resolutions: new Map<A.PathExpr, Resolution>(), diagnostics };
  const conditionReads = checkConditions(conditions, ctx);

  const checked: CheckedJourney[] = [];
  for (const j of journeys) {
    if (journeysById.get(j.name.name) !== j) continue; // duplicates reported above
    const c = checkJourney(j, ctx, conditionReads, source);
    if (c) checked.push(c);
  }

  const used = new Set<string>();
  for (const r of ctx.resolutions.values()) if (r.kind === "condition") used.add(r.decl.name.name);
  for (const [name, decl] of conditions) {
    if (!used.has(name)) diagnostics.push({ code: "check/unused-condition", severity: "warning", message: `condition \`${name}\` is never used`, span: decl.name.span, hint: "use it in a `when`, or delete it" });
  }
  if (journeys.length === 0 && files.length > 0) {
    const f = files[0]!;
    diagnostics.push({ code: "check/no-journeys", severity: "warning", message: "the policy set has no journeys", span: { file: f.name, start: 0, end: 0 }, hint: "add a `journey NAME { … }` to a `.journey` file" });
  }

  checked.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const value: CheckedProgram | undefined = hasErrors(diagnostics) ? undefined : { catalog, journeys: checked, conditions, types: ctx.types, resolutions: ctx.resolutions, files };
  return { value, diagnostics };
}

function dup(code: string, message: string, span: Span, first: Span): Diagnostic {
  return { code, severity: "error", message, span, hint: "rename one of them", related: [{ span: first, message: "first defined here" }] };
}

/**
 * Checks each named condition once, standalone (types, names, optional guards), and computes
 * the fields it reads, including through other conditions. Cycles are reported once.
 */
function checkConditions(conditions: ReadonlyMap<string, A.ConditionDecl>, ctx: CheckContext): ConditionReads {
  const direct = new Map<string, { reads: FieldDef[]; refs: string[] }>();
  for (const [name, decl] of conditions) {
    const xc = new ExprChecker(ctx, { kind: "condition", name });
    xc.expectBool(decl.body, emptyEnv, `condition \`${name}\``);
    direct.set(name, { reads: xc.reads.map((r) => r.def), refs: xc.conditionRefs.map((r) => r.decl.name.name) });
  }
  const result = new Map<string, FieldDef[]>();
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, stack: string[]): FieldDef[] => {
    if (state.get(name) === "done") return result.get(name) ?? [];
    if (state.get(name) === "visiting") {
      const decl = conditions.get(name)!;
      const cycle = [...stack.slice(stack.indexOf(name)), name];
      ctx.diagnostics.push({ code: "check/condition-cycle", severity: "error", message: `conditions refer to each other in a cycle: ${cycle.map((c) => `\`${c}\``).join(" → ")}`, span: decl.name.span, hint: "a condition cannot depend on itself; inline or split one of them" });
      return [];
    }
    state.set(name, "visiting");
    const d = direct.get(name);
    const reads = [...(d?.reads ?? [])];
    for (const ref of d?.refs ?? []) reads.push(...visit(ref, [...stack, name]));
    state.set(name, "done");
    const uniq = [...new Map(reads.map((r) => [r.path, r])).values()];
    result.set(name, uniq);
    return uniq;
  };
  for (const name of conditions.keys()) visit(name, []);
  return result;
}
