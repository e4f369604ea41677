// JUnit XML for CI dashboards: one <testsuite> per .journey file (its tests and properties) and
// one for the built-in properties; each failure carries expected vs actual and the rationale.
import type { JourneyMeta } from "../core/artifact.ts";
import type { SourceSet } from "../core/source.ts";
import { rationale } from "./report.ts";
import type { SuiteResult } from "./suite.ts";

/** Escapes text for XML content and attributes; drops characters XML 1.0 cannot hold. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, "\ufffd")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

interface Case {
  readonly name: string;
  readonly classname: string;
  readonly seconds: number;
  readonly file?: string;
  readonly line?: number;
  readonly failure?: { readonly message: string; readonly body: string };
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

export function renderJunit(r: SuiteResult, metas: ReadonlyMap<string, JourneyMeta>, sources?: SourceSet): string {
  const line = (file: string, start: number) => sources?.get(file)?.position(start).line;
  const suites = new Map<string, Case[]>();
  const add = (suite: string, c: Case) => (suites.get(suite) ?? suites.set(suite, []).get(suite)!).push(c);
  for (const t of r.tests) {
    const l = line(t.test.file, t.test.span.start);
    const failure = t.passed
      ? undefined
      : {
          message: t.failures.map((f) => f.expectation.source.replace(/\s+/g, " ")).join("; "),
          body: [
            ...t.failures.flatMap((f) => [`${f.expectation.source.replace(/\s+/g, " ")}`, `  expected  ${f.expected}`, `  actual    ${f.actual}`]),
            ...rationale(t.decision, metas),
          ].join("\n"),
        };
    add(t.test.file, {
      name: t.test.name,
      classname: t.test.file,
      seconds: t.ms,
      file: t.test.file,
      ...(l ? { line: l } : {}),
      ...(failure ? { failure } : {}),
    });
  }
  for (const p of r.properties) {
    const suite = p.builtin ? "built-in properties" : p.file!;
    const l = p.span ? line(p.span.file, p.span.start) : undefined;
    const message = p.failure?.message ?? p.diagnostic?.message ?? "";
    const body = p.failure
      ? [p.failure.message, ...rationale(p.failure.decision, metas), "", p.failure.test].join("\n")
      : p.diagnostic
        ? `${p.diagnostic.message}\n${p.diagnostic.hint ?? ""}`
        : "";
    add(suite, {
      name: p.builtin ? p.name : `property: ${p.name}`,
      classname: suite,
      seconds: p.ms,
      ...(p.file ? { file: p.file } : {}),
      ...(l ? { line: l } : {}),
      ...(p.status === "passed" ? {} : { failure: { message, body } }),
    });
  }
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kairos test" tests="${r.passed + r.failed}" failures="${r.failed}" errors="0" time="${seconds(r.ms)}">`,
  ];
  for (const [name, cases] of suites) {
    const failures = cases.filter((c) => c.failure).length;
    const time = cases.reduce((k, c) => k + c.seconds, 0);
    out.push(`  <testsuite name="${xmlEscape(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="${seconds(time)}">`);
    for (const c of cases) {
      const attrs = `name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}" time="${seconds(c.seconds)}"${c.file ? ` file="${xmlEscape(c.file)}"` : ""}${c.line ? ` line="${c.line}"` : ""}`;
      if (!c.failure) out.push(`    <testcase ${attrs}/>`);
      else
        out.push(
          `    <testcase ${attrs}>`,
          `      <failure message="${xmlEscape(c.failure.message)}" type="AssertionError">${xmlEscape(c.failure.body)}</failure>`,
          "    </testcase>",
        );
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return out.join("\n") + "\n";
}
