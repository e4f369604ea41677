// Reading a policy-set directory from disk (Node only): catalog.yaml, journeys/*.journey,
// rego/*.rego. Non-UTF-8 bytes become diagnostics; a missing directory or catalog is a usage
// problem; any other I/O failure (permission denied, an I/O error) is thrown as Node's own
// system error, naming the file, which the command line reports as such.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import type { Diagnostic } from "../../core/diagnostics.ts";
import type { PolicySources } from "../pipeline.ts";

export interface ReadResult {
  readonly sources: PolicySources | undefined;
  /** Problems reading the directory itself (missing, not a directory, bad encoding). */
  readonly diagnostics: Diagnostic[];
  /** A usage problem (no such directory): exit code 2 rather than 1. */
  readonly usage?: string;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The byte offset where the first ill-formed UTF-8 sequence starts, or -1 when `bytes` is valid
 * UTF-8 — by the same rules as `TextDecoder` with `fatal: true` (no overlongs, no surrogates,
 * nothing above U+10FFFF, no truncated sequence). One pass: a multi-megabyte file with a bad
 * byte at its end costs as much as one without.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    // The allowed range of the second byte depends on the lead byte (Unicode Table 3-7).
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + len > n) return i;
    const second = bytes[i + 1]!;
    if (second < lo || second > hi) return i;
    for (let k = 2; k < len; k++) {
      const c = bytes[i + k]!;
      if (c < 0x80 || c > 0xbf) return i;
    }
    i += len;
  }
  return -1;
}

/** Where a file stops being UTF-8: the byte, its offset, and its 1-based line and column. */
export interface Utf8Problem {
  readonly offset: number;
  readonly byte: number;
  readonly line: number;
  readonly column: number;
  /** Offset in the decoded text (UTF-16 units) where the bad byte stands. */
  readonly textOffset: number;
}

/** Decodes UTF-8 strictly (a leading BOM dropped); `problem` says where it is not UTF-8. */
export function decodeUtf8Strict(bytes: Uint8Array): { text: string; problem?: Utf8Problem } {
  try {
    return { text: decoder.decode(bytes).replace(/^\ufeff/, "") };
  } catch {
    const offset = Math.max(0, firstInvalidUtf8(bytes));
    const prefix = decoder.decode(bytes.subarray(0, offset));
    const lineStart = prefix.lastIndexOf("\n") + 1;
    let line = 1;
    for (let k = prefix.indexOf("\n"); k >= 0; k = prefix.indexOf("\n", k + 1)) line++;
    // The text keeps replacement characters so spans still point at the right place.
    const text = new TextDecoder("utf-8").decode(bytes);
    return { text, problem: { offset, byte: bytes[offset] ?? 0, line, column: prefix.length - lineStart + 1, textOffset: prefix.length } };
  }
}

/** Decodes UTF-8 strictly; invalid bytes become a diagnostic at the first bad byte. */
export function decodeUtf8(name: string, bytes: Uint8Array): { text: string; diagnostic?: Diagnostic } {
  const { text, problem } = decodeUtf8Strict(bytes);
  if (!problem) return { text };
  return {
    text,
    diagnostic: {
      code: "syntax/invalid-encoding",
      severity: "error",
      message: `the file is not valid UTF-8 (byte 0x${problem.byte.toString(16).padStart(2, "0")} at offset ${problem.offset})`,
      span: { file: name, start: problem.textOffset, end: problem.textOffset + 1 },
      hint: "save the file as UTF-8",
    },
  };
}

function isMissing(e: unknown): boolean {
  const code = e !== null && typeof e === "object" && "code" in e ? e.code : undefined;
  return code === "ENOENT" || code === "ENOTDIR";
}

function listFiles(dir: string, ext: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    if (isMissing(e)) return [];
    throw e;
  }
  return entries
    .filter((f) => f.endsWith(ext) && statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => join(dir, f));
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
  } catch (e) {
    if (!isMissing(e)) throw e;
    return { sources: undefined, diagnostics: [], usage: `no such directory \`${dir}\`` };
  }
  if (!st.isDirectory())
    return { sources: undefined, diagnostics: [], usage: `\`${dir}\` is not a directory; pass the policy set's directory (the one holding catalog.yaml)` };
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
  } catch (e) {
    if (!isMissing(e)) throw e;
    return { sources: undefined, diagnostics: [], usage: `\`${dir}\` has no catalog.yaml; a policy set is catalog.yaml + journeys/*.journey (+ rego/*.rego)` };
  }
  const journeyPaths = [...listFiles(dir, ".journey"), ...listFiles(join(dir, "journeys"), ".journey")];
  const regoPaths = listFiles(join(dir, "rego"), ".rego");
  return {
    sources: { catalog, journeys: journeyPaths.map(read), rego: regoPaths.map(read) },
    diagnostics,
  };
}
