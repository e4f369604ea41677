// The sandbox child: a separate Node process that runs fuzz cases one at a time for the parent
// (test/fuzz/sandbox.ts), which kills it when a case passes its deadline. A process rather than
// a worker thread because a real infinite loop must be stoppable and CLI cases `chdir`.
// Protocol: the child sends `{ ready: true }`, then answers each `{ id, case }` with `{ id, verdict }`.
import { runCase } from "./oracle.ts";
import type { FuzzCase } from "./types.ts";

const tmp = process.env["KAIROS_FUZZ_TMP"];
if (!tmp || !process.send) {
  process.stderr.write("test/fuzz/child.ts is started by test/fuzz/sandbox.ts\n");
  process.exit(2);
}

// A rejection nobody awaited would crash the real CLI: it is a finding of the current case.
const stray: string[] = [];
process.on("unhandledRejection", (e) => void stray.push(`unhandled promise rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));

// Everything runs one case at a time: a queue keeps that true however messages arrive.
let queue: Promise<void> = Promise.resolve();

process.on("message", (msg: { id: number; case: FuzzCase }) => {
  queue = queue.then(async () => {
    const started = performance.now();
    stray.length = 0;
    const verdict = await runCase(msg.case, tmp);
    // Let stray promises of this case settle before judging it.
    await new Promise((resolve) => setImmediate(resolve));
    const failures = [...verdict.failures, ...stray.map((message) => ({ stage: "crash" as const, message }))];
    process.send!({ id: msg.id, verdict: { ...verdict, failures, ms: Math.round(performance.now() - started) }, rss: process.memoryUsage().rss });
  });
});

// The parent is gone (killed, or the test run ended): nobody will read what this process does.
process.on("disconnect", () => process.exit(0));

process.send({ ready: true });
