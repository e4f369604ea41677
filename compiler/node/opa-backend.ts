// The OPA backend of the Node adapter: builds Rego into the Wasm bundle with the pinned OPA
// CLI (compiler/opa/build.ts) and hands problems back as data — a missing CLI, or OPA's own
// error text — for compilePolicySet to report as `opa/*` diagnostics. Node only.
import type { OpaBackend, OpaBuildOutcome } from "../opa/backend.ts";
import { buildOpaBundle, DEFAULT_REGO_DIR, OpaBuildError, type OpaBuildOptions, type OpaBuildResult } from "../opa/build.ts";

export interface OpaCliOptions {
  /** The OPA CLI to run. Default: `$KAIROS_OPA`, else `.tools/bin/opa` (`npm run setup`). */
  readonly opaPath?: string;
}

function outcome(built: OpaBuildResult): OpaBuildOutcome {
  return {
    ok: true,
    value: { bundle: built.bundle, opaVersion: built.opaVersion, entrypoints: built.entrypoints, hashes: { rego: built.hashes.rego, wasm: built.hashes.wasm } },
  };
}

/**
 * Builds with the OPA CLI. The user's mistakes (Rego OPA rejects) and a missing or wrong OPA
 * CLI come back as problems; anything else — the standard policies missing from the
 * installation, a failing disk — is thrown, as it is no mistake in the policy set.
 */
export function opaCliBackend(options: OpaCliOptions = {}): OpaBackend {
  const run = async (what: Pick<OpaBuildOptions, "rego" | "regoDir" | "data">): Promise<OpaBuildOutcome> => {
    try {
      return outcome(await buildOpaBundle({ ...what, ...(options.opaPath !== undefined ? { opaPath: options.opaPath } : {}) }));
    } catch (e) {
      if (!(e instanceof OpaBuildError)) throw e;
      if (e.code === "opa/not-installed" || e.code === "opa/wrong-version")
        return { ok: false, problem: { kind: "cli-missing", message: e.reason, hint: e.hint ?? "install the pinned OPA CLI" } };
      if (e.code === "opa/build-failed") return { ok: false, problem: { kind: "rejected", output: e.output ?? e.message } };
      throw e;
    }
  };
  return {
    build: (rego, data) => run({ rego, data }),
    standard: (data) => run({ regoDir: DEFAULT_REGO_DIR, data }),
  };
}
