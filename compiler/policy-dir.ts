// Reading a policy-set directory from disk (Node only): catalog.yaml, journeys/*.journey,
// rego/*.rego. Unreadable files and non-UTF-8 bytes become diagnostics, not exceptions.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import type { Diagnostic } from "./diagnostics.ts";
import type { PolicySources } from "./pipeline.ts";

export interface ReadResult {
  readonly sources: PolicySources | undefined;
  /** Problems reading the directory itself (missing, not a directory, bad encoding). */
  readonly diagnostics: Diagnostic[];
  /** A usage problem (no such directory): exit code 2 rather than 1. */
  readonly usage?: string;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Decodes UTF-8 strictly; invalid bytes become a diagnostic at the first bad byte. */
export function decodeUtf8(name: string, bytes: Uint8Array): { text: string; diagnostic?: Diagnostic } {
  try {
    return { text: decoder.decode(bytes).replace(/^\ufeff/, "") };
  } catch {
    let i = 0;
    for (; i < bytes.length; i++) {
      try {
        decoder.decode(bytes.subarray(0, i + 1), { stream: true });
      } catch {
        break;
      }
    }
    const text = new TextDecoder("utf-8").decode(bytes);
    const prefix = new TextDecoder("utf-8").decode(bytes.subarray(0, i));
    return {
      text,
      diagnostic: {
        code: "syntax/invalid-encoding",
        severity: "error",
        message: `the file is not valid UTF-8 (byte 0x${(bytes[i] ?? 0).toString(16).padStart(2, "0")} at offset ${i})`,
        span: { file: name, start: prefix.length, end: prefix.length + 1 },
        hint: "save the file as UTF-8",
      },
    };
  }
}

function listFiles(dir: string, ext: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.filter((f) => f.endsWith(ext) && statSync(join(dir, f)).isFile()).sort().map((f) => join(dir, f));
}

/**
 * Reads a policy set. File names (in diagnostics, traces and the artifact) are the directory's
 * own name followed by the path inside it — `policies/journeys/claims.journey` — whatever the
 * current directory, so the same sources compile to the same bytes anywhere.
 */
export function readPolicyDir(dir: string): ReadResult {
  let st;
  try {
    st = statSync(dir);
  } catch {
    return { sources: undefined, diagnostics: [], usage: `no such directory \`${dir}\`` };
  }
  if (!st.isDirectory()) return { sources: undefined, diagnostics: [], usage: `\`${dir}\` is not a directory; pass the policy set's directory (the one holding catalog.yaml)` };
  const diagnostics: Diagnostic[] = [];
  const read = (path: string) => {
    const name = `${basename(resolve(dir))}/${relative(dir, path).split("\\").join("/")}`;
    const dec = decodeUtf8(name, readFileSync(path));
    if (dec.diagnostic) diagnostics.push(dec.diagnostic);
    return { name, text: dec.text };
  };
  const catalogPath = join(dir, "catalog.yaml");
  let catalog;
  try {
    catalog = read(catalogPath);
  } catch {
    return { sources: undefined, diagnostics: [], usage: `\`${dir}\` has no catalog.yaml; a policy set is catalog.yaml + journeys/*.journey (+ rego/*.rego)` };
  }
  const journeyPaths = [...listFiles(dir, ".journey"), ...listFiles(join(dir, "journeys"), ".journey")];
  const regoPaths = listFiles(join(dir, "rego"), ".rego");
  return {
    sources: { catalog, journeys: journeyPaths.map(read), rego: regoPaths.map(read) },
    diagnostics,
  };
}
