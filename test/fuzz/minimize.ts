// Reducing a failing case to a minimal reproducer that fails the same way: the failing request
// alone, then fewer files, fewer lines, fewer tokens (delta debugging), then a smaller request
// (keys, list elements and long strings removed). Every attempt runs in the sandbox, under the
// deadline, so a hang shrinks as a hang. Bounded by a time budget: a bigger reproducer is better
// than none.
import type { Sandbox } from "./sandbox.ts";
import type { Failure, FuzzCase, PolicyCase, Source } from "./types.ts";

/** What makes two failures "the same": the stage and the message's shape (numbers and quoted text ignored). */
export function signature(f: Failure): string {
  if (f.stage === "hang" || f.stage === "crash") return f.stage;
  const first = f.message
    .split("\n")[0]!
    .replace(/`[^`]*`/g, "`…`")
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d+/g, "#");
  return `${f.stage}: ${first.slice(0, 80)}`;
}

export interface Minimized {
  readonly case: FuzzCase;
  readonly failure: Failure;
  readonly attempts: number;
  /** The budget ran out before the reproducer was minimal. */
  readonly partial: boolean;
}

/** Delta debugging (ddmin) over units; `fails(units)` must hold for the input. */
async function ddmin<T>(units: readonly T[], fails: (units: readonly T[]) => Promise<boolean>, out: () => boolean): Promise<T[]> {
  let current = [...units];
  let n = 2;
  while (current.length >= 2 && !out()) {
    const size = Math.ceil(current.length / n);
    let reduced = false;
    for (let i = 0; i < current.length && !out(); i += size) {
      const complement = [...current.slice(0, i), ...current.slice(i + size)];
      if (complement.length > 0 && (await fails(complement))) {
        current = complement;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= current.length) break;
      n = Math.min(n * 2, current.length);
    }
  }
  return current;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Candidate simplifications of a JSON value, smallest first. */
function* smaller(v: Json): Generator<Json> {
  if (Array.isArray(v)) {
    for (let size = Math.floor(v.length / 2); size >= 1; size = Math.floor(size / 2)) {
      for (let i = 0; i < v.length; i += size) yield [...v.slice(0, i), ...v.slice(i + size)];
    }
    for (let i = 0; i < v.length; i++) for (const x of smaller(v[i]!)) yield v.map((y, j) => (j === i ? x : y));
  } else if (v !== null && typeof v === "object") {
    const keys = Object.keys(v);
    for (const k of keys) {
      const copy: { [k: string]: Json } = {};
      for (const kk of keys) if (kk !== k) Object.defineProperty(copy, kk, { value: v[kk], enumerable: true, writable: true, configurable: true });
      yield copy;
    }
    for (const k of keys) {
      for (const x of smaller(v[k]!)) {
        const copy: { [k: string]: Json } = {};
        for (const kk of keys) Object.defineProperty(copy, kk, { value: kk === k ? x : v[kk], enumerable: true, writable: true, configurable: true });
        yield copy;
      }
    }
  } else if (typeof v === "string" && v.length > 8) {
    yield v.slice(0, Math.ceil(v.length / 2));
  }
}

async function shrinkJson(text: string, fails: (text: string) => Promise<boolean>, out: () => boolean): Promise<string> {
  let current = JSON.parse(text) as Json;
  let progress = true;
  while (progress && !out()) {
    progress = false;
    for (const candidate of smaller(current)) {
      if (out()) break;
      if (await fails(JSON.stringify(candidate))) {
        current = candidate;
        progress = true;
        break;
      }
    }
  }
  return JSON.stringify(current);
}

const lines = (t: string) => t.split(/(?<=\n)/);
const tokens = (t: string) => t.split(/(?<=\s)(?=\S)|(?<=\S)(?=\s)/);

/** Minimizes a failing case within `budgetMs`. */
export async function minimize(sandbox: Sandbox, c: FuzzCase, failure: Failure, budgetMs: number): Promise<Minimized> {
  const started = Date.now();
  const sig = signature(failure);
  const out = () => Date.now() - started > budgetMs;
  let attempts = 0;
  let best: { case: FuzzCase; failure: Failure } = { case: c, failure };
  const fails = async (candidate: FuzzCase): Promise<boolean> => {
    attempts++;
    const v = await sandbox.run(candidate);
    const same = v.failures.find((f) => signature(f) === sig);
    if (same) best = { case: candidate, failure: same };
    return same !== undefined;
  };
  if (c.kind !== "policies") return { ...best, attempts, partial: false };

  let p: PolicyCase = c;
  // 1. The failing request alone, nothing generated.
  if (failure.request !== undefined) {
    const alone: PolicyCase = { ...withoutGenerate(p), requests: [failure.request] };
    if (await fails(alone)) p = alone;
  } else if (p.generate || (p.requests?.length ?? 0) > 0) {
    const none: PolicyCase = { ...withoutGenerate(p), requests: [] };
    if (await fails(none)) p = none;
  }
  if (p.dir === undefined && p.journeys) {
    // 2. Fewer journey files.
    const files = await ddmin(p.journeys, (js) => fails({ ...p, journeys: js }), out);
    p = { ...p, journeys: files };
    // 3. Fewer lines, then fewer tokens, in each file.
    for (const unit of [lines, tokens]) {
      for (let i = 0; i < p.journeys!.length && !out(); i++) {
        const file = p.journeys![i]!;
        const at = (parts: readonly string[]): PolicyCase => ({
          ...p,
          journeys: p.journeys!.map((j, k): Source => (k === i ? { ...j, text: parts.join("") } : j)),
        });
        const kept = await ddmin(unit(file.text), (parts) => fails(at(parts)), out);
        p = at(kept);
      }
    }
  }
  // 4. A smaller request.
  if (p.requests && p.requests.length === 1 && !out()) {
    const base = p;
    const text = await shrinkJson(p.requests[0]!, (t) => fails({ ...base, requests: [t] }), out);
    p = { ...p, requests: [text] };
  }
  return { ...best, attempts, partial: out() };
}

function withoutGenerate(p: PolicyCase): PolicyCase {
  const { generate: _g, ...rest } = p;
  return rest;
}
