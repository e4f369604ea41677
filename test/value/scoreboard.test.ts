// The scoreboard's renderers (server/value/render-md.ts, render-html.ts, svg.ts, format.ts) on a
// hand-built report (scoreboard-fixture.ts) that holds every state they draw: each journey and
// figure is printed, harm goals and stopped journeys read as such, the HTML page fetches nothing
// and runs nothing, user text is escaped, charts put their marks where the numbers say.
import { describe, expect, it } from "vitest";
import { count, money, moneySigned, num, pct, pp, rel, withInterval } from "../../server/value/format.ts";
import { renderValueHtml } from "../../server/value/render-html.ts";
import { renderValueMarkdown } from "../../server/value/render-md.ts";
import { scoreboard, upliftTone } from "../../server/value/scoreboard.ts";
import { barChart, intervalChart, niceStep } from "../../server/value/svg.ts";
import type { ValueReport } from "../../server/value/types.ts";
import { REPORT } from "./scoreboard-fixture.ts";

function journey(id: string) {
  const j = REPORT.journeys.find((x) => x.journey === id);
  if (!j) throw new Error(`no journey ${id} in the fixture`);
  return j;
}

describe("numbers", () => {
  it("writes percentages, points, money and intervals the same way everywhere", () => {
    expect(pct(0.1234)).toBe("12.3%");
    expect(pct(0.004)).toBe("0.4%");
    expect(pct(0.03)).toBe("3%");
    expect(pct(1)).toBe("100%");
    expect(pp(0.021)).toBe("+2.1 pp");
    expect(pp(-0.106)).toBe("-10.6 pp");
    expect(pp(0)).toBe("0 pp");
    expect(rel(0.198)).toBe("+19.8%");
    expect(money(1234.5, "EUR")).toBe("EUR 1,234.50");
    expect(money(0.02 / 15, "EUR")).toBe("EUR 0.0013");
    expect(money(0, "EUR")).toBe("EUR 0.00");
    expect(moneySigned(-12, "EUR")).toBe("EUR -12.00");
    expect(moneySigned(206174, "EUR")).toBe("EUR +206,174.00");
    expect(count(1842)).toBe("1,842");
    expect(num(-0.001, 2)).toBe("0.00");
    expect(withInterval({ estimate: 0.101, low: 0.027, high: 0.176 }, pp)).toBe("+10.1 pp (+2.7 pp to +17.6 pp)");
    expect(withInterval({ estimate: 0.5, low: null, high: null }, pct)).toBe("50%");
  });

  it("prints a figure the data cannot give as a dash, never NaN or Infinity", () => {
    for (const f of [pct, pp, rel, count]) {
      expect(f(null)).toBe("—");
      expect(f(Number.NaN)).toBe("—");
      expect(f(Number.POSITIVE_INFINITY)).toBe("—");
    }
    expect(money(null, "EUR")).toBe("—");
    expect(withInterval({ estimate: null, low: null, high: null }, pp)).toBe("—");
    expect(withInterval(undefined, pp)).toBe("—");
  });
});

describe("the Markdown report", () => {
  const md = renderValueMarkdown(REPORT);

  it("has a line per journey node with its arms, uplift and interval, cost, return and stop-loss state", () => {
    expect(md.startsWith("# Kairos: proof of value\n")).toBe(true);
    expect(md).toContain(
      "| `renewal_reminder_d90` | `renewal` within 30d | 1,842 | 203 | 61.2% | 51.1% | +10.1 pp (+2.7 pp to +17.6 pp) | 170.3 | EUR 36.00 | " +
        "EUR +206,174.00 | — |",
    );
    expect(md).toMatch(/\| `referral_invite` \|[^\n]*\| \*\*stopped\*\* \|/);
    expect(md).toMatch(/\| `service_recovery` \| — \| 21 \| 0 \|/);
    for (const j of REPORT.journeys) expect(md).toContain(`### \`${j.journey}\``);
  });

  it("says why a journey was stopped and how a person resumes it", () => {
    expect(md).toContain("**Stop-loss: stopped** since 2026-06-14T00:00:00.000Z by stop-loss: complaint\\_rate 5.42% \\> 3% over 240 treated subjects.");
    expect(md).toContain("`kairos journey resume referral_invite`");
    expect(md).toContain("| `complaint_rate > 3%` | 5.42% | 3% | 240 | **yes** |");
    // Past the threshold below `min` treated subjects: not judged yet, and the report says why.
    const referral = journey("referral_invite");
    const running = {
      ...referral,
      stopLoss: { state: "running" as const, conditions: [{ ...referral.stopLoss!.conditions[0]!, tripped: false, subjects: 40 }] },
    };
    const young = renderValueMarkdown({ ...REPORT, journeys: [running] });
    expect(young).toContain("| `complaint_rate > 3%` | 5.42% | 3% | 40 | not yet: fewer treated subjects than its `min` |");
    expect(young).toContain("**Stop-loss: running.**");
  });

  it("shows totals, the global control group, outcomes and consent health, and no chart markup", () => {
    expect(md).toContain("- **Return:** EUR +206,091.50 (incremental value − cost)");
    expect(md).toContain("| `renewal` | 1,100 of 1,900 (57.9%) | 49 of 100 (49%) |");
    expect(md).toContain("| `renewal` | 1,180 |");
    expect(md).toContain("| `no_consent` | 900 | 12.2% |");
    expect(md).not.toContain("<svg");
  });

  it("escapes user text (a title with Markdown and HTML in it)", () => {
    expect(md).toContain("Referral invite \\<for happy customers\\>");
    expect(md).not.toContain("<for happy customers>");
  });

  it("leaves the golden signals to the dashboard", () => {
    expect(md).not.toContain("Service health");
  });
});

describe("the HTML page", () => {
  const html = renderValueHtml(REPORT);
  const dashboard = renderValueHtml(REPORT, { dashboard: true });

  it("is self-contained: no script, nothing fetched, a policy that forbids both", () => {
    for (const page of [html, dashboard]) {
      expect(page).toMatch(/^<!doctype html>/);
      expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
      expect(page).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|url\(|@import|href="http/i);
    }
  });

  it("draws a panel per journey whose colour says how it does: a fall in a harm is good, a stopped journey is red", () => {
    const tone = (id: string) => new RegExp(`<section class="journey tone-(\\w+)" data-journey="${id}">`).exec(html)?.[1];
    expect(tone("renewal_reminder_d90")).toBe("good");
    expect(tone("claim_status_update")).toBe("good");
    expect(tone("onboarding_nudge")).toBe("neutral");
    expect(tone("referral_invite")).toBe("bad");
    expect(tone("service_recovery")).toBe("neutral");
    expect(upliftTone({ ...journey("claim_status_update"), verdict: "positive" })).toBe("bad");
    // A declared type is a harm when the report says so (the catalog's `harm: true`); a built-in one by its definition.
    const churn = { ...journey("onboarding_nudge"), goal: { type: "churn", within: "30d", harm: true }, verdict: "negative" as const };
    expect(upliftTone(churn)).toBe("good");
    expect(upliftTone({ ...churn, goal: { type: "churn", within: "30d" } })).toBe("bad");
    expect(renderValueMarkdown(REPORT)).toContain("- **Goal:** `complaint` within 14d (a harm: lower is better)");
  });

  it("has the uplift chart with one row per journey with a goal, and the figures as text", () => {
    const chart = /<svg[^>]*aria-label="Absolute uplift[^"]*"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? "";
    expect(chart).not.toBe("");
    expect(chart.match(/<g><title>/g)).toHaveLength(REPORT.journeys.filter((j) => j.goal).length);
    expect(chart).toContain("renewal_reminder_d90 (renewal): +10.1 pp");
    expect(html).toContain("+10.1 pp (+2.7 pp to +17.6 pp)");
  });

  it("escapes user text", () => {
    expect(html).toContain("Referral invite &lt;for happy customers&gt;");
    expect(html).not.toContain("<for happy customers>");
  });

  it("shows the golden signals on the dashboard only", () => {
    expect(html).not.toContain("Service health");
    expect(dashboard).toContain("Service health");
    expect(dashboard).toContain('<div class="value">3.2 ms</div>');
    expect(dashboard).toContain("p95 12 ms · p99 24 ms");
    expect(dashboard).toContain("<title>Kairos dashboard: proof of value</title>");
  });

  it("is the same bytes for the same report", () => {
    expect(renderValueHtml(structuredClone(REPORT))).toBe(html);
  });

  it("says so when no journey has decided anything yet", () => {
    const empty: ValueReport = {
      ...REPORT,
      journeys: [],
      global: undefined as never,
      outcomes: {},
      totals: { incrementalConversions: 0, incrementalValue: 0, cost: 0, return: 0 },
    };
    const { global: _, ...noGlobal } = empty;
    const page = renderValueHtml(noGlobal);
    expect(page).toContain("No journey has made a decision yet.");
    expect(page).toContain("None yet: post them to");
    expect(scoreboard(noGlobal).blocks.some((b) => b.kind === "chart" && b.svg.includes("Absolute uplift"))).toBe(false);
  });
});

/** The x of every `<circle>` and the x1/x2 of every line in an SVG. */
function marks(svg: string) {
  const circles = [...svg.matchAll(/<circle cx="([-\d.]+)"/g)].map((m) => Number(m[1]));
  const zero = /<line x1="([-\d.]+)"[^>]*stroke="#1d2330"/.exec(svg);
  return { circles, zero: zero ? Number(zero[1]) : Number.NaN };
}

describe("charts", () => {
  it("puts each estimate on one scale against the zero line: left of it when negative, right when positive", () => {
    const svg = intervalChart(
      [
        { label: "down", estimate: -0.05, low: -0.08, high: -0.02, tone: "bad", text: "-5 pp" },
        { label: "none", estimate: 0, low: -0.01, high: 0.01, tone: "neutral", text: "0 pp" },
        { label: "up", estimate: 0.1, low: 0.04, high: 0.16, tone: "good", text: "+10 pp" },
      ],
      "t",
      pp,
    );
    const { circles, zero } = marks(svg);
    expect(circles).toHaveLength(3);
    expect(circles[0]!).toBeLessThan(zero);
    expect(circles[1]!).toBeCloseTo(zero, 0);
    expect(circles[2]!).toBeGreaterThan(zero);
    // One scale: +10 pp is twice as far from zero as -5 pp.
    expect((circles[2]! - zero) / (zero - circles[0]!)).toBeCloseTo(2, 1);
    expect(svg).toContain(`role="img"`);
    expect(svg).toContain("<title>t</title>");
  });

  it("draws bars in proportion to their values, and nothing for a zero", () => {
    const svg = barChart(
      [
        { label: "a", value: 10, text: "10" },
        { label: "b", value: 5, text: "5" },
        { label: "c", value: 0, text: "0" },
      ],
      "bars",
    );
    const widths = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="16" fill="#2563eb"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect(widths[0]! / widths[1]!).toBeCloseTo(2, 1);
  });

  it("escapes labels and picks round tick steps", () => {
    expect(barChart([{ label: "<b>&", value: 1, text: "1" }], "x")).toContain("&lt;b&gt;&amp;");
    expect(niceStep(0.2)).toBeCloseTo(0.05);
    expect(niceStep(0.27)).toBeCloseTo(0.1);
    expect(niceStep(130)).toBe(50);
    expect(niceStep(0)).toBe(1);
  });
});
