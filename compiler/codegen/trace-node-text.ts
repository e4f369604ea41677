// The literal of one trace node (core/artifact.ts's TraceNode), written directly. A predicates
// module is mostly these (1,000 journeys: about 11,600 nodes, 70% of its text), and writing
// each through the generic `dataAtom` (code.ts) — a key check and a part per member, joined —
// was the largest single cost of codegen. The text is the same `dataAtom(node)` gives
// (test/codegen/trace-node-text.test.ts checks it over arbitrary nodes).
import type { TraceNode } from "../../core/artifact.ts";
import { dataAtom, num, type Code } from "./code.ts";

/**
 * Writes the literals of trace nodes, remembering the JSON text of the few strings that recur
 * in every node (the kinds, operators, type names and the file of a journey's nodes): one
 * writer per module, so what it remembers is a pure function of what it was given.
 */
export class TraceNodeText {
  private readonly quoted = new Map<string, string>();
  private lastFile: string | undefined;
  private lastFileJson = "";

  /** `dataAtom(node)` for a trace node: `{ id: 0, kind: "binary", op: "and", text: …, loc: { … }, type: …, children: [ … ] }`. */
  atom(node: TraceNode): Code {
    // Anything but the shape planJourney builds (compiler/plan/trace-nodes.ts) takes the generic path.
    if (!isPlainTraceNode(node)) return dataAtom(node);
    const loc = node.loc;
    if (loc.file !== this.lastFile) {
      this.lastFile = loc.file;
      this.lastFileJson = JSON.stringify(loc.file);
    }
    // A rope of pieces: the metadata's lines are joined into one flat text per journey
    // (compiler/codegen/module.ts), which copies each piece once.
    const op = node.op === undefined ? "" : `op: ${this.quote(node.op)}, `;
    const text =
      `{ id: ${int(node.id)}, kind: ${this.quote(node.kind)}, ${op}text: ${JSON.stringify(node.text)}, ` +
      `loc: { file: ${this.lastFileJson}, line: ${int(loc.line)}, column: ${int(loc.column)}, endLine: ${int(loc.endLine)}, endColumn: ${int(loc.endColumn)} }, ` +
      `type: ${this.quote(node.type)}, children: ${children(node.children)} }`;
    return { k: "atom", text };
  }

  /** `JSON.stringify(word)` for a word of the small vocabulary above. */
  private quote(word: string): string {
    let json = this.quoted.get(word);
    if (json === undefined) {
      json = JSON.stringify(word);
      this.quoted.set(word, json);
    }
    return json;
  }
}

/** `dataAtom(node)` for one trace node (see TraceNodeText). */
export function traceNodeAtom(node: TraceNode): Code {
  return new TraceNodeText().atom(node);
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
