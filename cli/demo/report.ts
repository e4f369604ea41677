// The demo's summary: outcomes per journey node and per reason, as aligned text tables.
import type { Decision, Outcome } from "../../runtime/decision.ts";

export const OUTCOME_COLUMNS: readonly Outcome[] = [
  "acted",
  "deferred",
  "held_out",
  "pending_review",
  "capped",
  "suppressed",
  "denied_consent",
  "denied_residency",
  "no_match",
  "error",
];

/** Renders rows as an aligned table; numbers right-aligned, zeros shown as `·`. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((r) => r.map((c) => (c === 0 ? "·" : typeof c === "number" ? c.toLocaleString("en-US") : c)));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number" || /^[\d.,]+%?$/.test(String(r[i]))));
  const line = (r: readonly string[], _isHeader: boolean) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(cells[0]!, true), widths.map((w) => "─".repeat(w)).join("  "), ...cells.slice(1).map((r) => line(r, false))].join("\n");
}

/** Evaluations per journey × outcome (a candidate's own outcome, winner or not). */
export function outcomesPerJourney(decisions: readonly Decision[]): string {
  const counts = new Map<string, Map<Outcome, number>>();
  for (const d of decisions) {
    for (const e of d.evaluations) {
      const row = counts.get(e.journey) ?? new Map<Outcome, number>();
      row.set(e.outcome, (row.get(e.outcome) ?? 0) + 1);
      counts.set(e.journey, row);
    }
  }
  const cols = OUTCOME_COLUMNS.filter((o) => [...counts.values()].some((r) => r.has(o)));
  const rows = [...counts.keys()].sort().map((j) => [j, ...cols.map((o) => counts.get(j)!.get(o) ?? 0)]);
  return table(["journey", ...cols], rows);
}

/** Decisions by their own outcome. */
export function decisionsByOutcome(decisions: readonly Decision[]): string {
  const counts = new Map<Outcome, number>();
  for (const d of decisions) counts.set(d.outcome, (counts.get(d.outcome) ?? 0) + 1);
  const rows = OUTCOME_COLUMNS.filter((o) => counts.has(o)).map((o) => [o, counts.get(o)!, `${((counts.get(o)! / decisions.length) * 100).toFixed(1)}%`]);
  return table(["decision outcome", "decisions", "share"], rows);
}

/** Why candidates did not act: reason codes behind denials, caps and errors. */
export function reasons(decisions: readonly Decision[]): string {
  const counts = new Map<string, { outcome: Outcome; n: number; example: string }>();
  for (const d of decisions) {
    for (const e of d.evaluations) {
      if (e.outcome === "acted" || e.outcome === "no_match") continue;
      // The reasons that stopped the candidate, once each (not the bases that were satisfied).
      const stopping = (e.reasons ?? []).filter((r) => !SATISFIED.has(r.code));
      const unique = [...new Map((stopping.length ? stopping : [{ code: e.outcome, message: "" }]).map((r) => [r.code, r])).values()];
      for (const r of unique) {
        const key = `${e.outcome}|${r.code}`;
        const c = counts.get(key);
        if (c) c.n++;
        else counts.set(key, { outcome: e.outcome, n: 1, example: r.message });
      }
    }
  }
  const rows = [...counts.entries()]
    .sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => [v.outcome, k.split("|")[1]!, v.n, clip(v.example, 64)]);
  return table(["outcome", "reason", "count", "for example"], rows);
}

/** Reason codes that say a lawful basis held: context, not why a candidate was stopped. */
const SATISFIED = new Set(["consent_granted", "asserted_by_controller", "no_objection_or_refusal"]);

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}
