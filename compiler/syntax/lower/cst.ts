// Reading the chevrotain CST during lowering: children by label, typed against the generated
// `*CstChildren` types (grammar/cst.generated.ts) so a label the grammar no longer produces is a
// type error, and spans of tokens and nodes. The CST may be partial after error recovery, so
// every label is read as possibly missing and recovered (inserted) tokens count as missing.
import type { CstNode, ICstVisitor, IToken } from "chevrotain";
import type { ICstNodeVisitor } from "../../../grammar/cst.generated.ts";
import type { Diagnostic } from "../../../core/diagnostics.ts";
import type { SourceFile, Span } from "../../../core/source.ts";
import type * as A from "../ast.ts";
import { kept } from "../../../core/arrays.ts";

/** The name of a grammar rule (as in a recognition error's rule stack). */
export type RuleName = Exclude<keyof ICstNodeVisitor<unknown, unknown>, keyof ICstVisitor<unknown, unknown>>;

/** One child of a CST node. */
export type Child = CstNode | IToken;

/**
 * A CST node with generated children types (a `*CstNode`, or a union of them). The helpers below
 * take the node's type as `N` rather than inferring its children, so a union of nodes gives the
 * labels they share.
 */
export interface Typed {
  readonly children: object;
}

/** The labels of `C` that hold tokens. */
export type TokenLabel<C> = { [K in keyof C]-?: NonNullable<C[K]> extends readonly IToken[] ? K : never }[keyof C];

/** The labels of `C` that hold CST nodes. */
export type NodeLabel<C> = { [K in keyof C]-?: NonNullable<C[K]> extends readonly CstNode[] ? K : never }[keyof C];

/** The element type under label `K` of `C`. */
export type ChildAt<C, K extends keyof C> = NonNullable<C[K]> extends readonly (infer E)[] ? E : never;

/** The element type under any label of `C`: for a node of alternatives, the alternatives. */
export type AnyChild<C> = { [K in keyof C]-?: ChildAt<C, K> }[keyof C];

/** The children as chevrotain builds them: whatever the generated type says, a label may be absent. */
type Children = Readonly<Record<string, readonly Child[] | undefined>>;

/** No tokens: shared, so a missing label allocates nothing. */
export const NO_TOKENS: readonly IToken[] = [];
const NO_NODES: readonly never[] = [];

/** Whether a child is a token (rather than a node). */
export function isToken(c: Child): c is IToken {
  return (c as IToken).image !== undefined;
}

/** A real token: recovered (inserted) tokens count as missing. */
function isRealToken(c: Child): c is IToken {
  return isToken(c) && !c.isInsertedInRecovery && !Number.isNaN(c.startOffset);
}

/** The real tokens under `label`. */
export function toks<N extends Typed, K extends TokenLabel<N["children"]>>(n: N, label: K): readonly IToken[] {
  const cs = (n.children as Children)[label as string];
  if (cs === undefined) return NO_TOKENS;
  let out: IToken[] | undefined;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (isRealToken(c)) {
      if (out === undefined) {
        // Usually every child is a real token: share the array rather than copy it.
        if (i === 0 && cs.every(isRealToken)) return cs as readonly IToken[];
        out = [];
      }
      out.push(c);
    }
  }
  return out ?? NO_TOKENS;
}

/** The first real token under `label`. */
export function tok<N extends Typed, K extends TokenLabel<N["children"]>>(n: N, label: K): IToken | undefined {
  const cs = (n.children as Children)[label as string];
  if (cs !== undefined) for (const c of cs) if (isRealToken(c)) return c;
  return undefined;
}

/** The nodes under `label`. */
export function nodes<N extends Typed, K extends NodeLabel<N["children"]>>(n: N, label: K): readonly ChildAt<N["children"], K>[] {
  const cs = (n.children as Children)[label as string];
  if (cs === undefined) return NO_NODES;
  let tokens = false;
  for (const c of cs) if (isToken(c)) tokens = true;
  return (tokens ? kept(cs, (c) => !isToken(c)) : cs) as readonly ChildAt<N["children"], K>[];
}

/** The first node under `label`. */
export function node<N extends Typed, K extends NodeLabel<N["children"]>>(n: N, label: K): ChildAt<N["children"], K> | undefined {
  const cs = (n.children as Children)[label as string];
  if (cs !== undefined) for (const c of cs) if (!isToken(c)) return c as ChildAt<N["children"], K>;
  return undefined;
}

/** The first child of the first label (`Object.values(n.children)[0]?.[0]`): the alternative a node of alternatives took. */
export function firstChild<N extends Typed>(n: N): AnyChild<N["children"]> | undefined {
  const cs = n.children as Children;
  for (const label in cs) return cs[label]![0] as AnyChild<N["children"]> | undefined;
  return undefined;
}

/** The first keyword token among the children, labels in order. */
export function firstKeyword(n: Typed): IToken | undefined {
  const cs = n.children as Children;
  for (const label in cs) {
    for (const c of cs[label]!) if (isToken(c) && c.tokenType.name.startsWith("Kw_")) return c;
  }
  return undefined;
}

/** Whether chevrotain gave `n` a location (a node recovered with no tokens has none, or a negative one). */
function hasLocation(n: CstNode): boolean {
  const l = n.location;
  return l !== undefined && !Number.isNaN(l.startOffset) && l.startOffset >= 0;
}

/**
 * The span to use for a node without a location: a span, or an enclosing node that has a
 * location (its span, computed only in the rare case it is needed, so lowering a well-formed
 * expression does not build a span per grammar level).
 */
export type Fallback = Span | CstNode;

/** What every lowering function works in: the file (for spans) and the diagnostics so far. */
export class LowerContext {
  readonly file: SourceFile;
  readonly diagnostics: Diagnostic[];

  constructor(file: SourceFile, diagnostics: Diagnostic[]) {
    this.file = file;
    this.diagnostics = diagnostics;
  }

  tspan(t: IToken): Span {
    return this.file.span(t.startOffset, (t.endOffset ?? t.startOffset) + 1);
  }

  nspan(n: CstNode, fallback: Fallback): Span {
    return hasLocation(n) ? this.locSpan(n) : this.resolve(fallback);
  }

  /** The span of a node that has a location. */
  private locSpan(n: CstNode): Span {
    const l = n.location!;
    const end = l.endOffset === undefined || Number.isNaN(l.endOffset) ? l.startOffset : l.endOffset + 1;
    return this.file.span(l.startOffset, Math.max(end, l.startOffset));
  }

  /** The fallback for what is inside `n`: `nspan(n, fallback)`, left unevaluated. */
  within(n: CstNode, fallback: Fallback): Fallback {
    return hasLocation(n) ? n : fallback;
  }

  resolve(f: Fallback): Span {
    return (f as Span).file !== undefined ? (f as Span) : this.locSpan(f as CstNode);
  }

  ident(t: IToken): A.Ident {
    return { kind: "ident", name: t.image, span: this.tspan(t) };
  }

  report(d: Diagnostic): void {
    this.diagnostics.push(d);
  }
}
