// The browser page of the conformance test: loads the bundle with the same loader the runtime
// uses and runs the same cases, then publishes the results for the test to read.
import { PolicyEngine } from "../../../runtime/opa/index.ts";
import { runCase, type CaseResult, type PreparedCase } from "../../conformance/consent-residency/runner.ts";

declare global {
  interface Window {
    runConformance: () => Promise<{ results: CaseResult[]; entrypoints: readonly string[]; wasmInBrowser: boolean }>;
  }
}

window.runConformance = async () => {
  const [bundle, cases] = await Promise.all([
    fetch("/bundle.tar.gz").then(async (r) => new Uint8Array(await r.arrayBuffer())),
    fetch("/cases.json").then(async (r) => (await r.json()) as PreparedCase[]),
  ]);
  const engine = await PolicyEngine.load(bundle);
  return {
    results: cases.map((c) => runCase(engine, c)),
    entrypoints: engine.entrypoints,
    wasmInBrowser: typeof process === "undefined" && typeof document !== "undefined",
  };
};
