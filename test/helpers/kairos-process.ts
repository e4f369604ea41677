// The real `kairos` binary as a child process that does not block this one — for tests whose
// service, in this process, must answer while the command runs — and the check that a command
// said what went wrong instead of printing a stack trace.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { expect } from "vitest";

const BIN = resolve("bin/kairos.js");

/** What a command did. */
export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `kairos ARGS…` (no colour, no KAIROS_TOKEN from the environment), with a 120 s deadline. */
export function kairosAsync(...args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: "1", KAIROS_TOKEN: "" }, timeout: 120_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => void (stdout += b.toString("utf8")));
    child.stderr.on("data", (b: Buffer) => void (stderr += b.toString("utf8")));
    child.on("error", fail);
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}

/** A command's stderr holds no stack trace. */
export function noStackTrace(r: Run): void {
  expect(r.stderr).not.toMatch(/\n\s+at /);
}
