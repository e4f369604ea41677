// Values as people read them in a rationale: by the trace node's language type, from the
// runtime representation (dates are epoch days, datetimes epoch ms, durations ms) to the
// language's own literals (`2026-08-28`, `2026-05-30T09:00:00Z`, `30d`). Browser-safe.
import { formatDate, formatDateTime, formatDecimal, formatDuration } from "../../core/literals.ts";
import { canonicalJson } from "../../core/canonical-json.ts";
import { shapeOf } from "../values.ts";

const MAX_ITEMS = 8;

/** True for a value the log replaced by a keyed pseudonym. */
export function isPseudonym(value: unknown): value is string {
  return typeof value === "string" && /^hmac:[0-9a-f]{16}$/.test(value);
}

/** The element type of `list of X` (the checker's type names), else undefined. */
function elementType(type: string): string | undefined {
  const m = /^list of (.+)$/.exec(type);
  return m ? m[1] : undefined;
}

/**
 * Member types of `record {at: datetime, channel: string}`; empty when the type names members
 * only (`record {at, channel}`), whose values then print as JSON.
 */
function memberTypes(type: string): Map<string, string> {
  const out = new Map<string, string>();
  const m = /^record \{(.*)\}$/.exec(type);
  if (!m) return out;
  // Split on commas outside parentheses and braces: enum(…) lists hold commas of their own.
  let depth = 0;
  let start = 0;
  const body = m[1]!;
  const parts: string[] = [];
  for (let i = 0; i <= body.length; i++) {
    const c = body[i];
    if (c === "(" || c === "{") depth++;
    else if (c === ")" || c === "}") depth--;
    else if ((c === "," && depth === 0) || i === body.length) {
      parts.push(body.slice(start, i).trim());
      start = i + 1;
    }
  }
  for (const p of parts) {
    const colon = p.indexOf(":");
    if (colon > 0) out.set(p.slice(0, colon).trim(), p.slice(colon + 1).trim());
  }
  return out;
}

function plain(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  try {
    return canonicalJson(value);
  } catch {
    // Not plain data; String() itself throws on an object without a prototype.
    return `(${shapeOf(value)})`;
  }
}

/**
 * Formats a traced value by its node's type (`int`, `date`, `datetime`, `duration`, `enum(…)`,
 * `list of …`, `record {…}`). Pseudonyms print as they are; absent values as `not set`.
 */
export function formatValue(value: unknown, type: string): string {
  if (value === undefined || value === null) return "not set";
  if (isPseudonym(value)) return value;
  if (typeof value === "number" && Number.isFinite(value)) {
    if (type === "date" && Number.isInteger(value)) return formatDate(value);
    if (type === "datetime") return formatDateTime(value);
    if (type === "duration") return formatDuration(value);
    if (type === "decimal") return formatDecimal(value);
    return String(value);
  }
  if (Array.isArray(value)) {
    const of = elementType(type) ?? "unknown";
    const shown = value.slice(0, MAX_ITEMS).map((v) => formatValue(v, of));
    const more = value.length > MAX_ITEMS ? [`… ${value.length - MAX_ITEMS} more`] : [];
    return `[${[...shown, ...more].join(", ")}]`;
  }
  if (typeof value === "object") {
    const types = memberTypes(type);
    const members = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}: ${formatValue(v, types.get(k) ?? "unknown")}`);
    return `{${members.join(", ")}}`;
  }
  return plain(value);
}

/** A context value as the provider gave it (ISO text for dates): strings quoted, JSON otherwise. */
export function formatContextValue(value: unknown): string {
  if (value === undefined || value === null) return "not set";
  return isPseudonym(value) ? value : plain(value);
}

/** Epoch ms or ISO text → ISO text; anything else as given. */
export function formatTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "number" ? formatDateTime(value) : value;
}
