// The predicates module of a policy set, in two flavours from one emitter: TypeScript (a
// context interface per journey, passes `tsc --strict --noEmit` on its own) and runnable
// JavaScript (an ES module, no types), so the runtime needs no TypeScript toolchain.
//
// Shape, per journey `<id>` (ids sorted):
//   export interface Ctx_<id> { now; event?; <entity>: { <field>… } }      (TypeScript only)
//   function cond_<id>_<n>(c: Ctx_<id>, $: Tracer, m): boolean            a named condition used
//                                                                       more than once (memoized)
//   function when_<id>(c: Ctx_<id>, $: Tracer): boolean                  traced `when`
//   function reason_<id>(c: Ctx_<id>, $: Tracer): string                 when it has a reason
//   const meta_<id>: JourneyMeta = { … }                                 incl. trace nodes
// and the one runtime export `export const journeys: CompiledJourney[]` (core/artifact.ts).
// Output is a pure function of the program: no timestamps, no absolute paths, stable order.
import type { CheckedProgram } from "../checker/checked.ts";
import type { Diagnostic, StageResult } from "../../core/diagnostics.ts";
import { journeyMeta } from "../plan/journey-meta.ts";
import type { SourceSet } from "../../core/source.ts";
import { planJourney, type Site, type TracePlan } from "../plan/trace-nodes.ts";
import type { JourneyMeta } from "../../core/artifact.ts";
import { ContextTypes } from "./context-types.ts";
import { conditionFunction, ExprEmitter, MEMO } from "./emit-expr.ts";
import { writePrelude } from "./prelude.ts";
import { array, arrow, as, call, data, ident, object, sameInBothModes, type Code, type Mode } from "./code.ts";
import { WIDTH } from "./layout.ts";
import { width } from "./measure.ts";
import { TraceNodeText } from "./trace-node-text.ts";
import { CodeWriter } from "./writer.ts";

/**
 * Deepest expression (counting named conditions at the place they are used) codegen accepts:
 * generated code nests one call per level, and far deeper input would exhaust the stack.
 */
export const MAX_EXPRESSION_DEPTH = 400;

/** Journey ids are written into identifiers (`when_<id>`), so they must have this form. */
export const JOURNEY_ID_RE = /^[a-z][a-z0-9_]*$/;

export interface PredicatesSource {
  /** `predicates.ts`: typed, standalone. */
  readonly ts: string;
  /** `predicates.js`: the same module as plain JavaScript. */
  readonly js: string;
  /** The UTF-8 bytes of `ts` or `js`, as the artifact holds them. */
  bytes(flavour: Mode): Uint8Array;
}

/**
 * Generates the predicates module of a checked program. `sources` supplies the line and column
 * of each journey and trace node (pass the SourceSet the program was parsed from).
 */
export function generatePredicates(program: CheckedProgram, sources?: SourceSet): StageResult<PredicatesSource | undefined> {
  const diagnostics: Diagnostic[] = [];
  for (const j of program.journeys) {
    if (!JOURNEY_ID_RE.test(j.id)) {
      diagnostics.push({
        code: "codegen/invalid-identifier",
        severity: "error",
        message: `journey id \`${j.id}\` cannot name generated code`,
        span: j.decl.name.span,
        hint: "journey ids are lowercase snake_case: `[a-z][a-z0-9_]*`",
      });
    }
  }
  if (diagnostics.length > 0) return { value: undefined, diagnostics };
  const journeys = [...program.journeys].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // Both flavours are written in one pass, journey by journey: each journey's plan and code
  // are built once, laid out into both modules, and dropped (nothing per journey is kept).
  const out = new ModuleWriters(program, journeys);
  // A codegen diagnostic wins over an error writing an earlier journey (as when every journey
  // was checked before any was written), so such an error waits for the checks to finish.
  let failure: { readonly error: unknown } | undefined;
  for (const j of journeys) {
    const plan = planJourney(program, j, sources);
    const meta = journeyMeta(j, plan, sources);
    const roots = [
      { site: plan.when, span: j.when.span },
      ...(plan.reason ?? []).flatMap((p) => (p.kind === "expr" ? [{ site: p.site, span: p.site.expr.span }] : [])),
    ];
    for (const { site, span } of roots) {
      const depth = depthOf(site);
      if (depth > MAX_EXPRESSION_DEPTH) {
        diagnostics.push({
          code: "codegen/too-deep",
          severity: "error",
          message: `this expression of \`${j.id}\` nests ${depth} operations deep, more than the ${MAX_EXPRESSION_DEPTH} the compiler supports`,
          span,
          hint: "simplify the condition, or split the journey into several",
        });
      }
    }
    // After a diagnostic the output is dropped: only the remaining journeys' checks matter.
    if (diagnostics.length === 0 && !failure) {
      try {
        out.journey({ journey: j, plan, meta });
      } catch (error) {
        failure = { error };
      }
    }
  }
  if (diagnostics.length > 0) return { value: undefined, diagnostics };
  if (failure) throw failure.error;
  return { value: out.finish(), diagnostics };
}

interface Planned {
  readonly journey: CheckedProgram["journeys"][number];
  readonly plan: TracePlan;
  readonly meta: JourneyMeta;
}

/**
 * The TypeScript and the JavaScript module, written side by side. Expressions are built once
 * as Code (which is the same for both flavours; only its layout differs) and written to each.
 */
class ModuleWriters {
  private readonly ts = new CodeWriter("ts");
  private readonly js = new CodeWriter("js");
  private readonly contexts = new Map<string, string[]>();
  private readonly emitter = new ExprEmitter();
  private readonly nodeText = new TraceNodeText();
  private readonly entries: Code[] = [];

  constructor(program: CheckedProgram, journeys: readonly CheckedProgram["journeys"][number][]) {
    // A module without `goal`/`stop_loss` inlines the contract as it was before them (same bytes).
    const usesValue = journeys.some((j) => j.goal !== undefined || j.stopLoss !== undefined);
    for (const w of [this.ts, this.js]) {
      w.comment(
        "Generated by the Kairos compiler: the journey predicates of one policy set. Do not edit;",
        "`kairos compile` rewrites it. Values: dates are UTC epoch days, datetimes epoch",
        "milliseconds, durations milliseconds. Each predicate reports every sub-expression's value",
        "to the tracer `$` under the node ids listed in its journey's `meta.nodes`.",
      );
      if (w.ts) w.comment("", "Journeys: " + journeys.map((j) => j.id).join(", "));
      w.blank();
      writePrelude(w, usesValue);
    }
    // Context interfaces (TypeScript only) come after the element interfaces they use, which
    // are known once every journey's interface is built.
    const types = new ContextTypes(program.catalog);
    for (const j of journeys) this.contexts.set(j.id, types.contextInterface(j));
    const items = types.itemInterfaces();
    if (items.length > 0) {
      this.ts.blank();
      this.ts.comment("Elements of list fields.");
      for (const l of items) this.ts.line(l);
    }
  }

  journey(p: Planned): void {
    const id = p.journey.id;
    const ctxType = `Ctx_${id}`;
    ident(`when_${id}`);
    this.emitter.journeyId = id;
    const when = this.emitter.emit(p.plan.when);
    const reason = p.plan.reason ? this.emitter.reason(p.plan.reason) : undefined;
    // Each shared condition once, as a function over the evaluation's memo (see emit-expr.ts).
    const shared = p.plan.conditions
      .filter((c) => c.shared)
      .map((c) => ({ name: conditionFunction(id, c), slot: c.index, part: c.part, body: this.emitter.emit(c.body) }));
    const memo = { when: shared.some((c) => c.part === "when"), reason: shared.some((c) => c.part === "reason") };
    const meta = metaCode(p.meta, this.nodeText);
    // Code without TypeScript-only parts lays out the same in both modules: laid out once (for
    // the TypeScript, written first) and the same lines written to the JavaScript.
    const laidOnce = new Map<Code, { readonly at: string; readonly before: string; readonly after: string; readonly lines: string[] }>();
    const code = (w: CodeWriter, before: string, c: Code, after: string): void => {
      const prev = laidOnce.get(c);
      if (prev && prev.at === w.indentation && prev.before === before && prev.after === after) {
        w.laid(prev.lines);
        return;
      }
      if (!sameInBothModes(c)) {
        w.code(before, c, after);
        return;
      }
      // Written twice: joined once into one flat text of several lines (see CodeWriter.laid).
      const lines = [w.layout(before, c, after).join("\n")];
      laidOnce.set(c, { at: w.indentation, before, after, lines });
      w.laid(lines);
    };
    // The metadata never fits on one line, so it is broken after its `{` whatever precedes it
    // (layout.ts): its lines after the first are the same in both modules, and are joined once
    // into one flat text that both write.
    const metaBroken = meta.k === "object" && meta.entries.length > 0 && sameInBothModes(meta) && width(meta, "js", WIDTH) > WIDTH;
    let metaBody: { readonly at: string; readonly text: string } | undefined;
    for (const w of [this.ts, this.js]) {
      w.blank();
      w.comment(`---- journey ${id} ----`);
      if (w.ts) for (const l of this.contexts.get(id)!) w.line(l);
      w.blank();
      const sig = (name: string, result: string) => (w.ts ? `function ${name}(c: ${ctxType}, $: Tracer): ${result} {` : `function ${name}(c, $) {`);
      const memoType = "(boolean | undefined)[]";
      for (const c of shared) {
        w.block(w.ts ? `function ${c.name}(c: ${ctxType}, $: Tracer, ${MEMO}: ${memoType}): boolean {` : `function ${c.name}(c, $, ${MEMO}) {`, () => {
          w.line(`const known = ${MEMO}[${c.slot}];`);
          w.line("if (known !== undefined) return known;");
          code(w, `return (${MEMO}[${c.slot}] = `, c.body, ");");
        });
        w.blank();
      }
      const declareMemo = () => w.line(w.ts ? `const ${MEMO}: ${memoType} = [];` : `const ${MEMO} = [];`);
      w.block(sig(`when_${id}`, "boolean"), () => {
        if (memo.when) declareMemo();
        code(w, "return ", when, ";");
      });
      if (reason) {
        w.blank();
        w.block(sig(`reason_${id}`, "string"), () => {
          if (memo.reason) declareMemo();
          code(w, "return ", reason, ";");
        });
      }
      w.blank();
      const metaBefore = `const meta_${id}${w.ts ? ": JourneyMeta" : ""} = `;
      if (metaBroken && metaBody && metaBody.at === w.indentation) w.laid([`${w.indentation}${metaBefore}{`, metaBody.text]);
      else {
        const lines = w.layout(metaBefore, meta, ";");
        if (metaBroken && lines.length > 1) {
          metaBody = { at: w.indentation, text: lines.slice(1).join("\n") };
          w.laid([lines[0]!, metaBody.text]);
        } else w.laid(lines);
      }
    }
    // The runtime passes a PredicateContext holding exactly this journey's bundle.
    const bind = (fn: string) => arrow(["ctx", "trace"], call(fn, [as(ident("ctx"), "unknown", ctxType), ident("trace")]));
    const entry: (readonly [string, Code])[] = [
      ["meta", ident(`meta_${id}`)],
      ["when", bind(`when_${id}`)],
    ];
    if (reason) entry.push(["reason", bind(`reason_${id}`)]);
    this.entries.push(object(entry));
  }

  finish(): PredicatesSource {
    for (const w of [this.ts, this.js]) {
      w.blank();
      w.comment("The module's one export: every journey, sorted by id.");
      w.code(`export const journeys${w.ts ? ": CompiledJourney[]" : ""} = `, { k: "array", items: this.entries }, ";");
    }
    return new WrittenModules(this.ts, this.js);
  }
}

/**
 * The two modules as written: each text is joined when first asked for, and the artifact's
 * bytes are encoded from the written chunks without it (CodeWriter.encode).
 */
class WrittenModules implements PredicatesSource {
  private readonly writers: Readonly<Record<Mode, CodeWriter>>;
  private readonly texts: Partial<Record<Mode, string>> = {};

  constructor(ts: CodeWriter, js: CodeWriter) {
    this.writers = { ts, js };
  }

  get ts(): string {
    return this.text("ts");
  }

  get js(): string {
    return this.text("js");
  }

  bytes(flavour: Mode): Uint8Array {
    const text = this.texts[flavour];
    return text === undefined ? this.writers[flavour].encode() : new TextEncoder().encode(text);
  }

  private text(flavour: Mode): string {
    return (this.texts[flavour] ??= this.writers[flavour].toString());
  }
}

/**
 * `generatePredicates` for a program the checker accepted (which already holds journey ids to
 * `JOURNEY_ID_RE`); throws only on a compiler bug.
 */
export function emitPredicates(program: CheckedProgram, sources?: SourceSet): PredicatesSource {
  const r = generatePredicates(program, sources);
  if (!r.value) throw new Error(`bug: codegen refused a checked program: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  return r.value;
}

/**
 * Depth of a site graph, a shared condition body counted at each place it is used, without
 * recursion (it may be too deep for the stack). Each site is measured once: a body shared by
 * many references (`c2 = c1 and c1`, `c1 = c0 and c0`, …) does not multiply the work.
 */
function depthOf(root: Site): number {
  const depth = new Map<Site, number>();
  const stack: Site[] = [root];
  while (stack.length > 0) {
    const s = stack[stack.length - 1]!;
    if (depth.has(s)) {
      stack.pop();
      continue;
    }
    let ready = true;
    for (const c of s.children) {
      if (!depth.has(c)) {
        ready = false;
        stack.push(c);
      }
    }
    if (!ready) continue;
    stack.pop();
    let d = 0;
    for (const c of s.children) d = Math.max(d, depth.get(c)!);
    depth.set(s, d + 1);
  }
  return depth.get(root)!;
}

/** The metadata literal, one trace node per line (the same in both modules: built once). */
function metaCode(meta: JourneyMeta, nodeText: TraceNodeText): Code {
  const entries: (readonly [string, Code])[] = [];
  const record = meta as unknown as Record<string, unknown>;
  for (const k of Object.keys(record)) {
    const v = record[k];
    if (v === undefined) continue;
    if (k === "nodes") {
      const nodes: Code[] = [];
      for (const n of meta.nodes) nodes.push(nodeText.atom(n));
      entries.push([k, array(nodes)]);
    } else entries.push([k, data(v)]);
  }
  return object(entries);
}
