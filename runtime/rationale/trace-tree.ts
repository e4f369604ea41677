// The trace of one evaluation as a tree that follows the journey's `nodes[].children`: each
// condition with its source text, the value(s) it had and its result. The trace is one flat
// event list ([node id, value], in evaluation order); this is the one place that folds it.
import type { JourneyMeta, TraceNode } from "../../core/artifact.ts";
import type { TraceEvent } from "../decision.ts";
import { formatValue } from "./values.ts";

/** How a line of the tree reads at a glance. */
export type TraceMark = "true" | "false" | "mixed" | "skipped" | "value" | "literal";

/** One node of the trace, flattened with its depth (renderers indent by it). */
export interface TraceLine {
  readonly depth: number;
  readonly id: number;
  readonly mark: TraceMark;
  /** The sub-expression as the author wrote it. */
  readonly source: string;
  /** Its value(s), formatted by type; absent when not evaluated. */
  readonly value?: string;
  /** How many times it was evaluated, when more than once (quantifier bodies). */
  readonly times?: number;
  /** `file:line:column` of the sub-expression. */
  readonly where: string;
}

export interface TraceTree {
  /** The `when` condition, root first. */
  readonly when: readonly TraceLine[];
  /** The values interpolated into `reason`, one tree per interpolation. */
  readonly reason: readonly TraceLine[];
}

const LITERAL_KINDS: ReadonlySet<string> = new Set(["bool", "int", "decimal", "string", "date", "datetime", "duration", "list", "literal"]);
const MAX_SHOWN = 5;

function markOf(node: TraceNode, values: readonly unknown[]): TraceMark {
  if (values.length === 0) return LITERAL_KINDS.has(node.kind) ? "literal" : "skipped";
  if (node.type !== "bool" || !values.every((v) => typeof v === "boolean")) return "value";
  if (values.every((v) => v === true)) return "true";
  if (values.every((v) => v === false)) return "false";
  return "mixed";
}

function valueText(node: TraceNode, values: readonly unknown[]): string | undefined {
  if (values.length === 0) return undefined;
  // A decimal field reads as an amount (`49.90`); a computed decimal as computed, as in `reason`.
  const type = node.type === "decimal" && node.kind !== "path" ? "number" : node.type;
  const shown = values.slice(0, MAX_SHOWN).map((v) => formatValue(v, type));
  return values.length > MAX_SHOWN ? `${shown.join(", ")}, …` : shown.join(", ");
}

/** Folds a trace into lines following the journey's node tree (parentheses collapsed). */
export function traceTree(meta: JourneyMeta, trace: readonly TraceEvent[]): TraceTree {
  const byId = new Map(meta.nodes.map((n) => [n.id, n]));
  const values = new Map<number, unknown[]>();
  for (const [id, value] of trace) {
    const list = values.get(id);
    if (list) list.push(value);
    else values.set(id, [value]);
  }
  const lines = (root: number): TraceLine[] => {
    const out: TraceLine[] = [];
    const seen = new Set<number>();
    const walk = (id: number, depth: number): void => {
      let node = byId.get(id);
      if (!node || seen.has(id)) return;
      seen.add(id);
      // `( x )` reads as `x`: show the inner expression once.
      while (node.kind === "paren" && node.children.length === 1 && byId.has(node.children[0]!)) node = byId.get(node.children[0]!)!;
      const vs = values.get(node.id) ?? values.get(id) ?? [];
      const value = valueText(node, vs);
      out.push({
        depth,
        id: node.id,
        mark: markOf(node, vs),
        source: node.text,
        ...(value === undefined ? {} : { value }),
        ...(vs.length > 1 ? { times: vs.length } : {}),
        where: `${node.loc.file}:${node.loc.line}:${node.loc.column}`,
      });
      for (const c of node.children) walk(c, depth + 1);
    };
    walk(root, 0);
    return out;
  };
  const when = lines(meta.whenRoot);
  const inWhen = new Set(when.map((l) => l.id));
  const children = new Set(meta.nodes.flatMap((n) => n.children));
  const reason = meta.nodes.filter((n) => n.id !== meta.whenRoot && !children.has(n.id) && !inWhen.has(n.id)).flatMap((n) => lines(n.id));
  return { when, reason };
}

/** A trace without its journey's metadata: one line per event, by node id. */
export function bareTrace(trace: readonly TraceEvent[]): TraceLine[] {
  return trace.map(([id, value]) => ({
    depth: 0,
    id,
    mark: typeof value === "boolean" ? (value ? "true" : "false") : "value",
    source: `node #${id}`,
    value: formatValue(value, "unknown"),
    where: "",
  }));
}
