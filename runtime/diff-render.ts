// How a diff's summary (runtime/diff.ts DiffReport) reads: plain text for a terminal, Markdown for
// a pull request or a review ticket, JSON for scripts. One report, three renderings, the same
// bytes for the same report (no dates, no locale): golden files hold `kairos diff` to them.
import type { DiffExample, DiffReport, Transition } from "./diff.ts";

/** The renderings of a diff report. */
export type DiffFormat = "text" | "md" | "json";

/** Renders a diff report; every rendering ends with a newline. */
export function renderDiff(report: DiffReport, format: DiffFormat): string {
  if (format === "json") return `${JSON.stringify(report, null, 2)}\n`;
  return format === "md" ? markdown(report) : text(report);
}

/** 12345 → "12,345", whatever the locale. */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** The change from `a` to `b`: "+12 (+4.0%)", "-3 (-100.0%)", "+5 (new)", "0". */
export function change(a: number, b: number): string {
  const d = b - a;
  if (d === 0) return "0";
  const sign = d > 0 ? "+" : "-";
  const pct = a === 0 ? "new" : `${sign}${((Math.abs(d) / a) * 100).toFixed(1)}%`;
  return `${sign}${thousands(Math.abs(d))} (${pct})`;
}

/** ` NAME (HASH12)`, or nothing when the version is not named. */
function version(label: { name: string; hash: string } | undefined): string {
  return label === undefined ? "" : ` ${label.name} (${label.hash.slice(0, 12)})`;
}

function share(part: number, whole: number): string {
  return whole === 0 ? "0.0%" : `${((part / whole) * 100).toFixed(1)}%`;
}

function heading(r: DiffReport): string[] {
  const lines = [
    `compared ${thousands(r.compared)} request${r.compared === 1 ? "" : "s"} of ${thousands(r.subjects)} subject${r.subjects === 1 ? "" : "s"}` +
      ` under OLD${version(r.old)} and NEW${version(r.new)}`,
  ];
  const s = r.source;
  if (s !== undefined) {
    const made: string[] = [];
    if (s.made_by_old) made.push(`${thousands(s.made_by_old)} by OLD`);
    if (s.made_by_new) made.push(`${thousands(s.made_by_new)} by NEW`);
    if (s.made_by_other) made.push(`${thousands(s.made_by_other)} by another artifact`);
    lines.push(`source: ${s.description}, ${thousands(s.entries)} entries${made.length ? ` made ${made.join(", ")}` : ""}`);
    if (s.skipped) lines.push(`${thousands(s.skipped)} entries were not re-decided (no sealed request, purged, or erased subject)`);
    if (s.made_by_old < s.entries - s.skipped) lines.push("note: OLD did not make every entry: OLD's column is what OLD would decide, not what was decided");
  }
  lines.push(
    r.changed === 0 ? "no decision changes" : `changed: ${thousands(r.changed)} of ${thousands(r.compared)} decisions (${share(r.changed, r.compared)})`,
  );
  return lines;
}

function transitionTitle(t: Transition): string {
  const what = t.kind === "rationale" ? " (same outcome, another rationale)" : t.kind === "denials" ? " (same outcome, other denials)" : "";
  return `${t.journey}: ${t.from} → ${t.to}${what}`;
}

function exampleLines(e: DiffExample, indent: string): string[] {
  const head = `${indent}${e.subject} at ${e.at} (decision ${e.decision_id.slice(0, 12)})`;
  return [head, `${indent}  old: ${e.old ?? "—"}`, `${indent}  new: ${e.new ?? "—"}`];
}

function text(r: DiffReport): string {
  const out = heading(r);
  if (r.outcomes.length) {
    out.push("", "outcomes");
    const w = Math.max(8, ...r.outcomes.map((o) => o.outcome.length));
    const nw = Math.max(3, ...r.outcomes.map((o) => Math.max(thousands(o.old).length, thousands(o.new).length)));
    out.push(`  ${"".padEnd(w)}  ${"OLD".padStart(nw)}  ${"NEW".padStart(nw)}  change`);
    for (const o of r.outcomes)
      out.push(`  ${o.outcome.padEnd(w)}  ${thousands(o.old).padStart(nw)}  ${thousands(o.new).padStart(nw)}  ${change(o.old, o.new)}`);
  }
  if (r.transitions.length) {
    out.push("", "transitions per journey");
    for (const t of r.transitions) {
      out.push(`  ${transitionTitle(t)}: ${thousands(t.count)}`);
      for (const e of t.examples) out.push(...exampleLines(e, "    "));
    }
  }
  const reachChanged = r.reach.filter((x) => x.reached || x.dropped);
  out.push("", "subjects");
  const any = r.reach[0];
  out.push(
    `  newly reached: ${thousands(any?.reached ?? 0)}, dropped: ${thousands(any?.dropped ?? 0)}` +
      " (acted on in some request under one version, never under the other)",
  );
  for (const x of reachChanged) if (x !== any) out.push(`    ${x.journey}: +${thousands(x.reached)} reached, -${thousands(x.dropped)} dropped`);
  if (r.reached_examples.length) out.push(`  e.g. newly reached: ${r.reached_examples.join(", ")}`);
  if (r.dropped_examples.length) out.push(`  e.g. dropped: ${r.dropped_examples.join(", ")}`);
  out.push("", "consent and residency denials");
  if (!r.denials.length) out.push("  none added or removed");
  for (const d of r.denials) out.push(`  ${d.journey} ${d.code}: +${thousands(d.added)} added, -${thousands(d.removed)} removed`);
  return `${out.join("\n")}\n`;
}

/** `|` and line breaks would break a table cell. */
function cell(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function markdown(r: DiffReport): string {
  const out = ["# What the change does", "", ...heading(r).map((l) => `- ${cell(l)}`)];
  if (r.outcomes.length) {
    out.push("", "## Outcomes", "", "| outcome | OLD | NEW | change |", "|---|---:|---:|---:|");
    for (const o of r.outcomes) out.push(`| ${o.outcome} | ${thousands(o.old)} | ${thousands(o.new)} | ${change(o.old, o.new)} |`);
  }
  if (r.transitions.length) {
    out.push("", "## Transitions per journey", "", "| journey | OLD | NEW | decisions |", "|---|---|---|---:|");
    for (const t of r.transitions) {
      const note = t.kind === "rationale" ? " (another rationale)" : t.kind === "denials" ? " (other denials)" : "";
      out.push(`| ${cell(t.journey)} | ${cell(t.from)} | ${cell(t.to)}${note} | ${thousands(t.count)} |`);
    }
    const withExamples = r.transitions.filter((t) => t.examples.length);
    if (withExamples.length) {
      out.push("", "### Examples");
      for (const t of withExamples) {
        out.push("", `**${cell(transitionTitle(t))}**`, "", "| subject | at | OLD's rationale | NEW's rationale |", "|---|---|---|---|");
        for (const e of t.examples) out.push(`| \`${cell(e.subject)}\` | ${e.at} | ${cell(e.old ?? "—")} | ${cell(e.new ?? "—")} |`);
      }
    }
  }
  out.push("", "## Subjects", "", "| journey | newly reached | dropped |", "|---|---:|---:|");
  for (const x of r.reach)
    if (x.journey === r.reach[0]?.journey || x.reached || x.dropped) out.push(`| ${cell(x.journey)} | ${thousands(x.reached)} | ${thousands(x.dropped)} |`);
  if (r.reached_examples.length) out.push("", `Newly reached, e.g.: ${r.reached_examples.map((s) => `\`${cell(s)}\``).join(", ")}`);
  if (r.dropped_examples.length) out.push("", `Dropped, e.g.: ${r.dropped_examples.map((s) => `\`${cell(s)}\``).join(", ")}`);
  out.push("", "## Consent and residency denials", "");
  if (!r.denials.length) out.push("None added or removed.");
  else {
    out.push("| journey | denial | added | removed |", "|---|---|---:|---:|");
    for (const d of r.denials) out.push(`| ${cell(d.journey)} | ${d.code} | ${thousands(d.added)} | ${thousands(d.removed)} |`);
  }
  return `${out.join("\n")}\n`;
}
