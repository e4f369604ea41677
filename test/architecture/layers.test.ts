// The layer check: every import of core/, grammar/, compiler/, runtime/, testing/, cli/,
// playground/src/ and bench/ goes down the layers of docs/architecture.md, the layers form no
// cycle, browser-safe code reaches no `node:` module, and tsconfig.browser.json compiles
// exactly the browser-safe files. A failure names the file, the line and the rule.
import { readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { buildImportGraph, importsOf, sourceFiles, type ImportGraph } from "./import-graph.ts";
import {
  allowedGraph,
  browserViolations,
  cyclesOf,
  directionViolations,
  formatViolations,
  isBrowserSafe,
  isKnown,
  KNOWN_VIOLATIONS,
  layerGraph,
  layerOf,
  SCANNED_FOLDERS,
  staleNodeOnly,
} from "./layers.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const graph = buildImportGraph(ROOT, SCANNED_FOLDERS);
const ownPackage = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string }).name;

/**
 * Files whose `import(…)` takes a computed specifier, which the check cannot follow: each
 * loads a module generated at run time (the compiled predicates) or picked by path.
 */
const COMPUTED_IMPORTS = [
  "bench/run.ts", // the `kairos test` benchmark module, by path, in a fresh process
  "playground/src/decide.ts", // the compiled predicates, from a blob URL
  "runtime/load.ts", // the compiled predicates of an artifact, from a data URL
];

describe("the import graph", () => {
  it("sees every form of import, across lines, and nothing that only looks like one", () => {
    const text = [
      "import {",
      "  a,",
      "  b,",
      '} from "./multi-line.ts";',
      'import type { T } from "../type-only.ts";',
      'import "./side-effect.ts";',
      'export { x } from "./re-export.ts";',
      'export * as ns from "./namespace-re-export.ts";',
      'type Q = typeof import("./import-type.ts");',
      "const later = () => import(",
      '  "./dynamic.ts"',
      ");",
      'import { readFile } from "node:fs/promises";',
      'import { join } from "path";',
      'import { z } from "zod";',
      'import { x } from "@scope/pkg/deep";',
      'import raw from "./data.yaml?raw";',
      '// import { no } from "./in-comment.ts";',
      "const s = 'import { no } from \"./in-string.ts\"';",
      'const t = `import { no } from "./in-template.ts"`;',
      'const r = /import("\\.\\/in-regex.ts")/;',
      "const computed = (u: string) => import(u);",
      "const url = import.meta.url;",
    ].join("\n");
    const { edges, unchecked } = importsOf(ROOT, "compiler/x/file.ts", text);
    expect(edges.map((e) => [e.line, e.kind, e.target])).toEqual([
      [4, "import", { kind: "file", path: "compiler/x/multi-line.ts" }],
      [5, "import", { kind: "file", path: "compiler/type-only.ts" }],
      [6, "import", { kind: "file", path: "compiler/x/side-effect.ts" }],
      [7, "export-from", { kind: "file", path: "compiler/x/re-export.ts" }],
      [8, "export-from", { kind: "file", path: "compiler/x/namespace-re-export.ts" }],
      [9, "import-type", { kind: "file", path: "compiler/x/import-type.ts" }],
      [11, "dynamic", { kind: "file", path: "compiler/x/dynamic.ts" }],
      [13, "import", { kind: "builtin", name: "node:fs/promises" }],
      [14, "import", { kind: "builtin", name: "node:path" }],
      [15, "import", { kind: "package", name: "zod" }],
      [16, "import", { kind: "package", name: "@scope/pkg" }],
      [17, "import", { kind: "file", path: "compiler/x/data.yaml" }],
    ]);
    expect(unchecked).toEqual([{ from: "compiler/x/file.ts", line: 22 }]);
  });

  it("finds the source files and their imports", () => {
    // A guard against a check that passes because it scanned nothing.
    expect(graph.files).toContain("core/source.ts");
    expect(graph.files).toContain("playground/src/main.ts");
    expect(graph.files.length).toBeGreaterThan(150);
    expect(graph.edges.length).toBeGreaterThan(graph.files.length);
  });

  it("puts every scanned file in a layer", () => {
    expect(graph.files.filter((f) => layerOf(f) === undefined)).toEqual([]);
  });

  it("follows every import but those that load a generated module", () => {
    expect([...new Set(graph.unchecked.map((u) => u.from))].sort()).toEqual(COMPUTED_IMPORTS);
  });
});

describe("the rules", () => {
  // A made-up tree with one import of each kind the rules judge, so the messages are pinned.
  const fake = (files: Record<string, string>): ImportGraph => {
    const found = Object.entries(files).map(([path, text]) => importsOf(ROOT, path, text));
    return { files: Object.keys(files).sort(), edges: found.flatMap((f) => f.edges), unchecked: found.flatMap((f) => f.unchecked) };
  };
  const tree = fake({
    "core/a.ts": 'import type { X } from "../core/b.ts";\nimport { y } from "../compiler/y.ts";',
    "runtime/b.ts": 'import { load } from "./node.ts";\nimport { z } from "./z.ts";',
    "runtime/node.ts": 'import { readFile } from "node:fs/promises";',
    "runtime/z.ts": 'import { sha } from "../core/sha.ts";',
    "compiler/c.ts": 'export { compile } from "@kairos-policy/kairos/compiler";\nimport { p } from "../grammar/parser.ts";',
    "testing/t.ts": 'import { p } from "../grammar/parser.ts";\nimport { e } from "../runtime/engine.ts";',
    "playground/src/p.ts": 'const m = await import("../../cli/main.ts");',
    "bench/e.ts": 'import { d } from "../docs/src/x.ts";',
  });

  it("reports each wrong-way import with its file, line and rule", () => {
    expect(formatViolations(directionViolations(tree, "@kairos-policy/kairos")).split("\n")).toEqual([
      "core/a.ts:2: imports compiler/y.ts — core/ may import only core/, not compiler/",
      "compiler/c.ts:1: imports @kairos-policy/kairos/compiler — " +
        "import our own code by relative path, not through the package name `@kairos-policy/kairos`",
      "playground/src/p.ts:1: imports cli/main.ts — " +
        "playground/ may import only playground/, testing/, compiler/, runtime/, grammar/, core/, policies/, not cli/",
      "bench/e.ts:1: imports docs/src/x.ts — the target belongs to no layer (add its folder to LAYERS in test/architecture/layers.ts)",
    ]);
  });

  it("reports browser-safe code that reaches a node: module where it leaves browser-safe code", () => {
    expect(formatViolations(browserViolations(tree))).toBe(
      "runtime/b.ts:1: imports runtime/node.ts, which reaches node:fs/promises — " +
        "runtime/ is browser-safe: only the Node-only files (NODE_ONLY in test/architecture/layers.ts) may use node: modules",
    );
  });

  it("finds cycles between layers", () => {
    const graph = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a"])],
      ["d", new Set(["a"])],
    ]);
    expect(cyclesOf(graph)).toEqual([["a", "b", "c", "a"]]);
  });
});

describe("the layers", () => {
  it("import only the layers below them", () => {
    const violations = directionViolations(graph, ownPackage).filter((v) => !isKnown(v));
    expect(formatViolations(violations)).toBe("");
  });

  it("still break the rules only where KNOWN_VIOLATIONS says, so that list only shrinks", () => {
    const found = directionViolations(graph, ownPackage);
    const gone = KNOWN_VIOLATIONS.filter((k) => !found.some((v) => v.from === k.from && v.to === k.to));
    expect(gone.map((k) => `${k.from} → ${k.to} is fixed: remove it from KNOWN_VIOLATIONS`)).toEqual([]);
  });

  it("form no cycle, neither in the rules nor in the imports", () => {
    expect(cyclesOf(allowedGraph())).toEqual([]);
    expect(cyclesOf(layerGraph(graph)).map((c) => c.join(" → "))).toEqual([]);
  });

  it("keep node: modules out of browser-safe code", () => {
    expect(formatViolations(browserViolations(graph))).toBe("");
  });

  it("list as Node-only only files that exist and still need Node", () => {
    expect(staleNodeOnly(graph)).toEqual([]);
  });
});

describe("tsconfig.browser.json", () => {
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined };
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, "tsconfig.browser.json"), {}, host);

  it("compiles every browser-safe file of core, grammar, compiler and runtime, and no Node-only one", () => {
    expect(config?.errors ?? ["no config"]).toEqual([]);
    const compiled = new Set((config?.fileNames ?? []).map((f) => relative(ROOT, f).split(sep).join("/")));
    const layerFiles = sourceFiles(ROOT, ["core", "grammar", "compiler", "runtime"]).filter((f) => !f.includes(".generated."));
    expect({
      missing: layerFiles.filter((f) => isBrowserSafe(f) && !compiled.has(f)),
      nodeOnlyCompiled: layerFiles.filter((f) => !isBrowserSafe(f) && compiled.has(f)),
    }).toEqual({ missing: [], nodeOnlyCompiled: [] });
  });

  it("has neither Node nor DOM types", () => {
    expect(config?.options.types).toEqual([]);
    expect((config?.options.lib ?? []).filter((l) => /dom|webworker/i.test(l))).toEqual([]);
  });
});
