// A separate writer process for the concurrency test: appends N decisions tagged with its name.
// usage: node test/log/append-worker.ts LOG N TAG [START_EPOCH_MS]
import { SAMPLES, sinkEntry } from "../rationale/sample-decisions.ts";
import { openLog } from "./helpers.ts";

const [path, count, tag, start] = process.argv.slice(2);
// Both workers start appending at the same moment, whatever their start-up times.
while (start !== undefined && Date.now() < Number(start)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
const log = openLog(path!, { fsync: "always" });
for (let i = 0; i < Number(count); i++) {
  log.append(sinkEntry(SAMPLES[i % SAMPLES.length]!, { decision_id: `${tag}-${i}` }));
}
log.close();
