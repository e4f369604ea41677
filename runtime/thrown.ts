// The message of anything thrown, for error decisions and error entries. JavaScript can throw
// any value: the opa-wasm SDK throws plain strings, providers may reject with objects without a
// prototype (whose String() itself throws) or with nothing at all. Reading a message must never
// throw in its turn, or a failure handler would become a new failure.

function text(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint" || v === null || v === undefined) return String(v);
  return undefined;
}

/** A one-line message for a thrown value; never throws. */
export function thrownMessage(thrown: unknown): string {
  try {
    if (thrown instanceof Error) return thrown.message === "" ? thrown.name : thrown.message;
    const plain = text(thrown);
    if (plain !== undefined) return plain === "" ? "(an empty message)" : plain;
    if (typeof thrown === "object" && thrown !== null && "message" in thrown) {
      const m = text((thrown as { message: unknown }).message);
      if (m !== undefined && m !== "") return m;
    }
    if (typeof thrown === "symbol") return thrown.description ?? "a symbol";
    return typeof thrown === "function" ? "a function" : "an object without a message";
  } catch {
    // A getter that throws, a revoked proxy: there is nothing more to read.
    return "a value that cannot be read";
  }
}
