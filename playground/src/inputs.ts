// The three JSON input panels (request, context, consent records) → one decision request of
// spec §6, validated by the runtime's own request schema. Every problem is located in the
// panel and at the JSON path it concerns, so the page can show it in place.
import type { Catalog } from "../../core/catalog/types.ts";
import { parseJsonText } from "../../runtime/json-text.ts";
import { parseRequest, type DecisionRequest } from "../../runtime/request.ts";
import { lineColumn, locateJsonPath, parsePath, type PathSegment } from "./json-locate.ts";
import type { InputPanel, InputTexts, Marker } from "./protocol.ts";

/** Keys the Request panel holds; the rest of a request file lives in the other two panels. */
const REQUEST_KEYS = ["event", "subject", "now", "region", "history"];
const PANEL_OF: Record<string, InputPanel> = { context: "context", consents: "consents", objections: "consents" };

export type InputsResult =
  | { readonly ok: true; readonly request: DecisionRequest; readonly raw: Record<string, unknown> }
  | { readonly ok: false; readonly markers: readonly Marker[] };

function marker(panel: InputPanel, text: string, start: number, end: number, message: string, hint?: string, code = "input/invalid"): Marker {
  const a = lineColumn(text, start);
  const b = lineColumn(text, Math.max(end, start + 1));
  return {
    file: panel,
    code,
    severity: "error",
    message,
    ...(hint ? { hint } : {}),
    line: a.line,
    column: a.column,
    endLine: b.line,
    endColumn: b.column,
  };
}

function atPath(panel: InputPanel, text: string, path: readonly PathSegment[], message: string, hint?: string): Marker {
  const r = locateJsonPath(text, path);
  return marker(panel, text, r.start, r.end, message, hint);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Parses the panels and validates the assembled request against the runtime's schema and the
 * catalog (when it loaded). Never throws.
 */
export function checkInputs(texts: InputTexts, catalog: Catalog | undefined): InputsResult {
  const markers: Marker[] = [];
  const values: Partial<Record<InputPanel, Record<string, unknown>>> = {};
  for (const panel of ["request", "context", "consents"] as const) {
    const text = texts[panel];
    const parsed = parseJsonText(text);
    if (!parsed.ok) {
      const offset = Math.min(text.length, lineOffset(text, parsed.line) + parsed.column - 1);
      markers.push(marker(panel, text, offset, offset + 1, `invalid JSON: ${parsed.message}`, undefined, "input/json-syntax"));
      continue;
    }
    if (!isObject(parsed.value)) {
      markers.push(marker(panel, text, 0, text.length, "expected a JSON object `{ … }`", undefined, "input/not-object"));
      continue;
    }
    values[panel] = parsed.value;
  }
  if (markers.length > 0) return { ok: false, markers };
  const request = values.request!;
  const consents = values.consents!;
  for (const key of Object.keys(request)) {
    const home = PANEL_OF[key];
    if (home) markers.push(atPath("request", texts.request, [key], `\`${key}\` belongs in the ${home === "context" ? "Context" : "Consents"} panel`));
  }
  for (const key of Object.keys(consents)) {
    if (key !== "consents" && key !== "objections") {
      markers.push(atPath("consents", texts.consents, [key], `unknown key \`${key}\`; expected \`consents\` and \`objections\` (lists)`));
    }
  }
  if (markers.length > 0) return { ok: false, markers };
  const raw: Record<string, unknown> = { ...request, context: values.context!, ...consents };
  const result = parseRequest(raw, catalog);
  if (result.ok) return { ok: true, request: result.value.request, raw };
  for (const p of result.problems) {
    const segments = parsePath(p.path);
    const head = segments[0];
    const panel: InputPanel = typeof head === "string" ? (PANEL_OF[head] ?? "request") : "request";
    const inPanel = panel === "context" ? segments.slice(1) : segments;
    const where = p.path === "(the request)" ? "" : `\`${p.path}\`: `;
    const keyKnown = typeof head !== "string" || REQUEST_KEYS.includes(head) || PANEL_OF[head] !== undefined;
    markers.push(atPath(panel, texts[panel], keyKnown ? inPanel : segments, `${where}${p.message}`, p.hint));
  }
  return { ok: false, markers };
}

function lineOffset(text: string, line: number): number {
  let off = 0;
  for (let i = 1; i < line; i++) {
    const nl = text.indexOf("\n", off);
    if (nl === -1) return text.length;
    off = nl + 1;
  }
  return off;
}
