// The fuzz target's generators of cases (fast-check arbitraries of PolicyCase):
// - grammar: random files from the grammar (test/formatter/journey-arbitrary.ts);
// - mutants: the example journeys with token edits (test/helpers/journey-mutations.ts) and
//   hostile splices — absurd numbers, durations and dates, JavaScript's own names, deep nesting,
//   long operator chains, duplicated declarations, odd characters;
// - typed: well-typed journeys over the catalog (./typed-journeys.ts), which reach decide;
// - renamed: the example set with one catalog name renamed, everywhere, to a prototype name
//   (`constructor`, `__proto__`, …), which must behave exactly like any other name;
// - requests: the example set with hostile requests (./requests.ts).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { loadCatalog } from "../../compiler/catalog/index.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import { SourceFile } from "../../core/source.ts";
import { lex } from "../../grammar/lexer.ts";
import { journeyFile as grammarFile } from "../formatter/journey-arbitrary.ts";
import { applyTokenEdit, tokenEdit } from "../helpers/journey-mutations.ts";
import { PROTOTYPE_NAMES } from "./requests.ts";
import { journeyFile as typedFile } from "./typed-journeys.ts";
import type { PolicyCase, Source } from "./types.ts";

export const ROOT = join(import.meta.dirname, "../..");
export const POLICIES = join(ROOT, "policies");

/** The example policy set, as texts and as a loaded catalog. */
export interface Corpus {
  readonly catalog: Source;
  readonly journeys: readonly Source[];
  readonly catalogValue: Catalog;
}

export function loadCorpus(): Corpus {
  const catalog = { name: "policies/catalog.yaml", text: readFileSync(join(POLICIES, "catalog.yaml"), "utf8") };
  const dir = join(POLICIES, "journeys");
  const journeys = readdirSync(dir)
    .filter((f) => f.endsWith(".journey"))
    .sort()
    .map((f) => ({ name: `policies/journeys/${f}`, text: readFileSync(join(dir, f), "utf8") }));
  const loaded = loadCatalog(new SourceFile(catalog.name, catalog.text));
  if (!loaded.value) throw new Error("the example catalog does not load");
  return { catalog, journeys, catalogValue: loaded.value };
}

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

/** Random files from the grammar, against the example catalog. */
export function grammarCases(corpus: Corpus): fc.Arbitrary<PolicyCase> {
  return fc.tuple(grammarFile, seed).map(([text, s]) => ({
    kind: "policies",
    label: "grammar-generated file",
    catalog: corpus.catalog,
    journeys: [{ name: "fuzz.journey", text }],
    generate: { seed: s, count: 2 },
  }));
}

// ---------------------------------------------------------------------------------------------
// Hostile splices

/** Literals at and past every limit: numbers, durations, dates, times, percentages. */
export const HOSTILE_LITERALS: readonly string[] = [
  "1e309",
  "9".repeat(309) + ".0",
  "9".repeat(309),
  "0." + "0".repeat(400) + "1",
  "9007199254740991",
  "9007199254740993",
  "99999999d",
  "104249991d",
  "99999999999w",
  "9999999999999h",
  "0d",
  "1" + "0".repeat(30) + "s",
  "100.5%",
  "1000%",
  "0.0000001%",
  "9999-12-31",
  "0000-01-01",
  "2026-02-29",
  "2026-13-45",
  "9999-12-31T23:59:59Z",
  "0000-01-01T00:00:00-23:59",
  "2026-05-30T24:00:00Z",
  "23:60",
  "99:99",
  "00:00",
];

/** Names that mean something to JavaScript (or to generated code), spliced where names go. */
export const HOSTILE_NAMES: readonly string[] = [
  ...PROTOTYPE_NAMES,
  "Object",
  "Array",
  "eval",
  "globalThis",
  "process",
  "require",
  "undefined",
  "NaN",
  "Infinity",
  "arguments",
  "this",
  "ctx",
  "trace",
  "__dirname",
];

const LITERAL_TOKENS = new Set(["IntegerLit", "DecimalLit", "DurationLit", "PercentLit", "DateLit", "DateTimeLit", "TimeOfDay"]);
const NESTING = fc.constantFrom(16, 64, 127, 128, 129, 200, 299, 300, 301, 399, 400, 401, 1000, 2000);
const CHAIN = fc.constantFrom(50, 300, 1000, 3000);

export type Splice =
  | { readonly op: "literal"; readonly at: number; readonly with: string }
  | { readonly op: "name"; readonly at: number; readonly with: string }
  | { readonly op: "nest"; readonly at: number; readonly n: number; readonly how: "not" | "minus" | "paren" | "list" }
  | { readonly op: "chain"; readonly at: number; readonly n: number; readonly how: "and" | "or" | "+" | "*" }
  | { readonly op: "duplicate-declaration"; readonly at: number }
  | { readonly op: "characters"; readonly at: number; readonly with: string }
  | { readonly op: "long-string"; readonly at: number; readonly n: number };

export const splice: fc.Arbitrary<Splice> = fc.oneof(
  fc.record({ op: fc.constant("literal" as const), at: fc.nat(), with: fc.constantFrom(...HOSTILE_LITERALS) }),
  fc.record({ op: fc.constant("name" as const), at: fc.nat(), with: fc.constantFrom(...HOSTILE_NAMES) }),
  fc.record({
    op: fc.constant("nest" as const),
    at: fc.nat(),
    n: NESTING,
    how: fc.constantFrom("not" as const, "minus" as const, "paren" as const, "list" as const),
  }),
  fc.record({ op: fc.constant("chain" as const), at: fc.nat(), n: CHAIN, how: fc.constantFrom("and" as const, "or" as const, "+" as const, "*" as const) }),
  fc.record({ op: fc.constant("duplicate-declaration" as const), at: fc.nat() }),
  fc.record({
    op: fc.constant("characters" as const),
    at: fc.nat(),
    with: fc.constantFrom("\u0000", "\ud800", "\u202e", "\ufeff", "\r", "\u2028", "\t\v\f", "{", "}}", "{{", "\\u0000", "é"),
  }),
  fc.record({ op: fc.constant("long-string" as const), at: fc.nat(), n: fc.constantFrom(1000, 100_000) }),
);

/** Applies a splice to a file (tokens from the real lexer; no token of the right kind leaves it unchanged). */
export function applySplice(text: string, s: Splice): string {
  const tokens = lex(new SourceFile("x", text)).tokens;
  if (tokens.length === 0) return text;
  const pickFrom = (ok: (name: string) => boolean) => {
    const fit = tokens.filter((t) => ok(t.tokenType.name));
    return fit.length === 0 ? undefined : fit[s.at % fit.length]!;
  };
  const range = (t: { startOffset: number; endOffset?: number }) => [t.startOffset, (t.endOffset ?? t.startOffset) + 1] as const;
  switch (s.op) {
    case "literal": {
      const t = pickFrom((n) => LITERAL_TOKENS.has(n));
      if (!t) return text;
      const [a, b] = range(t);
      return text.slice(0, a) + s.with + text.slice(b);
    }
    case "name": {
      const t = pickFrom((n) => n === "Identifier");
      if (!t) return text;
      const [a, b] = range(t);
      return text.slice(0, a) + s.with + text.slice(b);
    }
    case "nest": {
      const t = pickFrom((n) => n === "Identifier" || LITERAL_TOKENS.has(n) || n.startsWith("Kw_true") || n.startsWith("Kw_false"));
      if (!t) return text;
      const [a, b] = range(t);
      const inner = text.slice(a, b);
      const wrapped =
        s.how === "not"
          ? "not ".repeat(s.n) + inner
          : s.how === "minus"
            ? "-".repeat(s.n) + inner
            : s.how === "paren"
              ? "(".repeat(s.n) + inner + ")".repeat(s.n)
              : "[".repeat(s.n) + inner + "]".repeat(s.n);
      return text.slice(0, a) + wrapped + text.slice(b);
    }
    case "chain": {
      const t = pickFrom((n) => n === "Identifier" || LITERAL_TOKENS.has(n) || n === "Kw_true");
      if (!t) return text;
      const [a, b] = range(t);
      const inner = text.slice(a, b);
      return text.slice(0, b) + ` ${s.how} ${inner}`.repeat(s.n) + text.slice(b);
    }
    case "duplicate-declaration": {
      const starts = tokens.filter((t) => ["Kw_journey", "Kw_condition", "Kw_test", "Kw_property"].includes(t.tokenType.name)).map((t) => t.startOffset);
      if (starts.length === 0) return text;
      const i = s.at % starts.length;
      const decl = text.slice(starts[i]!, starts[i + 1] ?? text.length);
      return text.slice(0, starts[i]!) + decl + "\n" + decl + text.slice(starts[i]! + decl.length);
    }
    case "characters": {
      const t = tokens[s.at % tokens.length]!;
      return text.slice(0, t.startOffset) + s.with + text.slice(t.startOffset);
    }
    case "long-string": {
      const t = pickFrom((n) => n === "StringLit");
      if (!t) return text;
      const [a, b] = range(t);
      return text.slice(0, a) + JSON.stringify("x".repeat(s.n)) + text.slice(b);
    }
  }
}

/** An edit of an example file: a token edit or a hostile splice. */
export type Edit = { readonly kind: "token"; readonly edit: Parameters<typeof applyTokenEdit>[1] } | { readonly kind: "splice"; readonly splice: Splice };

export const edit: fc.Arbitrary<Edit> = fc.oneof(
  tokenEdit.map((e): Edit => ({ kind: "token", edit: e })),
  splice.map((s): Edit => ({ kind: "splice", splice: s })),
);

export function applyEdit(text: string, e: Edit): string {
  return e.kind === "token" ? applyTokenEdit(text, e.edit) : applySplice(text, e.splice);
}

/** The example set with one file edited 1–3 times; requests are generated when it still compiles. */
export function mutantCases(corpus: Corpus): fc.Arbitrary<PolicyCase> {
  return fc.tuple(fc.nat({ max: corpus.journeys.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 3 }), seed).map(([file, edits, s]) => {
    const journeys = corpus.journeys.map((j, i) => (i === file ? { ...j, text: edits.reduce(applyEdit, j.text) } : j));
    return {
      kind: "policies",
      label: `mutant of ${corpus.journeys[file]!.name}`,
      catalog: corpus.catalog,
      journeys,
      generate: { seed: s, count: 2 },
      runTests: true,
    };
  });
}

/** Well-typed generated journeys over the example catalog, decided with hostile requests. */
export function typedCases(corpus: Corpus): fc.Arbitrary<PolicyCase> {
  return fc.tuple(typedFile(corpus.catalogValue), seed).map(([text, s]) => ({
    kind: "policies",
    label: "typed generated journeys",
    catalog: corpus.catalog,
    journeys: [{ name: "typed.journey", text }],
    generate: { seed: s, count: 4 },
  }));
}

// ---------------------------------------------------------------------------------------------
// Prototype names as the user's own names

/** Every name the example catalog and journeys declare: entities, fields, members, enum values, events, purposes, actions, parameters, journeys, conditions. */
export function declaredNames(corpus: Corpus): string[] {
  const c = corpus.catalogValue;
  const names = new Set<string>();
  for (const e of c.entities.values()) {
    names.add(e.name);
    for (const f of e.fields.values()) {
      names.add(f.name);
      if (f.type.kind === "enum") for (const v of f.type.values) names.add(v);
      if (f.type.kind === "list" && f.type.of.kind === "record") for (const m of f.type.of.members.keys()) names.add(m);
    }
  }
  for (const ev of c.events.values()) for (const part of ev.name.split(".")) names.add(part);
  for (const p of c.purposes.values()) names.add(p.name);
  for (const a of c.actions.values()) {
    names.add(a.name);
    for (const p of a.params.keys()) names.add(p);
  }
  for (const j of corpus.journeys) for (const m of j.text.matchAll(/^\s*(?:journey|condition)\s+([a-z_][a-z0-9_]*)/gm)) names.add(m[1]!);
  return [...names].filter((n) => /^[a-z_][a-z0-9_]*$/.test(n)).sort();
}

/** Renames a whole word in every file (catalog and journeys). */
export function rename(corpus: Corpus, from: string, to: string): { catalog: Source; journeys: Source[] } {
  const re = new RegExp(`(?<![A-Za-z0-9_])${from}(?![A-Za-z0-9_])`, "g");
  const sub = (s: Source): Source => ({ ...s, text: s.text.replace(re, to) });
  return { catalog: sub(corpus.catalog), journeys: corpus.journeys.map(sub) };
}

/** The example set with one declared name renamed to a prototype name everywhere, decided with valid requests. */
export function renamedCases(corpus: Corpus): fc.Arbitrary<PolicyCase> {
  const names = declaredNames(corpus);
  return fc.tuple(fc.constantFrom(...names), fc.constantFrom(...PROTOTYPE_NAMES), seed, fc.boolean()).map(([from, to, s, hostile]) => ({
    kind: "policies",
    label: `example set with \`${from}\` renamed to \`${to}\``,
    ...rename(corpus, from, to),
    generate: { seed: s, count: 6, hostile },
  }));
}

/** The example set (compiled once, cached in the child) deciding one request. */
export function exampleRequestCase(request: string, label = "hostile request against the example set"): PolicyCase {
  return { kind: "policies", label, dir: POLICIES, requests: [request], cache: true };
}
