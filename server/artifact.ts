// What `kairos serve` runs: an artifact directory (`kairos compile --out`) loaded and verified,
// or a policy-set directory compiled in memory first (catalog.yaml + journeys/ + rego/), as
// `kairos decide` accepts either. A policy set that does not compile stops the start with its
// diagnostics rendered for people. Journeys that need a DPO approval are activated only when a
// trusted approval covers them (server/activation.ts, docs/approvals.md): the approvals of a policy
// set are its own (`approvers.yaml`, `approvals/`); an artifact directory's come from `approvals`.
// With trusted signers (`--trust`, docs/artifacts.md#serving-signed-artifacts) only a signed,
// untampered artifact directory is served.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { compilePolicyDir } from "../compiler/node/index.ts";
import { renderDiagnostic, sortDiagnostics } from "../core/diagnostics.ts";
import type { Engine, EngineOptions } from "../runtime/engine.ts";
import { loadEngine, PART } from "../runtime/load.ts";
import { readArtifactDir } from "../runtime/node.ts";
import { type Activation, activationOf, applyActivation } from "./activation.ts";
import { ApprovalError } from "./approvals.ts";
import { SigningError, type Trust, verifyArtifactDir } from "./signing.ts";

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

/** An artifact loaded for serving. */
export interface LoadedArtifact {
  /** The engine to serve: only the active journeys (server/activation.ts). */
  readonly engine: Engine;
  /** Whether it was compiled from a policy-set directory. */
  readonly compiled: boolean;
  /** Which journeys are active, and the approvals that made them so. */
  readonly activation: Activation;
  /** The compiled artifact's files, when it was compiled from a policy set (what the registry publishes). */
  readonly files?: ReadonlyMap<string, Uint8Array>;
}

/** Where a served artifact's approvals come from. */
export interface ApprovalOptions {
  /**
   * A directory holding `approvers.yaml` and `approvals/` (a policy set). Default: the policy
   * set itself when `path` is one; none for an artifact directory (its journeys that need an
   * approval are then inactive).
   */
  readonly approvals?: string;
  /**
   * Trusted signers (`--trust FILE`, server/signing.ts): when given, only an artifact directory
   * signed by one of them, untampered, is served; a policy-set directory (which cannot be signed)
   * is refused.
   */
  readonly trust?: Trust;
}

/**
 * Loads an artifact directory, or compiles a policy-set directory, and gates its journeys by
 * their approvals; throws StartError, ArtifactError or OpaError.
 */
export async function loadArtifact(path: string, options: EngineOptions = {}, approvals: ApprovalOptions = {}): Promise<LoadedArtifact> {
  if (!existsSync(path))
    throw new StartError("start/no-artifact", `\`${path}\` does not exist`, { hint: "give a policy-set directory or an artifact directory" });
  if (approvals.approvals !== undefined && !existsSync(approvals.approvals))
    throw new StartError("start/no-approvals", `the approvals directory \`${approvals.approvals}\` does not exist`, {
      hint: "give the policy set (or directory) that holds approvers.yaml and approvals/",
    });
  if (approvals.trust !== undefined) await checkTrusted(path, approvals.trust);
  if (existsSync(join(path, PART.manifest))) {
    const files = await readArtifactDir(path, { parts: "runtime" });
    return gate(await loadEngine(files, options), false, approvals.approvals);
  }
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
  const files = compiled.artifact.files;
  return { ...(await gate(await loadEngine(files, options), true, approvals.approvals ?? path)), files };
}

/** With signing configured: the artifact directory's signature, checked (every part read); a StartError saying what failed. */
async function checkTrusted(path: string, trust: Trust): Promise<void> {
  if (!existsSync(join(path, PART.manifest))) {
    throw new StartError(
      "start/unsigned-policy-set",
      `\`${path}\` is a policy-set directory: signing is configured (--trust), and a policy set cannot be signed`,
      {
        hint: `compile it (\`kairos compile ${path} --out DIR\`), sign the artifact (\`kairos sign DIR --key FILE\`) and serve DIR`,
      },
    );
  }
  try {
    await verifyArtifactDir(path, trust);
  } catch (e) {
    if (e instanceof SigningError) throw new StartError(e.code, `refusing to serve: ${e.message}`, { hint: e.hint });
    throw e;
  }
}

async function gate(engine: Engine, compiled: boolean, home: string | undefined): Promise<LoadedArtifact> {
  let activation: Activation;
  try {
    activation = activationOf(engine, home);
  } catch (e) {
    if (e instanceof ApprovalError) throw new StartError(e.code, e.message, { hint: e.hint });
    throw e;
  }
  return { engine: await applyActivation(engine, activation), compiled, activation };
}
