// OPA's complaints as Kairos diagnostics. `opa build` reports errors as text —
// `bad.rego:5: rego_parse_error: unexpected } token`, a parse error followed by the source
// line and a caret — so the text is parsed here into reports, and each report becomes an
// `opa/*` diagnostic with a span in the policy set's own .rego file (the renderer then prints
// a code frame like for any other stage). Pure and browser-safe: no node: imports.
import type { Diagnostic } from "../../core/diagnostics.ts";
import type { SourceFile, Span } from "../../core/source.ts";
import type { OpaBuildProblem } from "./backend.ts";
import type { OpaCode } from "./codes.ts";

/** One error OPA reported, located in a file of the bundle. */
export interface OpaReport {
  /** The file's name inside the bundle, as OPA printed it. */
  readonly file: string;
  /** 1-based line. */
  readonly row: number;
  /** OPA's own code: `rego_parse_error`, `rego_type_error`, `rego_unsafe_var_error`, … */
  readonly code: string;
  readonly message: string;
  /** For parse errors: the source line as OPA printed it (leading tabs dropped) and the caret's indent in bytes. */
  readonly caret?: { readonly line: string; readonly indent: number };
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The located errors in OPA's error output. Only errors in `names` (the bundled files) are
 * recognised: OPA prints paths relative to the folder it built, possibly after a prefix such
 * as `error: 1 error occurred: ` on the same line. Lines that follow an error and are not one
 * belong to its message (multi-line messages) or, for a parse error, are its caret detail.
 */
export function parseOpaOutput(output: string, names: readonly string[]): OpaReport[] {
  if (names.length === 0) return [];
  const head = new RegExp(
    `(?:^|[\\s:])(?:\\./)?(${[...names]
      .sort((a, b) => b.length - a.length)
      .map(escape)
      .join("|")}):(\\d+): (rego_[a-z_]+): (.*)$`,
  );
  const reports: { file: string; row: number; code: string; message: string[]; caret?: { line: string; indent: number } }[] = [];
  const lines = output.replace(/\r\n?/g, "\n").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const m = head.exec(line);
    if (m) {
      reports.push({ file: m[1]!, row: Number(m[2]), code: m[3]!, message: [m[4]!.trim()] });
      continue;
    }
    const last = reports[reports.length - 1];
    if (!last || line.trim() === "") continue;
    // A parse error's detail: the line (tab-indented by OPA) and a caret line under it.
    const next = lines[i + 1];
    if (last.code === "rego_parse_error" && !last.caret && line.startsWith("\t") && next !== undefined && /^\t *\^$/.test(next)) {
      last.caret = { line: line.slice(1), indent: next.length - 2 };
      i++;
      continue;
    }
    last.message.push(line.trim());
  }
  return reports.map((r) => ({ file: r.file, row: r.row, code: r.code, message: r.message.join(" "), ...(r.caret ? { caret: r.caret } : {}) }));
}

/** What the diagnostics of one OPA problem are about: the Rego files by bundle name, and where to point otherwise. */
export interface OpaDiagnosticContext {
  /** The policy set's own Rego, by name inside the bundle (empty for the standard policies). */
  readonly files: ReadonlyMap<string, SourceFile>;
  /** Where a problem with no line of its own points: the first Rego file, or the catalog. */
  readonly anchor: Span;
  /** `check` reports a missing OPA CLI as a warning (the Rego was not checked), `artifact` as an error. */
  readonly mode: "check" | "artifact";
}

const PARSE_HINT = "Kairos builds the policies with OPA 1.x, which reads Rego v1: a rule body needs `if` (`allow if { … }`), a multi-value rule `contains`";

/** The diagnostics of a build that produced no bundle. */
export function opaProblemDiagnostics(problem: OpaBuildProblem, ctx: OpaDiagnosticContext): Diagnostic[] {
  if (problem.kind === "cli-missing") {
    return ctx.mode === "check"
      ? [diag("opa/rego-not-checked", "warning", `the Rego policies were not checked: ${problem.message}`, ctx.anchor, problem.hint)]
      : [diag("opa/cli-missing", "error", `the Rego policies cannot be built: ${problem.message}`, ctx.anchor, problem.hint)];
  }
  const reports = parseOpaOutput(problem.output, [...ctx.files.keys()]);
  const out: Diagnostic[] = [];
  for (const r of reports) {
    const file = ctx.files.get(r.file);
    if (!file) continue;
    if (r.code === "rego_parse_error") out.push(diag("opa/rego-parse-error", "error", r.message, parseSpan(file, r), PARSE_HINT));
    else
      out.push(
        diag(
          "opa/rego-compile-error",
          "error",
          r.message,
          lineSpan(file, r),
          `OPA's compiler reports it as \`${r.code}\` (the Rego language: https://www.openpolicyagent.org/docs/policy-language)`,
        ),
      );
  }
  if (out.length > 0) return out;
  // Nothing tied to a line: OPA's whole message, on one line, without its `error: ` prefix.
  const text =
    problem.output
      .replace(/^error: /, "")
      .replace(/\s*\n\s*/g, " ")
      .trim() || "no output";
  return [
    diag(
      "opa/build-failed",
      "error",
      `\`opa build\` failed: ${text}`,
      ctx.anchor,
      "build the policies with the OPA CLI (`opa build -t wasm`) to see OPA's full report; docs/opa-contract.md lists the entrypoints Kairos needs",
    ),
  ];
}

function diag(code: OpaCode, severity: Diagnostic["severity"], message: string, span: Span, hint: string): Diagnostic {
  return { code, severity, message, span, hint };
}

/** The token a parse error's caret points at (one character when it is not a word). */
function parseSpan(file: SourceFile, r: OpaReport): Span {
  const text = file.lineText(r.row);
  const tabs = /^\t*/.exec(text)![0].length;
  // The caret's indent counts UTF-8 bytes of the line without its leading tabs.
  const indent = r.caret ? utf16Length(text.slice(tabs), r.caret.indent) : 0;
  const start = file.offset(r.row, tabs + indent + 1);
  const word = /^[A-Za-z0-9_.]+/.exec(file.text.slice(start, start + 200))?.[0];
  const end = Math.min(file.text.length, start + (word ? word.length : 1));
  return file.span(start, text.length === 0 ? start : end);
}

/** A compile error's line; narrowed to the name its message is about when the line shows it. */
function lineSpan(file: SourceFile, r: OpaReport): Span {
  const text = file.lineText(r.row);
  const lineStart = file.offset(r.row, 1);
  const name = /\b(?:var|function|ref|rule) ([A-Za-z_][\w.]*)/.exec(r.message)?.[1];
  if (name) {
    const at = new RegExp(`(?<![\\w.])${escapeRegExp(name)}(?![\\w])`).exec(text);
    if (at) return file.span(lineStart + at.index, lineStart + at.index + name.length);
  }
  const lead = /^\s*/.exec(text)![0].length;
  return file.span(lineStart + lead, lineStart + text.trimEnd().length);
}

/** How many UTF-16 units the first `bytes` UTF-8 bytes of `text` are. */
function utf16Length(text: string, bytes: number): number {
  let n = 0;
  let b = 0;
  for (const ch of text) {
    if (b >= bytes) break;
    const cp = ch.codePointAt(0)!;
    b += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    n += ch.length;
  }
  return n + Math.max(0, bytes - b);
}
