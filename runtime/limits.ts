// Request limits (docs/runtime.md#limits): the size a decision request may have, checked in one
// pass before anything else reads it, so that an oversized request costs a scan of what it takes
// to see that it is too big, and everything after the check — validation, the consent
// policies in Wasm, guardrails, the decision, the log entry — runs on bounded input. The same
// walk bounds the values a context provider answers for the fields that are kept.
import { isRecord } from "./own.ts";

/** Upper bounds of one decision request. Every one is configurable per engine (`limits`). */
export interface RequestLimits {
  /** Consent records in `consents` (of every subject, before filtering). */
  readonly consents: number;
  /** Objections in `objections`. */
  readonly objections: number;
  /** Cap history entries in `history`. */
  readonly history: number;
  /** Elements of any other list: a list-typed context field or payload field. */
  readonly listItems: number;
  /** Characters (UTF-16 code units) of any one string or object key. */
  readonly stringLength: number;
  /** Nesting of objects and lists; the request object itself is level 1. */
  readonly depth: number;
  /** Size of the request in characters, about its length as compact JSON (escapes not counted). */
  readonly size: number;
}

/**
 * The defaults. A subject's consent state is a handful of records per purpose and channel; even
 * a full audit trail (20 purposes × 5 channels × 100 changes) is 10,000 records, and so is a
 * year of daily cap history for 25 journeys. Objections are rarer still. At these sizes a
 * decision takes tens of milliseconds and the OPA Wasm heap stays under ~50 MB; past them cost
 * stays linear (docs/benchmarks.md) but one request could hold a worker for seconds.
 */
export const DEFAULT_LIMITS: RequestLimits = {
  consents: 10_000,
  objections: 1_000,
  history: 10_000,
  listItems: 10_000,
  stringLength: 65_536,
  depth: 32,
  size: 4 * 1024 * 1024,
};

/**
 * The largest `depth` an engine accepts: a request's values sit a few levels deeper in decisions
 * and log entries, whose canonical JSON refuses nesting past MAX_JSON_DEPTH (256).
 */
export const MAX_DEPTH_LIMIT = 200;

/** The names of the limits, as `limits.<name>` in engine options. */
export const LIMIT_NAMES: readonly (keyof RequestLimits)[] = ["consents", "objections", "history", "listItems", "stringLength", "depth", "size"];

/**
 * The defaults with `overrides` applied; throws a RangeError (a caller's bug, not a request
 * problem) on an unknown name or a value that is not a positive integer.
 */
export function resolveLimits(overrides: Partial<RequestLimits> | undefined): RequestLimits {
  if (overrides === undefined) return DEFAULT_LIMITS;
  const out: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(overrides)) {
    if (!(LIMIT_NAMES as readonly string[]).includes(name)) {
      throw new RangeError(`unknown request limit \`${name}\`; the limits are ${LIMIT_NAMES.map((n) => `\`${n}\``).join(", ")}`);
    }
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`request limit \`${name}\` must be a positive integer, got ${String(value)}`);
    }
    if (name === "depth" && value > MAX_DEPTH_LIMIT) {
      throw new RangeError(
        `request limit \`depth\` is at most ${MAX_DEPTH_LIMIT} (decisions and log entries nest a request's values deeper still), got ${value}`,
      );
    }
    out[name] = value;
  }
  return out as unknown as RequestLimits;
}

/** A limit a request (or a provider's value) goes past: where, which limit, and the message. */
export interface LimitProblem {
  /** A JSON path: `consents`, `context.customer.notes`, `event.payload.tags[3]`. */
  readonly path: string;
  /** The limit passed, or `text` for a string that is not valid Unicode text. */
  readonly limit: keyof RequestLimits | "text";
  readonly message: string;
  readonly hint: string;
}

/** `12345678` → `12,345,678` (locale-independent: messages are the same everywhere). */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function hint(limit: keyof RequestLimits): string {
  return `the limit is the engine option \`limits.${limit}\` (docs/runtime.md#limits); raise it there if such requests are legitimate`;
}

/** The limit of a top-level list by its key: its own for the record lists, else `listItems`. */
function recordList(key: string): keyof RequestLimits {
  return key === "consents" || key === "objections" || key === "history" ? key : "listItems";
}
const RECORD_WORD = { consents: "consent records", objections: "objections", history: "history entries" } as const;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Path text: `a.b[2]` after `prefix`; keys that are not identifiers are quoted (and cut, if long). */
function pathText(prefix: string, segs: readonly (string | number)[]): string {
  let out = prefix;
  for (const seg of segs) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (IDENTIFIER.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg.length > 40 ? seg.slice(0, 40) + "…" : seg)}]`;
  }
  // A path as deep as the depth limit is long; its two ends say where.
  return out.length > 160 ? `${out.slice(0, 60)}…${out.slice(-90)}` : out;
}

/** One walk over a JSON value; stops at the first problem (the rest is not worth reading). */
class Walker {
  private readonly limits: RequestLimits;
  /** What `size` measures: `the request`, `the context`. */
  private readonly whole: string;
  /** The path of the value being walked, as segments: text is made only for a problem. */
  private readonly segs: (string | number)[] = [];
  /** The path of the value walked (a field path like `customer.visits`), or "" for the request. */
  private readonly prefix: string;
  size = 0;
  problem: LimitProblem | undefined;

  constructor(limits: RequestLimits, whole: string, prefix = "") {
    this.limits = limits;
    this.whole = whole;
    this.prefix = prefix;
  }

  /** Past `size`: checked as the walk goes, so a huge request is not read to its end. */
  oversized(): LimitProblem | undefined {
    if (this.size <= this.limits.size) return undefined;
    return {
      path: "(the request)",
      limit: "size",
      message: `${this.whole} is larger than the limit of ${thousands(this.limits.size)} characters`,
      hint: hint("size"),
    };
  }

  private stop(limit: keyof RequestLimits | "text", message: string): false {
    const path = pathText(this.prefix, this.segs);
    const help = limit === "text" ? "send text as UTF-8 / valid Unicode: a lone surrogate (`\\ud800` without its pair) is not a character" : hint(limit);
    this.problem = { path: path === "" ? "(the request)" : path, limit, message, hint: help };
    return false;
  }

  private string(s: string, what: string): boolean {
    if (s.length > this.limits.stringLength) {
      return this.stop("stringLength", `${what} has ${thousands(s.length)} characters, more than the limit of ${thousands(this.limits.stringLength)}`);
    }
    // JSON can escape half of a UTF-16 pair (`\ud800`); such a string is no text, and the
    // consent policies (OPA) and the log would each fail on it later, far from the cause.
    if (!s.isWellFormed()) return this.stop("text", `${what} is not valid Unicode text (it holds a lone surrogate)`);
    this.size += s.length + 3;
    return true;
  }

  /** Walks `value` at nesting level `level` (1 for the request itself); false once a limit is passed. */
  walk(value: unknown, level: number, listLimit: keyof RequestLimits = "listItems"): boolean {
    if (this.size > this.limits.size) {
      this.problem = this.oversized();
      return false;
    }
    if (typeof value === "string") return this.string(value, "the string");
    if (value === null || typeof value !== "object") {
      this.size += typeof value === "number" ? 8 : 5;
      return true;
    }
    if (level > this.limits.depth) return this.stop("depth", `is nested ${level} levels deep, more than the limit of ${this.limits.depth}`);
    this.size += 2;
    const { segs } = this;
    if (Array.isArray(value)) {
      const max = this.limits[listLimit];
      if (value.length > max) {
        const what = listLimit === "listItems" ? "items" : RECORD_WORD[listLimit as keyof typeof RECORD_WORD];
        return this.stop(listLimit, `has ${thousands(value.length)} ${what}, more than the limit of ${thousands(max)}`);
      }
      for (let i = 0; i < value.length; i++) {
        segs.push(i);
        const ok = this.walk(value[i], level + 1);
        segs.pop();
        if (!ok) return false;
      }
      return true;
    }
    if (!isRecord(value)) return true;
    const keys = Object.keys(value);
    const { stringLength, size } = this.limits;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const v = value[key];
      // A string member within every limit (what most members of a record are): the general
      // path below would find the same, adding the same size, without a path to keep.
      if (
        typeof v === "string" &&
        key.length <= stringLength &&
        v.length <= stringLength &&
        this.size + key.length + 3 <= size &&
        key.isWellFormed() &&
        v.isWellFormed()
      ) {
        this.size += key.length + v.length + 6;
        continue;
      }
      segs.push(key);
      const list = level === 1 ? recordList(key) : "listItems";
      const ok = this.string(key, "the key") && this.walk(v, level + 1, list);
      segs.pop();
      if (!ok) return false;
    }
    return true;
  }
}

/**
 * Checks a request (any JSON value) against the limits in one pass that stops at the first limit
 * passed: the top-level `consents`, `objections` and `history` lists against their own limits,
 * every other list against `listItems`, every string and key against `stringLength`, nesting
 * against `depth`, the whole against `size`. Undefined when the request is within every limit.
 */
export function checkRequestLimits(raw: unknown, limits: RequestLimits = DEFAULT_LIMITS): LimitProblem | undefined {
  const w = new Walker(limits, "the request");
  w.walk(raw, 1);
  return w.problem ?? w.oversized();
}

/**
 * Checks one value a context provider answered (`path` names the field) against `listItems`,
 * `stringLength` and `depth` (a field value sits at level 4 of a request: request → context →
 * entity → field), and adds its size to `budget.used`, checked against `size`.
 */
export function checkValueLimits(value: unknown, path: string, limits: RequestLimits, budget: { used: number }): LimitProblem | undefined {
  const w = new Walker(limits, "the context", path);
  w.size = budget.used;
  w.walk(value, 4);
  budget.used = w.size;
  const over = w.problem ?? w.oversized();
  return over && over.limit === "size" ? { ...over, path } : over;
}
