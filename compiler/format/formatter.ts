// `kairos fmt`: the canonical layout of a `.journey` file (journeys, conditions, test and
// property blocks). Comments survive, attached to the line (declaration header, clause or
// statement, operand of a broken `when`, closing brace) they precede or trail. The layout is
// a pure function of the AST plus those attachments, so formatting is idempotent and never
// changes what the file means (parse∘format = parse, modulo spans).
import type { IToken } from "chevrotain";
import { lex } from "../../grammar/lexer.ts";
import { LBrace } from "../../grammar/tokens.ts";
import type * as A from "../syntax/ast.ts";
import { logicalChain } from "../syntax/ast.ts";
import { hasErrors, type StageResult } from "../../core/diagnostics.ts";
import { parseJourneyFile } from "../syntax/lower.ts";
import { printExpr, printString, printTemplate } from "../syntax/print-expr.ts";
// Test and property statements print as compiler/format/format-tests.ts says (shared with counterexamples).
import { printStatement } from "./format-tests.ts";
import type { SourceFile } from "../../core/source.ts";

/** Indentation of clauses inside a journey. */
const INDENT = "  ";
/** Clause keywords are padded to this width (`priority` plus a space), as in the spec. */
const KEYWORD_WIDTH = 9;
/** A `when` (or condition) longer than this is broken before its top-level `and`/`or`. */
const MAX_WIDTH = 80;

/**
 * Formats one file canonically. A file with syntax errors is refused: the value is undefined
 * and the diagnostics are the parser's.
 */
export function formatFile(file: SourceFile): StageResult<string | undefined> {
  const parsed = parseJourneyFile(file);
  if (hasErrors(parsed.diagnostics)) return { value: undefined, diagnostics: parsed.diagnostics };
  const { tokens, comments } = lex(file);
  const layout = new Layout(file, tokens);
  const blocks: (A.Decl | A.TestBlock)[] = [...parsed.value.decls, ...(parsed.value.tests ?? [])].sort((a, b) => a.span.start - b.span.start);
  const models = blocks.map((d) => layout.model(d));
  const fileTrailing = layout.attach(comments);
  return { value: layout.render(models, fileTrailing), diagnostics: parsed.diagnostics };
}

// ---------------------------------------------------------------------------------------------
// Model: every output line that comes from source is an anchor with a source range.

interface Comment {
  readonly offset: number;
  readonly text: string;
}

interface Anchor {
  readonly start: number;
  readonly end: number;
  leading: Comment[];
  trailing: Comment[];
}

/** A top-level `and`/`or` chain: operands in order, split at each operator. */
interface Chain {
  readonly op: "and" | "or";
  readonly operands: readonly A.Expr[];
}

interface ClauseModel {
  readonly clause: A.Clause;
  /** One anchor, or one per chain operand for a `when` whose root is `and`/`or`. */
  readonly anchors: Anchor[];
  readonly chain?: Chain;
}

/** A `test`/`property` statement: one line. */
interface StatementModel {
  readonly statement: A.TestStatement;
  readonly anchor: Anchor;
}

type DeclModel =
  | { readonly kind: "journey"; readonly decl: A.JourneyDecl; readonly header: Anchor; readonly clauses: ClauseModel[]; readonly closer: Anchor }
  | { readonly kind: "condition"; readonly decl: A.ConditionDecl; readonly anchors: Anchor[]; readonly chain?: Chain }
  | { readonly kind: "tests"; readonly decl: A.TestBlock; readonly header: Anchor; readonly statements: StatementModel[]; readonly closer: Anchor };

function anchor(start: number, end: number): Anchor {
  return { start, end, leading: [], trailing: [] };
}

/** Anchors for `first` (from `start`) then each later operand (from its operator). */
function chainAnchors(start: number, chain: Chain, root: A.Expr): Anchor[] {
  const ops: A.BinaryExpr[] = [];
  let cur: A.Expr = root;
  while (cur.kind === "binary" && cur.op === chain.op) {
    ops.push(cur);
    cur = cur.left;
  }
  ops.reverse();
  const out = [anchor(start, chain.operands[0]!.span.end)];
  ops.forEach((b, i) => {
    out.push(anchor(b.opSpan.start, chain.operands[i + 1]!.span.end));
  });
  return out;
}

class Layout {
  private readonly text: string;
  private readonly tokens: readonly IToken[];
  /** Every anchor, in source order. */
  private readonly anchors: Anchor[] = [];

  constructor(file: SourceFile, tokens: readonly IToken[]) {
    this.text = file.text;
    this.tokens = tokens;
  }

  model(d: A.Decl | A.TestBlock): DeclModel {
    if (d.kind === "test" || d.kind === "property") {
      const header = anchor(d.span.start, this.braceAfter(d.name.span.end, d.name.span.end));
      this.anchors.push(header);
      const statements = d.statements.map((statement): StatementModel => {
        const a = anchor(statement.span.start, statement.span.end);
        this.anchors.push(a);
        return { statement, anchor: a };
      });
      const closer = anchor(d.span.end - 1, d.span.end);
      this.anchors.push(closer);
      return { kind: "tests", decl: d, header, statements, closer };
    }
    if (d.kind === "condition") {
      const chain = logicalChain(d.body);
      const anchors = chain ? chainAnchors(d.span.start, chain, d.body) : [anchor(d.span.start, d.span.end)];
      this.anchors.push(...anchors);
      return chain ? { kind: "condition", decl: d, anchors, chain } : { kind: "condition", decl: d, anchors };
    }
    const header = anchor(d.span.start, this.braceAfter(d.name.span.end, d.name.span.end));
    this.anchors.push(header);
    const clauses = d.clauses.map((clause): ClauseModel => {
      const chain = clause.kind === "when" ? logicalChain(clause.expr) : undefined;
      const anchors = chain && clause.kind === "when" ? chainAnchors(clause.span.start, chain, clause.expr) : [anchor(clause.span.start, clause.span.end)];
      this.anchors.push(...anchors);
      return chain ? { clause, anchors, chain } : { clause, anchors };
    });
    const closer = anchor(d.span.end - 1, d.span.end);
    this.anchors.push(closer);
    return { kind: "journey", decl: d, header, clauses, closer };
  }

  /** The offset just after the first `{` at or after `offset`. */
  private braceAfter(offset: number, fallback: number): number {
    const brace = this.tokens.find((t) => t.tokenType === LBrace && t.startOffset >= offset);
    return brace ? brace.startOffset + 1 : fallback;
  }

  /** Attaches each comment to an anchor; returns those after the last declaration. */
  attach(comments: readonly IToken[]): Comment[] {
    const rest: Comment[] = [];
    for (const t of comments) {
      const c: Comment = { offset: t.startOffset, text: t.image.trimEnd() };
      const prev = this.previousOnLine(c.offset);
      if (prev !== undefined) {
        const a = this.lastAnchorStartingAtOrBefore(prev);
        if (a) {
          a.trailing.push(c);
          continue;
        }
      }
      const inside = this.anchors.find((a) => a.start < c.offset && c.offset < a.end);
      const next = inside ?? this.anchors.find((a) => a.start > c.offset);
      if (next) next.leading.push(c);
      else rest.push(c);
    }
    // A line keeps one trailing comment; earlier ones move above it, in source order.
    for (const a of this.anchors) {
      if (a.trailing.length > 1) {
        a.leading = [...a.leading, ...a.trailing.slice(0, -1)].sort((x, y) => x.offset - y.offset);
        a.trailing = a.trailing.slice(-1);
      }
    }
    return rest;
  }

  /** Offset of the last non-blank character before `offset` on the same line, if any. */
  private previousOnLine(offset: number): number | undefined {
    for (let i = offset - 1; i >= 0; i--) {
      const ch = this.text[i]!;
      if (ch === "\n" || ch === "\r") return undefined;
      if (ch !== " " && ch !== "\t" && ch !== "\f" && ch !== "\v" && ch !== "\u00a0" && ch !== "\ufeff") return i;
    }
    return undefined;
  }

  private lastAnchorStartingAtOrBefore(offset: number): Anchor | undefined {
    let found: Anchor | undefined;
    for (const a of this.anchors) if (a.start <= offset) found = a;
    return found;
  }

  /** Whether the author left a blank line right before `offset`. */
  private blankBefore(offset: number): boolean {
    let newlines = 0;
    for (let i = offset - 1; i >= 0; i--) {
      const ch = this.text[i]!;
      if (ch === "\n") newlines++;
      else if (ch === "\r") {
        if (this.text[i + 1] !== "\n") newlines++;
      } else if (!/\s/.test(ch)) break;
    }
    return newlines >= 2;
  }

  // --- rendering ------------------------------------------------------------------------------

  render(models: readonly DeclModel[], fileTrailing: readonly Comment[]): string {
    type Item = { readonly decl: boolean; readonly blank: boolean; readonly lines: string[] };
    const items: Item[] = [];
    for (const m of models) {
      const first = m.kind === "condition" ? m.anchors[0]! : m.header;
      for (const c of first.leading) items.push({ decl: false, blank: this.blankBefore(c.offset), lines: [c.text] });
      const lines = m.kind === "journey" ? this.journey(m) : m.kind === "tests" ? this.tests(m) : this.condition(m);
      items.push({ decl: true, blank: this.blankBefore(m.decl.span.start), lines });
    }
    for (const c of fileTrailing) items.push({ decl: false, blank: this.blankBefore(c.offset), lines: [c.text] });
    const out: string[] = [];
    items.forEach((it, i) => {
      const prev = items[i - 1];
      // Declarations are always one blank line apart; comments keep the author's blank lines.
      if (prev && (prev.decl || it.blank)) out.push("");
      out.push(...it.lines);
    });
    return out.length === 0 ? "" : out.join("\n") + "\n";
  }

  private journey(m: Extract<DeclModel, { kind: "journey" }>): string[] {
    return this.block(
      `journey ${m.decl.name.name} {`,
      m.header,
      m.clauses.map((cm) => this.clause(cm)),
      m.closer,
    );
  }

  /** `test "…" { … }` / `property "…" { … }`: one statement per line, indented. */
  private tests(m: Extract<DeclModel, { kind: "tests" }>): string[] {
    const body = m.statements.map(({ statement, anchor: a }): Line[] => [
      ...a.leading.map((com) => ({ text: INDENT + com.text, offset: com.offset, keepsBlank: true })),
      { text: withTrailing(INDENT + printStatement(statement, INDENT), a), offset: a.start, keepsBlank: true },
    ]);
    return this.block(`${m.decl.kind} ${printString(m.decl.name.value)} {`, m.header, body, m.closer);
  }

  /** A braced block: header line, body lines (blank lines as the author left them), `}`. */
  private block(head: string, header: Anchor, body: readonly Line[][], closer: Anchor): string[] {
    const out = [withTrailing(head, header)];
    let first = true;
    const push = (line: string, blank: boolean) => {
      if (blank && !first) out.push("");
      out.push(line);
      first = false;
    };
    for (const lines of body) for (const l of lines) push(l.text, l.keepsBlank && this.blankBefore(l.offset));
    for (const c of closer.leading) push(INDENT + c.text, this.blankBefore(c.offset));
    out.push(withTrailing("}", closer));
    return out;
  }

  /** A clause's lines, its leading comments first. */
  private clause(cm: ClauseModel): Line[] {
    const c = cm.clause;
    // `stop_loss` is as wide as the padding: it still gets one space.
    const head = INDENT + `${c.kind} `.padEnd(KEYWORD_WIDTH);
    const a0 = cm.anchors[0]!;
    const lines: Line[] = a0.leading.map((com) => ({ text: INDENT + com.text, offset: com.offset, keepsBlank: true }));
    if (cm.chain && c.kind === "when") lines.push(...this.chainLines(head, cm.chain, cm.anchors, c.span.start));
    else lines.push({ text: withTrailing(head + clauseBody(c), a0), offset: c.span.start, keepsBlank: true });
    return lines;
  }

  /**
   * `head op0`, on one line when it fits and no comment sits between operands; else one line
   * per further operand with the operator right-aligned before the operands' column.
   */
  private chainLines(head: string, chain: Chain, anchors: Anchor[], offset: number): Line[] {
    const flat = head + chain.operands.map(printExpr).join(` ${chain.op} `);
    const inner = anchors.slice(1).some((a) => a.leading.length > 0) || anchors.slice(0, -1).some((a) => a.trailing.length > 0);
    if (flat.length <= MAX_WIDTH && !inner) return [{ text: withTrailing(flat, anchors[anchors.length - 1]!), offset, keepsBlank: true }];
    const opPad = " ".repeat(Math.max(0, head.length - chain.op.length - 1));
    const lines: Line[] = [{ text: withTrailing(head + printExpr(chain.operands[0]!), anchors[0]!), offset, keepsBlank: true }];
    chain.operands.slice(1).forEach((operand, i) => {
      const a = anchors[i + 1]!;
      // Inside a broken chain lines follow each other: no blank lines.
      for (const com of a.leading) lines.push({ text: opPad + com.text, offset: com.offset, keepsBlank: false });
      lines.push({ text: withTrailing(`${opPad}${chain.op} ${printExpr(operand)}`, a), offset: a.start, keepsBlank: false });
    });
    return lines;
  }

  private condition(m: Extract<DeclModel, { kind: "condition" }>): string[] {
    const head = `condition ${m.decl.name.name} = `;
    if (!m.chain) return [withTrailing(head + printExpr(m.decl.body), m.anchors[0]!)];
    return this.chainLines(head, m.chain, m.anchors, m.decl.span.start).map((l) => l.text);
  }
}

/** An output line, with the source offset it comes from (for the author's blank lines). */
interface Line {
  readonly text: string;
  readonly offset: number;
  readonly keepsBlank: boolean;
}

function withTrailing(line: string, a: Anchor): string {
  const t = a.trailing[0];
  return t ? `${line} ${t.text}` : line;
}

/** The text after a clause's padded keyword. */
function clauseBody(c: A.Clause): string {
  switch (c.kind) {
    case "title":
      return printString(c.value.value);
    case "purpose":
      return c.name.name;
    case "risk":
      return c.level.name;
    case "priority":
      return Object.is(c.value, -0) ? "-0" : String(c.value);
    case "on":
      return c.event.name + (c.timers.length > 0 ? ` after ${c.timers.map((t) => t.text).join(", ")}` : "");
    case "when":
      return printExpr(c.expr);
    case "do":
      return `${c.action.name}(${c.args.map((a) => `${a.name.name}: ${printExpr(a.value)}`).join(", ")})`;
    case "cap":
      return `${c.count.value} per ${c.window.text}`;
    case "quiet":
      return `${c.from.text} .. ${c.to.text}`;
    case "holdout":
      return c.percentText + (c.salt ? ` salt ${printString(c.salt.value)}` : "");
    case "goal":
      return `${c.type.name} within ${c.window.text}`;
    case "stop_loss":
      return c.conditions.map((x) => `${x.metric.name} > ${x.percentText}`).join(" or ") + (c.min ? ` min ${c.min.value}` : "");
    case "review":
      return c.mode.name;
    case "reason":
      return printTemplate(c.template);
  }
}
