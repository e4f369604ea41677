// The literal of one trace node (core/artifact.ts's TraceNode), written directly. A predicates
// module is mostly these (1,000 journeys: about 11,600 nodes, 70% of its text), and writing
// each through the generic `dataAtom` (code.ts) — a key check and a part per member, joined —
// was the largest single cost of codegen. The text is the same `dataAtom(node)` gives
// (test/codegen/trace-node-text.test.ts checks it over arbitrary nodes).
import type { TraceNode } from "../../core/artifact.ts";
import { dataAtom, num, type Code } from "./code.ts";
import { flatString } from "./writer.ts";

// Process-wide and safe: the JSON text of the latest `loc.file` written, a pure function of it
// (a journey's nodes are all in one file, so it is computed about once per journey).
let lastFile: string | undefined;
let lastFileJson = "";

/** `dataAtom(node)` for a trace node: `{ id: 0, kind: "binary", op: "and", text: …, loc: { … }, type: …, children: [ … ] }`. */
export function traceNodeAtom(node: TraceNode): Code {
  // Anything but the shape planJourney builds (compiler/plan/trace-nodes.ts) takes the generic path.
  if (!isPlainTraceNode(node)) return dataAtom(node);
  const loc = node.loc;
  if (loc.file !== lastFile) {
    lastFile = loc.file;
    lastFileJson = JSON.stringify(loc.file);
  }
  const op = node.op === undefined ? "" : `op: ${JSON.stringify(node.op)}, `;
  const text =
    `{ id: ${int(node.id)}, kind: ${JSON.stringify(node.kind)}, ${op}text: ${JSON.stringify(node.text)}, ` +
    `loc: { file: ${lastFileJson}, line: ${int(loc.line)}, column: ${int(loc.column)}, endLine: ${int(loc.endLine)}, endColumn: ${int(loc.endColumn)} }, ` +
    `type: ${JSON.stringify(node.type)}, children: ${children(node.children)} }`;
  return { k: "atom", text: flatString(text) };
}

/** A number as `num` writes it (throws on the non-finite). */
function int(n: number): string {
  return Number.isInteger(n) && !Object.is(n, -0) ? String(n) : (num(n) as { text: string }).text;
}

function children(ids: readonly number[]): string {
  if (ids.length === 0) return "[]";
  let out = `[${int(ids[0]!)}`;
  for (let i = 1; i < ids.length; i++) out += `, ${int(ids[i]!)}`;
  return `${out}]`;
}

/**
 * Whether `node` has exactly the members of a TraceNode, in planJourney's order, each of its
 * type (`op` absent or a string): then the direct text above is the generic one.
 */
function isPlainTraceNode(node: TraceNode): boolean {
  let i = 0;
  for (const k in node) {
    const expected = NODE_KEYS[i];
    if (k === "op" && i === 2 && typeof node.op === "string") continue;
    if (k !== expected) return false;
    i++;
  }
  if (i !== NODE_KEYS.length) return false;
  if (typeof node.id !== "number" || typeof node.kind !== "string" || typeof node.text !== "string" || typeof node.type !== "string") return false;
  if (!Array.isArray(node.children)) return false;
  for (const c of node.children) if (typeof c !== "number") return false;
  const loc = node.loc as unknown;
  if (typeof loc !== "object" || loc === null || Object.getPrototypeOf(loc) !== Object.prototype) return false;
  let j = 0;
  for (const k in loc) if (k !== LOC_KEYS[j++]) return false;
  if (j !== LOC_KEYS.length) return false;
  const l = node.loc;
  return (
    typeof l.file === "string" && typeof l.line === "number" && typeof l.column === "number" && typeof l.endLine === "number" && typeof l.endColumn === "number"
  );
}

const NODE_KEYS: readonly string[] = ["id", "kind", "text", "loc", "type", "children"];
const LOC_KEYS: readonly string[] = ["file", "line", "column", "endLine", "endColumn"];
