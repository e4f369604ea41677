// What went wrong, for people: turns every error a command can throw that is *not* a bug into
// a plain message (what happened, to which path), a hint (what to do) and an exit code — 2 for
// a mistake in what the user gave, 1 for the environment (permissions, a full or read-only
// disk, a locked log). cli/main.ts is the one place that prints them; whatever this does not
// recognise is a bug in Kairos and reported as one.
import { OutputRefusedError } from "../compiler/node/artifact-write.ts";
import { LogError } from "../runtime/log/errors.ts";
import { CliError, EXIT } from "./io.ts";

/** An error explained: the message, the fix, and the exit code. */
export interface Explained {
  readonly message: string;
  readonly hint?: string;
  readonly exit: number;
}

interface ErrnoText {
  readonly what: string;
  readonly exit: number;
  readonly hint: string;
}

const PERMISSION_HINT = "check the permissions of that path and of its directory, or give a path you can write to";

/** Node system error codes (errno) → what they mean here. */
const ERRNO: Readonly<Record<string, ErrnoText>> = {
  ENOENT: { what: "no such file or directory", exit: EXIT.usage, hint: "check the path" },
  ENOTDIR: { what: "a part of the path is a file, not a directory", exit: EXIT.usage, hint: "check the path: a file stands where a directory is needed" },
  EISDIR: { what: "it is a directory, where a file is needed", exit: EXIT.usage, hint: "give the path of a file" },
  EEXIST: { what: "it already exists", exit: EXIT.usage, hint: "give a new name, or move the existing one away first" },
  ENOTEMPTY: { what: "the directory is not empty", exit: EXIT.usage, hint: "give a new or empty directory" },
  ENAMETOOLONG: { what: "the name is too long", exit: EXIT.usage, hint: "give a shorter path" },
  ELOOP: { what: "too many levels of symbolic links", exit: EXIT.usage, hint: "look for a symbolic link that points to itself" },
  EACCES: { what: "permission denied", exit: EXIT.failed, hint: PERMISSION_HINT },
  EPERM: { what: "operation not permitted", exit: EXIT.failed, hint: PERMISSION_HINT },
  EROFS: { what: "the file system is read-only", exit: EXIT.failed, hint: "give a path on a writable file system" },
  ENOSPC: { what: "no space left on the device", exit: EXIT.failed, hint: "free some disk space, or give a path on another device" },
  EDQUOT: { what: "the disk quota is exhausted", exit: EXIT.failed, hint: "free some space within the quota, or give a path on another device" },
  EFBIG: {
    what: "the file would exceed the maximum file size (a limit such as `ulimit -f`)",
    exit: EXIT.failed,
    hint: "raise the file-size limit, or give a path on another file system",
  },
  EMFILE: { what: "too many open files", exit: EXIT.failed, hint: "raise the open-file limit (`ulimit -n`)" },
  ENFILE: { what: "too many open files on the system", exit: EXIT.failed, hint: "close other programs, or raise the system's open-file limit" },
  EIO: { what: "an input/output error (the device reported a failure)", exit: EXIT.failed, hint: "check the disk; then run the command again" },
  EBUSY: { what: "the resource is busy", exit: EXIT.failed, hint: "run the command again once nothing else uses it" },
  ETXTBSY: { what: "the file is busy", exit: EXIT.failed, hint: "run the command again once nothing else uses it" },
  EXDEV: { what: "it would move across file systems", exit: EXIT.failed, hint: "give a path on the same file system" },
  EAGAIN: { what: "the resource is temporarily unavailable", exit: EXIT.failed, hint: "run the command again" },
};

/** The system call of a Node error → what Kairos was doing. */
const DOING: Readonly<Record<string, string>> = {
  open: "open",
  read: "read",
  write: "write",
  mkdir: "create the directory",
  mkdtemp: "create a temporary directory at",
  rename: "move",
  unlink: "remove",
  rmdir: "remove the directory",
  scandir: "list the directory",
  stat: "look at",
  lstat: "look at",
  fstat: "look at",
  realpath: "resolve",
  fsync: "flush",
  fdatasync: "flush",
  ftruncate: "truncate",
  copyfile: "copy",
  link: "link",
  symlink: "link",
  chmod: "change the permissions of",
};

interface SystemError {
  readonly code: string;
  readonly syscall?: string;
  readonly path?: string;
  readonly dest?: string;
  readonly message: string;
}

function systemError(e: unknown): SystemError | undefined {
  if (e === null || typeof e !== "object") return undefined;
  const x = e as Partial<Record<"code" | "syscall" | "path" | "dest" | "message", unknown>> & { errno?: unknown };
  if (typeof x.code !== "string" || !/^E[A-Z0-9]+$/.test(x.code) || (typeof x.syscall !== "string" && typeof x.errno !== "number")) return undefined;
  return {
    code: x.code,
    message: typeof x.message === "string" ? x.message : x.code,
    ...(typeof x.syscall === "string" ? { syscall: x.syscall } : {}),
    ...(typeof x.path === "string" ? { path: x.path } : {}),
    ...(typeof x.dest === "string" ? { dest: x.dest } : {}),
  };
}

/** What a Node system error (errno) means, without the path: `permission denied (EACCES)`. */
export function describeErrno(e: unknown): { readonly what: string; readonly exit: number; readonly hint?: string } | undefined {
  const s = systemError(e);
  if (!s) return undefined;
  const known = ERRNO[s.code];
  return known ? { what: `${known.what} (${s.code})`, exit: known.exit, hint: known.hint } : { what: s.message, exit: EXIT.failed };
}

/** A Node system error (errno) as a sentence: `cannot create the directory \`x\`: permission denied`. */
export function explainSystemError(e: unknown): Explained | undefined {
  const s = systemError(e);
  const d = describeErrno(e);
  if (!s || !d) return undefined;
  const doing = s.syscall === undefined ? undefined : (DOING[s.syscall] ?? s.syscall);
  const target = s.path === undefined ? "" : ` \`${s.path}\`${s.dest === undefined ? "" : ` to \`${s.dest}\``}`;
  const message = `cannot ${doing ?? (target ? "use" : "continue")}${target}: ${d.what}`;
  return { message, exit: d.exit, ...(d.hint !== undefined ? { hint: d.hint } : {}) };
}

/** Typed errors of the runtime and compiler that carry a stable code and a message for people. */
const TYPED = new Set(["ArtifactError", "OpaError", "OpaBuildError"]);

/** The first system error in an error's `cause` chain, explained. */
function causeOf(e: Error): Explained | undefined {
  let c: unknown = e.cause;
  for (let depth = 0; c !== undefined && depth < 5; depth++) {
    const x = explainSystemError(c);
    if (x) return x;
    c = c instanceof Error ? c.cause : undefined;
  }
  return undefined;
}

/**
 * Explains an error that is the user's or the environment's, not a bug; undefined for anything
 * else. (UsageError is handled by the caller: it prints the command's usage as well.)
 */
export function explainError(e: unknown): Explained | undefined {
  if (e instanceof CliError) return { message: e.message, exit: e.exit, ...(e.hint !== undefined ? { hint: e.hint } : {}) };
  if (e instanceof OutputRefusedError) return { message: e.message, hint: e.hint, exit: EXIT.usage };
  if (e instanceof LogError) {
    const hint = e.hint ?? causeOf(e)?.hint;
    return { message: e.message, exit: e.code === "log/not-a-log" ? EXIT.usage : EXIT.failed, ...(hint !== undefined ? { hint } : {}) };
  }
  if (e instanceof Error && TYPED.has(e.name) && "code" in e && typeof e.code === "string") {
    const cause = causeOf(e);
    return { message: cause ? `${e.message}: ${cause.message}` : e.message, exit: EXIT.failed, ...(cause?.hint !== undefined ? { hint: cause.hint } : {}) };
  }
  const system = explainSystemError(e);
  if (system) return system;
  if (e instanceof Error && "code" in e && e.code === "ERR_FS_FILE_TOO_LARGE") {
    return { message: `a file is too large to read (${e.message})`, exit: EXIT.usage, hint: "give a smaller file" };
  }
  return undefined;
}
