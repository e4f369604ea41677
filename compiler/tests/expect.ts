// `expect` lines of a test: what the decision must be. Each form names things the checker
// knows — outcomes, journeys, lawful bases, actions and their parameters, channels — and an
// unknown name gets a "did you mean".
import { LAWFUL_BASES } from "../../core/catalog/types.ts";
import { closest, didYouMean } from "../../core/diagnostics.ts";
import { list } from "../checker/expr.ts";
import { printStatement } from "../format/format-tests.ts";
import type { Span } from "../../core/source.ts";
import { type Args, datetimeValue, found, jsonValue } from "./args.ts";
import { journeyName, type SuiteContext } from "./inputs.ts";
import { OUTCOMES, type Expectation, type OutcomeName } from "./model.ts";

const FORMS = ["basis", "action", "channel", "reason", "wakeup"] as const;

function isOutcome(w: string): w is OutcomeName {
  return (OUTCOMES as readonly string[]).includes(w);
}

function outcomeWord(args: Args, sc: SuiteContext, journey: string): OutcomeName | undefined {
  const w = args.word(`an outcome for \`${journey}\`: ${list([...OUTCOMES])}`);
  if (!w) return undefined;
  if (isOutcome(w.name)) return w.name;
  sc.report("test/unknown-outcome", `\`${w.name}\` is not an outcome`, w.span, didYouMean(w.name, OUTCOMES) ?? `the outcomes are ${list([...OUTCOMES])}`);
  return undefined;
}

/** Reads one `expect` line of a test. */
export function readExpect(args: Args, sc: SuiteContext): Expectation | undefined {
  const stmt = args.stmt;
  const base = { span: stmt.span, source: printStatement(stmt) };
  const first = args.peek();
  if (first?.kind !== "word") {
    args.next();
    sc.report(
      "test/bad-argument",
      `\`expect\` needs an outcome, a journey, or one of ${list([...FORMS])}, found ${found(first)}`,
      first?.span ?? stmt.keyword.span,
      "e.g. `expect acted renewal_reminder_d90`, `expect basis consent`",
    );
    return undefined;
  }
  const head = args.next() as typeof first;
  const w = head.text;
  if (isOutcome(w)) {
    let journey: string | undefined;
    const next = args.peek();
    if (next?.kind === "word" && next.text !== "until") journey = journeyName(args.word("a journey"), sc) ?? "";
    let until: { text: string; ms: number } | undefined;
    if (args.accept("until")) {
      if (w !== "deferred")
        sc.report(
          "test/bad-argument",
          "`until` is the end of quiet hours: only `expect deferred` has it",
          head.span,
          "write `expect deferred until 2026-03-02T20:00:00Z`",
        );
      until = datetimeValue(args.next(), "`until` needs a datetime", sc.report, args.end);
      if (!until) return undefined;
    }
    args.finish("the expected outcome");
    if (journey === "") return undefined;
    return { ...base, kind: "outcome", outcome: w, ...(journey ? { journey } : {}), ...(until ? { until } : {}) };
  }
  switch (w) {
    case "basis": {
      const b = args.word(`a lawful basis: ${list([...LAWFUL_BASES])}`);
      args.finish("the basis");
      if (!b) return undefined;
      if (!(LAWFUL_BASES as readonly string[]).includes(b.name)) {
        sc.report(
          "test/unknown-basis",
          `\`${b.name}\` is not a lawful basis`,
          b.span,
          didYouMean(b.name, LAWFUL_BASES) ?? `the lawful bases (GDPR Art. 6(1)) are ${list([...LAWFUL_BASES])}`,
        );
        return undefined;
      }
      return { ...base, kind: "basis", basis: b.name };
    }
    case "action":
      return readAction(args, sc, base);
    case "channel": {
      const c = args.word(`a channel: ${list(sc.channels)}`);
      args.finish("the channel");
      if (!c) return undefined;
      if (!sc.channels.includes(c.name)) {
        sc.report(
          "test/unknown-channel",
          `no action uses channel \`${c.name}\``,
          c.span,
          didYouMean(c.name, sc.channels) ?? `the channels are ${list(sc.channels)}`,
        );
        return undefined;
      }
      return { ...base, kind: "channel", channel: c.name };
    }
    case "reason": {
      const t = args.text("the customer-facing sentence in quotes");
      args.finish("the reason");
      return t ? { ...base, kind: "reason", text: t.value } : undefined;
    }
    case "wakeup": {
      const journey = journeyName(args.word("a journey and its timer: `expect wakeup claim_status_update 3d`"), sc);
      const timer = args.duration("the timer, as the journey writes it (`3d`)");
      let at: { text: string; ms: number } | undefined;
      let ok = true;
      args.options(["at"], () => {
        at = datetimeValue(args.next(), "`at` needs a datetime", sc.report, args.end);
        ok = at !== undefined;
      });
      if (!journey || !timer || !ok) return undefined;
      return { ...base, kind: "wakeup", journey, timer, ...(at ? { at } : {}) };
    }
    default:
      break;
  }
  if (sc.journeys.has(w)) {
    const outcome = outcomeWord(args, sc, w);
    args.finish("the outcome");
    return outcome ? { ...base, kind: "candidate", journey: w, outcome } : undefined;
  }
  // Unknown: say which kind of name it resembles most.
  const journeys = [...sc.journeys.keys()];
  const near = closest(w, [...OUTCOMES, ...FORMS, ...journeys]);
  if (near && journeys.includes(near)) sc.report("test/unknown-journey", `no journey \`${w}\` in the policy set`, head.span, `did you mean \`${near}\`?`);
  else if (near && isOutcome(near)) sc.report("test/unknown-outcome", `\`${w}\` is not an outcome`, head.span, `did you mean \`${near}\`?`);
  else
    sc.report(
      "test/unknown-expectation",
      `\`expect ${w}\` is not an expectation`,
      head.span,
      near ? `did you mean \`${near}\`?` : `write an outcome (${list([...OUTCOMES])}), a journey id and its outcome, or ${list([...FORMS])}`,
    );
  return undefined; // the rest of the line depends on what was meant: no follow-on errors
}

function readAction(args: Args, sc: SuiteContext, base: { span: Span; source: string }): Expectation | undefined {
  const a = args.word(`an action: ${list([...sc.catalog.actions.keys()])}`);
  if (!a) return undefined;
  const def = sc.catalog.actions.get(a.name);
  if (!def) {
    sc.report(
      "test/unknown-action",
      `unknown action \`${a.name}\``,
      a.span,
      didYouMean(a.name, sc.catalog.actions.keys()) ?? `the catalog defines ${list([...sc.catalog.actions.keys()])}`,
    );
    args.finish("the action");
    return undefined;
  }
  const argv = args.peek();
  let params: Record<string, string | number | boolean> | undefined;
  if (argv?.kind === "args") {
    args.next();
    params = {};
    let ok = true;
    for (const f of argv.fields) {
      const p = def.params.get(f.name.name);
      if (!p) {
        sc.report(
          "test/unknown-parameter",
          `action \`${def.name}\` has no parameter \`${f.name.name}\``,
          f.name.span,
          didYouMean(f.name.name, def.params.keys()) ??
            (def.params.size ? `its parameters are ${list([...def.params.keys()])}` : `\`${def.name}\` takes no parameters`),
        );
        ok = false;
        continue;
      }
      const v = jsonValue(f.value, p.type, `parameter \`${p.name}\``, sc.report);
      if (v === undefined || (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean")) ok = false;
      else params[p.name] = v;
    }
    if (!ok) return undefined;
  }
  args.finish("the action");
  return { ...base, kind: "action", action: def.name, ...(params ? { params } : {}) };
}
