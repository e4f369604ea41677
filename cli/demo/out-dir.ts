// The demo's output directory (`kairos demo --out DIR`): which directories the demo may write
// into, the lock one run holds on it, and keeping an earlier run's log.
//
// The demo writes `artifact/`, the decision service's data (the embedded store — `store.sqlite`
// with its `-wal`, `-shm` and `.lock`, or `store/` and `store.lock` for a PGlite store from an
// earlier Kairos —, the log keys `log.key` and `log.integrity-key`, `tokens.json`) and the store's
// log exported to `decisions.log` (with its checkpoints) and the scoreboard `value.html`; it moves an earlier run's store to
// `store.N.sqlite` (or `store.N/`) and its exported log to `decisions.N.log`. It does so only in a directory that is new, empty, or recognisably an
// earlier demo's output: one holding the `.kairos-demo` marker this module writes (or, from
// before the marker existed, nothing but an artifact and decision logs). Everything else — a
// file, the policy directory, a directory of other files such as `.` — is refused with exit 2
// before anything in it is touched. A run holds `.kairos-demo.lock` from before it touches
// the directory until it has verified its log, so a second demo on the same directory fails
// at once instead of moving the first one's live log away.
import { existsSync, lstatSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { checkArtifactOut, makeDirs, OutputRefusedError, refuseProtected } from "../../compiler/node/artifact-write.ts";
import { LogError } from "../../runtime/log/errors.ts";
import { FileLock } from "../../runtime/log/lock.ts";
import { CliError, EXIT } from "../io.ts";

/** The marker file that makes a directory a demo output. */
export const DEMO_MARKER = ".kairos-demo";
/** The lock a demo run holds on its output directory. */
export const DEMO_LOCK = ".kairos-demo.lock";

const MARKER_TEXT =
  JSON.stringify({ kairos: "demo-output", note: "written by `kairos demo`, which writes into this directory again only because this file is here" }) + "\n";

/** What an earlier demo (before the marker) left: its artifact, logs, keys, locks, torn tails. */
const LEGACY_NAME = /^(artifact|decisions(\.\d+)?\.log(\.(key|lock|torn-\d+))?)$/;

function errnoOf(e: unknown): string | undefined {
  return e !== null && typeof e === "object" && "code" in e && typeof e.code === "string" ? e.code : undefined;
}

/** A path as the user would write it: relative to the current directory. */
function shown(path: string): string {
  return relative(process.cwd(), path) || ".";
}

function some(names: readonly string[]): string {
  const shown = names.slice(0, 3).map((n) => `\`${n}\``);
  return names.length > 3 ? `${shown.join(", ")} and ${names.length - 3} more` : shown.join(", ");
}

/** Who holds a lock file, as well as its content tells: "process 123 on host", best effort. */
function holderOf(lockPath: string): string {
  try {
    const v = JSON.parse(readFileSync(lockPath, "utf8")) as { pid?: unknown; host?: unknown };
    if (typeof v.pid === "number") return `process ${v.pid}${typeof v.host === "string" ? ` on ${v.host}` : ""}`;
  } catch {
    // gone meanwhile, or another format
  }
  return "another process";
}

function isLegacyDemoOutput(dir: string, entries: readonly string[]): boolean {
  if (!entries.includes("artifact") || !entries.includes("decisions.log") || !entries.every((e) => LEGACY_NAME.test(e))) return false;
  try {
    return checkArtifactOut(join(dir, "artifact"), { cwd: null }).kind === "artifact";
  } catch {
    return false;
  }
}

/** Throws (exit 2) unless `dir` is a directory the demo may write into; "absent" when it is not there. */
function judge(dir: string): "absent" | "ok" {
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    if (errnoOf(e) === "ENOENT") return "absent";
    throw e;
  }
  if (!st.isDirectory()) {
    throw new CliError(`\`${shown(dir)}\` is a file, not a directory; the demo writes its artifact, decision log and key into a directory`, {
      exit: EXIT.usage,
      hint: "give `--out` a new directory name (the default is `demo-out`)",
    });
  }
  const entries = readdirSync(dir).sort();
  const others = entries.filter((e) => e !== DEMO_MARKER && e !== DEMO_LOCK);
  if (others.length === 0) return "ok";
  if (entries.includes(DEMO_MARKER) && lstatSync(join(dir, DEMO_MARKER)).isFile()) return "ok";
  if (isLegacyDemoOutput(dir, others)) return "ok";
  throw new CliError(
    `\`${shown(dir)}\` is not empty and is not the output of an earlier \`kairos demo\` (it holds ${some(others)} and no ${DEMO_MARKER} file); refusing to write into it`,
    {
      exit: EXIT.usage,
      hint: "give `--out` a new or empty directory (the default is `demo-out`)",
    },
  );
}

/** A demo run's hold on its output directory. */
export interface DemoOutput {
  readonly dir: string;
  /** Releases the directory's lock (idempotent). */
  release(): void;
}

/**
 * Claims DIR for one demo run: refuses it (exit 2) unless it is new, empty or an earlier demo's
 * output and outside the policy directory `policies`; creates it; takes its lock — failing at
 * once (exit 1) when another run holds it; judges it again under the lock; writes the marker.
 */
export function claimDemoOutput(dir: string, policies: string): DemoOutput {
  try {
    // The demo writes inside DIR and never replaces DIR itself, so `.` is fine when it is empty.
    refuseProtected(shown(dir), "the demo's output", { protect: [policies], cwd: null });
  } catch (e) {
    if (e instanceof OutputRefusedError)
      throw new CliError(e.message, { exit: EXIT.usage, hint: "give `--out` a directory outside the policy set (the default is `demo-out`)" });
    throw e;
  }
  if (judge(dir) === "absent") makeDirs(dir);
  let lock: FileLock;
  const lockPath = join(dir, DEMO_LOCK);
  try {
    lock = FileLock.acquire(lockPath, { timeoutMs: 0 });
  } catch (e) {
    if (e instanceof LogError && e.code === "log/locked") {
      throw new CliError(`another \`kairos demo\` (${holderOf(lockPath)}) is writing to \`${shown(dir)}\` right now; nothing in it was touched`, {
        exit: EXIT.failed,
        hint: "wait for it to finish, or give `--out` another directory",
      });
    }
    throw e;
  }
  try {
    judge(dir); // again: it may have changed before we held the lock
    if (!existsSync(join(dir, DEMO_MARKER))) writeFileSync(join(dir, DEMO_MARKER), MARKER_TEXT);
  } catch (e) {
    lock.release();
    throw e;
  }
  let held = true;
  return {
    dir,
    release() {
      if (held) lock.release();
      held = false;
    },
  };
}

/**
 * Keeps an earlier run's log: `decisions.log` and every file beside it that belongs to it
 * (`decisions.log.key`, its checkpoints, torn tails… — all `decisions.log.*` but the lock) →
 * `decisions.N.log` and `decisions.N.log.*`, with the first N that no file uses, so nothing
 * written is lost. Called under the demo's lock; takes the log's own lock too, so a log that
 * another writer holds open is never moved from under it. Returns where the log went, or
 * undefined when there was none.
 */
export function keepEarlierLog(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  let lock: FileLock;
  try {
    lock = FileLock.acquire(`${path}.lock`, { timeoutMs: 2_000 });
  } catch (e) {
    if (e instanceof LogError && e.code === "log/locked") {
      throw new CliError(`\`${shown(path)}\` is being written by ${holderOf(`${path}.lock`)}; the demo does not move a live log`, {
        exit: EXIT.failed,
        hint: "stop that writer, or give `--out` another directory",
      });
    }
    throw e;
  }
  try {
    const dir = dirname(path);
    const base = basename(path);
    const entries = readdirSync(dir);
    const stem = base.replace(/\.log$/, "");
    let n = 1;
    while (entries.some((e) => e.startsWith(`${stem}.${n}.log`))) n++;
    const to = join(dir, `${stem}.${n}.log`);
    const sides = entries.filter((e) => e.startsWith(`${base}.`) && e !== `${base}.lock` && !e.startsWith(`${base}.lock.`));
    renameSync(path, to);
    for (const side of sides) renameSync(join(dir, side), `${to}${side.slice(base.length)}`);
    return to;
  } finally {
    lock.release();
  }
}

/** Where the embedded store of a data directory is: `store/` (PGlite) when there is one, else `store.sqlite`. */
export function embeddedStorePath(dir: string): string {
  return existsSync(join(dir, "store")) ? join(dir, "store") : join(dir, "store.sqlite");
}

/**
 * Keeps an earlier run's embedded store: `<dir>/store.sqlite` (with its `-wal` and `-shm`) →
 * `<dir>/store.N.sqlite`, or a PGlite `<dir>/store` → `<dir>/store.N` (the first free N), so
 * that this run starts from an empty store and nothing written is lost. Takes the store's own
 * lock (`store.sqlite.lock` or `store.lock`, which `kairos serve` holds while it runs on the
 * directory) first: a store that a service has open is never moved. Returns where the store
 * went, or undefined.
 */
export function keepEarlierStore(dir: string): string | undefined {
  const moved = keepStore(dir, "store", "store.lock", (n) => `store.${n}`, []);
  const sqlite = keepStore(dir, "store.sqlite", "store.sqlite.lock", (n) => `store.${n}.sqlite`, ["-wal", "-shm"]);
  return sqlite ?? moved;
}

function keepStore(dir: string, name: string, lockName: string, kept: (n: number) => string, sides: readonly string[]): string | undefined {
  const store = join(dir, name);
  if (!existsSync(store)) return undefined;
  const lockPath = join(dir, lockName);
  let lock: FileLock;
  try {
    lock = FileLock.acquire(lockPath, { timeoutMs: 0, staleMs: Number.MAX_SAFE_INTEGER });
  } catch (e) {
    if (e instanceof LogError && e.code === "log/locked") {
      throw new CliError(
        `the store in \`${shown(dir)}\` is open in ${holderOf(lockPath)} (a \`kairos serve --data-dir ${shown(dir)}\`?); the demo does not move a live store`,
        {
          exit: EXIT.failed,
          hint: "stop that service, or give `--out` another directory",
        },
      );
    }
    throw e;
  }
  try {
    const entries = readdirSync(dir);
    let n = 1;
    while (entries.includes(kept(n))) n++;
    const to = join(dir, kept(n));
    renameSync(store, to);
    for (const side of sides) if (existsSync(store + side)) renameSync(store + side, to + side);
    return to;
  } finally {
    lock.release();
  }
}
