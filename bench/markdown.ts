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
 * A profile as tables, in CPU time. The sampling profiler's shares are what it measures well;
 * microseconds are the share × the contender's CPU time (user + system) per decision in the timed
 * passes, and samples spent waiting in a synchronous fdatasync are left out (not CPU) and noted.
 */
export function profileTables(p: ProfileSummary | undefined, title: string, cpuUs: number): string {
  if (!p) return "";
  const us = (share: number) => Math.round((share / 100) * cpuUs * 10) / 10;
  const stages = p.stages.filter((s) => s.pct > 0);
  const stage = table(
    ["stage (callees included)", "share", "≈ CPU µs / decision"],
    stages.map((s) => [
      s.fn === "(everything)"
        ? "the profiled pass, harness included"
        : s.fn.startsWith("    ")
          ? `↳↳ ${s.fn.trim()}`
          : s.fn.startsWith("  ")
            ? `↳ ${s.fn.trim()}`
            : s.fn,
      `${s.pct}%`,
      us(s.pct),
    ]),
  );
  const self = table(
    ["function (self time)", "share", "≈ CPU µs / decision"],
    p.self.slice(0, 12).map((s) => [`\`${s.fn}\``, `${s.pct}%`, us(s.pct)]),
  );
  const wait = p.wait_pct ? ` ${p.wait_pct}% of the samples waited in a synchronous fdatasync: not CPU time, left out of the shares.` : "";
  const itself = p.cpu_us_per_op === undefined ? "" : ` (the profiled pass itself: ${Math.round(p.cpu_us_per_op)} µs`;
  const measured = itself && `${itself} of CPU per decision, profiler included)`;
  const how = `one profiled pass of ${p.ops.toLocaleString("en-US")} decisions, 100 µs sampling`;
  const scale = `CPU µs = share × the ${Math.round(cpuUs)} µs of CPU per decision of the timed passes`;
  return `**${title}** — ${how}; ${scale}${measured}.${wait}\n\n${stage}\n\n${self}\n`;
}
