// The check stage for a whole policy set: named conditions (once each, in dependency order),
// then every journey, then program-wide rules (duplicate ids, unused conditions, personal data
// that journeys read without `retention` or `lineage`).
import * as A from "../syntax/ast.ts";
import type { Catalog, FieldDef } from "../../core/catalog/types.ts";
import type { CheckedJourney, CheckedProgram, Resolution, Type } from "./checked.ts";
import type { Diagnostic, StageResult } from "../../core/diagnostics.ts";
import { hasErrors } from "../../core/diagnostics.ts";
import type { SourceSet, Span } from "../../core/source.ts";
import { emptyEnv, ExprChecker, type CheckContext } from "./expr.ts";
import { checkJourney, NAME_RE, nestingDepth, type ConditionInfo } from "./journey.ts";
import { checkPiiTags } from "./governance.ts";
import { checkCompiledSize, operationCount } from "./size.ts";
import { mapped } from "../../core/arrays.ts";

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
        if (!NAME_RE.test(d.name.name))
          diagnostics.push({
            code: "check/invalid-name",
            severity: "error",
            message: `condition name \`${d.name.name}\` must be lowercase snake_case`,
            span: d.name.span,
          });
        if (catalog.entities.has(d.name.name) || d.name.name === "event" || d.name.name === "now") {
          diagnostics.push({
            code: "check/name-clash",
            severity: "error",
            message: `condition \`${d.name.name}\` has the name of ${d.name.name === "now" || d.name.name === "event" ? `the built-in \`${d.name.name}\`` : "an entity"}`,
            span: d.name.span,
            hint: "choose another name",
          });
        }
      } else {
        const first = journeysById.get(d.name.name);
        if (first) diagnostics.push(dup("check/duplicate-journey", `journey \`${d.name.name}\` is defined twice`, d.name.span, first.name.span));
        else journeysById.set(d.name.name, d);
        journeys.push(d);
      }
    }
  }

  const ctx: CheckContext = {
    catalog,
    conditions,
    types: new Map<A.Expr, Type>(),
    resolutions: new Map<A.PathExpr, Resolution>(),
    diagnostics,
    firstReads: new Map(),
  };
  const conditionInfo = checkConditions(conditions, ctx);

  const checked: CheckedJourney[] = [];
  for (const j of journeys) {
    if (journeysById.get(j.name.name) !== j) continue; // duplicates reported above
    const c = checkJourney(j, ctx, conditionInfo, source);
    if (c) checked.push(c);
  }
  checkCompiledSize(checked, conditionInfo, ctx);
  checkPiiTags(catalog, ctx.firstReads!, diagnostics);

  const used = new Set<string>();
  for (const r of ctx.resolutions.values()) if (r.kind === "condition") used.add(r.decl.name.name);
  for (const [name, decl] of conditions) {
    if (!used.has(name))
      diagnostics.push({
        code: "check/unused-condition",
        severity: "warning",
        message: `condition \`${name}\` is never used`,
        span: decl.name.span,
        hint: "use it in a `when`, or delete it",
      });
  }
  if (journeys.length === 0 && files.length > 0) {
    const f = files[0]!;
    diagnostics.push({
      code: "check/no-journeys",
      severity: "warning",
      message: "the policy set has no journeys",
      span: { file: f.name, start: 0, end: 0 },
      hint: "add a `journey NAME { … }` to a `.journey` file",
    });
  }

  checked.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const value: CheckedProgram | undefined = hasErrors(diagnostics)
    ? undefined
    : { catalog, journeys: checked, conditions, types: ctx.types, resolutions: ctx.resolutions, files };
  return { value, diagnostics };
}

function dup(code: string, message: string, span: Span, first: Span): Diagnostic {
  return { code, severity: "error", message, span, hint: "rename one of them", related: [{ span: first, message: "first defined here" }] };
}

/**
 * Checks each named condition once, standalone (types, names, optional guards), after the
 * conditions it uses, and computes per condition the fields it reads (including through other
 * conditions) and how deep it nests with the conditions it uses counted in place. Everything
 * is done once per condition and iteratively, so a long chain of conditions that use each
 * other (`c1 = c0 and c0`, `c2 = c1 and c1`, …) costs time linear in the text. Cycles are
 * reported once.
 */
function checkConditions(conditions: ReadonlyMap<string, A.ConditionDecl>, ctx: CheckContext): ConditionInfo {
  const direct = new Map<string, { reads: FieldDef[]; refs: string[] }>();
  const depths = new Map<A.ConditionDecl, number>();
  const sizes = new Map<string, number>();
  // Used conditions first: a condition's narrowing facts (compiler/checker/expr.ts) are then
  // final when a user asks for them.
  for (const name of postOrder([...conditions.keys()], (n) => mentionedConditions(conditions.get(n)!.body, conditions))) {
    const decl = conditions.get(name)!;
    const xc = new ExprChecker(ctx, { kind: "condition", name });
    xc.expectBool(decl.body, emptyEnv, `condition \`${name}\``);
    direct.set(name, { reads: mapped(xc.reads, (r) => r.def), refs: mapped(xc.conditionRefs, (r) => r.decl.name.name) });
    depths.set(decl, nestingDepth(decl.body, ctx, depths));
    sizes.set(name, operationCount(decl.body));
  }
  // Transitive reads, following resolved references depth-first in declaration order; a
  // reference back into the current path is a cycle (its reads count as none).
  const reads = new Map<string, FieldDef[]>();
  const onPath = new Set<string>();
  const path: { name: string; next: number; reads: FieldDef[] }[] = [];
  const open = (name: string) => {
    onPath.add(name);
    path.push({ name, next: 0, reads: [...(direct.get(name)?.reads ?? [])] });
  };
  for (const root of conditions.keys()) {
    if (reads.has(root)) continue;
    open(root);
    while (path.length > 0) {
      const top = path[path.length - 1]!;
      const refs = direct.get(top.name)?.refs ?? [];
      if (top.next < refs.length) {
        const ref = refs[top.next++]!;
        const done = reads.get(ref);
        if (done) top.reads.push(...done);
        else if (onPath.has(ref)) {
          const decl = conditions.get(ref)!;
          const cycle = [...path.slice(path.findIndex((f) => f.name === ref)).map((f) => f.name), ref];
          ctx.diagnostics.push({
            code: "check/condition-cycle",
            severity: "error",
            message: `conditions refer to each other in a cycle: ${cycle.map((c) => `\`${c}\``).join(" → ")}`,
            span: decl.name.span,
            hint: "a condition cannot depend on itself; inline or split one of them",
          });
        } else open(ref);
        continue;
      }
      path.pop();
      onPath.delete(top.name);
      const uniq = [...new Map(top.reads.map((r) => [r.path, r])).values()];
      reads.set(top.name, uniq);
      const parent = path[path.length - 1];
      if (parent) parent.reads.push(...uniq);
    }
  }
  const refs = new Map<string, readonly string[]>();
  for (const [name, d] of direct) refs.set(name, d.refs);
  return { reads, depths, refs, sizes };
}

/**
 * `names` in an order where each comes after the names `refs` gives for it (where there is no
 * cycle), otherwise in the given order. Iterative: chains of any length.
 */
function postOrder(names: readonly string[], refs: (name: string) => readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const root of names) {
    if (seen.has(root)) continue;
    seen.add(root);
    const stack: { name: string; refs: readonly string[]; next: number }[] = [{ name: root, refs: refs(root), next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const ref = top.refs[top.next++];
      if (ref === undefined) {
        stack.pop();
        out.push(top.name);
      } else if (!seen.has(ref)) {
        seen.add(ref);
        stack.push({ name: ref, refs: refs(ref), next: 0 });
      }
    }
  }
  return out;
}

/**
 * The names of conditions an expression mentions, by its text alone (before checking): every
 * one-segment path naming a condition. A superset of the references the checker resolves
 * (a quantifier variable of that name is reported as shadowing), so ordering by it puts every
 * used condition first.
 */
function mentionedConditions(root: A.Expr, conditions: ReadonlyMap<string, A.ConditionDecl>): string[] {
  const out: string[] = [];
  A.walkExpr(root, (e) => {
    if (e.kind === "path" && e.segments.length === 1 && conditions.has(e.segments[0]!.name)) out.push(e.segments[0]!.name);
  });
  return out;
}
