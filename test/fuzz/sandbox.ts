// Runs fuzz cases under a deadline: one child process (test/fuzz/child.ts) takes cases one at a
// time; a case that has not answered within the deadline (5 s by default) is a hang — the child
// is killed, so a real infinite loop is caught, and reported with its input — and a child that
// dies (stack overflow in native code, out of memory) is a crash. The next case gets a new child.
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FuzzCase, Verdict } from "./types.ts";

export interface SandboxOptions {
  /** Per-case deadline (default 5000 ms); a CLI case may ask for more. */
  readonly timeoutMs?: number;
  /** A new child after this many cases: generated modules imported from `data:` URLs are never freed. */
  readonly recycleAfter?: number;
  /** The child's V8 heap limit (default 2048 MB): a blow-up past it is a crash, not a swapping machine. */
  readonly heapMb?: number;
}

const CHILD = join(import.meta.dirname, "child.ts");
const STARTUP_MS = 60_000;
const MAX_RSS = 1.5 * 1024 ** 3;

const zero = () => ({
  textBytes: 0,
  diagnostics: 0,
  formattedBytes: 0,
  jsBytes: 0,
  traceNodes: 0,
  decisions: 0,
  decisionBytes: 0,
  entryBytes: 0,
  traceEvents: 0,
});

interface Pending {
  readonly id: number;
  resolve(v: Verdict): void;
}

export class Sandbox {
  private readonly timeoutMs: number;
  private readonly recycleAfter: number;
  private readonly heapMb: number;
  private readonly tmp = mkdtempSync(join(tmpdir(), "kairos-fuzz-"));
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private pending: Pending | undefined;
  private stderr = "";
  private served = 0;
  private nextId = 1;
  private lock: Promise<unknown> = Promise.resolve();
  /** Children started so far (each hang or crash costs one). */
  started = 0;

  constructor(options: SandboxOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.recycleAfter = options.recycleAfter ?? 300;
    this.heapMb = options.heapMb ?? 2048;
  }

  /** Runs one case; never throws for anything the case does (only when no child can start). */
  run(c: FuzzCase): Promise<Verdict> {
    const next = this.lock.then(() => this.runNow(c));
    this.lock = next.catch(() => undefined);
    return next;
  }

  private start(): Promise<void> {
    this.started++;
    this.stderr = "";
    this.served = 0;
    const child = fork(CHILD, [], {
      execPath: process.execPath,
      execArgv: [`--max-old-space-size=${this.heapMb}`],
      env: { ...process.env, KAIROS_FUZZ_TMP: this.tmp, NODE_OPTIONS: "" },
      serialization: "advanced",
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    this.child = child;
    const keep = (d: Buffer) => {
      this.stderr = (this.stderr + d.toString("utf8")).slice(-4000);
    };
    child.stderr?.on("data", keep);
    child.stdout?.on("data", keep);
    child.on("message", (m: { id?: number; verdict?: Verdict; rss?: number }) => {
      const p = this.pending;
      if (!p || m.id !== p.id || !m.verdict) return;
      this.pending = undefined;
      this.served++;
      if (m.verdict.restart || (m.rss ?? 0) > MAX_RSS || this.served >= this.recycleAfter) this.stop();
      p.resolve(m.verdict);
    });
    child.on("exit", (code, signal) => {
      if (this.child === child) {
        this.child = undefined;
        this.ready = undefined;
      }
      const p = this.pending;
      if (p) {
        this.pending = undefined;
        const tail = this.stderr.trim().split("\n").slice(-20).join("\n");
        p.resolve({
          failures: [{ stage: "crash", message: `the process running the case died (${signal ?? `exit code ${code}`})${tail ? `:\n${tail}` : ""}` }],
          metrics: zero(),
        });
      }
    });
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the fuzz child did not start within ${STARTUP_MS / 1000} s:\n${this.stderr}`)), STARTUP_MS);
      child.once("message", () => {
        clearTimeout(timer);
        resolve();
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the fuzz child exited (${code}) before it was ready:\n${this.stderr}`));
      });
    });
  }

  /**
   * Starts a child, retrying a few times: while files are being edited, a module may be missing
   * for a moment. A child that cannot start at all is not a finding of the case: it throws.
   */
  private async ensureChild(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (!this.child || !this.ready) this.ready = this.start();
      try {
        await this.ready;
        return;
      } catch (e) {
        this.stop();
        if (attempt >= 3) throw e;
        await new Promise((r) => setTimeout(r, 3_000));
      }
    }
  }

  private async runNow(c: FuzzCase): Promise<Verdict> {
    await this.ensureChild();
    const child = this.child!;
    const id = this.nextId++;
    const deadline = (c.kind === "cli" ? c.timeoutMs : undefined) ?? this.timeoutMs;
    return new Promise<Verdict>((resolve) => {
      const timer = setTimeout(() => {
        if (this.pending?.id !== id) return;
        this.pending = undefined;
        this.stop();
        resolve({ failures: [{ stage: "hang", message: `no answer within ${deadline / 1000} s (the process was killed)` }], metrics: zero() });
      }, deadline);
      this.pending = {
        id,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
      };
      child.send({ id, case: c });
    });
  }

  /** Kills the current child; the next case starts a new one. */
  private stop(): void {
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (child && child.exitCode === null) child.kill("SIGKILL");
  }

  /** Stops the child and removes its temporary files. */
  async close(): Promise<void> {
    await this.lock;
    const child = this.child;
    this.stop();
    if (child && child.exitCode === null) await new Promise((r) => child.once("exit", r));
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
