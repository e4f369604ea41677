// Ordinary failures are not bugs: permission denied, a read-only or full disk, a path through a
// file, a directory where a file belongs, a locked log each get what happened, which path and
// what to do, with exit 1 (the environment) or 2 (what the user gave) — never "internal error".
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OutputRefusedError } from "../../compiler/node/artifact-write.ts";
import { explainError } from "../../cli/errors.ts";
import { CliError } from "../../cli/io.ts";
import { LogError } from "../../runtime/log/errors.ts";

const BIN = resolve("bin/kairos.js");
const env = { ...process.env, NO_COLOR: "1" };
const kairos = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env });

/**
 * Runs kairos as a user without special rights: root ignores file permissions, so as root it
 * runs as `nobody` (setpriv, from util-linux); any other user is unprivileged already.
 */
function unprivileged(args: string[]) {
  if (process.getuid?.() !== 0) return kairos(args);
  return spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, BIN, ...args], { encoding: "utf8", env });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kairos-env-"));
  chmodSync(dir, 0o755); // readable by `nobody`
  mkdirSync(join(dir, "readonly"));
  chmodSync(join(dir, "readonly"), 0o555);
  writeFileSync(join(dir, "file.txt"), "a file\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error as errno gives it: what Node throws for a failed system call. */
function errno(code: string, syscall: string, path?: string): Error {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, errno: -1, syscall, ...(path !== undefined ? { path } : {}) });
}

describe("explainError", () => {
  it.each([
    ["EACCES", "mkdir", 1, "cannot create the directory `/x/out`: permission denied (EACCES)", "check the permissions"],
    ["EPERM", "unlink", 1, "cannot remove `/x/out`: operation not permitted (EPERM)", "check the permissions"],
    ["EROFS", "open", 1, "cannot open `/x/out`: the file system is read-only (EROFS)", "writable file system"],
    ["ENOSPC", "write", 1, "cannot write `/x/out`: no space left on the device (ENOSPC)", "free some disk space"],
    ["EDQUOT", "write", 1, "cannot write `/x/out`: the disk quota is exhausted (EDQUOT)", "quota"],
    ["EFBIG", "write", 1, "cannot write `/x/out`: the file would exceed the maximum file size (a limit such as `ulimit -f`) (EFBIG)", "file-size limit"],
    ["EISDIR", "open", 2, "cannot open `/x/out`: it is a directory, where a file is needed (EISDIR)", "give the path of a file"],
    ["ENOTDIR", "lstat", 2, "cannot look at `/x/out`: a part of the path is a file, not a directory (ENOTDIR)", "check the path"],
    ["EEXIST", "mkdir", 2, "cannot create the directory `/x/out`: it already exists (EEXIST)", "give a new name"],
    ["ENOENT", "open", 2, "cannot open `/x/out`: no such file or directory (ENOENT)", "check the path"],
  ])("explains %s as what happened, where and what to do", (code, syscall, exit, message, hint) => {
    const x = explainError(errno(code, syscall, "/x/out"));
    expect(x?.message).toBe(message);
    expect(x?.hint).toContain(hint);
    expect(x?.exit).toBe(exit);
  });

  it("explains a system error of an unlisted code by its own message, as the environment's", () => {
    expect(explainError(errno("ECONNRESET", "read", "/x"))).toMatchObject({ message: expect.stringContaining("cannot read `/x`"), exit: 1 });
  });

  it("explains the typed errors of Kairos by their own message and hint", () => {
    expect(explainError(new LogError("log/locked", "the log is locked by process 7", "remove the lock"))).toEqual({
      message: "the log is locked by process 7",
      hint: "remove the lock",
      exit: 1,
    });
    expect(explainError(new LogError("log/not-a-log", "x is not a log"))).toMatchObject({ exit: 2 });
    expect(explainError(new LogError("log/io", "cannot append", undefined, errno("ENOSPC", "write")))).toMatchObject({
      exit: 1,
      hint: expect.stringContaining("free some disk space"),
    });
    expect(explainError(new OutputRefusedError("out/protected", ".", "`.` is the current directory", "give a new directory"))).toEqual({
      message: "`.` is the current directory",
      hint: "give a new directory",
      exit: 2,
    });
    expect(explainError(new CliError("bad", { exit: 2, hint: "fix it" }))).toEqual({ message: "bad", hint: "fix it", exit: 2 });
    const artifact = Object.assign(new Error("`x` has no manifest.json"), {
      name: "ArtifactError",
      code: "artifact/missing-part",
      cause: errno("EACCES", "scandir", "/x"),
    });
    expect(explainError(artifact)).toMatchObject({ message: "`x` has no manifest.json: cannot list the directory `/x`: permission denied (EACCES)", exit: 1 });
  });

  it("leaves real bugs to be reported as bugs", () => {
    expect(explainError(new TypeError("cannot read properties of undefined"))).toBeUndefined();
    expect(explainError(new RangeError("Invalid string length"))).toBeUndefined();
    expect(explainError("a thrown string")).toBeUndefined();
  });
});

describe("the command line on a hostile environment", () => {
  function expectClear(r: ReturnType<typeof kairos>, exit: number, ...parts: string[]) {
    for (const p of parts) expect(r.stderr).toContain(p);
    expect(r.stderr).toMatch(/\nhelp: /);
    expect(r.stderr).not.toMatch(/internal error|this is a bug|\n\s+at /);
    expect(r.status).toBe(exit);
  }

  it("compile --out in a directory it may not write: permission denied, exit 1", () => {
    const r = unprivileged(["compile", "policies", "--out", join(dir, "readonly", "art")]);
    expectClear(r, 1, "kairos compile: cannot create the directory", "readonly", "permission denied (EACCES)");
  });

  it("demo --out in a directory it may not write: permission denied, exit 1", () => {
    const r = unprivileged(["demo", "--out", join(dir, "readonly", "demo"), "--customers", "2", "--days", "1"]);
    expectClear(r, 1, "kairos demo: cannot create the directory", "permission denied (EACCES)");
  });

  it("compile --out below a file: ENOTDIR, exit 2", () => {
    expectClear(kairos(["compile", "policies", "--out", join(dir, "file.txt", "art")]), 2, "a part of the path is a file, not a directory (ENOTDIR)");
  });

  it("demo --out naming a file: exit 2", () => {
    expectClear(kairos(["demo", "--out", join(dir, "file.txt"), "--customers", "2", "--days", "1"]), 2, "is a file, not a directory");
  });

  it("decide --request naming a directory or a missing file: exit 2", () => {
    expectClear(
      kairos(["decide", "policies", "--request", dir]),
      2,
      `cannot read the request file \`${dir}\`: it is a directory, where a file is needed (EISDIR)`,
    );
    expectClear(kairos(["decide", "policies", "--request", join(dir, "missing.json")]), 2, "no such file or directory (ENOENT)");
  });

  it("check on a policy directory it may not read: permission denied, exit 1", () => {
    const root = join(dir, "secret-policies");
    mkdirSync(join(root, "journeys"), { recursive: true });
    writeFileSync(join(root, "catalog.yaml"), "version: 1\n");
    chmodSync(join(root, "catalog.yaml"), 0o000); // unreadable to anyone but root
    chmodSync(root, 0o755);
    expectClear(unprivileged(["check", root]), 1, "cannot open", "catalog.yaml", "permission denied (EACCES)");
  });
});
