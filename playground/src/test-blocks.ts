// Run must not wait for the policy set's tests: an error inside a `test` or `property` block
// (a mistyped expectation, a test of a journey not loaded) says nothing about the journeys a
// decision runs. Before a run, the page's tools worker blanks those blocks out with spaces —
// every other character keeps its offset, line and column, so the run's diagnostics still point
// at the text in the editor — and reports which lines it blanked.
import { SourceFile } from "../../core/source.ts";
import { parseJourneyFile } from "../../compiler/syntax/lower.ts";
import type { NamedText } from "./protocol.ts";

/** The lines of one blanked block (1-based, inclusive). */
export interface BlankedBlock {
  readonly file: string;
  readonly startLine: number;
  readonly endLine: number;
}

/** The journey files without their test blocks, and where those were. */
export interface WithoutTests {
  readonly journeys: readonly NamedText[];
  readonly blocks: readonly BlankedBlock[];
}

/** Replaces every `test` and `property` block of each file by spaces (newlines kept). */
export function withoutTests(journeys: readonly NamedText[]): WithoutTests {
  const blocks: BlankedBlock[] = [];
  const out = journeys.map((j) => {
    const file = new SourceFile(j.name, j.text);
    const tests = parseJourneyFile(file).value?.tests ?? [];
    if (tests.length === 0) return j;
    let text = j.text;
    for (const t of tests) {
      const { start, end } = t.span;
      text = text.slice(0, start) + text.slice(start, end).replace(/[^\n]/g, " ") + text.slice(end);
      blocks.push({ file: j.name, startLine: file.position(start).line, endLine: file.position(Math.max(start, end - 1)).line });
    }
    return { name: j.name, text };
  });
  return { journeys: out, blocks };
}
