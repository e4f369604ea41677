// Test helpers: check journey text against a catalog and look at diagnostics the way a user
// sees them — by code, underlined text and hint.
import type { Diagnostic } from "../../core/diagnostics.ts";
import { checkSources, type CheckResult } from "../../compiler/index.ts";
import { SPEC_CATALOG } from "./spec-catalog.ts";

export function checkText(journeys: string | Record<string, string>, catalog: string = SPEC_CATALOG): CheckResult {
  const files = typeof journeys === "string" ? { "test.journey": journeys } : journeys;
  return checkSources({
    catalog: { name: "catalog.yaml", text: catalog },
    journeys: Object.entries(files).map(([name, text]) => ({ name, text })),
    rego: [],
  });
}

export interface Seen {
  code: string;
  severity: string;
  underlined: string;
  message: string;
  hint?: string;
  line: number;
}

/** Diagnostics as the user sees them: code, the underlined source text, message and hint. */
export function seen(r: CheckResult): Seen[] {
  return r.diagnostics.map((d: Diagnostic) => {
    const f = r.sources.get(d.span.file)!;
    const s: Seen = { code: d.code, severity: d.severity, underlined: f.slice(d.span), message: d.message, line: f.position(d.span.start).line };
    if (d.hint !== undefined) s.hint = d.hint;
    return s;
  });
}

/** A minimal valid journey with one clause replaced or added. */
export function journey(overrides: Record<string, string>, id = "j"): string {
  const base: Record<string, string> = {
    purpose: "renewal_marketing",
    on: "daily",
    when: 'policy.status == "active"',
    do: 'email(template: "t")',
    ...overrides,
  };
  const body = Object.entries(base)
    .filter(([, v]) => v !== "")
    .map(([k, v]) => `  ${k} ${v}`)
    .join("\n");
  return `journey ${id} {\n${body}\n}\n`;
}
