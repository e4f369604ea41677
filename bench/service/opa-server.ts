// The OPA side of the service benchmark: the pinned OPA CLI (`opa run --server`, Go) serving the
// all-Rego contender (bench/contenders/all-rego/decide.rego, the whole decision in Rego) with its
// console decision log on — every decision written out as JSON, OPA's own form of a decision
// log — into a file. The Go runtime has the time and sha256 built-ins natively, so the policy
// runs unchanged. Each request is `{"input": <the spec §6 request>}`: OPA keeps no state, so the
// caller sends consents, objections and cap history in every request.
import { join } from "node:path";
import { DEFAULT_OPA_PATH } from "../../compiler/opa/build.ts";
import { ALL_REGO_DIR, ALL_REGO_ENTRYPOINT } from "../contenders/all-rego.ts";
import { freePort, startChild, waitReady, type ServerChild } from "./children.ts";

/** The data API path the contender's decision is read from. */
export const OPA_DECISION_PATH = `/v1/data/${ALL_REGO_ENTRYPOINT}`;

export interface OpaServer {
  readonly child: ServerChild;
  /** http://127.0.0.1:PORT */
  readonly url: string;
}

/** Starts `opa run --server` on a free loopback port with the console decision log into `logFile`. */
export async function startOpaServer(logFile: string, opaPath = process.env["KAIROS_OPA"] ?? DEFAULT_OPA_PATH): Promise<OpaServer> {
  const port = await freePort();
  const child = startChild(
    "opa run --server",
    opaPath,
    ["run", "--server", "--addr", `127.0.0.1:${port}`, "--log-level", "error", "--set", "decision_logs.console=true", join(ALL_REGO_DIR, "decide.rego")],
    logFile,
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(child, `${url}/health`);
  } catch (e) {
    await child.stop();
    throw e;
  }
  return { child, url };
}
