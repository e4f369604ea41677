// A separate writer process for the concurrency test: appends N decisions tagged with its name.
// usage: node test/log/append-worker.ts LOG N TAG [GO_FILE [PEER_TAG]]
// With GO_FILE it writes `GO_FILE.<TAG>.ready` and waits for GO_FILE to exist before appending,
// so that the test can start both writers at the same moment whatever their start-up times.
import { existsSync, writeFileSync } from "node:fs";
import { SAMPLES, sinkEntry } from "../rationale/sample-decisions.ts";
import { openLog } from "./helpers.ts";

const [path, count, tag, go, peer] = process.argv.slice(2);
const log = openLog(path!, { fsync: "always", shared: true });
if (go !== undefined) {
  writeFileSync(`${go}.${tag}.ready`, "");
  const deadline = Date.now() + 60_000;
  while (!existsSync(go) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
}
for (let i = 0; i < Number(count); i++) {
  log.append(sinkEntry(SAMPLES[i % SAMPLES.length]!, { decision_id: `${tag}-${i}` }));
  if (i === 0 && peer !== undefined && go !== undefined) {
    // Both writers have appended once before either appends again: their entries interleave
    // whatever the file system's speed (on a fast one, one writer could finish before the other woke).
    writeFileSync(`${go}.${tag}.first`, "");
    const deadline = Date.now() + 60_000;
    while (!existsSync(`${go}.${peer}.first`) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
  }
}
log.close();
