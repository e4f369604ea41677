// A thin, typed wrapper over the opa-wasm SDK: checks the module before handing it over, turns
// the SDK's thrown strings into OpaErrors, always passes input as JSON bytes (the SDK drops
// falsy inputs such as `false` or `0`), and unwraps the result set. No Node imports.
import * as opaWasm from "@open-policy-agent/opa-wasm";
import { OpaError, thrownMessage } from "./errors.ts";

interface LoadedPolicyLike {
  readonly entrypoints: Record<string, number>;
  readonly wasmInstance: WebAssembly.Instance;
  readonly mem: WebAssembly.Memory;
  evaluate(input: unknown, entrypoint: string | number): unknown;
  setData(data: unknown): void;
}
type LoadPolicy = (wasm: WebAssembly.Module, memory?: WebAssembly.MemoryDescriptor) => Promise<LoadedPolicyLike>;

// The package's ESM entry exports only `loadPolicy` by name (the rest hangs off the default
// export), and bundlers differ in which of the two they keep: take whichever exists.
function sdkLoadPolicy(): LoadPolicy {
  const ns = opaWasm as unknown as { loadPolicy?: LoadPolicy; default?: { loadPolicy?: LoadPolicy } };
  const fn = ns.loadPolicy ?? ns.default?.loadPolicy;
  if (typeof fn !== "function") throw new OpaError("opa/wasm-abi", "the opa-wasm SDK exports no `loadPolicy`");
  return fn;
}

/** Exports every OPA Wasm policy of ABI 1.x has; a module without them is not one. */
const REQUIRED_EXPORTS = [
  "memory",
  "opa_eval",
  "opa_malloc",
  "opa_json_parse",
  "opa_json_dump",
  "opa_heap_ptr_get",
  "opa_heap_ptr_set",
  "entrypoints",
  "builtins",
  "opa_wasm_abi_version",
  "opa_wasm_abi_minor_version",
];

function readCString(mem: WebAssembly.Memory, addr: number): string {
  const bytes = new Uint8Array(mem.buffer);
  let end = addr;
  while (bytes[end] !== 0 && end < bytes.length) end++;
  return new TextDecoder().decode(bytes.subarray(addr, end));
}

// The SDK takes an ArrayBuffer as ready JSON text; it must hold exactly the text.
function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : (bytes.slice().buffer as ArrayBuffer);
}

/** A loaded OPA Wasm policy with data set. */
export class WasmPolicy {
  readonly entrypoints: readonly string[];
  /** Built-in functions the policy needs from the host; Kairos's policies need none. */
  readonly requiredBuiltins: readonly string[];
  private readonly policy: LoadedPolicyLike;

  private constructor(policy: LoadedPolicyLike) {
    this.policy = policy;
    this.entrypoints = Object.keys(policy.entrypoints).sort();
    const exports = policy.wasmInstance.exports as Record<string, () => number>;
    const addr = (exports["opa_json_dump"] as (a: number) => number)((exports["builtins"] as () => number)());
    this.requiredBuiltins = Object.keys(JSON.parse(readCString(policy.mem, addr)) as object).sort();
  }

  /** Validates, compiles and instantiates a policy.wasm and sets its data document. */
  static async load(wasm: Uint8Array, data: unknown): Promise<WasmPolicy> {
    const bytes = new Uint8Array(wasm); // a copy backed by a plain ArrayBuffer
    if (!WebAssembly.validate(bytes)) {
      throw new OpaError("opa/wasm-invalid", "policy.wasm is not a valid WebAssembly module (corrupt or truncated)");
    }
    let module: WebAssembly.Module;
    try {
      module = await WebAssembly.compile(bytes);
    } catch (e) {
      throw new OpaError("opa/wasm-invalid", `policy.wasm does not compile: ${thrownMessage(e)}`, {}, e);
    }
    const names = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
    const missing = REQUIRED_EXPORTS.filter((n) => !names.has(n));
    if (missing.length > 0) {
      throw new OpaError(
        "opa/wasm-abi",
        `policy.wasm is not an OPA Wasm policy of ABI 1.x: it lacks ${missing.map((n) => `\`${n}\``).join(", ")}`,
        { missing },
      );
    }
    let policy: LoadedPolicyLike;
    try {
      policy = await sdkLoadPolicy()(module);
    } catch (e) {
      throw new OpaError("opa/wasm-abi", `policy.wasm cannot be loaded: ${thrownMessage(e)}`, {}, e);
    }
    try {
      policy.setData(data);
    } catch (e) {
      throw new OpaError("opa/bundle-missing-data", `data.json cannot be loaded into the policy: ${thrownMessage(e)}`, {}, e);
    }
    return new WasmPolicy(policy);
  }

  /** Replaces the data document (used by tests and the playground to swap catalogs). */
  setData(data: unknown): void {
    try {
      this.policy.setData(data);
    } catch (e) {
      throw new OpaError("opa/eval-failed", `data cannot be loaded into the policy: ${thrownMessage(e)}`, {}, e);
    }
  }

  /**
   * Evaluates an entrypoint and returns its value. Any JSON value is a valid input, falsy ones
   * included; `undefined` means no input. An undefined result is an `opa/undefined-result`.
   */
  evaluate(entrypoint: string, input: unknown): unknown {
    if (!Object.hasOwn(this.policy.entrypoints, entrypoint)) {
      throw new OpaError("opa/entrypoint-missing", `the bundle has no entrypoint \`${entrypoint}\``, {
        entrypoint,
        available: this.entrypoints,
      });
    }
    const encoded = input === undefined ? undefined : exactBuffer(new TextEncoder().encode(JSON.stringify(input)));
    let resultSet: unknown;
    try {
      resultSet = this.policy.evaluate(encoded, entrypoint);
    } catch (e) {
      throw new OpaError("opa/eval-failed", `policy evaluation of \`${entrypoint}\` failed: ${thrownMessage(e)}`, { entrypoint }, e);
    }
    if (!Array.isArray(resultSet)) {
      throw new OpaError("opa/bad-output", `\`${entrypoint}\` returned no result set`, { entrypoint });
    }
    const first = resultSet[0] as { result?: unknown } | undefined;
    if (first === undefined || !("result" in first)) {
      throw new OpaError("opa/undefined-result", `\`${entrypoint}\` is undefined for this input`, { entrypoint });
    }
    return first.result;
  }
}
