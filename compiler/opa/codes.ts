// Every diagnostic code of the OPA stage — building the consent and residency policies (Rego)
// into the artifact's Wasm bundle — with severity and a one-line summary. docs/diagnostics.md
// documents each (examples in docs/src/diagnostic-examples.ts). Browser-safe: no node: imports.
import type { CodeInfo } from "../../core/diagnostics.ts";

/** The `opa/*` codes, stable and never renamed. */
export const opaCodes = {
  "opa/rego-parse-error": { severity: "error", summary: "a Rego file of the policy set that OPA cannot parse (OPA's `rego_parse_error`)" },
  "opa/rego-compile-error": {
    severity: "error",
    summary: "a Rego file that parses but that OPA's compiler rejects: an unsafe variable, an undefined function, a type error, conflicting rules",
  },
  "opa/no-rego": { severity: "error", summary: "a `rego/` folder holding only tests (`*_test.rego`): no policy to build" },
  "opa/cli-missing": { severity: "error", summary: "the pinned OPA CLI, which builds the policies into Wasm, is not installed (or is another version)" },
  "opa/rego-not-checked": { severity: "warning", summary: "`kairos check` could not check the policy set's Rego: the pinned OPA CLI is not installed" },
  "opa/build-failed": {
    severity: "error",
    summary: "`opa build` failed for a reason it does not tie to a line of the policies (an entrypoint that no rule defines, a Wasm limitation)",
  },
} as const satisfies Record<string, CodeInfo>;

/** One of the `opa/*` codes. */
export type OpaCode = keyof typeof opaCodes;
