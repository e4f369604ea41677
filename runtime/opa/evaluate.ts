// PolicyEngine: the runtime's one door to the consent and residency policies. Loads a bundle
// (in Node or the browser), validates requests, evaluates every candidate in one Wasm call and
// checks the verdicts' shape before anyone relies on them.
import { openBundle, type BundleParts, type OpaManifest } from "./bundle.ts";
import {
  ALL_ENTRYPOINTS,
  ENTRYPOINTS,
  type CandidateVerdict,
  type ConsentVerdict,
  type OpaDataDocument,
  type Reason,
  type ResidencyVerdict,
  type WasmInput,
} from "../../core/opa-contract.ts";
import { checkConsent, checkResidency, ResidencyMemo, screenDistinct } from "./distinct.ts";
import { mapped } from "../../core/arrays.ts";
import { OpaError } from "./errors.ts";
import { toWasmInput, type PolicyRequest } from "./input.ts";
import { WasmPolicy, type EvaluationStats } from "./sdk.ts";

export interface PolicyEngineOptions {
  /** Replaces the bundle's data document (tests, the playground). */
  readonly data?: OpaDataDocument;
  /**
   * `distinct` (the default): consent asked once per distinct (purpose, channel), residency once
   * per (field set, region) and memoized (runtime/opa/distinct.ts). `each`: every candidate in
   * one `kairos/decision` call, for policies whose verdicts depend on more than the contract says.
   */
  readonly screening?: "distinct" | "each";
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Checks the data document's shape; the policies read nothing else. */
export function checkDataDocument(data: unknown): OpaDataDocument {
  const catalog = isRecord(data) ? data["catalog"] : undefined;
  if (!isRecord(catalog) || !isRecord(catalog["purposes"]) || !isRecord(catalog["fields"]) || !isRecord(catalog["transfers"])) {
    throw new OpaError("opa/bundle-missing-data", "bundle data.json lacks `catalog.purposes`, `catalog.fields` or `catalog.transfers`");
  }
  return data as unknown as OpaDataDocument;
}

function checkVerdicts(value: unknown, input: WasmInput): CandidateVerdict[] {
  const bad = (why: string): OpaError => new OpaError("opa/bad-output", `\`${ENTRYPOINTS.decision}\` returned ${why}`);
  if (!Array.isArray(value)) throw bad("no list");
  if (value.length !== input.candidates.length) {
    throw bad(`${value.length} verdicts for ${input.candidates.length} candidates`);
  }
  value.forEach((v: unknown, i) => {
    const journey = input.candidates[i]?.journey;
    if (!isRecord(v) || v["journey"] !== journey) throw bad(`a verdict for another journey at position ${i}`);
    checkConsent(v, String(journey), input, bad);
    checkResidency(v, String(journey), bad);
  });
  return mapped(value as CandidateVerdict[], canonicalVerdict);
}

// Wasm dumps object keys in hash order; verdicts are rebuilt with a fixed key order so that
// their JSON is the same byte for byte in every process and engine.
function canonicalReason(r: Reason): Reason {
  // The contract's keys (already in code-unit order) directly; anything else by a sort.
  const keys = Object.keys(r);
  let known = true;
  for (const k of keys) {
    if (k !== "code" && k !== "channel" && k !== "objection" && k !== "purpose" && k !== "record") {
      known = false;
      break;
    }
  }
  if (known) {
    const out: Record<string, unknown> = { code: r.code };
    for (const k of REASON_KEYS) if (Object.hasOwn(r, k)) out[k] = r[k];
    return out as unknown as Reason;
  }
  const { code, ...rest } = r;
  return { code, ...Object.fromEntries(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1))) };
}

/** A reason's keys after `code`, in code-unit order. */
const REASON_KEYS = ["channel", "objection", "purpose", "record"] as const;

function canonicalConsent(c: ConsentVerdict): ConsentVerdict {
  return {
    allowed: c.allowed,
    basis: c.basis,
    tried: mapped(c.tried, (t) => ({ basis: t.basis, satisfied: t.satisfied, reasons: mapped(t.reasons, canonicalReason) })),
    reasons: mapped(c.reasons, canonicalReason),
  };
}

function canonicalResidency(r: ResidencyVerdict): ResidencyVerdict {
  return { allowed: r.allowed, denied_fields: mapped(r.denied_fields, (f) => ({ path: f.path, residency: f.residency, code: f.code })) };
}

function canonicalVerdict(v: CandidateVerdict): CandidateVerdict {
  return { journey: v.journey, consent: canonicalConsent(v.consent), residency: canonicalResidency(v.residency) };
}

/** Consent, lawful basis and residency for the candidates of a request, by OPA Wasm. */
export class PolicyEngine {
  readonly manifest: OpaManifest;
  private currentData: OpaDataDocument;
  private readonly policy: WasmPolicy;
  private readonly screening: "distinct" | "each";
  /** Residency verdicts by (region, field set): they depend on nothing else but the data document. */
  private readonly residencyMemo = new ResidencyMemo();

  private constructor(manifest: OpaManifest, data: OpaDataDocument, policy: WasmPolicy, screening: "distinct" | "each") {
    this.manifest = manifest;
    this.currentData = data;
    this.policy = policy;
    this.screening = screening;
  }

  /** The data document the policies currently read. */
  get data(): OpaDataDocument {
    return this.currentData;
  }

  /** Replaces the data document (tests and the playground swap catalogs without rebuilding). */
  setData(data: OpaDataDocument): void {
    this.policy.setData(checkDataDocument(data));
    this.currentData = data;
    this.residencyMemo.clear();
  }

  /** Loads a bundle from its tar.gz bytes or its already extracted parts. */
  static async load(bundle: Uint8Array | BundleParts, options: PolicyEngineOptions = {}): Promise<PolicyEngine> {
    const parts = bundle instanceof Uint8Array ? openBundle(bundle) : bundle;
    const data = checkDataDocument(options.data ?? parts.data);
    const policy = await WasmPolicy.load(parts.wasm, data);
    const missing = ALL_ENTRYPOINTS.filter((e) => !policy.entrypoints.includes(e));
    if (missing.length > 0) {
      throw new OpaError("opa/entrypoint-missing", `the bundle lacks entrypoint ${missing.map((e) => `\`${e}\``).join(", ")}`, {
        missing,
      });
    }
    return new PolicyEngine(parts.manifest, data, policy, options.screening ?? "distinct");
  }

  get entrypoints(): readonly string[] {
    return this.policy.entrypoints;
  }

  get requiredBuiltins(): readonly string[] {
    return this.policy.requiredBuiltins;
  }

  /** The minimal Wasm input of a request; throws a typed OpaError on an invalid one. */
  toInput(request: PolicyRequest): WasmInput {
    return toWasmInput(request, this.data);
  }

  /** One verdict per candidate, in the candidates' order, from a single Wasm evaluation. */
  evaluate(request: PolicyRequest): CandidateVerdict[] {
    return this.evaluateInput(this.toInput(request));
  }

  /** What the last Wasm evaluation used (input size, heap, growth), or undefined before the first. */
  get stats(): EvaluationStats | undefined {
    return this.policy.stats;
  }

  /**
   * Evaluates an already minimal, validated input: by distinct (purpose, channel) and field set
   * (runtime/opa/distinct.ts) unless the engine screens each candidate. Whatever that fast path
   * cannot answer (a policy that fails or answers out of contract) is asked again of
   * `kairos/decision`, whose answer or error is the one returned.
   */
  evaluateInput(input: WasmInput): CandidateVerdict[] {
    if (this.screening === "distinct" && input.candidates.length > 0) {
      try {
        return screenDistinct(input, (entrypoint, asked) => this.policy.evaluate(entrypoint, asked), this.residencyMemo, canonicalConsent, canonicalResidency);
      } catch {
        // The reference path below gives the precise error (or the answer).
      }
    }
    return this.evaluateEach(input);
  }

  /** Every candidate in one `kairos/decision` call: the reference path. */
  evaluateEach(input: WasmInput): CandidateVerdict[] {
    return checkVerdicts(this.policy.evaluate(ENTRYPOINTS.decision, input), input);
  }

  /** Evaluates any entrypoint with any JSON input, unchecked: for tools and tests. */
  evaluateRaw(entrypoint: string, input: unknown): unknown {
    return this.policy.evaluate(entrypoint, input);
  }
}
