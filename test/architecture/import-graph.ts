// The import graph of the repository's TypeScript, for the layer check (layers.test.ts). Each
// file is parsed with the TypeScript compiler (a syntax tree, not a regex), so multi-line
// imports, `export … from`, `import type`, `typeof import("…")` and dynamic `import("…")` are
// all seen, and text that only looks like an import (in a comment, a string, a template or
// a regular expression) is not.
import { readdirSync, readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join, posix, relative, sep } from "node:path";
import ts from "typescript";

/** What an import points at. */
export type ImportTarget =
  /** A file of this repository, as a path relative to its root with `/` separators (query such as `?raw` dropped). */
  | { readonly kind: "file"; readonly path: string }
  /** A Node built-in module, named with its `node:` prefix. */
  | { readonly kind: "builtin"; readonly name: string }
  /** An npm package (its name, without the subpath). */
  | { readonly kind: "package"; readonly name: string };

/** How the import is written. */
export type ImportKind = "import" | "export-from" | "dynamic" | "import-type";

/** One import of one file. */
export interface ImportEdge {
  /** The importing file, relative to the root with `/` separators. */
  readonly from: string;
  /** 1-based line of the module specifier. */
  readonly line: number;
  /** The module specifier as written. */
  readonly specifier: string;
  readonly kind: ImportKind;
  readonly target: ImportTarget;
}

/** A `import(…)` whose specifier is computed, so the check cannot follow it. */
export interface UncheckedImport {
  readonly from: string;
  readonly line: number;
}

/** The files of some folders and every import they make. */
export interface ImportGraph {
  readonly files: readonly string[];
  readonly edges: readonly ImportEdge[];
  readonly unchecked: readonly UncheckedImport[];
}

const SOURCE = /\.(?:ts|tsx|mts|cts)$/;

/** Every TypeScript file under `folders` (relative to `root`), sorted, skipping node_modules and dist. */
export function sourceFiles(root: string, folders: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = posix.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && entry.name !== "dist") walk(path);
      } else if (SOURCE.test(entry.name)) {
        out.push(path);
      }
    }
  };
  for (const folder of folders) walk(folder);
  return out.sort();
}

/** Where a specifier written in `from` points. */
export function resolveTarget(root: string, from: string, specifier: string): ImportTarget {
  if (specifier.startsWith(".") || specifier.startsWith("/")) {
    const bare = specifier.replace(/[?#].*$/, "");
    const abs = bare.startsWith("/") ? bare : join(root, dirname(from), bare);
    return { kind: "file", path: relative(root, abs).split(sep).join("/") };
  }
  if (specifier.startsWith("node:") || isBuiltin(specifier)) {
    return { kind: "builtin", name: specifier.startsWith("node:") ? specifier : `node:${specifier}` };
  }
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
  return { kind: "package", name };
}

function literalText(node: ts.Node | undefined): ts.StringLiteralLike | undefined {
  return node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node : undefined;
}

/** The imports of one file's text; `from` is its path relative to `root`. */
export function importsOf(root: string, from: string, text: string): { edges: ImportEdge[]; unchecked: UncheckedImport[] } {
  const file = ts.createSourceFile(from, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const unchecked: UncheckedImport[] = [];
  const lineOf = (node: ts.Node): number => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
  const add = (spec: ts.StringLiteralLike, kind: ImportKind): void => {
    edges.push({ from, line: lineOf(spec), specifier: spec.text, kind, target: resolveTarget(root, from, spec.text) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const spec = literalText(node.moduleSpecifier);
      if (spec) add(spec, "import");
    } else if (ts.isExportDeclaration(node)) {
      const spec = literalText(node.moduleSpecifier);
      if (spec) add(spec, "export-from");
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const spec = literalText(node.moduleReference.expression);
      if (spec) add(spec, "import");
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const spec = literalText(node.arguments[0]);
      if (spec) add(spec, "dynamic");
      else unchecked.push({ from, line: lineOf(node) });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const spec = literalText(node.argument.literal);
      if (spec) add(spec, "import-type");
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { edges, unchecked };
}

/** The import graph of every TypeScript file under `folders`. */
export function buildImportGraph(root: string, folders: readonly string[]): ImportGraph {
  const files = sourceFiles(root, folders);
  const edges: ImportEdge[] = [];
  const unchecked: UncheckedImport[] = [];
  for (const path of files) {
    const found = importsOf(root, path, readFileSync(join(root, path), "utf8"));
    edges.push(...found.edges);
    unchecked.push(...found.unchecked);
  }
  return { files, edges, unchecked };
}

/** How an edge's target is shown in a message. */
export function describeTarget(target: ImportTarget): string {
  return target.kind === "file" ? target.path : target.name;
}
