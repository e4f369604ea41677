// `--watch` for `check` and `test`: run once, then again whenever a file under the policy
// directory changes — debounced (an editor's save is several events), never two runs at once,
// and a clean exit (0) on Ctrl-C. `fs.watch` with `recursive` covers Linux, macOS and Windows.
import { watch, type FSWatcher } from "node:fs";
import type { Io } from "./io.ts";
import { EXIT } from "./io.ts";

/** How long to wait after the last change before running again. */
export const WATCH_DEBOUNCE_MS = 150;

/**
 * Runs `once` now and on every change under `dir` until SIGINT/SIGTERM (or `signal` aborts);
 * resolves with exit 0. Each run's exit code is reported on stderr, not returned.
 */
export async function watchAndRun(dir: string, io: Io, once: () => Promise<number>, signal?: AbortSignal): Promise<number> {
  let running: Promise<void> | undefined;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = async (): Promise<void> => {
    do {
      again = false;
      let code: number;
      try {
        code = await once();
      } catch (e) {
        io.err(`kairos: ${e instanceof Error ? e.message : String(e)}`);
        code = EXIT.failed;
      }
      io.err(`[watch] exit ${code}; watching ${dir} for changes (Ctrl-C to stop)`);
    } while (again);
  };
  const trigger = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (running) again = true;
      else running = run().finally(() => (running = undefined));
    }, WATCH_DEBOUNCE_MS);
  };

  let watcher: FSWatcher;
  try {
    watcher = watch(dir, { recursive: true }, (_event, file) => {
      // Editors' temp files and our own atomic-write temp files are not changes to the set.
      const name = String(file ?? "");
      if (/(^|\/)\.[^/]*\.tmp$|~$|\.swp$/.test(name)) return;
      trigger();
    });
  } catch (e) {
    io.err(`kairos: cannot watch \`${dir}\`: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.usage;
  }
  running = run().finally(() => (running = undefined));

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      signal?.removeEventListener("abort", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    signal?.addEventListener("abort", stop);
  });
  watcher.close();
  if (timer) clearTimeout(timer);
  await running;
  io.err("[watch] stopped");
  return EXIT.ok;
}
