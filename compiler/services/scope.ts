// The scope at a cursor, for completion: where in the grammar the cursor stands (which block,
// which clause, which word is being typed) from the language's own lexer, and what the names
// in scope there mean by the checker's rules — entities the trigger binds, `event.` payload
// fields, quantifier variables and their members, named conditions. Tokens rather than the
// syntax tree, because the text being typed is rarely complete enough to parse.
import type { IToken } from "chevrotain";
import type { Catalog, EventDef, FieldDef } from "../../core/catalog/types.ts";
import { SourceFile } from "../../core/source.ts";
import { lex } from "../../grammar/lexer.ts";
import { CLAUSE_KEYWORDS, Identifier, LBrace, RBrace, StringLit, UnterminatedString } from "../../grammar/tokens.ts";
import type { Type } from "../checker/checked.ts";
import { fromFieldType, T } from "../checker/types.ts";

/** True for identifiers and keywords: every word token. */
export function isWord(t: IToken | undefined): boolean {
  return t !== undefined && (t.tokenType === Identifier || t.tokenType.name.startsWith("Kw_"));
}

/** The end (exclusive) of a token. */
export const tokenEnd = (t: IToken): number => (t.endOffset ?? t.startOffset) + 1;

/** The block the cursor is in. */
export type BlockKind = "top" | "journey" | "condition" | "test" | "property";

/** Where the cursor stands, in tokens. */
export interface CursorContext {
  readonly text: string;
  /** The tokens before the word being typed. */
  readonly before: readonly IToken[];
  /** The word (or string prefix) being typed: replaced by a completion. */
  readonly from: number;
  readonly partial: string;
  /** The cursor is inside a string literal (`partial` is its text after the quote). */
  readonly inString: boolean;
  /** Whether a closing quote follows the cursor. */
  readonly closingQuote: boolean;
  readonly block: BlockKind;
  /** Brace depth at the cursor. */
  readonly depth: number;
  /** The clause keyword the cursor is in (inside a journey, at depth 1). */
  readonly clause?: string;
  /** Clause keywords of the enclosing journey, anywhere in it. */
  readonly clauses: readonly string[];
  /** The enclosing journey's trigger event name. */
  readonly trigger?: string;
  /** The word being typed is the first thing on its line. */
  readonly lineStart: boolean;
  /** Quantifier variables bound before the cursor in this clause: name → the list's path. */
  readonly vars: ReadonlyMap<string, readonly string[]>;
}

/** Reads the context at `offset` of `text`. */
export function cursorContext(name: string, text: string, offset: number): CursorContext {
  const { tokens } = lex(new SourceFile(name, text));
  let from = offset;
  let partial = "";
  let inString = false;
  let closingQuote = false;
  let split = tokens.findIndex((t) => tokenEnd(t) >= offset);
  if (split === -1) split = tokens.length;
  const at = tokens[split];
  if (at && at.startOffset < offset) {
    if (isWord(at)) {
      from = at.startOffset;
      partial = text.slice(from, offset);
    } else if (at.tokenType === StringLit || at.tokenType === UnterminatedString) {
      const closed = at.tokenType === StringLit;
      if (!closed || offset < tokenEnd(at)) {
        inString = true;
        from = at.startOffset;
        partial = text.slice(from + 1, offset);
        closingQuote = closed;
      } else split++;
    } else split++;
  }
  const before = tokens.slice(0, split);

  // Blocks: the top-level keyword that opened the current declaration, and brace depth.
  let depth = 0;
  let block: BlockKind = "top";
  let declStart = 0;
  for (let i = 0; i < before.length; i++) {
    const t = before[i]!;
    if (depth === 0 && t.tokenType !== Identifier && ["journey", "condition", "test", "property"].includes(t.image)) {
      block = t.image as BlockKind;
      declStart = i;
    } else if (t.tokenType === LBrace) depth++;
    else if (t.tokenType === RBrace) {
      depth = Math.max(0, depth - 1);
      if (depth === 0 && block !== "condition") block = "top";
    }
  }
  // The journey's tokens through its closing brace (the trigger may come after the cursor).
  const clauses: string[] = [];
  let clause: string | undefined;
  let clauseStart = declStart;
  let trigger: string | undefined;
  if (block === "journey") {
    let d = 0;
    for (let i = declStart; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.tokenType === LBrace) d++;
      else if (t.tokenType === RBrace && --d <= 0) break;
      else if (d === 1 && isWord(t) && t.tokenType !== Identifier && CLAUSE_KEYWORDS.includes(t.image)) {
        clauses.push(t.image);
        if (i < before.length) {
          clause = t.image;
          clauseStart = i;
        }
        if (t.image === "on" && trigger === undefined) trigger = dottedName(tokens, i + 1);
      }
    }
  }
  const prev = before[before.length - 1];
  const lineStart = prev === undefined || /[\r\n]/.test(text.slice(tokenEnd(prev), from));
  const vars = new Map<string, readonly string[]>();
  for (let i = clauseStart; i + 3 < before.length; i++) {
    const q = before[i]!;
    if (!["any", "all", "count"].includes(q.image) || q.tokenType === Identifier) continue;
    const v = before[i + 1];
    if (!v || !isWord(v) || before[i + 2]?.image !== "in") continue;
    const path: string[] = [];
    let k = i + 3;
    while (isWord(before[k])) {
      path.push(before[k]!.image);
      if (before[k + 1]?.image !== ".") break;
      k += 2;
    }
    if (path.length > 0) vars.set(v.image, path);
  }
  return {
    text,
    before,
    from,
    partial,
    inString,
    closingQuote,
    block,
    depth,
    ...(clause ? { clause } : {}),
    clauses,
    ...(trigger ? { trigger } : {}),
    lineStart,
    vars,
  };
}

/** A dotted name (`claim.filed`) starting at token `i`. */
function dottedName(tokens: readonly IToken[], i: number): string | undefined {
  let name = "";
  let k = i;
  while (isWord(tokens[k])) {
    name += tokens[k]!.image;
    if (tokens[k + 1]?.image !== "." || tokens[k + 1]!.startOffset !== tokenEnd(tokens[k]!)) break;
    name += ".";
    k += 2;
  }
  return name || undefined;
}

/** What a path means: its type and, for `entity.field`, the field. */
export interface PathMeaning {
  readonly type: Type;
  readonly field?: FieldDef;
  /** For `event.x`: the event whose payload it is. */
  readonly event?: EventDef;
}

/**
 * Resolves a path by the checker's rules: `var.member…`, `entity.field`, `event.field`, `now`.
 * `vars` maps quantifier variables to the paths of their lists.
 */
export function resolvePath(
  segments: readonly string[],
  catalog: Catalog,
  vars: ReadonlyMap<string, readonly string[]>,
  trigger: string | undefined,
  seen: ReadonlySet<string> = new Set(),
): PathMeaning | undefined {
  const [head, ...rest] = segments;
  if (head === undefined) return undefined;
  const listPath = vars.get(head);
  if (listPath && !seen.has(head)) {
    const list = resolvePath(listPath, catalog, vars, trigger, new Set([...seen, head]));
    let t: Type | undefined = list?.type.kind === "list" ? list.type.of : undefined;
    for (const m of rest) t = t?.kind === "record" ? t.members.get(m) : undefined;
    return t ? { type: t } : undefined;
  }
  if (head === "now") return rest.length === 0 ? { type: T.datetime } : undefined;
  if (head === "event") {
    const ev = trigger ? catalog.events.get(trigger) : undefined;
    const ft = ev && rest.length === 1 ? ev.fields.get(rest[0]!) : undefined;
    return ft && ev ? { type: fromFieldType(ft), event: ev } : undefined;
  }
  const field = rest.length === 1 ? catalog.entities.get(head)?.fields.get(rest[0]!) : undefined;
  return field ? { type: fromFieldType(field.type), field } : undefined;
}
