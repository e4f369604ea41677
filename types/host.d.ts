// The host APIs browser-safe code may use: the few Web APIs that every JavaScript host Kairos
// runs on has in the same shape (browsers, web workers, Node ≥ 24). tsconfig.browser.json
// compiles core/, grammar/, compiler/ and runtime/ against ES2024 and this file only, so
// `node:` modules, `Buffer`, `process`, the DOM — anything one host lacks — are type errors
// there. Only that config includes this file: with Node's or the DOM's types (tsconfig.json,
// tsconfig.playground.json, tsconfig.build.json) these declarations would clash with theirs.
//
// Shapes follow TypeScript's lib.dom.d.ts, trimmed to what the layers use. To use another API,
// check that browsers and Node both have it, then declare it here.

/** Encoding API: UTF-8 text to bytes. */
interface TextEncoder {
  readonly encoding: string;
  encode(input?: string): Uint8Array<ArrayBuffer>;
}
declare var TextEncoder: {
  prototype: TextEncoder;
  new (): TextEncoder;
};

/** Encoding API: bytes to text; `fatal` makes malformed input throw a TypeError. */
interface TextDecoder {
  readonly encoding: string;
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  decode(input?: ArrayBufferLike | ArrayBufferView, options?: { stream?: boolean }): string;
}
declare var TextDecoder: {
  prototype: TextDecoder;
  new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder;
};

/** Cancellation: what a deadline hands to the work it bounds (DOM's AbortSignal, no events). */
interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: any;
  throwIfAborted(): void;
}
declare var AbortSignal: {
  prototype: AbortSignal;
  abort(reason?: any): AbortSignal;
  timeout(milliseconds: number): AbortSignal;
};

interface AbortController {
  readonly signal: AbortSignal;
  abort(reason?: any): void;
}
declare var AbortController: {
  prototype: AbortController;
  new (): AbortController;
};

/** A pending timer: a number in browsers, an object in Node; only clearTimeout reads it. */
interface HostTimer {
  readonly __hostTimer?: never;
}
declare function setTimeout(handler: () => void, timeout?: number): HostTimer;
declare function clearTimeout(timer: HostTimer | undefined): void;

/** High-resolution time, for deadlines and measurements. */
interface Performance {
  readonly timeOrigin: number;
  now(): number;
}
declare var performance: Performance;

/** A deep copy of a plain value (objects, arrays, maps, sets, dates, typed arrays). */
declare function structuredClone<T>(value: T): T;

/** The WebAssembly JavaScript API (the OPA policies run as Wasm), without streaming. */
declare namespace WebAssembly {
  type BufferSource = ArrayBuffer | ArrayBufferView<ArrayBuffer>;
  type ImportExportKind = "function" | "global" | "memory" | "table";
  type ExportValue = Function | Memory | object;
  type Exports = Record<string, ExportValue>;
  type ImportValue = ExportValue | number;
  type ModuleImports = Record<string, ImportValue>;
  type Imports = Record<string, ModuleImports>;

  interface Module {}
  var Module: {
    prototype: Module;
    new (bytes: BufferSource): Module;
    exports(moduleObject: Module): ModuleExportDescriptor[];
    imports(moduleObject: Module): ModuleImportDescriptor[];
  };

  interface Instance {
    readonly exports: Exports;
  }
  var Instance: {
    prototype: Instance;
    new (module: Module, importObject?: Imports): Instance;
  };

  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  var Memory: {
    prototype: Memory;
    new (descriptor: MemoryDescriptor): Memory;
  };

  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  interface ModuleExportDescriptor {
    kind: ImportExportKind;
    name: string;
  }
  interface ModuleImportDescriptor {
    kind: ImportExportKind;
    module: string;
    name: string;
  }
  interface WebAssemblyInstantiatedSource {
    instance: Instance;
    module: Module;
  }

  interface CompileError extends Error {}
  var CompileError: { prototype: CompileError; new (message?: string): CompileError };
  interface LinkError extends Error {}
  var LinkError: { prototype: LinkError; new (message?: string): LinkError };
  interface RuntimeError extends Error {}
  var RuntimeError: { prototype: RuntimeError; new (message?: string): RuntimeError };

  function compile(bytes: BufferSource): Promise<Module>;
  function instantiate(bytes: BufferSource, importObject?: Imports): Promise<WebAssemblyInstantiatedSource>;
  function instantiate(moduleObject: Module, importObject?: Imports): Promise<Instance>;
  function validate(bytes: BufferSource): boolean;
}
