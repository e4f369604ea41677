// The seam between the compiler and whatever builds Rego into an OPA Wasm bundle. Building
// runs the OPA CLI (a Node thing: compiler/node/opa-backend.ts); the browser playground has a
// bundle of the standard policies built ahead of time instead. compilePolicySet takes an
// OpaBackend in its options, so the compiler itself stays browser-safe (no node: imports here).
import type { OpaDataDocument } from "../../core/opa-contract.ts";

/** A Rego source as OPA sees it: its name inside the bundle (`consent.rego`) and its text. */
export interface RegoFile {
  readonly name: string;
  readonly text: string;
}

/** Whether a Rego file goes into the bundle: `*.rego` except tests (`*_test.rego`). */
export function isBundledRego(name: string): boolean {
  return name.endsWith(".rego") && !name.endsWith("_test.rego");
}

/** A built bundle and the facts about it the artifact's manifest records. */
export interface OpaBundleBuilt {
  /** `opa/bundle.tar.gz`: deterministic bytes. */
  readonly bundle: Uint8Array;
  readonly opaVersion: string;
  readonly entrypoints: readonly string[];
  readonly hashes: {
    /** sha256 (hex) of each bundled Rego source, by its name in the bundle. */
    readonly rego: Readonly<Record<string, string>>;
    /** sha256 (hex) of `policy.wasm`. */
    readonly wasm: string;
  };
}

/** Why a build produced no bundle, as data: the compiler turns it into diagnostics. */
export type OpaBuildProblem =
  /** The OPA CLI is not there, or is not the pinned version: nothing was built. */
  | { readonly kind: "cli-missing"; readonly message: string; readonly hint: string }
  /** OPA ran and refused: `output` is its error text (`file:line: rego_…_error: message`). */
  | { readonly kind: "rejected"; readonly output: string };

/** A bundle, or why there is none. */
export type OpaBuildOutcome = { readonly ok: true; readonly value: OpaBundleBuilt } | { readonly ok: false; readonly problem: OpaBuildProblem };

/**
 * Builds the consent and residency policies into a Wasm bundle with a catalog's data document.
 * Returns problems as data (never throws for a user's mistake or a missing OPA); the compiler
 * reports them as `opa/*` diagnostics pointing into the Rego sources.
 */
export interface OpaBackend {
  /** Builds the policy set's own Rego (tests already left out), named as in the bundle. */
  build(rego: readonly RegoFile[], data: OpaDataDocument): Promise<OpaBuildOutcome>;
  /** The standard policies, for a policy set without Rego of its own. */
  standard(data: OpaDataDocument): Promise<OpaBuildOutcome>;
}
