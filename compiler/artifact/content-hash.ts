// A journey's content hash: what a DPO approval of a `risk high` journey binds to
// (docs/approvals.md). It is computed from the checked journey, not from its text, so that
// formatting, comments, the order of clauses, parentheses, moving the journey to another file
// and editing other journeys or tests leave it unchanged, while any change to what the journey
// does — its clauses, its condition, the named conditions it uses, its reason text, its action
// — changes it. A `goal` and a `stop_loss` are not part of it: they say how the journey is
// measured and when the service stops it, never what it does to a person (a stop only makes it
// act less), so adding one to an approved journey needs no new approval. The manifest carries it per journey (`journeys[].content`) so that a service
// started from an artifact directory can check approvals too. Browser-safe.
import { canonicalJson } from "../../core/canonical-json.ts";
import { sha256Hex } from "../../core/sha256.ts";
import * as A from "../syntax/ast.ts";
import type { CheckedJourney, CheckedProgram } from "../checker/checked.ts";
import { mapped } from "../../core/arrays.ts";

/** Names the layout hashed below; a change to it changes every content hash (and needs new approvals). */
export const CONTENT_FORMAT = "kairos-journey-content/1";

type Token = string | number | boolean;

/**
 * An expression as a flat pre-order token list: each node's kind, its own attributes and its
 * number of children, then its children. Flat, so that an expression as deep as the parser
 * allows never nests past canonical JSON's depth limit; iterative, so it never exhausts the stack.
 * Parentheses are dropped (the tree already says how the expression groups); literals by value.
 */
function exprTokens(root: A.Expr, out: Token[], onPath?: (p: A.PathExpr) => void): void {
  // Children are pushed right to left, so they pop (and are written) left to right.
  const stack: A.Expr[] = [root];
  while (stack.length > 0) {
    let e = stack.pop()!;
    while (e.kind === "paren") e = e.inner;
    switch (e.kind) {
      case "bool":
      case "int":
      case "string":
      case "decimal":
        out.push(e.kind, e.value);
        break;
      case "date":
        out.push(e.kind, e.day);
        break;
      case "datetime":
      case "duration":
        out.push(e.kind, e.ms);
        break;
      case "list":
        out.push(e.kind, e.items.length);
        for (let i = e.items.length - 1; i >= 0; i--) stack.push(e.items[i]!);
        break;
      case "path":
        out.push(e.kind, A.pathText(e));
        onPath?.(e);
        break;
      case "call":
        out.push(e.kind, e.callee.name, e.args.length);
        for (let i = e.args.length - 1; i >= 0; i--) stack.push(e.args[i]!);
        break;
      case "unary":
        out.push(e.kind, e.op);
        stack.push(e.operand);
        break;
      case "binary":
        out.push(e.kind, e.op);
        stack.push(e.right, e.left);
        break;
      case "is_set":
        out.push(e.kind, e.negated);
        stack.push(e.operand);
        break;
      case "quantifier":
        out.push(e.kind, e.quantifier, e.variable.name);
        stack.push(e.body, e.list);
        break;
      case "error":
        out.push(e.kind);
        break;
    }
  }
}

/**
 * The content hash of a checked journey: `sha256:` + sha256 over the canonical JSON of its
 * resolved clauses (defaults applied), its `when` and `reason` as token lists, and the bodies of
 * the named conditions it uses (directly or through other conditions), by name.
 */
export function journeyContentHash(j: CheckedJourney, program: Pick<CheckedProgram, "resolutions">): string {
  const used = new Map<string, A.ConditionDecl>();
  const pending: A.ConditionDecl[] = [];
  const onPath = (p: A.PathExpr): void => {
    const r = program.resolutions.get(p);
    if (r?.kind === "condition" && !used.has(r.decl.name.name)) {
      used.set(r.decl.name.name, r.decl);
      pending.push(r.decl);
    }
  };
  const when: Token[] = [];
  exprTokens(j.when, when, onPath);
  let reason: Token[] | null = null;
  if (j.reason) {
    reason = [];
    for (const part of j.reason.parts) {
      if (part.kind === "text") reason.push("text", part.text);
      else {
        reason.push("expr");
        exprTokens(part.expr, reason, onPath);
      }
    }
  }
  // No prototype: a condition may be named anything an identifier can be, `__proto__` too.
  const conditions = Object.create(null) as Record<string, Token[]>;
  for (let d = pending.pop(); d !== undefined; d = pending.pop()) {
    const body: Token[] = [];
    exprTokens(d.body, body, onPath);
    conditions[d.name.name] = body;
  }
  // Keys in canonical (sorted) order, so that canonicalJson writes the object as it is rather
  // than a sorted copy; the text is the same either way.
  const content = {
    action: { name: j.action.def.name, params: j.action.params },
    cap: j.cap ? { count: j.cap.count, windowMs: j.cap.windowMs } : null,
    conditions,
    format: CONTENT_FORMAT,
    holdout: j.holdout ? { percent: j.holdout.percent, salt: j.holdout.salt } : null,
    id: j.id,
    priority: j.priority,
    purpose: j.purpose.name,
    quiet: j.quiet ? { from: j.quiet.fromMinutes, to: j.quiet.toMinutes } : null,
    reason,
    review: j.review,
    risk: j.risk,
    title: j.title,
    trigger: { event: j.trigger.event, timers: mapped(j.trigger.timers, (t) => t.ms) },
    when,
  };
  return `sha256:${sha256Hex(canonicalJson(content))}`;
}
