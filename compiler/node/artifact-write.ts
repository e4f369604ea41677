// Writing an artifact directory (Node only), safely and atomically.
//
// Safely: OUT is replaced only when it is recognisably a Kairos artifact — a `manifest.json`
// that Kairos wrote (compiler `kairos`, a `hash`, `parts`) and nothing in the directory but that
// manifest and the parts it lists. Anything else is refused with an OutputRefusedError before a
// byte is written: a file, a symbolic link, a non-empty directory that is not an artifact, an
// artifact holding files of its own, the policy directory (or anything inside or above it), the
// current directory or one of its ancestors. A missing path or an empty directory is fine.
//
// Atomically: everything goes to a fresh sibling temp directory, fsynced, which takes OUT's
// place by rename only once complete, so a failed or interrupted compile never leaves OUT
// half-written and never destroys the previous artifact. The previous artifact is then removed
// file by file — only the names it was recognised by, never a recursive delete — so a file
// someone adds meanwhile survives.
import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, isAbsolute, join, normalize, relative, resolve, sep } from "node:path";
import { ARTIFACT_PART } from "../../core/artifact.ts";
import type { ArtifactFiles } from "../artifact/build.ts";

/** Why an output path was refused; stable, never renamed. */
export type OutputRefusedCode = "out/protected" | "out/symlink" | "out/not-a-directory" | "out/not-an-artifact" | "out/foreign-files" | "out/changed";

/** An output path Kairos will not write over: a user mistake (exit 2), nothing was touched. */
export class OutputRefusedError extends Error {
  readonly code: OutputRefusedCode;
  readonly path: string;
  readonly hint: string;

  constructor(code: OutputRefusedCode, path: string, message: string, hint: string) {
    super(message);
    this.name = "OutputRefusedError";
    this.code = code;
    this.path = path;
    this.hint = hint;
  }
}

export interface ArtifactOutOptions {
  /** Directories the artifact may never be written into, over or above (the policy directory). */
  readonly protect?: readonly string[];
  /**
   * The current directory, which OUT may not be nor contain (default `process.cwd()`); null
   * for a writer that only writes inside OUT and never replaces it.
   */
  readonly cwd?: string | null;
}

/** What is at OUT, once it has been judged safe to write. */
export type ArtifactOutState =
  | { readonly kind: "absent" }
  | { readonly kind: "empty" }
  /** A Kairos artifact; `files` are its `/`-separated relative file paths. */
  | { readonly kind: "artifact"; readonly files: ReadonlySet<string> };

/** A manifest larger than this is not one `kairos compile` wrote. */
const MAX_MANIFEST_BYTES = 16 << 20;
const MANIFEST = ARTIFACT_PART.manifest;

function errnoOf(e: unknown): string | undefined {
  return e !== null && typeof e === "object" && "code" in e && typeof e.code === "string" ? e.code : undefined;
}

function identity(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Identities (device and inode) of the existing directories above `path` (from the nearest
 * existing one when `path` itself does not exist). Identities, not strings: `./x/..`, symbolic links and case-insensitive file systems
 * cannot make one directory look like another.
 */
function ancestors(path: string): Set<string> {
  let p = resolve(path);
  let self = true;
  for (;;) {
    try {
      p = realpathSync(p);
      break;
    } catch {
      const up = dirname(p);
      if (up === p) return new Set();
      p = up;
      self = false;
    }
  }
  const out = new Set<string>();
  for (let d = self ? dirname(p) : p; ; d = dirname(d)) {
    const id = identity(d);
    if (id !== undefined) out.add(id);
    if (dirname(d) === d) return out;
  }
}

/** How `a` stands to `b`: the same directory, inside it, containing it, or unrelated. */
export function pathRelation(a: string, b: string): "same" | "inside" | "contains" | undefined {
  const idA = identity(a);
  const idB = identity(b);
  if (idA !== undefined && idA === idB) return "same";
  if (idB !== undefined && ancestors(a).has(idB)) return "inside";
  if (idA !== undefined && ancestors(b).has(idA)) return "contains";
  return undefined;
}

/** Refuses `path` when it is, is inside or contains a protected directory, or contains the cwd. */
export function refuseProtected(path: string, what: string, options: ArtifactOutOptions): void {
  for (const p of options.protect ?? []) {
    const rel = pathRelation(path, p);
    if (rel === undefined) continue;
    const where =
      rel === "same"
        ? resolve(p) === resolve(path)
          ? "is the policy directory"
          : `is the policy directory \`${p}\``
        : rel === "inside"
          ? `is inside the policy directory \`${p}\``
          : `contains the policy directory \`${p}\``;
    throw new OutputRefusedError(
      "out/protected",
      path,
      `\`${path}\` ${where}; ${what} is never written into, over or above the policies`,
      "give a directory outside the policy set, e.g. `out`",
    );
  }
  if (options.cwd === null) return;
  const rel = pathRelation(path, options.cwd ?? process.cwd());
  if (rel === "same" || rel === "contains") {
    throw new OutputRefusedError(
      "out/protected",
      path,
      `\`${path}\` ${rel === "same" ? "is the current directory" : "contains the current directory"}; ${what} would replace it`,
      "give a new directory for it, e.g. `out`",
    );
  }
}

/** A few names for a message: `a`, `b`, `c` and 4 more. */
function some(names: readonly string[]): string {
  const shown = names.slice(0, 3).map((n) => `\`${n}\``);
  return names.length > 3 ? `${shown.join(", ")} and ${names.length - 3} more` : shown.join(names.length === 2 ? " and " : ", ");
}

/** The parts a manifest lists, when it is one Kairos wrote; undefined otherwise. */
function recognisedParts(dir: string): Set<string> | undefined {
  const path = join(dir, MANIFEST);
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return undefined;
  }
  if (!st.isFile() || st.size > MAX_MANIFEST_BYTES) return undefined;
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
  if (manifest === null || typeof manifest !== "object") return undefined;
  const m = manifest as { compiler?: { name?: unknown }; hash?: unknown; parts?: unknown };
  if (m.compiler?.name !== "kairos" || typeof m.hash !== "string" || m.parts === null || typeof m.parts !== "object" || Array.isArray(m.parts))
    return undefined;
  const parts = Object.entries(m.parts as Record<string, unknown>);
  if (!parts.every(([, h]) => typeof h === "string")) return undefined;
  return new Set(parts.map(([p]) => p));
}

/** Every entry below `dir`: regular files and the rest (links, sockets…), `/`-separated. */
function walk(dir: string, prefix = "", files: string[] = [], others: string[] = []): { files: string[]; others: string[] } {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) walk(join(dir, entry.name), `${rel}/`, files, others);
    else if (entry.isFile()) files.push(rel);
    else others.push(rel);
  }
  return { files, others };
}

/**
 * Judges OUT before anything is written (see the header): returns what is there when it may be
 * replaced, throws an OutputRefusedError when it may not. Node's own errors (permission denied
 * reading it) propagate.
 */
export function checkArtifactOut(out: string, options: ArtifactOutOptions = {}): ArtifactOutState {
  refuseProtected(out, "the artifact", options);
  let st;
  try {
    st = lstatSync(out);
  } catch (e) {
    if (errnoOf(e) === "ENOENT") return { kind: "absent" };
    throw e;
  }
  if (st.isSymbolicLink()) {
    throw new OutputRefusedError(
      "out/symlink",
      out,
      `\`${out}\` is a symbolic link; Kairos does not replace what a link points to`,
      "give the directory itself, or a new directory name",
    );
  }
  if (!st.isDirectory()) {
    throw new OutputRefusedError(
      "out/not-a-directory",
      out,
      `\`${out}\` is a file, not a directory; refusing to replace it with an artifact`,
      "`--out` names the artifact directory to create or replace: give a new directory name",
    );
  }
  const entries = readdirSync(out).sort();
  if (entries.length === 0) return { kind: "empty" };
  const parts = recognisedParts(out);
  if (!parts) {
    throw new OutputRefusedError(
      "out/not-an-artifact",
      out,
      `\`${out}\` is not empty and is not a Kairos artifact (it holds ${some(entries)} and no manifest.json that \`kairos compile\` wrote); refusing to replace it`,
      "give a new or empty directory, or one that an earlier `kairos compile` wrote",
    );
  }
  const { files, others } = walk(out);
  const foreign = [...files.filter((f) => f !== MANIFEST && !parts.has(f)), ...others].sort();
  if (foreign.length > 0) {
    throw new OutputRefusedError(
      "out/foreign-files",
      out,
      `\`${out}\` is a Kairos artifact but also holds ${some(foreign)}, which \`kairos compile\` did not write; refusing to replace it`,
      "move those files out of it, or give another directory",
    );
  }
  return { kind: "artifact", files: new Set(files) };
}

/**
 * `mkdir -p`, reporting the real reason when it fails: Node's recursive mkdir can say ENOENT
 * for a directory it could not create on a read-only file system.
 */
export function makeDirs(path: string): void {
  try {
    mkdirSync(path);
  } catch (e) {
    const code = errnoOf(e);
    if (code === "EEXIST" && statSync(path).isDirectory()) return;
    if (code !== "ENOENT" || dirname(path) === path) throw e;
    makeDirs(dirname(path));
    try {
      mkdirSync(path);
    } catch (again) {
      if (errnoOf(again) !== "EEXIST" || !statSync(path).isDirectory()) throw again;
    }
  }
}

function writeFileSynced(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  try {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
  } catch (e) {
    // write/fsync errors (a full disk) carry no path; name the file for the message.
    if (e !== null && typeof e === "object" && !("path" in e)) Object.assign(e, { path });
    throw e;
  } finally {
    closeSync(fd);
  }
}

function syncDir(path: string): void {
  try {
    const fd = openSync(path, constants.O_RDONLY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Directories cannot be fsynced everywhere (Windows); the files themselves are.
  }
}

/** Removes the files `known` below `dir`, then its emptied directories; returns what is left. */
function removeKnown(dir: string, known: ReadonlySet<string>): string[] {
  const { files, others } = walk(dir);
  const left = others;
  for (const f of files) {
    if (!known.has(f)) {
      left.push(f);
      continue;
    }
    unlinkSync(join(dir, ...f.split("/")));
  }
  const dirs: string[] = [];
  const collect = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) collect(join(d, e.name));
    dirs.push(d);
  };
  collect(dir);
  for (const d of dirs) {
    try {
      rmdirSync(d); // never recursive: a directory that is not empty stays
    } catch (e) {
      if (errnoOf(e) !== "ENOTEMPTY" && errnoOf(e) !== "EEXIST") throw e;
    }
  }
  return left;
}

/**
 * Writes `files` as the artifact directory OUT, replacing a previous artifact there atomically.
 * Throws an OutputRefusedError (nothing written) when OUT is not safe to replace — see the
 * header — and Node's own error when the disk refuses (the temp directory is removed then and
 * OUT is as it was). Returns warnings (a previous artifact that could not be removed in full).
 */
export function writeArtifactDir(out: string, files: ArtifactFiles, options: ArtifactOutOptions = {}): { warnings: string[] } {
  const state = checkArtifactOut(out, options);
  const target = resolve(out);
  const parent = dirname(target);
  makeDirs(parent);
  // A fresh name (mkdir fails rather than reuse one), with the usual permissions (umask).
  const tmp = join(parent, `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  mkdirSync(tmp);
  try {
    const dirs = new Set<string>([tmp]);
    for (const [rel, bytes] of files) {
      // Our own build's names; checked anyway, since they become paths.
      if (isAbsolute(rel) || normalize(rel).split(sep).includes("..")) throw new Error(`artifact part \`${rel}\` is not a relative path inside the artifact`);
      const path = join(tmp, ...rel.split("/"));
      makeDirs(dirname(path));
      for (let d = dirname(path); d.length > tmp.length; d = dirname(d)) dirs.add(d);
      writeFileSynced(path, bytes);
    }
    for (const d of [...dirs].sort().reverse()) syncDir(d);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true }); // ours alone: made by mkdir just above
    throw e;
  }

  let old: string | undefined;
  try {
    if (state.kind === "empty")
      rmdirSync(target); // fails, safely, if something appeared in it
    else if (state.kind === "artifact") {
      old = `${tmp}.old`;
      renameSync(target, old);
    }
    renameSync(tmp, target);
  } catch (e) {
    if (old !== undefined) {
      try {
        renameSync(old, target);
      } catch {
        // Nothing more to do safely: the previous artifact stays, whole, at `old`.
      }
    }
    rmSync(tmp, { recursive: true, force: true });
    const code = errnoOf(e);
    if (code === "ENOTEMPTY" || code === "EEXIST") {
      throw new OutputRefusedError(
        "out/changed",
        out,
        `\`${out}\` changed while the artifact was being written (something else wrote there); nothing was replaced`,
        "run the command again, and make sure nothing else writes to that directory",
      );
    }
    throw e;
  }
  syncDir(parent);

  const warnings: string[] = [];
  if (old !== undefined && state.kind === "artifact") {
    const shown = relative(process.cwd(), old) || old;
    try {
      const left = removeKnown(old, state.files);
      if (left.length > 0) warnings.push(`the previous artifact was kept at \`${shown}\`: files appeared in it meanwhile (${some(left)})`);
    } catch (e) {
      // The new artifact is in place; only the clean-up of the old one failed.
      warnings.push(`the previous artifact could not be removed from \`${shown}\`: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { warnings };
}
