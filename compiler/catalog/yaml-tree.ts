// Reads catalog.yaml into a YAML node tree plus its plain-JSON value, with the guards that keep
// hostile input cheap: a size cap, a nesting-depth cap checked before parsing, and alias
// expansion accounting. Every node keeps its source range, so diagnostics point at the text.
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Node as YamlNode, type Pair } from "yaml";
import type { CatalogLoc } from "../../core/catalog/types.ts";

/** The largest catalog text accepted, in characters (1 MiB). */
export const MAX_CATALOG_CHARS = 1024 * 1024;
/** The deepest nesting of mappings and lists accepted (a realistic catalog stays under 12). */
export const MAX_CATALOG_DEPTH = 32;
/** The most values a catalog may hold once its aliases are expanded. */
export const MAX_CATALOG_VALUES = 1_000_000;

// The pre-parse bracket scan is approximate (it does not know every YAML quoting rule), so its
// limit is far above MAX_CATALOG_DEPTH: it only exists to keep the parser away from inputs like
// a megabyte of `[`, which it would spend seconds and gigabytes on.
const PRESCAN_DEPTH = 256;

export type Node = YamlNode;

/** A problem found while reading the YAML, before any catalog rule applies. */
export interface TreeProblem {
  readonly kind: "yaml-syntax" | "yaml-warning" | "duplicate-key" | "too-large" | "too-deep";
  readonly message: string;
  readonly loc: CatalogLoc;
  readonly hint?: string;
  /** For duplicate keys: where the key first appears. */
  readonly first?: CatalogLoc;
}

export interface Tree {
  /** The document's top node, or null for an empty document. */
  readonly root: Node | null;
  /** The plain JSON value of the document (aliases expanded), as the schema sees it. */
  readonly value: unknown;
  /** Problems; any of kind other than `yaml-warning` and `duplicate-key` makes the tree unusable. */
  readonly problems: readonly TreeProblem[];
  /** Follows an alias to the node it names; other nodes are returned as they are. */
  deref(node: Node | null | undefined): Node | null;
}

/** Parses catalog text. Never throws; `problems` says what went wrong. */
export function readTree(text: string): Tree {
  const problems: TreeProblem[] = [];
  const unusable = (p: TreeProblem): Tree => ({ root: null, value: null, problems: [p], deref: () => null });

  if (text.length > MAX_CATALOG_CHARS) {
    return unusable({
      kind: "too-large",
      message: `the catalog is ${text.length} characters long; at most ${MAX_CATALOG_CHARS} are accepted`,
      loc: { start: 0, end: 0 },
      hint: "a catalog describes data, not holds it: split out generated content or remove repeated entries",
    });
  }
  const deep = prescanDepth(text);
  if (deep !== undefined) {
    return unusable({
      kind: "too-deep",
      message: `collections are nested more than ${PRESCAN_DEPTH} levels deep`,
      loc: { start: deep, end: deep + 1 },
      hint: "a catalog needs only a few levels of nesting; check for unbalanced `[` or `{`",
    });
  }

  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, keepSourceTokens: false });
  // The parser can report one mistake twice at the same place; say it once.
  const said = new Set<string>();
  for (const [kind, list] of [
    ["yaml-syntax", doc.errors],
    ["yaml-warning", doc.warnings],
  ] as const) {
    for (const e of list) {
      const loc = errorLoc(e.pos, text);
      const message = yamlMessage(e.message);
      const id = `${loc.start}:${loc.end}:${message}`;
      if (said.has(id)) continue;
      said.add(id);
      problems.push({ kind, message, loc });
    }
  }

  const walker = new Walker(text, problems);
  const root = (doc.contents as Node | null) ?? null;
  const value = root === null ? null : walker.plain(root, 1);
  return { root, value, problems, deref: (n) => walker.deref(n) };
}

/** The text a key names: its scalar value, or its source text for anything else. */
export function keyText(key: unknown, text: string): string {
  if (isScalar(key)) {
    const v = key.value;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  }
  const loc = nodeLoc(key);
  return text.slice(loc.start, loc.end);
}

/** A node's source range without trailing comments and line breaks. */
export function nodeLoc(node: unknown): CatalogLoc {
  const range = (node as { range?: readonly number[] | null } | null)?.range;
  if (!range) return { start: 0, end: 0 };
  return { start: range[0]!, end: range[1]! };
}

/** A plain scalar's value: strings, numbers, booleans and null pass; anything else is its source text. */
export function scalarValue(node: Node, text: string): unknown {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : String(v);
  // YAML 1.1 timestamps, binary and the like: the catalog wants the text as written.
  const loc = nodeLoc(node);
  return text.slice(loc.start, loc.end);
}

export interface Entry {
  readonly key: string;
  readonly keyNode: Node | null;
  readonly value: Node | null;
}

/** The entries of a mapping node (the last of duplicate keys wins, as in the plain value). */
export function entries(tree: Tree, node: Node | null, text: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const map = tree.deref(node);
  if (!isMap(map)) return out;
  for (const pair of map.items as Pair<unknown, unknown>[]) {
    const key = keyText(tree.deref(pair.key as Node | null), text);
    out.set(key, { key, keyNode: (pair.key as Node | null) ?? null, value: tree.deref(pair.value as Node | null) });
  }
  return out;
}

/** The items of a list node, aliases followed. */
export function items(tree: Tree, node: Node | null): Node[] {
  const seq = tree.deref(node);
  if (!isSeq(seq)) return [];
  return (seq.items as (Node | null)[]).map((n) => tree.deref(n)).filter((n): n is Node => n !== null);
}

/** The key and value nodes at a JSON path, as far as the path leads. */
export function locate(tree: Tree, path: readonly string[], text: string): { key: Node | null; value: Node | null; depth: number } {
  let key: Node | null = null;
  let value: Node | null = tree.root;
  let depth = 0;
  for (const seg of path) {
    const node = tree.deref(value);
    if (isMap(node)) {
      let found: Pair<unknown, unknown> | undefined;
      for (const pair of node.items as Pair<unknown, unknown>[]) {
        if (keyText(tree.deref(pair.key as Node | null), text) === seg) found = pair;
      }
      if (!found) break;
      key = (found.key as Node | null) ?? null;
      value = tree.deref(found.value as Node | null) ?? key;
    } else if (isSeq(node)) {
      const item = (node.items as (Node | null)[])[Number(seg)];
      if (item === undefined) break;
      key = null;
      value = tree.deref(item);
    } else {
      break;
    }
    depth++;
  }
  return { key, value, depth };
}

// Converts nodes to plain values in document order, which is also the order anchors are
// defined in, so an alias resolves to the latest anchor before it, as YAML requires.
class Walker {
  private readonly text: string;
  private readonly problems: TreeProblem[];
  private readonly anchors = new Map<string, Node>();
  private readonly targets = new Map<Node, Node>();
  private readonly cache = new Map<Node, { value: unknown; size: number; height: number }>();
  private readonly open = new Set<Node>();
  private count = 0;
  /** The deepest level reached so far, to know how deep an anchored value is. */
  private deepest = 0;
  private stopped = false;

  constructor(text: string, problems: TreeProblem[]) {
    this.text = text;
    this.problems = problems;
  }

  deref(node: Node | null | undefined): Node | null {
    if (node === null || node === undefined) return null;
    return isAlias(node) ? (this.targets.get(node) ?? null) : node;
  }

  plain(node: Node | null, depth: number): unknown {
    if (node === null || this.stopped) return null;
    if (depth > MAX_CATALOG_DEPTH) {
      this.stop("too-deep", `collections are nested more than ${MAX_CATALOG_DEPTH} levels deep`, node);
      return null;
    }
    if (isAlias(node)) return this.alias(node, depth);
    const start = this.count++;
    const anchor = (node as { anchor?: string }).anchor;
    const outerDeepest = this.deepest;
    this.deepest = depth;
    if (anchor) {
      this.anchors.set(anchor, node);
      this.open.add(node);
    }
    let value: unknown;
    if (isMap(node)) {
      const obj: Record<string, unknown> = {};
      const seen = new Map<string, Node | null>();
      for (const pair of node.items as Pair<unknown, unknown>[]) {
        const keyNode = (pair.key as Node | null) ?? null;
        // Keys are walked too, so anchors on them are known and aliases as keys resolve.
        if (keyNode !== null) this.plain(keyNode, depth + 1);
        const key = keyText(this.deref(keyNode), this.text);
        if (seen.has(key)) {
          const first = seen.get(key);
          this.problems.push({
            kind: "duplicate-key",
            message: `duplicate key \`${key}\``,
            loc: nodeLoc(keyNode),
            hint: "remove one of them or merge their contents; the last one would win",
            ...(first ? { first: nodeLoc(first) } : {}),
          });
        } else {
          seen.set(key, keyNode);
        }
        // defineProperty, not assignment: a key named `__proto__` must stay a plain key.
        Object.defineProperty(obj, key, {
          value: this.plain((pair.value as Node | null) ?? null, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      value = obj;
    } else if (isSeq(node)) {
      value = (node.items as (Node | null)[]).map((item) => this.plain(item ?? null, depth + 1));
    } else {
      value = scalarValue(node, this.text);
    }
    if (anchor) {
      this.open.delete(node);
      this.cache.set(node, { value, size: this.count - start, height: this.deepest - depth });
    }
    this.deepest = Math.max(outerDeepest, this.deepest);
    return value;
  }

  // An alias stands for its anchor's whole value: it counts that value's size and depth
  // where it is used, so nested aliases cannot build a huge or deep value from small text.
  private alias(node: Node & { source: string }, depth: number): unknown {
    const target = this.anchors.get(node.source);
    if (target === undefined) {
      this.problems.push({
        kind: "yaml-syntax",
        message: `alias \`*${node.source}\` has no anchor \`&${node.source}\` before it`,
        loc: nodeLoc(node),
      });
      return null;
    }
    if (this.open.has(target)) {
      this.problems.push({ kind: "yaml-syntax", message: `alias \`*${node.source}\` refers to a value that contains it`, loc: nodeLoc(node) });
      return null;
    }
    this.targets.set(node, target);
    const cached = this.cache.get(target);
    if (cached === undefined) return null;
    this.count += cached.size;
    if (this.count > MAX_CATALOG_VALUES) {
      this.stop("too-large", `aliases expand the catalog to more than ${MAX_CATALOG_VALUES} values`, node);
      return null;
    }
    if (depth + cached.height > MAX_CATALOG_DEPTH) {
      this.stop("too-deep", `alias \`*${node.source}\` nests collections more than ${MAX_CATALOG_DEPTH} levels deep`, node);
      return null;
    }
    this.deepest = Math.max(this.deepest, depth + cached.height);
    return cached.value;
  }

  private stop(kind: "too-deep" | "too-large", message: string, node: Node): void {
    this.stopped = true;
    this.problems.push({ kind, message, loc: nodeLoc(node) });
  }
}

// The deepest `[`/`{` nesting outside quotes and comments, as an offset where the limit is
// passed, or undefined. Linear and allocation-free.
function prescanDepth(text: string): number | undefined {
  let depth = 0;
  let quote = 0; // 0, or the char code of the open quote
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (comment) {
      if (c === 10 || c === 13) comment = false;
      continue;
    }
    if (quote !== 0) {
      if (c === 92 && quote === 34)
        i++; // backslash escape in "…"
      else if (c === quote) quote = 0;
      continue;
    }
    const prev = i === 0 ? 32 : text.charCodeAt(i - 1);
    const afterBreak = prev === 32 || prev === 9 || prev === 10 || prev === 13;
    if (c === 35 && afterBreak)
      comment = true; // #
    else if ((c === 34 || c === 39) && (afterBreak || prev === 91 || prev === 123 || prev === 44 || prev === 58)) quote = c;
    else if (c === 91 || c === 123) {
      if (++depth > PRESCAN_DEPTH) return i;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return undefined;
}

function yamlMessage(message: string): string {
  const m = message.trim().replace(/\.$/, "");
  return m.charAt(0).toLowerCase() + m.slice(1);
}

function errorLoc(pos: readonly [number, number] | undefined, text: string): CatalogLoc {
  if (!pos) return { start: 0, end: 0 };
  const start = Math.max(0, Math.min(pos[0], text.length));
  const end = Math.max(start, Math.min(pos[1], text.length));
  return { start, end };
}
