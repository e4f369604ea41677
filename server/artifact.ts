// What `kairos serve` runs: an artifact directory (`kairos compile --out`) loaded and verified,
// or a policy-set directory compiled in memory first (catalog.yaml + journeys/ + rego/), as
// `kairos decide` accepts either. A policy set that does not compile stops the start with its
// diagnostics rendered for people.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { compilePolicyDir } from "../compiler/node/index.ts";
import { renderDiagnostic, sortDiagnostics } from "../core/diagnostics.ts";
import type { Engine, EngineOptions } from "../runtime/engine.ts";
import { loadEngine, PART } from "../runtime/load.ts";
import { loadEngineDir } from "../runtime/node.ts";

/** The service cannot start: what is wrong, and what to do. */
export class StartError extends Error {
  override readonly name = "StartError";
  readonly code: string;
  readonly hint: string | undefined;
  /** Rendered compiler diagnostics, when the policy set did not compile. */
  readonly details: string | undefined;

  constructor(code: string, message: string, options: { hint?: string; details?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** Loads an artifact directory, or compiles a policy-set directory; throws StartError, ArtifactError or OpaError. */
export async function loadArtifact(path: string, options: EngineOptions = {}): Promise<{ engine: Engine; compiled: boolean }> {
  if (!existsSync(path))
    throw new StartError("start/no-artifact", `\`${path}\` does not exist`, { hint: "give a policy-set directory or an artifact directory" });
  if (existsSync(join(path, PART.manifest))) return { engine: await loadEngineDir(path, options), compiled: false };
  const compiled = await compilePolicyDir(path);
  if ("usage" in compiled)
    throw new StartError("start/not-a-policy-set", compiled.usage, { hint: "give a policy-set directory (catalog.yaml, journeys/) or an artifact directory" });
  if (!compiled.artifact) {
    const errors = sortDiagnostics(compiled.diagnostics).filter((d) => d.severity === "error");
    throw new StartError("start/does-not-compile", `\`${path}\` does not compile (${errors.length} error${errors.length === 1 ? "" : "s"})`, {
      details: errors.map((d) => renderDiagnostic(d, compiled.sources, { color: false })).join("\n"),
      hint: `run \`kairos check ${path}\` and fix the errors`,
    });
  }
  return { engine: await loadEngine(compiled.artifact.files, options), compiled: true };
}
