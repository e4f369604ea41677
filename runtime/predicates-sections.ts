// Evaluating the generated predicates module (predicates.js) section by section instead of
// importing it whole. Why: V8 compiles a module's top level in one go, and for a large policy set
// that top level is every journey's metadata literal — 10,000 journeys cost ~210 MB of parser
// memory at once, which glibc keeps as resident memory after it is freed (RSS 10,000 journeys:
// +475 MB loaded that way). Here each journey's section is evaluated on its own, and only when
// the journey is first used (runtime/predicates-lazy.ts): until then it is known by its id,
// priority and trigger, read from the text of its metadata literal (HeadParser). Journeys that no
// event selects then cost a few hundred bytes each, and the text of the module (kept, as one
// string) is all that stands for them.
//
// Only the layout compiler/codegen/module.ts writes is recognised: a prelude of helper
// declarations, then one `// ---- journey <id> ----` section per journey declaring only that
// journey's names, then `export const journeys = [ … ]` made of nothing but the canonical
// entries. Anything else returns `undefined` and the caller imports the module whole, so this is
// an optimisation that can only decline, never change what a module means. The text evaluated is
// exactly the verified text, cut at section boundaries.
import type { CompiledJourney, JourneyMeta, PredicatesModule } from "../core/artifact.ts";
import { lazyJourney, type EvaluatedSection, type Pending, type SectionSource } from "./predicates-lazy.ts";

const SECTION = "\n// ---- journey ";
const EXPORT_COMMENT = "\n// The module's one export: every journey, sorted by id.\n";
const EXPORT_HEAD = "export const journeys = [";
/** A journey id as codegen accepts it (compiler/codegen/module.ts's JOURNEY_ID_RE). */
const ID = "[a-z][a-z0-9_]*";
/**
 * One entry of the export list, from its start (sticky): `{ meta: meta_<id>, when: (ctx, trace) =>
 * when_<id>(ctx, trace), reason?: … }` with any whitespace between tokens, and the comma that
 * follows it unless it is the last.
 */
const ENTRY = new RegExp(
  String.raw`\s*\{\s*meta\s*:\s*meta_(${ID})\s*,\s*when\s*:\s*\(\s*ctx\s*,\s*trace\s*\)\s*=>\s*when_\1\s*\(\s*ctx\s*,\s*trace\s*\)` +
    String.raw`(\s*,\s*reason\s*:\s*\(\s*ctx\s*,\s*trace\s*\)\s*=>\s*reason_\1\s*\(\s*ctx\s*,\s*trace\s*\))?\s*,?\s*\}(?:\s*,|(?=\s*\]))`,
  "y",
);
/** The end of the export list, and of the module. */
const LIST_END = /\s*\];\s*$/y;
/** A top-level line of the prelude that declares a helper. */
const PRELUDE_DECLARATION = /^(?:const|function|class) ([A-Za-z_$][\w$]*)\b/;
/** Top-level lines of the prelude that declare nothing: comments, closing brackets, blank lines. */
const PRELUDE_OTHER = /^(?:\/\/.*|\/\*\*.*|\s.*|\}.*|\]\)?;?|)$/;

/** The predicate functions one journey section defines: `when` and `reason` (or undefined). */
type SectionValues = readonly [when: unknown, reason: unknown];

type Evaluate = (...helpers: unknown[]) => SectionValues;

/** A JSON string literal (what codegen's `str` writes), on one line. */
const STRING = String.raw`"(?:[^"\\\n]|\\.)*"`;
/** An integer literal as `num` writes one. */
const INT = String.raw`-?(?:0|[1-9]\d{0,14})`;
/** One timer of a trigger, on one line or broken over several (compiler/codegen/layout.ts). */
const TIMER_TEXT = String.raw`\{\s*label: (${STRING}),\s*ms: (${INT}),?\s*\}`;
/**
 * (HEAD embeds TIMER_TEXT with its groups made non-capturing: it captures the timers' text as a
 * whole, which TIMER then reads one timer at a time.)
 * The first lines of a metadata literal as codegen writes them (compiler/plan/journey-meta.ts's
 * key order, compiler/codegen/code.ts's literals): id, title, purpose, risk, priority, and the
 * trigger, on one line or broken over several.
 */
const HEAD = new RegExp(
  String.raw`\nconst meta_${ID} = \{\n  id: (${STRING}),\n  title: ${STRING},\n  purpose: ${STRING},\n  risk: ${STRING},\n  priority: (${INT}),\n` +
    String.raw`  trigger: \{\s*event: (${STRING}),\s*timers: \[\s*((?:${TIMER_TEXT.replace(/\((?!\?)/g, "(?:")}(?:,\s*)?)*)\],?\s*\},\n`,
  "y",
);
const TIMER = new RegExp(TIMER_TEXT, "g");

/**
 * Reads a journey's id, priority and trigger from its metadata literal without evaluating it;
 * undefined when the literal does not start in codegen's exact layout (the journey is then
 * evaluated at once). Every string is a JSON string literal, which JSON.parse reads as
 * JavaScript would; the values are checked again when the section is evaluated.
 */
class HeadParser {
  /** Triggers without timers, by event: one shared (frozen) object per event. */
  private readonly untimed = new Map<string, JourneyMeta["trigger"]>();
  /** What the last successful `parse` read (fields, not an object per journey: less to collect). */
  priority = 0;
  trigger: JourneyMeta["trigger"] = Object.freeze({ event: "", timers: Object.freeze([]) });

  parse(js: string, metaAt: number, id: string): boolean {
    HEAD.lastIndex = metaAt;
    const m = HEAD.exec(js);
    if (!m || jsonString(m[1]!) !== id) return false;
    const event = jsonString(m[3]!);
    if (event === undefined) return false;
    let trigger = m[4] === "" ? this.untimed.get(event) : undefined;
    if (m[4] === "" && !trigger) {
      trigger = Object.freeze({ event, timers: Object.freeze([]) });
      this.untimed.set(event, trigger);
    }
    if (!trigger) {
      const timers: { label: string; ms: number }[] = [];
      for (const t of m[4]!.matchAll(TIMER)) {
        const label = jsonString(t[1]!);
        if (label === undefined) return false;
        timers.push({ label, ms: Number(t[2]) });
      }
      trigger = { event, timers };
    }
    this.priority = Number(m[2]);
    this.trigger = trigger;
    return true;
  }
}

/** A string literal's value, or undefined when it is not valid JSON (e.g. a `\\x41` escape). */
function jsonString(literal: string): string | undefined {
  try {
    return JSON.parse(literal) as string;
  } catch {
    return undefined;
  }
}

/** Names the prelude declares at its top level, or undefined when it holds anything else. */
function preludeNames(prelude: string): string[] | undefined {
  const names: string[] = [];
  let inBlockComment = false;
  for (const line of prelude.split("\n")) {
    if (inBlockComment) {
      if (line.includes("*/")) inBlockComment = false;
      continue;
    }
    const declared = PRELUDE_DECLARATION.exec(line);
    if (declared) names.push(declared[1]!);
    else if (line.startsWith("/*") && !line.includes("*/")) inBlockComment = true;
    else if (!PRELUDE_OTHER.test(line)) return undefined;
  }
  return names;
}

/**
 * Whether every top-level declaration of a section is one of its own journey's names. (No
 * regular expression per journey: each would be compiled to machine code and kept.)
 */
function ownsItsNames(section: string, id: string): boolean {
  const fns = [`function when_${id}(`, `function reason_${id}(`];
  const cond = `function cond_${id}_`;
  const meta = `const meta_${id} = `;
  for (const line of section.split("\n")) {
    if (line === "" || line.startsWith(" ") || line.startsWith("//") || line === "}" || line === "};") continue;
    if (line.startsWith(meta) || fns.some((f) => line.startsWith(f))) continue;
    if (line.startsWith(cond) && /^\d+\(/.test(line.slice(cond.length))) continue;
    return false;
  }
  return true;
}

/** The text and helpers of one module: evaluates its journeys' sections one at a time. */
class ModuleSource implements SectionSource {
  private readonly js: string;
  private readonly names: readonly string[];
  private readonly helpers: readonly unknown[];

  constructor(js: string, names: readonly string[], helpers: readonly unknown[]) {
    this.js = js;
    this.names = names;
    this.helpers = helpers;
  }

  evaluate(p: Pending): EvaluatedSection {
    return this.section(p.id, p.start, p.metaAt, p.journey.reason !== undefined);
  }

  /**
   * One section: its metadata literal (`start`..`metaAt` are its functions, then the literal)
   * evaluated by a function of its own that is then dropped, so the literal's text is not kept
   * alive as the source of the predicate functions; then its functions, over the helpers.
   */
  section(id: string, start: number, metaAt: number, reason: boolean): EvaluatedSection {
    const js = this.js;
    const literalAt = metaAt + `\nconst meta_${id} = `.length;
    const literalEnd = js.indexOf("\n};", literalAt) + 2;
    const meta = (new Function(`"use strict";\nreturn ${js.slice(literalAt, literalEnd)};`) as () => JourneyMeta)();
    const body = `"use strict";\n${js.slice(start, metaAt)}\nreturn [when_${id}, ${reason ? `reason_${id}` : "undefined"}];`;
    const [when, fn] = (new Function(...this.names, body) as Evaluate)(...this.helpers);
    return { meta, when: when as CompiledJourney["when"], reason: fn as CompiledJourney["reason"] };
  }
}

/**
 * Evaluates generated predicates JavaScript section by section, each journey's section only
 * when the journey is first used (runtime/predicates-lazy.ts; a journey whose id, priority and
 * trigger are not written in codegen's layout is evaluated now). Returns undefined when `js` is
 * not in the layout codegen writes, or when its prelude or a section evaluated now does not
 * evaluate: the caller then imports the module whole, which gives the precise error if any.
 */
export function evaluatePredicateSections(js: string): PredicatesModule | undefined {
  const exportAt = js.lastIndexOf(EXPORT_COMMENT);
  const listAt = exportAt + EXPORT_COMMENT.length;
  if (exportAt < 0 || !js.startsWith(EXPORT_HEAD, listAt)) return undefined;
  const firstSection = js.indexOf(SECTION);
  const preludeEnd = firstSection < 0 || firstSection > exportAt ? exportAt : firstSection;
  const names = preludeNames(js.slice(0, preludeEnd));
  if (!names || names.some((n) => /^(?:when|reason|cond|meta)_/.test(n))) return undefined;
  try {
    const helpers = (new Function(`"use strict";\n${js.slice(0, preludeEnd)}\nreturn [${names.join(", ")}];`) as () => unknown[])();
    const source = new ModuleSource(js, names, helpers);
    const journeys: CompiledJourney[] = [];
    const heads = new HeadParser();
    let at = preludeEnd;
    // The export entries are read in step with the sections (no list of them is built).
    let entryAt = listAt + EXPORT_HEAD.length;
    for (;;) {
      ENTRY.lastIndex = entryAt;
      const entry = ENTRY.exec(js);
      if (!entry) break;
      entryAt = ENTRY.lastIndex;
      const id = entry[1]!;
      const reason = entry[2] !== undefined;
      const header = `${SECTION}${id} ----\n`;
      if (!js.startsWith(header, at)) return undefined;
      const next = js.indexOf(SECTION, at + header.length);
      const end = next < 0 || next > exportAt ? exportAt : next;
      const section = js.slice(at + 1, end);
      const metaIn = ownsItsNames(section, id) ? metaOffset(section, id) : undefined;
      if (metaIn === undefined) return undefined;
      const start = at + 1;
      const metaAt = start + metaIn;
      if (heads.parse(js, metaAt, id)) journeys.push(lazyJourney(id, heads.priority, heads.trigger, reason, start, metaAt, source));
      else journeys.push(compiledJourney(source.section(id, start, metaAt, reason)));
      at = end;
    }
    // The list ends after its last entry, and every section was claimed by an entry, in order.
    LIST_END.lastIndex = entryAt;
    return LIST_END.test(js) && at === exportAt ? { journeys } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where a section's metadata literal (`const meta_<id> = { … };`, last in the section) starts,
 * at its preceding newline; undefined when the section is not in that form or its functions name
 * any journey's metadata (they could not once it is evaluated apart).
 */
function metaOffset(section: string, id: string): number | undefined {
  const head = `\nconst meta_${id} = `;
  const start = section.indexOf(head);
  if (start < 0) return undefined;
  const end = section.indexOf("\n};", start);
  if (end < 0 || section.slice(end + 3).trim() !== "") return undefined;
  // No metadata named as a variable (a property `.meta_…` of a record is fine).
  if (/(?:^|[^.\w$])meta_/.test(section.slice(0, start))) return undefined;
  return start;
}

/** The export entry codegen writes, `{ meta, when: (ctx, trace) => when_<id>(ctx, trace), reason? }`. */
function compiledJourney(e: EvaluatedSection): CompiledJourney {
  const { meta, when, reason } = e;
  if (reason === undefined) return { meta, when: (ctx, trace) => when(ctx, trace) };
  return { meta, when: (ctx, trace) => when(ctx, trace), reason: (ctx, trace) => reason(ctx, trace) };
}
