// The Results column: the decision, the rationale trace as an expandable tree with values, the
// minimal context bundle, the generated TypeScript, the legal-review rendering and tests.
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Decision, Evaluation } from "../../runtime/decision.ts";
import { MARK_SYMBOL, traceValueText } from "../../runtime/rationale/document.ts";
import { OUTCOME_TEXT } from "../../runtime/rationale/legal-review.ts";
import { traceTree, type TraceLine } from "../../runtime/rationale/trace-tree.ts";
import { formatContextValue } from "../../runtime/rationale/values.ts";
import { breakable, h, richText } from "./dom.ts";
import type { RunResponse, TestReport, TestsResponse } from "./protocol.ts";

export type ResultTab = "decision" | "trace" | "bundle" | "typescript" | "legal" | "tests";

export const RESULT_TABS: readonly { readonly id: ResultTab; readonly label: string }[] = [
  { id: "decision", label: "Decision" },
  { id: "trace", label: "Trace" },
  { id: "bundle", label: "Bundle" },
  { id: "typescript", label: "TypeScript" },
  { id: "legal", label: "Legal review" },
  { id: "tests", label: "Tests" },
];

/** What the views need besides the run itself. */
export interface ResultContext {
  /** The Context panel's parsed value (for bundle values), if it parses. */
  readonly context: Record<string, Record<string, unknown>> | undefined;
  /** Jumps to a source location (`file:line:column`). */
  reveal(file: string, line: number, column: number): void;
  /** Shows a text in the read-only TypeScript editor inside `host`. */
  showTypeScript(host: HTMLElement, text: string): void;
  /** The tests of the last run: still running, or their response. */
  readonly tests: { readonly running: boolean; readonly response?: TestsResponse };
}

const OUTCOME_CLASS: Record<Decision["outcome"], string> = {
  acted: "good",
  no_match: "neutral",
  denied_consent: "bad",
  denied_residency: "bad",
  stale: "warn",
  suppressed: "neutral",
  held_out: "neutral",
  capped: "warn",
  deferred: "warn",
  pending_review: "warn",
  error: "bad",
};

function badge(outcome: Decision["outcome"]): HTMLElement {
  return h("span", { class: `outcome ${OUTCOME_CLASS[outcome]}`, "data-outcome": outcome }, outcome);
}

function empty(text: string): HTMLElement {
  return h("div", { class: "empty" }, ...richText(text));
}

function actionText(a: NonNullable<Decision["action"]>): string {
  return `${a.name}(${Object.entries(a.params)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(", ")})`;
}

function reasonsList(e: Evaluation): HTMLElement | null {
  if (!e.reasons?.length) return null;
  return h("ul", { class: "reasons" }, ...e.reasons.map((r) => h("li", { title: r.code, "data-code": r.code }, ...richText(r.message))));
}

function decisionView(run: RunResponse, d: Decision): HTMLElement {
  const metas = new Map(run.journeys.map((j) => [j.id, j]));
  const winner = d.journey ? metas.get(d.journey) : undefined;
  const rows: [string, Node | string][] = [];
  if (d.journey) rows.push(["journey", h("span", {}, h("code", {}, d.journey), winner && winner.title !== winner.id ? ` — ${winner.title}` : "")]);
  if (d.action) rows.push(["action", h("span", {}, h("code", {}, actionText(d.action)), ` on channel `, h("code", {}, d.action.channel))]);
  if (d.basis) rows.push(["lawful basis", h("code", {}, d.basis)]);
  if (d.deferred_until) rows.push(["deferred until", h("code", {}, d.deferred_until)]);
  if (d.wakeups?.length)
    rows.push(["follow-ups", h("span", {}, ...d.wakeups.map((w) => h("div", {}, h("code", {}, w.journey), ` after ${w.timer} at `, h("code", {}, w.at))))]);
  rows.push(["bundle requested", d.fields.length ? h("span", {}, `${d.fields.length} field${d.fields.length === 1 ? "" : "s"} (see Bundle)`) : "nothing"]);
  const sentence = run.customer ?? d.explanation;
  return h(
    "div",
    { class: "decision" },
    h("div", { class: "decision-head" }, badge(d.outcome), h("span", { class: "outcome-text" }, OUTCOME_TEXT[d.outcome])),
    d.error ? h("div", { class: "error-box" }, h("strong", {}, d.error.code), ": ", ...richText(d.error.message)) : null,
    sentence ? h("blockquote", { class: "customer", title: "What the customer is told" }, sentence) : null,
    h("dl", { class: "fields" }, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    d.evaluations.length
      ? h(
          "table",
          { class: "evaluations" },
          h("colgroup", {}, h("col", { class: "c-journey" }), h("col", { class: "c-outcome" }), h("col", { class: "c-why" })),
          h("thead", {}, h("tr", {}, h("th", {}, "candidate"), h("th", {}, "outcome"), h("th", {}, "why"))),
          h(
            "tbody",
            {},
            ...d.evaluations.map((e) =>
              h(
                "tr",
                {},
                h("td", {}, h("code", {}, e.journey), h("div", { class: "muted small" }, `priority ${e.priority}`)),
                h("td", {}, badge(e.outcome)),
                h(
                  "td",
                  {},
                  e.basis ? h("div", {}, "basis ", h("code", {}, e.basis)) : null,
                  e.matched !== undefined ? h("div", {}, "condition ", h("code", {}, String(e.matched))) : null,
                  reasonsList(e),
                ),
              ),
            ),
          ),
        )
      : empty("No journey listens to this event."),
    h("div", { class: "ids" }, "decision ", h("code", {}, d.decision_id), " · artifact ", h("code", { title: d.artifact }, d.artifact.slice(0, 12))),
    h("details", { class: "raw" }, h("summary", {}, "Decision JSON"), h("pre", {}, JSON.stringify(d, null, 2))),
  );
}

/** Nests flat, depth-annotated trace lines into an expandable tree. */
function traceList(lines: readonly TraceLine[], ctx: ResultContext): HTMLElement {
  const root = h("ul", { class: "trace" });
  const stack: { depth: number; ul: HTMLElement }[] = [{ depth: -1, ul: root }];
  lines.forEach((line, i) => {
    while (stack[stack.length - 1]!.depth >= line.depth) stack.pop();
    const value = traceValueText(line);
    const [file, l, c] = line.where.split(":");
    const row = h(
      "span",
      { class: "trace-row" },
      h("span", { class: `mark ${line.mark}`, title: line.mark }, MARK_SYMBOL[line.mark]),
      h("code", { class: "src" }, line.source),
      value ? h("span", { class: `value ${line.mark}` }, line.mark === "skipped" ? value : `= ${value}`) : null,
      line.where
        ? h(
            "a",
            { class: "where", href: "#", title: "show in the editor", onclick: (e: Event) => (e.preventDefault(), ctx.reveal(file!, Number(l), Number(c))) },
            `${file}:${l}`,
          )
        : null,
    );
    const next = lines[i + 1];
    const parent = stack[stack.length - 1]!.ul;
    if (next && next.depth > line.depth) {
      const ul = h("ul");
      parent.append(h("li", {}, h("details", { open: line.depth < 3 }, h("summary", {}, row), ul)));
      stack.push({ depth: line.depth, ul });
    } else parent.append(h("li", { class: "leaf" }, row));
  });
  return root;
}

function traceView(run: RunResponse, d: Decision, ctx: ResultContext): HTMLElement {
  if (d.evaluations.length === 0) return empty("No journey listens to this event, so nothing was evaluated.");
  const metas = new Map(run.journeys.map((j) => [j.id, j]));
  return h(
    "div",
    { class: "traces" },
    ...d.evaluations.map((e) => {
      const meta = metas.get(e.journey);
      const tree = meta ? traceTree(meta, e.trace) : undefined;
      const body =
        e.trace.length === 0 || !tree
          ? empty(e.outcome === "denied_consent" || e.outcome === "denied_residency" ? "Not evaluated: denied before any data was fetched." : "Not evaluated.")
          : h(
              "div",
              {},
              h("div", { class: "trace-title" }, "when"),
              traceList(tree.when, ctx),
              tree.reason.length ? h("div", { class: "trace-title" }, "reason") : null,
              tree.reason.length ? traceList(tree.reason, ctx) : null,
            );
      return h(
        "details",
        { class: "candidate", open: e.journey === d.journey || d.evaluations.length === 1 || (!d.journey && e === d.evaluations[0]) },
        h(
          "summary",
          {},
          badge(e.outcome),
          " ",
          h("code", {}, e.journey),
          meta && meta.title !== meta.id ? h("span", { class: "title" }, ` ${meta.title}`) : null,
        ),
        body,
      );
    }),
  );
}

function valueFor(ctx: ResultContext, path: string): string {
  const dot = path.indexOf(".");
  const record = ctx.context?.[path.slice(0, dot)];
  const field = path.slice(dot + 1);
  return record && Object.hasOwn(record, field) ? formatContextValue(record[field]) : "not set";
}

function bundleView(run: RunResponse, d: Decision, ctx: ResultContext): HTMLElement {
  const requested = new Set(d.fields);
  const held = Object.entries(ctx.context ?? {}).flatMap(([entity, rec]) =>
    rec && typeof rec === "object" ? Object.keys(rec).map((f) => `${entity}.${f}`) : [],
  );
  const notRead = held.filter((p) => !requested.has(p)).sort();
  const metas = new Map(run.journeys.map((j) => [j.id, j]));
  return h(
    "div",
    { class: "bundle" },
    h(
      "p",
      { class: "help" },
      "The minimal context bundle: exactly these fields were requested from the context provider — the union of the bundles of the candidates that consent and residency allowed.",
    ),
    d.fields.length
      ? h(
          "table",
          { class: "kv" },
          h("tbody", {}, ...d.fields.map((p) => h("tr", {}, h("td", {}, h("code", {}, p)), h("td", {}, h("code", {}, valueFor(ctx, p)))))),
        )
      : empty("Nothing was fetched."),
    h("h3", {}, "Per candidate"),
    h(
      "table",
      { class: "kv" },
      h(
        "tbody",
        {},
        ...d.evaluations.map((e) => {
          const meta: JourneyMeta | undefined = metas.get(e.journey);
          const fields = [...(meta?.fields ?? []), ...(meta?.eventFields ?? []).map((f) => `event.${f}`)];
          return h(
            "tr",
            {},
            h("td", {}, h("code", {}, e.journey)),
            h("td", {}, fields.length ? h("span", {}, ...fields.flatMap((f, i) => [i ? ", " : "", h("code", {}, f)])) : "no fields"),
          );
        }),
      ),
    ),
    notRead.length
      ? h(
          "div",
          {},
          h("h3", {}, "Held by the provider, never requested"),
          h("p", { class: "muted" }, ...notRead.flatMap((f, i) => [i ? ", " : "", h("code", {}, f)])),
        )
      : null,
  );
}

function testsView(state: ResultContext["tests"]): HTMLElement {
  if (state.running) return h("div", { class: "empty" }, h("span", { class: "spinner" }), " Running the tests and the built-in properties…");
  const res = state.response;
  if (!res) return empty("Run also runs the policy set's `test` and `property` blocks and the built-in properties, as `kairos test` does.");
  if (!res.report) return h("div", { class: "error-box" }, ...richText(res.problem ?? "the tests did not run"));
  const r = res.report;
  const own = [...r.tests.map((t) => ({ kind: "test" as const, t })), ...r.properties.filter((p) => !p.builtin).map((p) => ({ kind: "property" as const, p }))];
  const where = (file?: string, line?: number) => (file ? h("span", { class: "where" }, `${file}:${line ?? 1}`) : null);
  const status = (ok: boolean) => h("span", { class: `mark ${ok ? "true" : "false"}` }, ok ? "✓" : "✗");
  const property = (p: TestReport["properties"][number]) =>
    h(
      "li",
      { "data-status": p.status },
      status(p.status === "passed"),
      " ",
      p.builtin ? p.name : h("code", {}, p.name),
      h("span", { class: "muted" }, ` ${p.runs} cases${p.discarded ? `, ${p.discarded} discarded` : ""}`),
      " ",
      where(p.file, p.line),
      p.message ? h("div", { class: "failure" }, ...richText(p.message)) : null,
      p.diagnostic
        ? h(
            "div",
            { class: "failure" },
            ...richText(p.diagnostic.message),
            p.diagnostic.hint ? h("span", { class: "hint" }, " — ", ...richText(p.diagnostic.hint)) : null,
          )
        : null,
      p.counterexample ? h("details", {}, h("summary", {}, "counterexample, as a test"), h("pre", {}, p.counterexample)) : null,
    );
  return h(
    "div",
    { class: "tests" },
    h(
      "div",
      { class: `tests-summary ${r.summary.failed ? "bad" : "good"}` },
      `${r.summary.passed} passed, ${r.summary.failed} failed`,
      h("span", { class: "muted" }, ` · condition coverage ${r.summary.coverage}% · ${r.summary.generated_cases} generated cases · ${r.summary.ms} ms`),
    ),
    h("h3", {}, "Tests and properties of the policy set"),
    own.length
      ? h(
          "ul",
          { class: "test-list" },
          ...own.map((o) =>
            o.kind === "property"
              ? property(o.p)
              : h(
                  "li",
                  { "data-status": o.t.status },
                  status(o.t.status === "passed"),
                  " ",
                  h("code", {}, o.t.name),
                  h("span", { class: "muted" }, ` → ${o.t.decision.outcome}${o.t.decision.journey ? ` (${o.t.decision.journey})` : ""}`),
                  " ",
                  where(o.t.file, o.t.line),
                  ...o.t.failures.map((f) =>
                    h("div", { class: "failure" }, h("code", {}, f.expect), ": expected ", ...richText(f.expected), ", got ", ...richText(f.actual)),
                  ),
                ),
          ),
        )
      : h("p", { class: "muted" }, "This policy set has no `test` or `property` blocks yet; write them in a .journey file next to the journeys they test."),
    h("h3", {}, "Built-in properties"),
    h("ul", { class: "test-list" }, ...r.properties.filter((p) => p.builtin).map(property)),
  );
}

/** Renders one tab of a run (or the state before any run) into `host`. */
export function renderResult(host: HTMLElement, tab: ResultTab, run: RunResponse | undefined, running: boolean, ctx: ResultContext): void {
  host.replaceChildren();
  if (running) {
    host.append(h("div", { class: "empty" }, h("span", { class: "spinner" }), " Compiling and deciding…"));
    return;
  }
  if (!run) {
    host.append(
      tab === "tests"
        ? testsView(ctx.tests)
        : empty("Press Run (Ctrl+Enter) to compile the policy set and decide the request — everything runs here, in your browser."),
    );
    return;
  }
  if (tab === "typescript") {
    if (run.typescript) ctx.showTypeScript(host, run.typescript);
    else host.append(empty(run.problem ?? "No code was generated."));
    return;
  }
  if (tab === "tests") {
    host.append(testsView(ctx.tests));
    return;
  }
  const d = run.decision;
  if (!d) {
    host.append(h("div", { class: "error-box", "data-problem": "" }, ...richText(run.problem ?? "no decision")));
    return;
  }
  if (tab === "decision") host.append(decisionView(run, d));
  else if (tab === "trace") host.append(traceView(run, d, ctx));
  else if (tab === "bundle") host.append(bundleView(run, d, ctx));
  else if (tab === "legal") {
    if (run.legal) host.append(h("iframe", { class: "legal", title: "Legal review", sandbox: "", srcdoc: wrapIdentifiers(run.legal) }));
    else host.append(empty("No legal-review rendering."));
  }
}

/**
 * The legal-review page as shown in the narrow Results column: identifiers wrap between their
 * words (a <wbr> after each `_`, `.` and `/` inside `code`), never in the middle of one, and a
 * later style rule lets a code span break only where it cannot fit at all. The page's CSP
 * allows inline styles; nothing else changes.
 */
export function wrapIdentifiers(html: string): string {
  const doc = new DOMParser().parseFromString(html, "text/html");
  for (const code of doc.querySelectorAll("code")) {
    const walker = doc.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    const texts: Text[] = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) texts.push(n as Text);
    for (const t of texts) t.replaceWith(...breakable(t.data));
  }
  const style = doc.createElement("style");
  style.textContent = "code { overflow-wrap: break-word; word-break: normal; }";
  doc.head.append(style);
  return `<!doctype html>\n${doc.documentElement.outerHTML}`;
}
