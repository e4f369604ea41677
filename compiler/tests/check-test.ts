// Checking one `test` block: its statements, the request they describe (docs/request.md), and the
// expectations. Names are checked against the catalog and the journeys; a test whose request
// or expectations have an error is reported and not run.
import type * as A from "../syntax/ast.ts";
import { didYouMean } from "../../core/diagnostics.ts";
import { list } from "../checker/expr.ts";
import type { Span } from "../../core/source.ts";
import { Args, type Timestamp } from "./args.ts";
import { readExpect } from "./expect.ts";
import { candidatesOf, eventName, readPayload, RequestInputs, warnNoListener, type SuiteContext } from "./inputs.ts";
import { TEST_DEFAULTS, type CheckedTest, type Expectation, type TestRequest } from "./model.ts";

export const TEST_STATEMENTS = ["now", "region", "subject", "event", "given", "consent", "objection", "history", "expect"] as const;

interface EventInput {
  readonly type: string;
  readonly span: Span;
  readonly payload?: Record<string, unknown>;
  readonly at?: Timestamp;
  readonly timer?: { label: string; ms: number };
  readonly id?: string;
}

/** `event NAME [{ payload }] [at T] [after D] [id "…"]`. */
function readEvent(args: Args, sc: SuiteContext): EventInput | undefined {
  const w = args.word("an event: `event daily`, `event ticket.resolved { csat: 1 }`");
  const type = eventName(w, sc);
  let payload: Record<string, unknown> | undefined;
  let ok = type !== undefined;
  const rec = args.peek();
  if (rec?.kind === "record") {
    args.next();
    if (type) {
      payload = readPayload(rec, type, sc);
      ok &&= payload !== undefined;
    }
  }
  let at: Timestamp | undefined;
  let timer: { label: string; ms: number } | undefined;
  let id: string | undefined;
  const t = args.peek();
  if (t?.kind === "word" && t.text === "timer") {
    sc.report(
      "test/bad-argument",
      "a timed follow-up is written `after 3d`",
      t.span,
      "as in the journey's `on … after 3d`: `event claim.filed { … } after 3d`",
    );
    return undefined;
  }
  args.options(["at", "after", "id"], (name) => {
    if (name === "at") {
      at = args.datetime("`at` and the event's time");
      ok &&= at !== undefined;
    } else if (name === "after") {
      timer = args.duration("`after` and the follow-up's timer (`3d`)");
      ok &&= timer !== undefined;
    } else {
      id = args.text("`id` and a string")?.value;
      ok &&= id !== undefined;
    }
  });
  if (!ok || !type || !w) return undefined;
  return { type, span: w.span, ...(payload ? { payload } : {}), ...(at ? { at } : {}), ...(timer ? { timer } : {}), ...(id !== undefined ? { id } : {}) };
}

/** Checks a test block; returns it ready to run, or undefined when it has errors. */
export function checkTest(block: A.TestDecl, sc: SuiteContext, errorCount: () => number): CheckedTest | undefined {
  const before = errorCount();
  const once = new Map<string, Span>();
  const single = (s: A.TestStatement): boolean => {
    const first = once.get(s.keyword.name);
    if (first) {
      sc.report("test/duplicate-statement", `\`${s.keyword.name}\` is given twice in test "${block.name.value}"`, s.keyword.span, "keep one of them");
      return false;
    }
    once.set(s.keyword.name, s.keyword.span);
    return true;
  };
  let now: Timestamp | undefined;
  let event: EventInput | undefined;
  const inputs = new RequestInputs(sc, true);
  const { context, givenSpans, consents, objections, history } = inputs;
  const expectations: Expectation[] = [];
  let expects = 0;

  for (const s of block.statements) {
    const args = new Args(s, sc.report);
    if (inputs.read(s, args, single)) continue;
    const kw = s.keyword.name;
    switch (kw) {
      case "now":
        if (!single(s)) break;
        now = args.datetime("the request's time");
        args.finish("the time");
        break;
      case "event":
        if (single(s)) event = readEvent(args, sc);
        break;
      case "expect": {
        expects++;
        const e = readExpect(args, sc);
        if (e) expectations.push(e);
        break;
      }
      case "on":
        sc.report(
          "test/on-in-test",
          "a test gives its one event with `event`, not `on`",
          s.keyword.span,
          `write \`event ${s.trigger?.event.name ?? "daily"}${s.trigger?.timers[0] ? ` after ${s.trigger.timers[0].text}` : ""}\``,
        );
        break;
      default: {
        const property = ["assume", "runs"].includes(kw);
        sc.report(
          "test/unknown-statement",
          property ? `\`${kw}\` belongs in a \`property\`, not a \`test\`` : `unknown statement \`${kw}\` in a test`,
          s.keyword.span,
          property
            ? "a test gives one request; a property generates many"
            : (didYouMean(kw, TEST_STATEMENTS) ?? `a test's statements are ${list([...TEST_STATEMENTS])}`),
        );
      }
    }
  }

  const missing = (what: string, hint: string) => sc.report("test/missing-statement", `test "${block.name.value}" has no \`${what}\``, block.name.span, hint);
  if (!once.has("now")) missing("now", "add `now 2026-03-02T10:00:00Z`, the time of the request");
  if (!once.has("event")) missing("event", "add `event daily` (or the event the journeys listen to)");
  if (expects === 0) missing("expect", "add what the decision must be, e.g. `expect acted renewal_reminder_d90`");
  duplicateExpectations(expectations, sc);

  if (event) {
    warnNoListener(
      sc,
      event.type,
      event.timer,
      event.span,
      expectations.some((e) => e.kind === "wakeup"),
    );
    const binds = sc.catalog.events.get(event.type)?.binds ?? [];
    for (const [entity, span] of givenSpans) {
      if (!binds.includes(entity))
        sc.report(
          "test/unbound-entity",
          `event \`${event.type}\` does not bind \`${entity}\`, so no journey can read this data`,
          span,
          `\`${event.type}\` binds ${list([...binds])}`,
          "warning",
        );
    }
    const candidates = candidatesOf(sc, event.type, event.timer?.ms);
    for (const e of expectations) warnNotCandidate(e, candidates, event, sc);
  }

  if (errorCount() > before || !now || !event) return undefined;
  const at = (x: { at?: string }) => x.at ?? now!.text;
  const request: TestRequest = {
    event: {
      type: event.type,
      id: event.id ?? TEST_DEFAULTS.eventId,
      ...(event.at ? { at: event.at.text } : {}),
      ...(event.timer ? { timer: event.timer.label } : {}),
      ...(event.payload ? { payload: event.payload } : {}),
    },
    subject: inputs.subject ?? TEST_DEFAULTS.subject,
    now: now.text,
    region: inputs.region ?? TEST_DEFAULTS.region,
    context,
    consents: consents.map((c) => ({ ...c, at: at(c) })),
    objections: objections.map((o) => ({ ...o, at: at(o) })),
    history: history.map((h) => ({ ...h, at: at(h) })),
  };
  return { kind: "test", name: block.name.value, file: block.span.file, span: block.span, request, expectations };
}

/** Two expectations about the same thing can never both be checked meaningfully. */
function duplicateExpectations(es: readonly Expectation[], sc: SuiteContext): void {
  const seen = new Map<string, Expectation>();
  for (const e of es) {
    const key = e.kind === "candidate" ? `candidate:${e.journey}` : e.kind === "wakeup" ? `wakeup:${e.journey}:${e.timer.ms}` : e.kind;
    if (seen.has(key)) {
      const what = e.kind === "outcome" ? "the decision's outcome" : e.kind === "candidate" ? `the outcome of \`${e.journey}\`` : `the ${e.kind}`;
      sc.report("test/duplicate-statement", `${what} is expected twice`, e.span, "keep one expectation for it");
    } else seen.set(key, e);
  }
}

function warnNotCandidate(e: Expectation, candidates: ReadonlySet<string>, event: EventInput, sc: SuiteContext): void {
  const journey = e.kind === "outcome" || e.kind === "candidate" || e.kind === "wakeup" ? e.journey : undefined;
  if (!journey) return;
  const info = sc.journeys.get(journey);
  if (e.kind === "wakeup") {
    if (info && (info.event !== event.type || !info.timers.includes(e.timer.ms) || event.timer)) {
      sc.report(
        "test/not-a-candidate",
        `\`${journey}\` schedules no \`${e.timer.label}\` follow-up for this request`,
        e.span,
        info.event === event.type && !event.timer
          ? `its timers are ${list(info.timers.map((t) => `${t / 86_400_000}d`))}`
          : "wake-ups are listed by the event itself, not by a follow-up request",
        "warning",
      );
    }
    return;
  }
  if (candidates.has(journey)) return;
  const runsOn = info?.event ? `it runs on \`${info.event}\`${info.timers.length ? " after a timer" : ""}` : "it has no trigger";
  sc.report(
    "test/not-a-candidate",
    `\`${journey}\` is not a candidate for this test's event \`${event.type}\`${event.timer ? ` after \`${event.timer.label}\`` : ""}`,
    e.span,
    runsOn,
    "warning",
  );
}
