// The input statements tests and properties share: `given ENTITY { … }`, `consent`, `objection`,
// `history`, `region`, and the suite-wide context they are checked in (the catalog and the
// journeys' triggers, read from the AST so that tests are checked even when a journey is not).
import type * as A from "../syntax/ast.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import { didYouMean } from "../../core/diagnostics.ts";
import { list } from "../checker/expr.ts";
import type { Span } from "../../core/source.ts";
import { type Args, jsonValue, type Report, type Timestamp } from "./args.ts";
import { CONSENT_STATUSES, type ConsentInput, type HistoryInput, type ObjectionInput } from "./model.ts";

/** A journey as tests see it: its trigger, from its `on` clause. */
export interface JourneyInfo {
  readonly id: string;
  readonly event?: string;
  /** `after` timers in milliseconds. */
  readonly timers: readonly number[];
}

/** What every statement is checked against. */
export interface SuiteContext {
  readonly catalog: Catalog;
  readonly journeys: ReadonlyMap<string, JourneyInfo>;
  readonly report: Report;
  /** Every channel of the catalog's actions. */
  readonly channels: readonly string[];
}

export function suiteContext(files: readonly A.JourneyFile[], catalog: Catalog, report: Report): SuiteContext {
  const journeys = new Map<string, JourneyInfo>();
  for (const f of files) {
    for (const d of f.decls) {
      if (d.kind !== "journey" || journeys.has(d.name.name)) continue;
      const on = d.clauses.find((c): c is Extract<A.Clause, { kind: "on" }> => c.kind === "on");
      journeys.set(d.name.name, { id: d.name.name, ...(on ? { event: on.event.name } : {}), timers: on ? on.timers.map((t) => t.ms) : [] });
    }
  }
  const channels = [...new Set([...catalog.actions.values()].map((a) => a.channel))].sort();
  return { catalog, journeys, report, channels };
}

/** The journeys a request on `event` (with `timer`, in ms) makes candidates. */
export function candidatesOf(sc: SuiteContext, event: string, timer: number | undefined): Set<string> {
  const out = new Set<string>();
  for (const j of sc.journeys.values()) {
    if (j.event !== event) continue;
    if (timer === undefined ? j.timers.length === 0 : j.timers.includes(timer)) out.add(j.id);
  }
  return out;
}

/** A journey id named by a test; unknown ones get a "did you mean". */
export function journeyName(w: { name: string; span: Span } | undefined, sc: SuiteContext): string | undefined {
  if (!w) return undefined;
  if (sc.journeys.has(w.name)) return w.name;
  sc.report(
    "test/unknown-journey",
    `no journey \`${w.name}\` in the policy set`,
    w.span,
    didYouMean(w.name, sc.journeys.keys()) ??
      (sc.journeys.size ? `its journeys are ${list([...sc.journeys.keys()].sort())}` : "the policy set has no journeys"),
  );
  return undefined;
}

/** `region "eu"` or `region eu`. Any region may be asked for (that is what residency is about). */
export function readRegion(args: Args): string | undefined {
  const r = args.text('a region such as `"eu"`', true);
  args.finish("the region");
  return r?.value;
}

/** `given ENTITY { field: value, … }`: values checked against the catalog's types. */
export function readGiven(args: Args, sc: SuiteContext): { entity: string; span: Span; values: Record<string, unknown> } | undefined {
  const w = args.word("an entity and its fields: `given customer { tenure_months: 24 }`");
  if (!w) return undefined;
  const entity = sc.catalog.entities.get(w.name);
  if (!entity) {
    const statement = ["consent", "objection", "history"].includes(w.name)
      ? `\`${w.name}\` is a statement of its own: write \`${w.name} …\` without \`given\``
      : undefined;
    sc.report(
      "test/unknown-entity",
      `unknown entity \`${w.name}\``,
      w.span,
      w.name === "event"
        ? "the event's payload goes in `event NAME { … }`"
        : (statement ?? didYouMean(w.name, sc.catalog.entities.keys()) ?? `the catalog defines ${list([...sc.catalog.entities.keys()])}`),
    );
    return undefined;
  }
  const rec = args.next();
  if (rec?.kind !== "record") {
    sc.report(
      "test/bad-argument",
      `\`given ${w.name}\` needs its fields in braces`,
      rec?.span ?? w.span,
      `write \`given ${w.name} { ${[...entity.fields.keys()][0] ?? "field"}: … }\``,
    );
    return undefined;
  }
  args.finish(`the fields of \`${w.name}\``);
  const values: Record<string, unknown> = {};
  let ok = true;
  for (const f of rec.fields) {
    const def = entity.fields.get(f.name.name);
    if (!def) {
      sc.report(
        "test/unknown-field",
        `entity \`${w.name}\` has no field \`${f.name.name}\``,
        f.name.span,
        didYouMean(f.name.name, entity.fields.keys()) ?? `its fields are ${list([...entity.fields.keys()])}`,
      );
      ok = false;
      continue;
    }
    if (Object.hasOwn(values, f.name.name)) {
      sc.report("test/duplicate-field", `field \`${def.path}\` is set twice`, f.name.span, "keep one of them");
      ok = false;
      continue;
    }
    const v = jsonValue(f.value, def.type, `\`${def.path}\``, sc.report);
    if (v === undefined) ok = false;
    else values[f.name.name] = v;
  }
  return ok ? { entity: w.name, span: w.span, values } : undefined;
}

function purposeName(w: { name: string; span: Span } | undefined, sc: SuiteContext, extra: readonly string[] = []): string | undefined {
  if (!w) return undefined;
  if (sc.catalog.purposes.has(w.name) || extra.includes(w.name)) return w.name;
  sc.report(
    "test/unknown-purpose",
    `unknown purpose \`${w.name}\``,
    w.span,
    didYouMean(w.name, [...sc.catalog.purposes.keys(), ...extra]) ?? `the catalog defines ${list([...sc.catalog.purposes.keys()])}`,
  );
  return undefined;
}

/** `consent PURPOSE granted|withdrawn|denied [channel C] [at T] [expires T]`. */
export function readConsent(args: Args, sc: SuiteContext): ConsentInput | undefined {
  const purpose = purposeName(args.word("a purpose and a status: `consent renewal_marketing granted`"), sc);
  const st = args.word("a status: `granted`, `withdrawn` or `denied`");
  let status: ConsentInput["status"] | undefined;
  if (st) {
    status = (CONSENT_STATUSES as readonly string[]).includes(st.name) ? (st.name as ConsentInput["status"]) : undefined;
    if (!status)
      sc.report(
        "test/bad-argument",
        `\`${st.name}\` is not a consent status`,
        st.span,
        didYouMean(st.name, CONSENT_STATUSES) ?? "write `granted`, `withdrawn` or `denied`",
      );
  }
  let channel: string | undefined;
  let at: Timestamp | undefined;
  let expires: Timestamp | undefined;
  let ok = true;
  args.options(["channel", "at", "expires"], (name) => {
    if (name === "channel") {
      const c = args.word("a channel");
      if (c && !sc.channels.includes(c.name)) {
        sc.report(
          "test/unknown-channel",
          `no action uses channel \`${c.name}\``,
          c.span,
          didYouMean(c.name, sc.channels) ?? `the channels are ${list(sc.channels)}`,
        );
        ok = false;
      } else if (c) channel = c.name;
      else ok = false;
    } else if (name === "at") {
      at = args.datetime("`at` and a datetime");
      ok &&= at !== undefined;
    } else {
      expires = args.datetime("`expires` and a datetime");
      ok &&= expires !== undefined;
    }
  });
  if (!purpose || !status || !ok) return undefined;
  return { purpose, status, ...(channel ? { channel } : {}), ...(at ? { at: at.text } : {}), ...(expires ? { expires_at: expires.text } : {}) };
}

/** `objection direct_marketing [at T]` or `objection PURPOSE [at T]`. */
export function readObjection(args: Args, sc: SuiteContext): ObjectionInput | undefined {
  const scope = purposeName(args.word("`direct_marketing` or a purpose"), sc, ["direct_marketing"]);
  let at: Timestamp | undefined;
  let ok = true;
  args.options(["at"], () => {
    at = args.datetime("`at` and a datetime");
    ok = at !== undefined;
  });
  if (!scope || !ok) return undefined;
  return { scope: scope === "direct_marketing" ? scope : `purpose:${scope}`, ...(at ? { at: at.text } : {}) };
}

/** `history JOURNEY at T`: an earlier acted decision, for caps. */
export function readHistory(args: Args, sc: SuiteContext, needAt: boolean): HistoryInput | undefined {
  const journey = journeyName(args.word("a journey id: `history renewal_reminder_d90 at 2026-01-20T10:00:00Z`"), sc);
  let at: Timestamp | undefined;
  let ok = true;
  args.options(["at"], () => {
    at = args.datetime("`at` and a datetime");
    ok = at !== undefined;
  });
  if (needAt && !at && ok) {
    sc.report(
      "test/bad-argument",
      "`history` needs the time of the earlier decision",
      args.end,
      `write \`history ${journey ?? "journey"} at 2026-01-20T10:00:00Z\``,
    );
    return undefined;
  }
  if (!journey || !ok) return undefined;
  return { journey, ...(at ? { at: at.text } : {}) };
}

/** Fields the catalog says an event's payload has, checked and converted. */
export function readPayload(rec: A.TestValue & { kind: "record" }, event: string, sc: SuiteContext): Record<string, unknown> | undefined {
  const def = sc.catalog.events.get(event);
  if (!def) return undefined;
  const out: Record<string, unknown> = {};
  let ok = true;
  for (const f of rec.fields) {
    const t = def.fields.get(f.name.name);
    if (!t) {
      const names = [...def.fields.keys()];
      sc.report(
        "test/unknown-event-field",
        `event \`${event}\` has no payload field \`${f.name.name}\``,
        f.name.span,
        didYouMean(f.name.name, names) ?? (names.length ? `its payload fields are ${list(names)}` : `\`${event}\` declares no payload fields`),
      );
      ok = false;
      continue;
    }
    if (Object.hasOwn(out, f.name.name)) {
      sc.report("test/duplicate-field", `payload field \`${f.name.name}\` is set twice`, f.name.span, "keep one of them");
      ok = false;
      continue;
    }
    const v = jsonValue(f.value, t, `\`event.${f.name.name}\``, sc.report);
    if (v === undefined) ok = false;
    else out[f.name.name] = v;
  }
  return ok ? out : undefined;
}

/** An event name the catalog defines. */
export function eventName(w: { name: string; span: Span } | undefined, sc: SuiteContext): string | undefined {
  if (!w) return undefined;
  if (sc.catalog.events.has(w.name)) return w.name;
  sc.report(
    "test/unknown-event",
    `unknown event \`${w.name}\``,
    w.span,
    didYouMean(w.name, sc.catalog.events.keys()) ?? `the catalog defines ${list([...sc.catalog.events.keys()])}`,
  );
  return undefined;
}

/**
 * Warns when no journey listens to the event (with that timer). An untimed event that timed
 * journeys listen to still schedules their wake-ups: a test that expects one (`expectsWakeup`)
 * is about exactly that, so it is not warned.
 */
export function warnNoListener(sc: SuiteContext, event: string, timer: { label: string; ms: number } | undefined, span: Span, expectsWakeup = false): void {
  if (candidatesOf(sc, event, timer?.ms).size > 0) return;
  const timed = [...sc.journeys.values()].filter((j) => j.event === event && j.timers.length > 0);
  if (!timer && expectsWakeup && timed.length > 0) return;
  const hint = timer
    ? timed.length
      ? `journeys on \`${event}\` have timers ${list([...new Set(timed.flatMap((j) => j.timers))].map(String).map((ms) => formatTimer(Number(ms))))}`
      : `no journey on \`${event}\` has timers`
    : timed.length
      ? `journeys on \`${event}\` run only at their timers: add \`after ${formatTimer(timed[0]!.timers[0]!)}\``
      : "every decision for it is `no_match`";
  sc.report("test/no-listener", `no journey runs on \`${event}\`${timer ? ` after \`${timer.label}\`` : ""}`, span, hint, "warning");
}

function formatTimer(ms: number): string {
  for (const [u, size] of [
    ["w", 604_800_000],
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
  ] as const)
    if (ms % size === 0) return `${ms / size}${u}`;
  return `${ms / 1000}s`;
}

/**
 * The request statements tests and properties share — `region`, `subject`, `given`, `consent`,
 * `objection`, `history` — read into one place.
 */
export class RequestInputs {
  region: string | undefined;
  subject: string | undefined;
  readonly context: Record<string, Record<string, unknown>> = {};
  /** Where each `given ENTITY` was written, for binding warnings. */
  readonly givenSpans = new Map<string, Span>();
  readonly consents: ConsentInput[] = [];
  readonly objections: ObjectionInput[] = [];
  readonly history: HistoryInput[] = [];
  private readonly sc: SuiteContext;
  /** Whether `history … at T` requires its time (tests) or may leave it to the generator (properties). */
  private readonly timedHistory: boolean;

  constructor(sc: SuiteContext, timedHistory: boolean) {
    this.sc = sc;
    this.timedHistory = timedHistory;
  }

  /** Reads `s` when it is one of these statements; returns whether it was. */
  read(s: A.TestStatement, args: Args, single: (s: A.TestStatement) => boolean): boolean {
    switch (s.keyword.name) {
      case "region":
        if (single(s)) this.region = readRegion(args);
        return true;
      case "subject":
        if (!single(s)) return true;
        this.subject = args.text('a subject id such as `"c-1"`', true)?.value;
        args.finish("the subject");
        return true;
      case "given": {
        const g = readGiven(args, this.sc);
        if (!g) return true;
        if (this.givenSpans.has(g.entity))
          this.sc.report("test/duplicate-statement", `\`given ${g.entity}\` is given twice`, g.span, "put all its fields in one `{ … }`");
        else {
          this.givenSpans.set(g.entity, g.span);
          this.context[g.entity] = g.values;
        }
        return true;
      }
      case "consent": {
        const c = readConsent(args, this.sc);
        if (c) this.consents.push(c);
        return true;
      }
      case "objection": {
        const o = readObjection(args, this.sc);
        if (o) this.objections.push(o);
        return true;
      }
      case "history": {
        const h = readHistory(args, this.sc, this.timedHistory);
        if (h) this.history.push(h);
        return true;
      }
      default:
        return false;
    }
  }
}
