// Markdown helpers of the generated benchmark report (docs/benchmarks.md): numbers as people
// read them, ratios, verdicts, aligned tables and CPU profiles as tables.
import type { ProfileSummary } from "./contenders/profile.ts";

/** A cell: thousands separated from 1,000 on, empty for nothing. */
export const num = (x: unknown): string =>
  typeof x === "number" ? (Math.abs(x) >= 1000 ? Math.round(x).toLocaleString("en-US") : String(x)) : x === undefined || x === null ? "" : String(x);
/** `3.2×`, or `12×` from 10 on. */
export const ratio = (x: number): string => (x >= 10 ? `${Math.round(x)}×` : `${Math.round(x * 100) / 100}×`);
export const verdict = (pass: boolean): string => (pass ? "**pass**" : "**FAIL**");

/** A markdown table; the first column left-aligned, the others right-aligned unless `align` says. */
export function table(head: readonly string[], rows: readonly (readonly unknown[])[], align?: readonly ("l" | "r")[]): string {
  const a = head.map((_, i) => ((align?.[i] ?? (i === 0 ? "l" : "r")) === "l" ? ":---" : "---:"));
  const cell = (v: unknown) => num(v).replace(/\|/g, "\\|");
  return [`| ${head.join(" | ")} |`, `| ${a.join(" | ")} |`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
}

/**
 * A profile as tables. The sampling profiler measures wall-clock time, so on a loaded machine
 * its absolute times stretch; shares are what it measures well. Microseconds are the share of
 * the contender's mean wall-clock time per decision in the timed passes.
 */
export function profileTables(p: ProfileSummary | undefined, title: string, meanUs: number): string {
  if (!p) return "";
  const us = (share: number) => Math.round((share / 100) * meanUs * 10) / 10;
  const stages = p.stages.filter((s) => s.pct > 0);
  const stage = table(
    ["stage (callees included)", "share", "≈ µs / decision"],
    stages.map((s) => [
      s.fn === "(everything)" ? "the profiled pass, harness included" : s.fn.startsWith("  ") ? `↳ ${s.fn.trim()}` : s.fn,
      `${s.pct}%`,
      us(s.pct),
    ]),
  );
  const self = table(
    ["function (self time)", "share", "≈ µs / decision"],
    p.self.slice(0, 12).map((s) => [`\`${s.fn}\``, `${s.pct}%`, us(s.pct)]),
  );
  return `**${title}** — one profiled pass of ${p.ops.toLocaleString("en-US")} decisions, 100 µs sampling; µs = share × the mean ${Math.round(meanUs)} µs per decision of the timed passes\n\n${stage}\n\n${self}\n`;
}
