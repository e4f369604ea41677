// PolicyEngine: the runtime's one door to the consent and residency policies. Loads a bundle
// (in Node or the browser), validates requests, evaluates every candidate in one Wasm call and
// checks the verdicts' shape before anyone relies on them.
import { openBundle, type BundleParts, type OpaManifest } from "./bundle.ts";
import { ALL_ENTRYPOINTS, ENTRYPOINTS, type CandidateVerdict, type OpaDataDocument, type Reason, type WasmInput } from "../../core/opa-contract.ts";
import { OpaError } from "./errors.ts";
import { toWasmInput, type PolicyRequest } from "./input.ts";
import { WasmPolicy, type EvaluationStats } from "./sdk.ts";

export interface PolicyEngineOptions {
  /** Replaces the bundle's data document (tests, the playground). */
  readonly data?: OpaDataDocument;
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

/** Absent, or an index into a list of `length` items. */
function isIndex(v: unknown, length: number): boolean {
  return v === undefined || (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 && v < length);
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
    const consent = v["consent"];
    const residency = v["residency"];
    if (!isRecord(consent) || typeof consent["allowed"] !== "boolean" || !Array.isArray(consent["tried"])) {
      throw bad(`no consent verdict for \`${journey}\``);
    }
    if (!isRecord(residency) || typeof residency["allowed"] !== "boolean" || !Array.isArray(residency["denied_fields"])) {
      throw bad(`no residency verdict for \`${journey}\``);
    }
    // Reasons index the input's records; anything else would be read as a record by the runtime.
    const tried = consent["tried"] as unknown[];
    const lists = [consent["reasons"], ...tried.map((t) => (isRecord(t) ? t["reasons"] : undefined))];
    for (const list of lists) {
      if (!Array.isArray(list)) throw bad(`a consent verdict without \`reasons\` for \`${journey}\``);
      for (const r of list as unknown[]) {
        if (!isRecord(r) || typeof r["code"] !== "string") throw bad(`a reason without a \`code\` for \`${journey}\``);
        if (!isIndex(r["record"], input.consents.length) || !isIndex(r["objection"], input.objections.length)) {
          throw bad(`a reason of \`${journey}\` that cites a record or objection the input does not have`);
        }
      }
    }
  });
  return (value as CandidateVerdict[]).map(canonicalVerdict);
}

// Wasm dumps object keys in hash order; verdicts are rebuilt with a fixed key order so that
// their JSON is the same byte for byte in every process and engine.
function canonicalReason(r: Reason): Reason {
  const { code, ...rest } = r;
  return { code, ...Object.fromEntries(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1))) };
}

function canonicalVerdict(v: CandidateVerdict): CandidateVerdict {
  return {
    journey: v.journey,
    consent: {
      allowed: v.consent.allowed,
      basis: v.consent.basis,
      tried: v.consent.tried.map((t) => ({ basis: t.basis, satisfied: t.satisfied, reasons: t.reasons.map(canonicalReason) })),
      reasons: v.consent.reasons.map(canonicalReason),
    },
    residency: {
      allowed: v.residency.allowed,
      denied_fields: v.residency.denied_fields.map((f) => ({ path: f.path, residency: f.residency, code: f.code })),
    },
  };
}

/** Consent, lawful basis and residency for the candidates of a request, by OPA Wasm. */
export class PolicyEngine {
  readonly manifest: OpaManifest;
  private currentData: OpaDataDocument;
  private readonly policy: WasmPolicy;

  private constructor(manifest: OpaManifest, data: OpaDataDocument, policy: WasmPolicy) {
    this.manifest = manifest;
    this.currentData = data;
    this.policy = policy;
  }

  /** The data document the policies currently read. */
  get data(): OpaDataDocument {
    return this.currentData;
  }

  /** Replaces the data document (tests and the playground swap catalogs without rebuilding). */
  setData(data: OpaDataDocument): void {
    this.policy.setData(checkDataDocument(data));
    this.currentData = data;
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
    return new PolicyEngine(parts.manifest, data, policy);
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

  /** Evaluates an already minimal, validated input. */
  evaluateInput(input: WasmInput): CandidateVerdict[] {
    return checkVerdicts(this.policy.evaluate(ENTRYPOINTS.decision, input), input);
  }

  /** Evaluates any entrypoint with any JSON input, unchecked: for tools and tests. */
  evaluateRaw(entrypoint: string, input: unknown): unknown {
    return this.policy.evaluate(entrypoint, input);
  }
}
