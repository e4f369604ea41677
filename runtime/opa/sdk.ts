// A thin, typed wrapper over the opa-wasm SDK: checks the module before handing it over, turns
// the SDK's thrown strings into OpaErrors, always passes input as JSON bytes (the SDK drops
// falsy inputs such as `false` or `0`), and unwraps the result set. No Node imports.
//
// It also sizes the Wasm memory before an evaluation. OPA's allocator reads the memory size
// once, when an instance starts, and past it grows the memory one 64 KiB page at a time; each
// growth costs time proportional to the memory already there, so a large first input took
// time quadratic in its size (64,000 consent records: 7 s of 8). An input that may not fit is
// therefore evaluated in a fresh instance whose memory is sized for it up front (at least
// double the last), and memory grows in a handful of steps over an engine's life.
import * as opaWasm from "@open-policy-agent/opa-wasm";
import { OpaError, thrownMessage } from "./errors.ts";

interface LoadedPolicyLike {
  readonly entrypoints: Record<string, number>;
  readonly wasmInstance: WebAssembly.Instance;
  readonly mem: WebAssembly.Memory;
  /** Where the SDK puts the input: the end of the data document (SDK internal, read if present). */
  readonly dataHeapPtr?: number;
  evaluate(input: unknown, entrypoint: string | number): unknown;
  setData(data: unknown): void;
}
type LoadPolicy = (wasm: WebAssembly.Module, memory?: WebAssembly.MemoryDescriptor) => Promise<LoadedPolicyLike>;
type LoadPolicySync = (wasm: WebAssembly.Module, memory?: WebAssembly.MemoryDescriptor) => LoadedPolicyLike;

// The package's ESM entry exports only `loadPolicy` by name (the rest hangs off the default
// export), and bundlers differ in which of the two they keep: take whichever exists.
function sdkFunction<T>(name: "loadPolicy" | "loadPolicySync"): T {
  const ns = opaWasm as unknown as Record<string, unknown> & { default?: Record<string, unknown> };
  const fn = (Object.hasOwn(ns, name) ? ns[name] : undefined) ?? ns.default?.[name];
  if (typeof fn !== "function") throw new OpaError("opa/wasm-abi", `the opa-wasm SDK exports no \`${name}\``);
  return fn as T;
}

/** Bytes of a Wasm page. */
const PAGE = 65_536;
/** Pages an instance starts with (3 MiB): what a typical request needs, so it is never re-instantiated. */
const INITIAL_PAGES = 48;
/** Pages of a wasm32 memory at most (4 GiB). */
const MAX_PAGES = 65_536;
/**
 * Heap bytes an evaluation is assumed to need per input byte until one has been measured; the
 * standard policies use 10–30 (more with many candidates and objections). Learnt upward after
 * every evaluation.
 */
const INITIAL_HEAP_RATIO = 24;
/** Headroom beyond the estimate, for the result and small inputs. */
const SLACK = 1024 * 1024;
/** Inputs smaller than this say little about the ratio (fixed costs dominate): not learnt from. */
const LEARN_FROM_BYTES = 256 * 1024;
/** A ratio above this is not extrapolated (the memory would just grow as it goes). */
const MAX_HEAP_RATIO = 256;

/** What the last evaluation used; tests read it to show cost stays linear in the input. */
export interface EvaluationStats {
  /** Bytes of the JSON input. */
  readonly inputBytes: number;
  /** Bytes OPA allocated on its heap for the evaluation, its result's JSON included (not the input). */
  readonly heapBytes: number;
  /** True when the memory had to grow during the evaluation (page by page, the slow path). */
  readonly grewDuringEvaluation: boolean;
  /** Instances started so far by this policy (1 + re-instantiations for larger inputs). */
  readonly instances: number;
  /** Bytes of the current Wasm memory. */
  readonly memoryBytes: number;
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
  private policy: LoadedPolicyLike;
  private readonly module: WebAssembly.Module;
  private data: unknown;
  private heapRatio = INITIAL_HEAP_RATIO;
  private instances = 1;
  private last: EvaluationStats | undefined;

  private constructor(policy: LoadedPolicyLike, module: WebAssembly.Module, data: unknown) {
    this.policy = policy;
    this.module = module;
    this.data = data;
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
      throw new OpaError("opa/wasm-abi", `policy.wasm is not an OPA Wasm policy of ABI 1.x: it lacks ${missing.map((n) => `\`${n}\``).join(", ")}`, {
        missing,
      });
    }
    let policy: LoadedPolicyLike;
    try {
      policy = await sdkFunction<LoadPolicy>("loadPolicy")(module, { initial: INITIAL_PAGES });
    } catch (e) {
      throw new OpaError("opa/wasm-abi", `policy.wasm cannot be loaded: ${thrownMessage(e)}`, {}, e);
    }
    try {
      policy.setData(data);
    } catch (e) {
      throw new OpaError("opa/bundle-missing-data", `data.json cannot be loaded into the policy: ${thrownMessage(e)}`, {}, e);
    }
    try {
      return new WasmPolicy(policy, module, data);
    } catch (e) {
      throw new OpaError("opa/wasm-abi", `policy.wasm does not list its entrypoints and built-ins as OPA policies do: ${thrownMessage(e)}`, {}, e);
    }
  }

  /** Replaces the data document (used by tests and the playground to swap catalogs). */
  setData(data: unknown): void {
    try {
      this.policy.setData(data);
    } catch (e) {
      throw new OpaError("opa/eval-failed", `data cannot be loaded into the policy: ${thrownMessage(e)}`, {}, e);
    }
    this.data = data;
  }

  /** What the last evaluation used (undefined before the first). */
  get stats(): EvaluationStats | undefined {
    return this.last;
  }

  private heapPointer(): number {
    return (this.policy.wasmInstance.exports["opa_heap_ptr_get"] as () => number)();
  }

  /**
   * Makes sure an input of `inputBytes` fits with the heap it is expected to need; if it may
   * not, moves to a fresh instance with memory sized for it (at least double the current).
   */
  private reserve(inputBytes: number): void {
    const memory = this.policy.mem.buffer.byteLength;
    const base = this.policy.dataHeapPtr ?? this.heapPointer();
    const need = base + inputBytes * (1 + this.heapRatio) + SLACK;
    if (need <= memory) return;
    const pages = Math.min(MAX_PAGES, Math.ceil(Math.max(need, 2 * memory) / PAGE));
    let fresh: LoadedPolicyLike;
    try {
      fresh = sdkFunction<LoadPolicySync>("loadPolicySync")(this.module, { initial: pages });
      fresh.setData(this.data);
    } catch {
      // No memory that large (or no sync loading here): the current instance grows as it goes.
      return;
    }
    this.policy = fresh;
    this.instances++;
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
    let encoded: ArrayBuffer | undefined;
    try {
      encoded = input === undefined ? undefined : exactBuffer(new TextEncoder().encode(JSON.stringify(input)));
    } catch (e) {
      throw new OpaError("opa/bad-input", `the input of \`${entrypoint}\` is not JSON: ${thrownMessage(e)}`, { entrypoint }, e);
    }
    const inputBytes = encoded?.byteLength ?? 0;
    this.reserve(inputBytes);
    const before = this.policy.mem.buffer.byteLength;
    const start = (this.policy.dataHeapPtr ?? this.heapPointer()) + inputBytes;
    let resultSet: unknown;
    try {
      resultSet = this.policy.evaluate(encoded, entrypoint);
    } catch (e) {
      throw new OpaError("opa/eval-failed", `policy evaluation of \`${entrypoint}\` failed: ${thrownMessage(e)}`, { entrypoint }, e);
    }
    const heapBytes = Math.max(0, this.heapPointer() - start);
    // Learn upward: the next input of this size is sized for at least what this one took.
    if (inputBytes >= LEARN_FROM_BYTES) this.heapRatio = Math.min(MAX_HEAP_RATIO, Math.max(this.heapRatio, Math.ceil(heapBytes / inputBytes)));
    this.last = {
      inputBytes,
      heapBytes,
      grewDuringEvaluation: this.policy.mem.buffer.byteLength > before,
      instances: this.instances,
      memoryBytes: this.policy.mem.buffer.byteLength,
    };
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
