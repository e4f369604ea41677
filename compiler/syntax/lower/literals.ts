// Literal tokens → AST literals, with the validation the lexer cannot do: integers within the
// safe range, finite decimals, real calendar dates and datetimes, times of day, durations within
// the longest a duration can be. A literal out of range gets one diagnostic and a stand-in value
// so later stages report nothing more about it.
import type { IToken } from "chevrotain";
import * as T from "../../../grammar/tokens.ts";
import { MAX_DURATION_DAYS, MAX_DURATION_MS, parseDateLiteral, parseDateTimeLiteral, parseDurationLiteral } from "../../../core/literals.ts";
import type * as A from "../ast.ts";
import type { LowerContext } from "./cst.ts";

/** Decodes a JSON-escaped string literal (quotes included). */
export function decodeString(image: string): string {
  // Quoted and without an escape: JSON.parse gives the text between the quotes, and so does
  // its fallback (for a quote or a control character inside).
  if (image.length >= 2 && image.startsWith('"') && image.endsWith('"') && !image.includes("\\")) return image.slice(1, -1);
  try {
    const v: unknown = JSON.parse(image);
    return typeof v === "string" ? v : image.slice(1, -1);
  } catch {
    return image.slice(1, -1);
  }
}

/** An integer literal's value; one past Number.MAX_SAFE_INTEGER is reported and reads as 0. */
export function safeInt(cx: LowerContext, t: IToken): number {
  const v = Number(t.image);
  if (!Number.isSafeInteger(v)) {
    cx.report({
      code: "syntax/number-too-large",
      severity: "error",
      message: `integer \`${t.image.slice(0, 30)}${t.image.length > 30 ? "…" : ""}\` is too large`,
      span: cx.tspan(t),
      hint: `integers must be at most ${Number.MAX_SAFE_INTEGER}`,
    });
    return 0;
  }
  return v;
}

/** A decimal literal's value; one too large for a double (it would be `Infinity`) is reported. */
function finite(cx: LowerContext, t: IToken): number {
  const v = Number(t.image);
  if (!Number.isFinite(v)) {
    cx.report({
      code: "syntax/number-too-large",
      severity: "error",
      message: `number \`${t.image.slice(0, 30)}${t.image.length > 30 ? "…" : ""}\` is too large`,
      span: cx.tspan(t),
      hint: `numbers must be at most ${Number.MAX_VALUE}`,
    });
    return 0;
  }
  return v;
}

/** A string literal, decoded. */
export function stringLit(cx: LowerContext, t: IToken): A.StringLit {
  return { kind: "string", value: decodeString(t.image), span: cx.tspan(t) };
}

/** A duration literal; one longer than MAX_DURATION_DAYS is reported. */
export function duration(cx: LowerContext, t: IToken): A.DurationLit {
  const span = cx.tspan(t);
  const ms = parseDurationLiteral(t.image);
  if (ms === undefined) {
    cx.report({
      code: "syntax/invalid-duration",
      severity: "error",
      message: `duration \`${t.image.length > 30 ? t.image.slice(0, 30) + "…" : t.image}\` is longer than the ${MAX_DURATION_DAYS}d (10,000 years) a duration can be`,
      span,
      hint: "use a shorter duration, e.g. `365d`",
    });
  }
  // Past the limit, the longest duration stands in: no second error (a zero timer or window) follows.
  return { kind: "duration", text: t.image, ms: ms ?? MAX_DURATION_MS, span };
}

/** A `HH:MM` time of day; hours past 23 or minutes past 59 are reported. */
export function timeOfDay(cx: LowerContext, t: IToken): A.TimeOfDay {
  const span = cx.tspan(t);
  const [h, m] = t.image.split(":").map(Number) as [number, number];
  if (h > 23 || m > 59) {
    cx.report({
      code: "syntax/invalid-time",
      severity: "error",
      message: `\`${t.image}\` is not a time of day`,
      span,
      hint: "write times as `HH:MM` from `00:00` to `23:59`",
    });
  }
  return { kind: "time", text: t.image, minutes: Math.min(h, 23) * 60 + Math.min(m, 59), span };
}

/** A literal token of an expression or a test value; any other token is an error node. */
export function literal(cx: LowerContext, t: IToken): A.Expr {
  const span = cx.tspan(t);
  switch (t.tokenType) {
    case T.Kw["true"]:
      return { kind: "bool", value: true, span };
    case T.Kw["false"]:
      return { kind: "bool", value: false, span };
    case T.IntegerLit:
      return { kind: "int", value: safeInt(cx, t), span };
    case T.DecimalLit:
      return { kind: "decimal", value: finite(cx, t), raw: t.image, span };
    case T.StringLit:
      return stringLit(cx, t);
    case T.DateLit: {
      const day = parseDateLiteral(t.image);
      if (day === undefined)
        cx.report({
          code: "syntax/invalid-date",
          severity: "error",
          message: `\`${t.image}\` is not a calendar date`,
          span,
          hint: "write dates as `YYYY-MM-DD` with a real month and day",
        });
      return { kind: "date", text: t.image, day: day ?? 0, span };
    }
    case T.DateTimeLit:
    case T.MalformedDateTime: {
      const ms = parseDateTimeLiteral(t.image);
      if (ms === undefined)
        cx.report({ code: "syntax/invalid-datetime", severity: "error", message: `\`${t.image}\` is not a valid datetime`, span, hint: datetimeHint(t.image) });
      return { kind: "datetime", text: t.image, ms: ms ?? 0, span };
    }
    case T.DurationLit:
      return duration(cx, t);
    default:
      return { kind: "error", span };
  }
}

/** The fix for a timestamp that does not parse: the offset, the `T`, or the calendar. */
function datetimeHint(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (m && (m[3] === undefined || (m[3] !== "Z" && !m[3].includes(":")) || text.includes(" "))) {
    const offset = m[3] === undefined ? "Z" : m[3] === "Z" ? "Z" : `${m[3].slice(0, 3)}:${m[3].slice(-2)}`;
    return `write \`${m[1]}T${m[2]}${offset}\`${m[3] === undefined ? " (`Z` is UTC; or give an offset such as `+01:00`)" : ""}`;
  }
  return "write datetimes as ISO 8601 with an offset, with a real date and time: `2026-05-30T09:00:00Z`";
}
