// Deadlines for the engine's external calls (docs/runtime.md#deadlines): the context provider,
// the consent/residency policy evaluation and the decision sink. A call that does not finish
// in time is abandoned — its AbortSignal fires so it can stop its work — and the decision
// fails closed instead of waiting forever. No timer outlives its call.

/** Milliseconds each external call may take. */
export interface Deadlines {
  /** `ContextProvider.fetch`. */
  readonly provider: number;
  /** The consent/residency policy evaluation (OPA Wasm). */
  readonly policy: number;
  /** `DecisionSink.append`, each time it is called. */
  readonly sink: number;
}

/** 2 s each: far above a healthy call (a decision takes milliseconds), far below a stuck one. */
export const DEFAULT_DEADLINES: Deadlines = { provider: 2000, policy: 2000, sink: 2000 };

const NAMES: readonly (keyof Deadlines)[] = ["provider", "policy", "sink"];
/** setTimeout's largest delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The defaults with `overrides` applied (a number sets all three). `Infinity` means no deadline.
 * Throws a RangeError, a caller's bug, on an unknown name or a value that is not a positive number.
 */
export function resolveDeadlines(overrides: number | Partial<Deadlines> | undefined): Deadlines {
  if (overrides === undefined) return DEFAULT_DEADLINES;
  const given: Partial<Record<string, unknown>> = typeof overrides === "number" ? { provider: overrides, policy: overrides, sink: overrides } : overrides;
  const out: Record<string, number> = { ...DEFAULT_DEADLINES };
  for (const [name, value] of Object.entries(given)) {
    if (!(NAMES as readonly string[]).includes(name))
      throw new RangeError(`unknown deadline \`${name}\`; the deadlines are ${NAMES.map((n) => `\`${n}\``).join(", ")}`);
    if (value === undefined) continue;
    if (typeof value !== "number" || Number.isNaN(value) || value <= 0 || (value > MAX_TIMER_MS && value !== Infinity)) {
      throw new RangeError(`deadline \`${name}\` must be a positive number of milliseconds (at most ${MAX_TIMER_MS}) or Infinity, got ${String(value)}`);
    }
    out[name] = value;
  }
  return out as unknown as Deadlines;
}

/** An external call that did not finish within its deadline. */
export class DeadlineExceeded extends Error {
  /** Which call: `provider`, `policy` or `sink`. */
  readonly call: keyof Deadlines;
  readonly ms: number;

  constructor(call: keyof Deadlines, ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = "DeadlineExceeded";
    this.call = call;
    this.ms = ms;
  }
}

/**
 * Runs `work` with a deadline of `ms`. An asynchronous result races a timer: past the deadline
 * the signal aborts (its reason is the DeadlineExceeded) and the returned promise rejects with
 * DeadlineExceeded; whatever the call does later is ignored. A synchronous call cannot be
 * interrupted (JavaScript runs one thing at a time): when `lateSync` is `reject` its result is
 * discarded if it came after the deadline, when `accept` it is kept (a sink that has written
 * the entry has written it).
 */
export async function withDeadline<T>(
  call: keyof Deadlines,
  ms: number,
  work: (signal: AbortSignal) => T | PromiseLike<T>,
  lateSync: "accept" | "reject",
): Promise<T> {
  return await underDeadline(call, ms, work, lateSync);
}

/**
 * withDeadline without a promise for synchronous work: a synchronous result is returned (and a
 * late one thrown, under `reject`) at once, so a caller whose calls all answer synchronously (the
 * engine's in-memory provider, OPA Wasm) finishes its work without yielding, and no timer is
 * set; an asynchronous result gives a (native) promise that settles as withDeadline's does.
 */
export function underDeadline<T>(
  call: keyof Deadlines,
  ms: number,
  work: (signal: AbortSignal) => T | PromiseLike<T>,
  lateSync: "accept" | "reject",
): T | Promise<T> {
  const controller = new AbortController();
  const started = performance.now();
  const result = work(controller.signal);
  if (!isThenable(result)) {
    if (lateSync === "reject" && performance.now() - started > ms) {
      const e = new DeadlineExceeded(call, ms);
      controller.abort(e);
      throw e;
    }
    return result;
  }
  return raceDeadline(call, ms, controller, result);
}

/** An asynchronous result against a timer of `ms` (underDeadline's asynchronous half). */
async function raceDeadline<T>(call: keyof Deadlines, ms: number, controller: AbortController, result: PromiseLike<T>): Promise<T> {
  if (ms === Infinity) return await result;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const e = new DeadlineExceeded(call, ms);
      controller.abort(e);
      reject(e);
    }, ms);
  });
  try {
    // Promise.race subscribes to `result`, so a rejection after the deadline is not unhandled.
    return await Promise.race([result, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether `v` is a promise or another thenable (what an asynchronous call returns). */
function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" || typeof v === "function") && v !== null && typeof (v as { then?: unknown }).then === "function";
}
