// Reading a test statement's arguments: a cursor that reports, at the argument, what was
// expected and what was found; and the conversion of `given` values to the JSON a context
// provider would answer, checked against the catalog's field types.
import type * as A from "../syntax/ast.ts";
import type { FieldType } from "../../core/catalog/types.ts";
import { didYouMean, type Diagnostic } from "../../core/diagnostics.ts";
import { parseDateLiteral, parseDateTimeLiteral, parseDurationLiteral } from "../../core/literals.ts";
import { printValue } from "../format/format-tests.ts";
import type { Span } from "../../core/source.ts";

export type Report = (code: string, message: string, span: Span, hint?: string, severity?: "error" | "warning") => void;

/** Collects diagnostics with the house shape. */
export function reporter(out: Diagnostic[]): Report {
  return (code, message, span, hint, severity = "error") => {
    const d: Diagnostic = { code, severity, message, span };
    out.push(hint === undefined ? d : { ...d, hint });
  };
}

/** How a found argument reads in a message: `` `x` `` or "the end of the line". */
export function found(v: A.TestValue | undefined): string {
  if (!v) return "the end of the line";
  const text = printValue(v);
  return `\`${text.length > 40 ? text.slice(0, 40) + "…" : text}\``;
}

export interface Timestamp {
  readonly text: string;
  readonly ms: number;
}

/** A cursor over one statement's arguments. */
export class Args {
  private i = 0;
  readonly stmt: A.TestStatement;
  private readonly report: Report;

  constructor(stmt: A.TestStatement, report: Report) {
    this.stmt = stmt;
    this.report = report;
  }

  get done(): boolean {
    return this.i >= this.stmt.args.length;
  }

  peek(): A.TestValue | undefined {
    return this.stmt.args[this.i];
  }

  next(): A.TestValue | undefined {
    return this.stmt.args[this.i++];
  }

  /** Where to point when an argument is missing: the last thing on the line. */
  get end(): Span {
    const last = this.stmt.args[this.i - 1] ?? this.stmt.args[this.stmt.args.length - 1];
    return last?.span ?? this.stmt.keyword.span;
  }

  private missing(what: string, v: A.TestValue | undefined, hint?: string): void {
    this.report("test/bad-argument", `\`${this.stmt.keyword.name}\` needs ${what}, found ${found(v)}`, v?.span ?? this.end, hint);
  }

  /** A plain or dotted word (`renewal_marketing`, `claim.filed`). */
  word(what: string, hint?: string): { name: string; span: Span } | undefined {
    const v = this.next();
    if (v?.kind === "word") return { name: v.text, span: v.span };
    this.missing(what, v, hint);
    return undefined;
  }

  /** Is the next argument this word? Consumes it when it is. */
  accept(word: string): A.TestValue | undefined {
    const v = this.peek();
    if (v?.kind === "word" && v.text === word) {
      this.i++;
      return v;
    }
    return undefined;
  }

  datetime(what: string): Timestamp | undefined {
    return datetimeValue(this.next(), `\`${this.stmt.keyword.name}\` needs ${what}`, this.report, this.end);
  }

  duration(what: string): { label: string; ms: number } | undefined {
    const v = this.next();
    if (v?.kind === "literal" && v.value.kind === "duration") return { label: v.value.text, ms: v.value.ms };
    this.missing(what, v, "write a duration such as `3d`, `12h` or `2w`");
    return undefined;
  }

  /** A string literal (or, where `words` allows, a word). */
  text(what: string, words = false): { value: string; span: Span } | undefined {
    const v = this.next();
    if (v?.kind === "literal" && v.value.kind === "string") return { value: v.value.value, span: v.span };
    if (words && v?.kind === "word") return { value: v.text, span: v.span };
    this.missing(what, v, v?.kind === "word" ? `write it as a string: \`"${v.text}"\`` : undefined);
    return undefined;
  }

  integer(what: string): { value: number; span: Span } | undefined {
    const v = this.next();
    if (v?.kind === "literal" && v.value.kind === "int") return { value: v.value.value, span: v.span };
    this.missing(what, v);
    return undefined;
  }

  /** Reports every argument left over. */
  finish(after: string): void {
    const v = this.peek();
    if (!v) return;
    this.report(
      "test/bad-argument",
      `unexpected ${found(v)} after ${after}`,
      v.span,
      `one \`${this.stmt.keyword.name}\` per line; see docs/testing.md for its form`,
    );
    this.i = this.stmt.args.length;
  }

  /**
   * Optional `name value` pairs in any order (`at T`, `channel email`, …). Each name appears
   * once; an unknown one gets a "did you mean".
   */
  options(names: readonly string[], read: (name: string, word: A.TestValue & { kind: "word" }) => void): void {
    const seen = new Set<string>();
    while (!this.done) {
      const v = this.next()!;
      if (v.kind !== "word" || !names.includes(v.text)) {
        const hint = v.kind === "word" ? didYouMean(v.text, names) : undefined;
        this.report(
          "test/bad-argument",
          `unexpected ${found(v)} in \`${this.stmt.keyword.name}\``,
          v.span,
          hint ??
            (names.length
              ? `\`${this.stmt.keyword.name}\` takes ${names.map((n) => `\`${n} …\``).join(", ")}`
              : `\`${this.stmt.keyword.name}\` takes nothing more`),
        );
        continue;
      }
      if (seen.has(v.text)) this.report("test/duplicate-statement", `\`${v.text}\` is given twice`, v.span, "keep one of them");
      seen.add(v.text);
      read(v.text, v);
    }
  }
}

/** A datetime argument; a date or a malformed timestamp gets a diagnostic that shows the fix. */
export function datetimeValue(v: A.TestValue | undefined, need: string, report: Report, at: Span): Timestamp | undefined {
  if (v?.kind === "literal" && v.value.kind === "datetime") {
    const ms = parseDateTimeLiteral(v.value.text);
    return ms === undefined ? undefined : { text: v.value.text, ms }; // a bad one was reported by the parser
  }
  if (v?.kind === "literal" && v.value.kind === "date") {
    report(
      "test/bad-argument",
      `${need} (a datetime with an offset), but \`${v.value.text}\` is a date`,
      v.span,
      `write \`${v.value.text}T00:00:00Z\`, or the time you mean`,
    );
    return undefined;
  }
  report("test/bad-argument", `${need} (a datetime), found ${found(v)}`, v?.span ?? at, "write an ISO 8601 datetime with an offset: `2026-03-02T10:00:00Z`");
  return undefined;
}

/** The language's name of a catalog type, for messages. */
export function typeText(t: FieldType): string {
  switch (t.kind) {
    case "scalar":
      return t.name;
    case "enum":
      return `enum (${t.values.map((v) => `"${v}"`).join(", ")})`;
    case "list":
      return t.of.kind === "record" ? `list of {${[...t.of.members.keys()].join(", ")}}` : `list of ${typeText(t.of.type)}`;
  }
}

/**
 * Converts a `given` value to the JSON a provider answers with (dates and datetimes as the
 * text written), checking it against the field's type. `what` names it in messages.
 */
export function jsonValue(v: A.TestValue, type: FieldType, what: string, report: Report): unknown {
  // A value the parser could not read (already reported as a syntax error): no second error.
  if (v.kind === "other" && v.text === "") return undefined;
  const bad = (hint?: string): undefined => {
    report("test/value-type", `${what} is ${typeText(type)}, but this is ${describe(v)}`, v.span, hint);
    return undefined;
  };
  const lit = v.kind === "literal" ? v.value : undefined;
  switch (type.kind) {
    case "enum": {
      if (lit?.kind === "string") {
        if (type.values.includes(lit.value)) return lit.value;
        report(
          "test/unknown-enum-value",
          `\`"${lit.value}"\` is not a value of ${what}, whose values are ${type.values.map((x) => `\`"${x}"\``).join(", ")}`,
          v.span,
          didYouMean(lit.value, type.values) ?? "use one of its values",
        );
        return undefined;
      }
      return bad(v.kind === "word" ? `write it as a string: \`"${v.text}"\`` : `its values are ${type.values.map((x) => `"${x}"`).join(", ")}`);
    }
    case "list": {
      if (v.kind !== "list") return bad("write a list: `[…]`");
      const out: unknown[] = [];
      v.items.forEach((item, i) => {
        const of = type.of;
        const x = of.kind === "type" ? jsonValue(item, of.type, `${what}[${i}]`, report) : recordValue(item, of.members, `${what}[${i}]`, report);
        if (x !== undefined) out.push(x);
      });
      return out.length === v.items.length ? out : undefined;
    }
    case "scalar":
      switch (type.name) {
        case "int":
          if (lit?.kind === "int") return lit.value;
          return bad(
            lit?.kind === "string" && /^-?\d+$/.test(lit.value) ? "remove the quotes" : lit?.kind === "decimal" ? "an int has no decimal point" : undefined,
          );
        case "decimal":
          if (lit?.kind === "int" || lit?.kind === "decimal") return lit.value;
          return bad(lit?.kind === "string" && /^-?\d+(\.\d+)?$/.test(lit.value) ? "remove the quotes" : undefined);
        case "bool":
          if (v.kind === "word" && (v.text === "true" || v.text === "false")) return v.text === "true";
          return bad("write `true` or `false`");
        case "string":
          if (lit?.kind === "string") return lit.value;
          return bad(v.kind === "word" ? `write it as a string: \`"${v.text}"\`` : lit ? 'write it as a string: `"…"`' : undefined);
        case "date":
          if (lit?.kind === "date") return parseDateLiteral(lit.text) === undefined ? undefined : lit.text;
          return bad(lit?.kind === "datetime" ? `a date has no time: \`${lit.text.slice(0, 10)}\`` : "write a date such as `2026-05-31`");
        case "datetime":
          if (lit?.kind === "datetime") return parseDateTimeLiteral(lit.text) === undefined ? undefined : lit.text;
          return bad(
            lit?.kind === "date"
              ? `write \`${lit.text}T00:00:00Z\`, or the time you mean`
              : "write an ISO 8601 datetime with an offset: `2026-03-02T10:00:00Z`",
          );
        case "duration":
          if (lit?.kind === "duration") return parseDurationLiteral(lit.text) === undefined ? undefined : lit.text;
          return bad("write a duration such as `30d`");
      }
  }
}

/** A `{ member: value, … }` element of a list of records: every member, none unknown. */
function recordValue(v: A.TestValue, members: ReadonlyMap<string, FieldType>, what: string, report: Report): unknown {
  if (v.kind !== "record") {
    report(
      "test/value-type",
      `${what} is a record {${[...members.keys()].join(", ")}}, but this is ${describe(v)}`,
      v.span,
      `write \`{ ${[...members.keys()].map((k) => `${k}: …`).join(", ")} }\``,
    );
    return undefined;
  }
  const out: Record<string, unknown> = {};
  let ok = true;
  for (const f of v.fields) {
    const t = members.get(f.name.name);
    if (!t) {
      report(
        "test/unknown-member",
        `${what} has no member \`${f.name.name}\``,
        f.name.span,
        didYouMean(f.name.name, members.keys()) ?? `its members are ${[...members.keys()].map((k) => `\`${k}\``).join(", ")}`,
      );
      ok = false;
      continue;
    }
    // Own properties only: a member named `constructor` is not set before it is.
    if (Object.hasOwn(out, f.name.name)) {
      report("test/duplicate-field", `member \`${f.name.name}\` is set twice`, f.name.span, "keep one of them");
      ok = false;
      continue;
    }
    const x = jsonValue(f.value, t, `\`${f.name.name}\``, report);
    if (x === undefined) ok = false;
    else out[f.name.name] = x;
  }
  for (const name of members.keys()) {
    if (!v.fields.some((f) => f.name.name === name)) {
      report(
        "test/missing-member",
        `${what} has no \`${name}\``,
        v.span,
        `every element of this list has ${[...members.keys()].map((k) => `\`${k}\``).join(", ")}`,
      );
      ok = false;
    }
  }
  return ok ? out : undefined;
}

function describe(v: A.TestValue): string {
  switch (v.kind) {
    case "word":
      return v.text === "true" || v.text === "false" ? "a bool" : `the word \`${v.text}\``;
    case "literal":
      return v.value.kind === "int" ? "an int" : `a ${v.value.kind}`;
    case "record":
      return "a record";
    case "list":
      return "a list";
    case "args":
      return "an argument list";
    case "other":
      return `\`${v.text}\``;
  }
}
