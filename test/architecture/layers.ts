// The layer rules of docs/architecture.md as data, and the checks over the import graph that
// enforce them (run by layers.test.ts). Bottom up: core/ → grammar/ → compiler/; core/ →
// runtime/; testing/ above compiler and runtime; cli/, playground/, bench/ on top. A layer
// imports only itself and the layers it stands on; the browser-safe layers import no `node:`
// module except in the few Node-only files listed below.
import { describeTarget, type ImportEdge, type ImportGraph } from "./import-graph.ts";

/** One layer: a top-level folder (or `playground/src`) and what it may import. */
export interface Layer {
  readonly name: string;
  /** Path prefix of its files. */
  readonly folder: string;
  /** The other layers its files may import (itself always). */
  readonly mayImport: readonly string[];
}

const BELOW_THE_TOOLS = ["testing", "compiler", "runtime", "grammar", "core"] as const;

/** Every layer, bottom up. A file outside all of them may not be imported (except by tests). */
export const LAYERS: readonly Layer[] = [
  { name: "core", folder: "core/", mayImport: [] },
  { name: "grammar", folder: "grammar/", mayImport: ["core"] },
  { name: "compiler", folder: "compiler/", mayImport: ["grammar", "core"] },
  { name: "runtime", folder: "runtime/", mayImport: ["core"] },
  { name: "testing", folder: "testing/", mayImport: ["compiler", "runtime", "grammar", "core"] },
  // The decision service: HTTP, the store, the committer and the wake-up runner, over the
  // runtime (and the compiler, to serve a policy-set directory).
  { name: "server", folder: "server/", mayImport: [...BELOW_THE_TOOLS] },
  // The tools on top, side by side: none imports another (the command line and the benchmark
  // start the service). `policies` is the example policy
  // set (data, no code) that the command line's demo and the playground's examples read.
  // The language server (`kairos lsp`): the compiler's language services over stdio.
  { name: "lsp", folder: "lsp/", mayImport: ["compiler", "grammar", "core"] },
  { name: "cli", folder: "cli/", mayImport: [...BELOW_THE_TOOLS, "server", "lsp", "policies"] },
  { name: "playground", folder: "playground/", mayImport: [...BELOW_THE_TOOLS, "policies"] },
  { name: "bench", folder: "bench/", mayImport: [...BELOW_THE_TOOLS, "server", "policies", "scripts"] },
  // Tests may import anything; nothing imports them (so they are not scanned).
  { name: "test", folder: "test/", mayImport: [] },
  { name: "policies", folder: "policies/", mayImport: [] },
  // Development tooling (setup, build, the throwaway PostgreSQL cluster of tests and benchmarks):
  // standalone, imported only by tests and the benchmark.
  { name: "scripts", folder: "scripts/", mayImport: [] },
];

/** The folders whose files are scanned: every layer of code but test/. */
export const SCANNED_FOLDERS = ["core", "grammar", "compiler", "runtime", "testing", "server", "lsp", "cli", "playground/src", "bench"] as const;

/** Layers whose code runs in a browser (the playground, its worker) as well as in Node. */
export const BROWSER_SAFE_FOLDERS = ["core/", "grammar/", "compiler/", "runtime/", "playground/src/"] as const;

/** A Node-only file (or folder, ending in `/`) inside a browser-safe layer, and why. */
export interface NodeOnly {
  readonly path: string;
  readonly why: string;
}

/**
 * The files of the browser-safe layers allowed to use Node. Browser-safe code may not import
 * them; tsconfig.browser.json leaves out exactly these (a test checks both). A file listed
 * here that no longer needs Node fails the check too, so the list only shrinks on purpose.
 */
export const NODE_ONLY: readonly NodeOnly[] = [
  {
    path: "compiler/node/",
    why: "the compiler's Node adapters: reading a policy-set directory, writing an artifact directory safely, the OPA CLI backend",
  },
  {
    path: "compiler/opa/build.ts",
    why: "builds the OPA Wasm bundle by running the OPA CLI (node:child_process) in a temporary directory (node:fs/promises, node:os)",
  },
  { path: "compiler/opa/index.ts", why: "the OPA barrel re-exports build.ts; the compiler and the playground import the other files directly" },
  { path: "runtime/node.ts", why: "loads an engine from an artifact directory on disk (node:fs/promises)" },
  { path: "runtime/opa/node.ts", why: "loads a policy engine from a bundle file on disk (node:fs/promises)" },
  {
    path: "runtime/log/",
    why: "the decision log: append-only files with fsync, a lock file, keys, seals and signed checkpoints (node:fs, node:crypto, node:os)",
  },
];

/**
 * Imports that break a rule today, each with the reason it is tolerated until it is fixed. The
 * check fails on any other violation, and on an entry here that no longer occurs (remove it).
 */
export const KNOWN_VIOLATIONS: readonly KnownViolation[] = [
  {
    from: "bench/contenders/workload.ts",
    to: "cli/demo/book.ts",
    why: "the benchmark's workload is the demo's simulated insurance book; its generator should move below both tools",
  },
  {
    from: "bench/compiler.ts",
    to: "test/helpers/spec-catalog.ts",
    why: "the compiler benchmark compiles against the tests' spec catalog; it should read the catalog file instead",
  },
];

/** An import tolerated for now: `from` imports the file `to`. */
export interface KnownViolation {
  readonly from: string;
  readonly to: string;
  readonly why: string;
}

/** Whether a violation is one of KNOWN_VIOLATIONS. */
export function isKnown(v: Violation): boolean {
  return KNOWN_VIOLATIONS.some((k) => k.from === v.from && v.to === k.to);
}

/** A broken rule, located at the import that breaks it. */
export interface Violation {
  readonly from: string;
  readonly line: number;
  readonly to: string;
  readonly rule: string;
}

/** `file:line: imports X — rule`, one per line. */
export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.from}:${v.line}: imports ${v.to} — ${v.rule}`).join("\n");
}

/** The layer a repository path belongs to, if any. */
export function layerOf(path: string): Layer | undefined {
  return LAYERS.find((l) => path.startsWith(l.folder));
}

/** Whether `path` is a Node-only file under NODE_ONLY. */
export function isNodeOnly(path: string): boolean {
  return NODE_ONLY.some((n) => (n.path.endsWith("/") ? path.startsWith(n.path) : path === n.path));
}

/** Whether `path` is browser-safe code: in a browser-safe layer and not Node-only. */
export function isBrowserSafe(path: string): boolean {
  return BROWSER_SAFE_FOLDERS.some((f) => path.startsWith(f)) && !isNodeOnly(path);
}

function allowedLayers(layer: Layer): string {
  return [layer.name, ...layer.mayImport].map((n) => `${n}/`).join(", ");
}

/** Imports that go the wrong way between layers, or reach outside every layer. */
export function directionViolations(graph: ImportGraph, ownPackage: string): Violation[] {
  const out: Violation[] = [];
  for (const e of graph.edges) {
    const from = layerOf(e.from);
    if (from === undefined) continue; // scanned folders all belong to a layer; a test asserts it
    const to = describeTarget(e.target);
    if (e.target.kind === "package") {
      const rule = `import our own code by relative path, not through the package name \`${ownPackage}\``;
      if (e.target.name === ownPackage) out.push({ from: e.from, line: e.line, to: e.specifier, rule });
      continue;
    }
    if (e.target.kind === "builtin") continue; // node: modules are the browser rule's business
    const target = layerOf(e.target.path);
    if (target === undefined) {
      const rule = "the target belongs to no layer (add its folder to LAYERS in test/architecture/layers.ts)";
      out.push({ from: e.from, line: e.line, to, rule });
    } else if (target !== from && !from.mayImport.includes(target.name)) {
      out.push({ from: e.from, line: e.line, to, rule: `${from.folder} may import only ${allowedLayers(from)}, not ${target.folder}` });
    }
  }
  return out;
}

/**
 * For every file, one chain of imports that reaches a `node:` module (file, …, node:x), or
 * undefined when none does. Computed to a fixed point, so import cycles are fine.
 */
export function nodeChains(graph: ImportGraph): Map<string, string[]> {
  const bySource = new Map<string, ImportEdge[]>();
  for (const e of graph.edges) bySource.set(e.from, [...(bySource.get(e.from) ?? []), e]);
  const chains = new Map<string, string[]>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const file of graph.files) {
      if (chains.has(file)) continue;
      for (const e of bySource.get(file) ?? []) {
        const next = e.target.kind === "builtin" ? [e.target.name] : e.target.kind === "file" ? chains.get(e.target.path) : undefined;
        if (next !== undefined) {
          chains.set(file, [file, ...next]);
          changed = true;
          break;
        }
      }
    }
  }
  return chains;
}

/**
 * Imports by browser-safe code of a `node:` module, or of a file that reaches one. Only the
 * import where the chain leaves browser-safe code is reported: the files that import the
 * offender are not reported again.
 */
export function browserViolations(graph: ImportGraph): Violation[] {
  const chains = nodeChains(graph);
  const out: Violation[] = [];
  for (const e of graph.edges) {
    if (!isBrowserSafe(e.from)) continue;
    const area = BROWSER_SAFE_FOLDERS.find((f) => e.from.startsWith(f)) ?? "";
    const rule =
      area === "core/"
        ? "core/ is browser-safe and imports no node: module " +
          "(reach Node through globalThis.process?.getBuiltinModule behind a check, as core/sha256.ts does)"
        : `${area} is browser-safe: only the Node-only files (NODE_ONLY in test/architecture/layers.ts) may use node: modules`;
    if (e.target.kind === "builtin") {
      out.push({ from: e.from, line: e.line, to: e.target.name, rule });
    } else if (e.target.kind === "file" && !isBrowserSafe(e.target.path)) {
      const chain = chains.get(e.target.path);
      const to = chain === undefined ? undefined : `${e.target.path}, which reaches ${chain.slice(1).join(" → ")}`;
      if (to !== undefined) out.push({ from: e.from, line: e.line, to, rule });
    }
  }
  return out;
}

/** NODE_ONLY entries that name no file, or whose files no longer use Node. */
export function staleNodeOnly(graph: ImportGraph): string[] {
  const chains = nodeChains(graph);
  const out: string[] = [];
  for (const n of NODE_ONLY) {
    const files = graph.files.filter((f) => (n.path.endsWith("/") ? f.startsWith(n.path) : f === n.path));
    if (files.length === 0) out.push(`${n.path}: no such file`);
    else if (!files.some((f) => chains.has(f))) {
      out.push(`${n.path}: no longer reaches a node: module; remove it from NODE_ONLY so it stays browser-safe`);
    }
  }
  return out;
}

/** The cycles (each as its layer names, first repeated last) of a graph of layer names. */
export function cyclesOf(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const visit = (node: string, path: string[]): void => {
    const at = path.indexOf(node);
    if (at >= 0) {
      cycles.push([...path.slice(at), node]);
      return;
    }
    if (done.has(node)) return;
    for (const next of [...(graph.get(node) ?? [])].sort()) visit(next, [...path, node]);
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) visit(node, []);
  return cycles;
}

/** Which layers import which, from the files' actual imports. */
export function layerGraph(graph: ImportGraph): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const e of graph.edges) {
    if (e.target.kind !== "file") continue;
    const from = layerOf(e.from)?.name;
    const to = layerOf(e.target.path)?.name;
    if (from === undefined || to === undefined || from === to) continue;
    out.set(from, (out.get(from) ?? new Set()).add(to));
  }
  return out;
}

/** Which layers may import which, from LAYERS. */
export function allowedGraph(): Map<string, Set<string>> {
  return new Map(LAYERS.map((l) => [l.name, new Set(l.mayImport)]));
}
