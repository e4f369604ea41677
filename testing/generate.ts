// Generated decision requests for properties (fast-check arbitraries derived from the catalog):
// every entity's fields by type, enum values, optional fields present or absent, dates and
// datetimes around `now`, consent records, objections and cap history. Numbers near the
// literals the journeys compare against (k−1, k, k+1) are favoured, so boundaries are hit.
// Times are generated as offsets from `now` and made absolute last, so shrinking keeps them
// relative: a shrunk counterexample still sits on the boundary it found.
import fc from "fast-check";
import type * as A from "../compiler/syntax/ast.ts";
import { walkExpr } from "../compiler/syntax/ast.ts";
import type { JourneyMeta } from "../core/artifact.ts";
import type { Catalog, FieldDef, FieldType } from "../core/catalog/types.ts";
import type { Resolution } from "../compiler/checker/checked.ts";
import { formatDate, formatDateTime, MS_PER_DAY } from "../core/literals.ts";
import type { FixedInputs, TestRequest } from "../compiler/tests/model.ts";
import { own } from "../runtime/own.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** `now` is generated around this instant (a Monday, 10:00 UTC) unless a property fixes it. */
export const BASE_NOW = Date.UTC(2026, 2, 2, 10, 0, 0);

/** A time relative to `now`, made absolute when the case is built. */
class Rel {
  readonly unit: "day" | "minute";
  readonly n: number;
  constructor(unit: "day" | "minute", n: number) {
    this.unit = unit;
    this.n = n;
  }
}

/** A literal a field is compared with, and how (`days_until(policy.renewal_date) == 90`). */
export type FieldHint =
  | { readonly kind: "value" | "days_until" | "days_since" | "hours_since"; readonly k: number }
  | { readonly kind: "string"; readonly s: string };

/**
 * Literals worth generating near: per field (`customer.tenure_months`, `event.csat`, list
 * members as `customer.recent_interactions[].at`), the ints and strings it is compared with;
 * and every int and string of the expressions, for fields compared with nothing literal.
 */
export interface Hints {
  readonly ints: readonly number[];
  readonly strings: readonly string[];
  readonly fields: ReadonlyMap<string, readonly FieldHint[]>;
}

const TIME_CALLS = new Set(["days_until", "days_since", "hours_since"]);
const COMPARISON = new Set(["==", "!=", "<", "<=", ">", ">="]);

/** The field key an expression reads directly (`x`, or `f(x)` for the calendar functions). */
type NumericVia = Exclude<FieldHint["kind"], "string">;

function fieldKey(e: A.Expr, resolutions: ReadonlyMap<A.PathExpr, Resolution>): { key: string; via: NumericVia } | undefined {
  let x = e;
  while (x.kind === "paren") x = x.inner;
  let via: NumericVia = "value";
  if (x.kind === "call" && TIME_CALLS.has(x.callee.name) && x.args.length === 1) {
    via = x.callee.name as NumericVia;
    x = x.args[0]!;
    while (x.kind === "paren") x = x.inner;
  }
  if (x.kind !== "path") return undefined;
  const r = resolutions.get(x);
  if (r?.kind === "field") return { key: r.path, via };
  if (r?.kind === "event") return { key: `event.${r.name}`, via };
  if (r?.kind === "variable" && r.members.length === 1) {
    const list = r.binder.list.kind === "path" ? resolutions.get(r.binder.list) : undefined;
    if (list?.kind === "field") return { key: `${list.path}[].${r.members[0]}`, via };
  }
  return undefined;
}

function literalOf(e: A.Expr): number | string | undefined {
  let x = e;
  while (x.kind === "paren") x = x.inner;
  if (x.kind === "int" || x.kind === "decimal") return x.value;
  if (x.kind === "string") return x.value;
  return undefined;
}

export function mineHints(exprs: Iterable<A.Expr>, resolutions: ReadonlyMap<A.PathExpr, Resolution> = new Map()): Hints {
  const ints = new Set<number>();
  const strings = new Set<string>();
  const fields = new Map<string, FieldHint[]>();
  const add = (key: string, h: FieldHint) => {
    const list = fields.get(key) ?? fields.set(key, []).get(key)!;
    if (!list.some((x) => JSON.stringify(x) === JSON.stringify(h))) list.push(h);
  };
  for (const e of exprs) {
    walkExpr(e, (x) => {
      if (x.kind === "int" || x.kind === "decimal") ints.add(Math.round(Math.abs(x.value)));
      else if (x.kind === "string") strings.add(x.value);
      else if (x.kind === "duration") {
        if (x.ms % MS_PER_DAY === 0) ints.add(x.ms / MS_PER_DAY);
        if (x.ms % HOUR === 0) ints.add(x.ms / HOUR);
      } else if (x.kind === "binary" && (COMPARISON.has(x.op) || x.op === "in" || x.op === "not in")) {
        for (const [side, other] of [
          [x.left, x.right],
          [x.right, x.left],
        ] as const) {
          const f = fieldKey(side, resolutions);
          if (!f) continue;
          const values = other.kind === "list" ? other.items.map(literalOf) : [literalOf(other)];
          for (const v of values) {
            if (typeof v === "number") add(f.key, { kind: f.via, k: Math.round(v) });
            else if (typeof v === "string" && f.via === "value") add(f.key, { kind: "string", s: v });
          }
        }
      }
    });
  }
  return { ints: [...ints].sort((a, b) => a - b), strings: [...strings].sort(), fields };
}

/** An event (and timer) some journey runs on: what a request can trigger. */
export interface Trigger {
  readonly event: string;
  readonly timer?: { readonly label: string; readonly ms: number };
}

export function triggersOf(journeys: readonly JourneyMeta[]): Trigger[] {
  const out = new Map<string, Trigger>();
  for (const j of journeys) {
    const { event, timers } = j.trigger;
    if (timers.length === 0) out.set(event, { event });
    for (const t of timers) out.set(`${event}@${t.ms}`, { event, timer: { label: t.label, ms: t.ms } });
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, t]) => t);
}

function near(ints: readonly number[], extra: readonly number[] = [0]): number[] {
  const out = new Set<number>(extra);
  for (const k of ints) for (const d of [-1, 0, 1]) out.add(k + d);
  return [...out].sort((a, b) => Math.abs(a) - Math.abs(b) || a - b);
}

const ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo", "UTC", "Australia/Sydney"];

/** Favour the targeted values 3 to 1 when a field has any. */
function targeted<T>(hinted: readonly T[], generic: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return hinted.length === 0 ? generic : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...hinted) }, { weight: 1, arbitrary: generic });
}

function fieldArb(type: FieldType, key: string, h: Hints): fc.Arbitrary<unknown> {
  const hints = h.fields.get(key) ?? [];
  const nums = (kinds: readonly FieldHint["kind"][], sign = 1) =>
    hints.flatMap((x) => (x.kind !== "string" && kinds.includes(x.kind) ? [x.k - 1, x.k, x.k + 1].map((n) => sign * n) : []));
  const name = key.slice(key.lastIndexOf(".") + 1);
  switch (type.kind) {
    case "enum":
      return fc.constantFrom(...(type.values.length ? type.values : [""]));
    case "list":
      return fc.array(type.of.kind === "type" ? fieldArb(type.of.type, `${key}[]`, h) : recordArb(type.of.members, `${key}[]`, h), { maxLength: 4 });
    case "scalar":
      switch (type.name) {
        case "bool":
          return fc.boolean();
        case "int":
          return targeted(
            nums(["value"]),
            fc.oneof(
              { weight: 2, arbitrary: fc.constantFrom(...near(h.ints)) },
              { weight: 2, arbitrary: fc.integer({ min: 0, max: 100 }) },
              { weight: 1, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
            ),
          );
        case "decimal":
          return targeted(
            nums(["value"]),
            fc.oneof(
              { weight: 1, arbitrary: fc.constantFrom(...near(h.ints)) },
              { weight: 2, arbitrary: fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 100) },
            ),
          );
        case "string": {
          const strs = hints.flatMap((x) => (x.kind === "string" ? [x.s] : []));
          if (/^(timezone|tz|time_zone)$/.test(name))
            return fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...ZONES) }, { weight: 1, arbitrary: fc.constant("Not/AZone") });
          return targeted(strs, fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...h.strings, "x") }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }));
        }
        case "date": {
          const days = [...nums(["days_until"]), ...nums(["days_since"], -1)].filter(representable);
          return targeted(days, fc.integer({ min: -400, max: 400 })).map((n) => new Rel("day", n));
        }
        case "datetime": {
          const minutes = [
            ...nums(["days_until"]).map((d) => d * 1440),
            ...nums(["days_since"], -1).map((d) => d * 1440),
            ...nums(["hours_since"], -1).map((x) => x * 60),
          ].filter((m) => representable(m / 1440));
          const generic = fc.integer({ min: -400 * 24 * 60, max: 30 * 24 * 60 });
          return (
            minutes.length === 0
              ? generic
              : fc.oneof(
                  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...minutes), fc.integer({ min: 0, max: 59 })).map(([m, j]) => m - j) },
                  { weight: 1, arbitrary: generic },
                )
          ).map((n) => new Rel("minute", n));
        }
        case "duration":
          return fc.integer({ min: 0, max: 400 }).map((n) => `${n}d`);
      }
  }
}

function recordArb(members: ReadonlyMap<string, FieldType>, key: string, h: Hints): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, t] of members) model[k] = fieldArb(t, `${key}.${k}`, h);
  return fc.record(model);
}

function entityArb(fields: readonly FieldDef[], h: Hints): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of fields) model[f.name] = fieldArb(f.type, f.path, h);
  return fc.record(model, { requiredKeys: fields.filter((f) => !f.optional).map((f) => f.name) }) as fc.Arbitrary<Record<string, unknown>>;
}

/**
 * Whether a date `days` from now can be written as a request value (years 0000–9999 around
 * BASE_NOW ± 400 days): a journey may compare with a literal no date reaches
 * (`days_since(d) == 9007199254740991`), which the generator then does not aim at.
 */
function representable(days: number): boolean {
  return Number.isFinite(days) && Math.abs(days) <= MAX_OFFSET_DAYS;
}
const MAX_OFFSET_DAYS = 700_000;

/** Turns relative times into the JSON a provider would send (dates `YYYY-MM-DD`, datetimes ISO). */
function materialize(v: unknown, nowMs: number): unknown {
  if (v instanceof Rel) return v.unit === "day" ? formatDate(Math.floor(nowMs / MS_PER_DAY) + v.n) : formatDateTime(nowMs + v.n * MINUTE);
  if (Array.isArray(v)) return v.map((x) => materialize(x, nowMs));
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = materialize(x, nowMs);
    return out;
  }
  return v;
}

export interface CaseSpace {
  readonly catalog: Catalog;
  readonly journeys: readonly JourneyMeta[];
  /** What requests may trigger; one of them, or the property's own. */
  readonly triggers: readonly Trigger[];
  readonly fixed: FixedInputs;
  readonly hints: Hints;
}

/** Regions worth trying: the catalog's residency tags and transfer targets, and one foreign region. */
function regionsOf(catalog: Catalog): string[] {
  const out = new Set<string>(["eu"]);
  for (const e of catalog.entities.values()) for (const f of e.fields.values()) if (f.residency !== "any") out.add(f.residency);
  for (const [from, to] of catalog.transfers) {
    out.add(from);
    for (const r of to) out.add(r);
  }
  out.add("us");
  return [...out];
}

/** Generated requests: each a complete, valid request whose data a provider would hold. */
export function caseArbitrary(space: CaseSpace): fc.Arbitrary<TestRequest> {
  const { catalog, fixed, hints } = space;
  const purposes = [...catalog.purposes.keys()];
  const channels = [...new Set([...catalog.actions.values()].map((a) => a.channel))];
  const journeyIds = space.journeys.map((j) => j.id);
  const fixedConsentPurposes = new Set(fixed.consents.map((c) => c.purpose));

  const nowArb =
    fixed.now === undefined
      ? fc.tuple(fc.integer({ min: -400, max: 400 }), fc.integer({ min: -600, max: 839 })).map(([d, m]) => BASE_NOW + d * MS_PER_DAY + m * MINUTE)
      : fc.constant(Date.parse(fixed.now));
  const regions = regionsOf(catalog);
  const regionArb =
    fixed.region !== undefined
      ? fc.constant(fixed.region)
      : fc.oneof({ weight: 6, arbitrary: fc.constant(regions[0]!) }, { weight: 1, arbitrary: fc.constantFrom(...regions) });
  const subjectArb = fixed.subject !== undefined ? fc.constant(fixed.subject) : fc.integer({ min: 1, max: 10_000 }).map((i) => `c-${i}`);
  const triggerArb = space.triggers.length > 0 ? fc.constantFrom(...space.triggers) : fc.constant<Trigger>({ event: [...catalog.events.keys()][0] ?? "none" });

  const contextModel: Record<string, fc.Arbitrary<Record<string, unknown>>> = {};
  for (const [name, entity] of catalog.entities) {
    // Own properties only: an entity named `constructor` that a test does not fix is not Object.
    const given = (own(fixed.context, name) ?? {}) as Record<string, unknown>;
    contextModel[name] = entityArb(
      [...entity.fields.values()].filter((f) => !Object.hasOwn(given, f.name)),
      hints,
    ).map((r) => ({ ...r, ...given }));
  }
  const payloadArbs = new Map<string, fc.Arbitrary<Record<string, unknown>>>();
  for (const [name, ev] of catalog.events) {
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [k, t] of ev.fields) model[k] = fieldArb(t, `event.${k}`, hints);
    payloadArbs.set(name, fc.record(model));
  }
  const payloadArb = fc.record(Object.fromEntries(payloadArbs)) as fc.Arbitrary<Record<string, Record<string, unknown>>>;

  const consentArb = fc.record(
    {
      purpose: fc.constantFrom(...(purposes.length ? purposes : ["none"])),
      channel: fc.constantFrom(...(channels.length ? channels : ["none"])),
      status: fc.oneof(
        { weight: 3, arbitrary: fc.constant("granted" as const) },
        { weight: 1, arbitrary: fc.constantFrom("withdrawn" as const, "denied" as const) },
      ),
      at: fc.integer({ min: -3 * 24 * 60, max: 400 * 24 * 60 }),
      expires: fc.integer({ min: -30, max: 400 }),
    },
    { requiredKeys: ["purpose", "status", "at"] },
  );
  const objectionArb = fc.record({
    scope: fc.constantFrom("direct_marketing", ...purposes.map((p) => `purpose:${p}`)),
    at: fc.integer({ min: 0, max: 400 * 24 * 60 }),
  });
  const historyArb = fc.record({ journey: fc.constantFrom(...(journeyIds.length ? journeyIds : ["none"])), at: fc.integer({ min: 0, max: 200 * 24 * 60 }) });
  const timeArb = fc.integer({ min: 60, max: 400 * 24 * 60 });

  return fc
    .record({
      now: nowArb,
      region: regionArb,
      subject: subjectArb,
      trigger: triggerArb,
      context: fc.record(contextModel),
      payloads: payloadArb,
      consents: fc.array(consentArb, { maxLength: 4 }),
      objections: fc.array(objectionArb, { maxLength: 2 }),
      history: fc.array(historyArb, { maxLength: 3 }),
      fixedTimes: fc.array(timeArb, {
        minLength: fixed.consents.length + fixed.objections.length + fixed.history.length,
        maxLength: fixed.consents.length + fixed.objections.length + fixed.history.length,
      }),
    })
    .map((g): TestRequest => {
      const now = g.now;
      const ago = (minutes: number) => formatDateTime(now - minutes * MINUTE);
      const times = [...g.fixedTimes];
      const fixedAt = (at: string | undefined) => at ?? ago(times.shift() ?? 1440);
      const t = g.trigger;
      const payload = materialize(g.payloads[t.event] ?? {}, now) as Record<string, unknown>;
      return {
        event: {
          type: t.event,
          id: "generated",
          ...(t.timer ? { at: formatDateTime(now - t.timer.ms), timer: t.timer.label } : {}),
          ...(Object.keys(payload).length ? { payload } : {}),
        },
        subject: g.subject,
        now: formatDateTime(now),
        region: g.region,
        context: materialize(g.context, now) as TestRequest["context"],
        consents: [
          ...g.consents
            .filter((c) => !fixedConsentPurposes.has(c.purpose))
            .map((c) => ({
              purpose: c.purpose,
              ...(c.channel ? { channel: c.channel } : {}),
              status: c.status,
              at: ago(c.at),
              ...(c.expires !== undefined ? { expires_at: formatDateTime(now + c.expires * MS_PER_DAY) } : {}),
            })),
          ...fixed.consents.map((c) => ({ ...c, at: fixedAt(c.at) })),
        ],
        objections: [...g.objections.map((o) => ({ scope: o.scope, at: ago(o.at) })), ...fixed.objections.map((o) => ({ ...o, at: fixedAt(o.at) }))],
        history: [...g.history.map((h) => ({ journey: h.journey, at: ago(h.at) })), ...fixed.history.map((h) => ({ ...h, at: fixedAt(h.at) }))],
      };
    });
}
