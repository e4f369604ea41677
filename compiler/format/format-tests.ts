// The canonical text of `test` and `property` blocks: one statement per line, the statement
// word padded to one column, values printed as the language writes literals. `kairos fmt`
// (compiler/format/formatter.ts) lays out these lines and keeps comments around them; property-test
// counterexamples are printed with the same functions, so they paste back unchanged.
import type * as A from "../syntax/ast.ts";
import { logicalChain } from "../syntax/ast.ts";
import { printExpr, printString } from "../syntax/print-expr.ts";

/** Statement words are padded to this width (`objection` plus a space). */
export const STATEMENT_WIDTH = 10;
const INDENT = "  ";
/** An `assume`/`expect` expression longer than this is broken before its top-level `and`/`or`. */
const MAX_WIDTH = 80;

/** One output line of a block and the source range it comes from (for comments). */
export interface BlockLine {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** A statement argument as written canonically: `{ a: 1, b: "x" }`, `[…]`, `(k: v)`, literals. */
export function printValue(v: A.TestValue): string {
  switch (v.kind) {
    case "word":
      return v.text;
    case "literal":
      return printExpr(v.value);
    case "record":
      return v.fields.length === 0 ? "{}" : `{ ${v.fields.map(printField).join(", ")} }`;
    case "list":
      return `[${v.items.map(printValue).join(", ")}]`;
    case "args":
      return `(${v.fields.map(printField).join(", ")})`;
    case "other":
      return v.text;
  }
}

function printField(f: A.TestField): string {
  return `${f.name.name}: ${printValue(f.value)}`;
}

/** The arguments of a statement: separated by spaces, except `(…)` right after a word. */
export function printArgs(args: readonly A.TestValue[]): string {
  let out = "";
  args.forEach((a, i) => {
    if (i > 0 && a.kind !== "args") out += " ";
    out += printValue(a);
  });
  return out;
}

/** A statement without indentation; a long `assume`/`expect` breaks over several lines. */
export function printStatement(s: A.TestStatement, indent = ""): string {
  const head = s.keyword.name.padEnd(STATEMENT_WIDTH - 1) + " ";
  if (s.trigger) {
    const timers = s.trigger.timers.map((t) => t.text).join(", ");
    return `${head}${s.trigger.event.name}${timers ? ` after ${timers}` : ""}`;
  }
  if (s.expr) {
    const flat = head + printExpr(s.expr);
    const chain = logicalChain(s.expr);
    if (indent.length + flat.length <= MAX_WIDTH || !chain) return flat;
    const pad = " ".repeat(Math.max(0, indent.length + head.length - chain.op.length - 1));
    return [head + printExpr(chain.operands[0]!), ...chain.operands.slice(1).map((o) => `${pad}${chain.op} ${printExpr(o)}`)].join("\n");
  }
  return s.args.length === 0 ? s.keyword.name : head + printArgs(s.args);
}

/** The lines of a block, each with its source range. */
export function blockLines(b: A.TestBlock): BlockLine[] {
  const lines: BlockLine[] = [{ text: `${b.kind} ${printString(b.name.value)} {`, start: b.span.start, end: b.name.span.end }];
  for (const s of b.statements) lines.push({ text: INDENT + printStatement(s, INDENT), start: s.span.start, end: s.span.end });
  lines.push({ text: "}", start: Math.max(b.span.start, b.span.end - 1), end: b.span.end });
  return lines;
}

/** A block as text (no comments), ending without a newline. */
export function printBlock(b: A.TestBlock): string {
  return blockLines(b)
    .map((l) => l.text)
    .join("\n");
}
