// Generated decision requests for properties (fast-check arbitraries derived from the catalog):
// every entity's fields by type, enum values, optional fields present or absent, dates and
// datetimes around `now`, consent records, objections and cap history. Numbers near the
// literals the journeys compare against (k−1, k, k+1) are favoured, so boundaries are hit.
// Times are generated as offsets from `now` and made absolute last, so shrinking keeps them
// relative: a shrunk counterexample still sits on the boundary it found.
import fc from "fast-check";
import type * as A from "../../compiler/ast.ts";
import { walkExpr } from "../../compiler/ast.ts";
import type { JourneyMeta } from "../../compiler/artifact.ts";
import type { Catalog, FieldDef, FieldType } from "../../compiler/catalog/types.ts";
import { formatDate, formatDateTime, MS_PER_DAY } from "../../compiler/literals.ts";
import type { FixedInputs, TestRequest } from "../../compiler/tests/model.ts";

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

/** Literals worth generating near: the ints (and whole durations) the journeys and properties use. */
export interface Hints {
  readonly ints: readonly number[];
  readonly strings: readonly string[];
}

export function mineHints(exprs: Iterable<A.Expr>): Hints {
  const ints = new Set<number>();
  const strings = new Set<string>();
  for (const e of exprs) {
    walkExpr(e, (x) => {
      if (x.kind === "int" || x.kind === "decimal") ints.add(Math.round(Math.abs(x.value)));
      else if (x.kind === "string") strings.add(x.value);
      else if (x.kind === "duration") {
        if (x.ms % MS_PER_DAY === 0) ints.add(x.ms / MS_PER_DAY);
        if (x.ms % HOUR === 0) ints.add(x.ms / HOUR);
      }
    });
  }
  return { ints: [...ints].sort((a, b) => a - b), strings: [...strings].sort() };
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

function fieldArb(type: FieldType, name: string, h: Hints): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case "enum":
      return fc.constantFrom(...(type.values.length ? type.values : [""]));
    case "list":
      return fc.array(type.of.kind === "type" ? fieldArb(type.of.type, name, h) : recordArb(type.of.members, h), { maxLength: 4 });
    case "scalar":
      switch (type.name) {
        case "bool":
          return fc.boolean();
        case "int":
          return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...near(h.ints)) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 100 }) }, { weight: 1, arbitrary: fc.integer({ min: -1000, max: 1000 }) });
        case "decimal":
          return fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...near(h.ints)) }, { weight: 2, arbitrary: fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 100) });
        case "string":
          if (/(^|_)(timezone|tz|time_zone)$/.test(name)) return fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...ZONES) }, { weight: 1, arbitrary: fc.constant("Not/AZone") });
          return fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...h.strings, "x") }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) });
        case "date":
          return fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...near(h.ints).flatMap((k) => (k === 0 ? [0] : [k, -k]))) }, { weight: 1, arbitrary: fc.integer({ min: -400, max: 400 }) }).map((n) => new Rel("day", n));
        case "datetime": {
          const marks = near(h.ints).flatMap((k) => [-k * 24 * 60, -k * 60, k * 24 * 60]);
          const jitter = fc.integer({ min: 0, max: 59 });
          return fc.oneof({ weight: 2, arbitrary: fc.tuple(fc.constantFrom(...marks), jitter).map(([m, j]) => m - j) }, { weight: 1, arbitrary: fc.integer({ min: -400 * 24 * 60, max: 30 * 24 * 60 }) }).map((n) => new Rel("minute", n));
        }
        case "duration":
          return fc.integer({ min: 0, max: 400 }).map((n) => `${n}d`);
      }
  }
}

function recordArb(members: ReadonlyMap<string, FieldType>, h: Hints): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, t] of members) model[k] = fieldArb(t, k, h);
  return fc.record(model);
}

function entityArb(fields: readonly FieldDef[], h: Hints): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of fields) model[f.name] = fieldArb(f.type, f.name, h);
  return fc.record(model, { requiredKeys: fields.filter((f) => !f.optional).map((f) => f.name) }) as fc.Arbitrary<Record<string, unknown>>;
}

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

  const nowArb = fixed.now === undefined ? fc.tuple(fc.integer({ min: -400, max: 400 }), fc.integer({ min: -600, max: 839 })).map(([d, m]) => BASE_NOW + d * MS_PER_DAY + m * MINUTE) : fc.constant(Date.parse(fixed.now));
  const regions = regionsOf(catalog);
  const regionArb = fixed.region !== undefined ? fc.constant(fixed.region) : fc.oneof({ weight: 6, arbitrary: fc.constant(regions[0]!) }, { weight: 1, arbitrary: fc.constantFrom(...regions) });
  const subjectArb = fixed.subject !== undefined ? fc.constant(fixed.subject) : fc.integer({ min: 1, max: 10_000 }).map((i) => `c-${i}`);
  const triggerArb = space.triggers.length > 0 ? fc.constantFrom(...space.triggers) : fc.constant<Trigger>({ event: [...catalog.events.keys()][0] ?? "none" });

  const contextModel: Record<string, fc.Arbitrary<Record<string, unknown>>> = {};
  for (const [name, entity] of catalog.entities) {
    const given = fixed.context[name] ?? {};
    contextModel[name] = entityArb([...entity.fields.values()].filter((f) => !Object.hasOwn(given, f.name)), hints).map((r) => ({ ...r, ...given }));
  }
  const payloadArbs = new Map<string, fc.Arbitrary<Record<string, unknown>>>();
  for (const [name, ev] of catalog.events) {
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [k, t] of ev.fields) model[k] = fieldArb(t, k, hints);
    payloadArbs.set(name, fc.record(model));
  }
  const payloadArb = fc.record(Object.fromEntries(payloadArbs)) as fc.Arbitrary<Record<string, Record<string, unknown>>>;

  const consentArb = fc.record(
    {
      purpose: fc.constantFrom(...(purposes.length ? purposes : ["none"])),
      channel: fc.constantFrom(...(channels.length ? channels : ["none"])),
      status: fc.oneof({ weight: 3, arbitrary: fc.constant("granted" as const) }, { weight: 1, arbitrary: fc.constantFrom("withdrawn" as const, "denied" as const) }),
      at: fc.integer({ min: -3 * 24 * 60, max: 400 * 24 * 60 }),
      expires: fc.integer({ min: -30, max: 400 }),
    },
    { requiredKeys: ["purpose", "status", "at"] },
  );
  const objectionArb = fc.record({ scope: fc.constantFrom("direct_marketing", ...purposes.map((p) => `purpose:${p}`)), at: fc.integer({ min: 0, max: 400 * 24 * 60 }) });
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
      fixedTimes: fc.array(timeArb, { minLength: fixed.consents.length + fixed.objections.length + fixed.history.length, maxLength: fixed.consents.length + fixed.objections.length + fixed.history.length }),
    })
    .map((g): TestRequest => {
      const now = g.now;
      const ago = (minutes: number) => formatDateTime(now - minutes * MINUTE);
      const times = [...g.fixedTimes];
      const fixedAt = (at: string | undefined) => at ?? ago(times.shift() ?? 1440);
      const t = g.trigger;
      const payload = materialize(g.payloads[t.event] ?? {}, now) as Record<string, unknown>;
      return {
        event: { type: t.event, id: "generated", ...(t.timer ? { at: formatDateTime(now - t.timer.ms), timer: t.timer.label } : {}), ...(Object.keys(payload).length ? { payload } : {}) },
        subject: g.subject,
        now: formatDateTime(now),
        region: g.region,
        context: materialize(g.context, now) as TestRequest["context"],
        consents: [
          ...g.consents
            .filter((c) => !fixedConsentPurposes.has(c.purpose))
            .map((c) => ({ purpose: c.purpose, ...(c.channel ? { channel: c.channel } : {}), status: c.status, at: ago(c.at), ...(c.expires !== undefined ? { expires_at: formatDateTime(now + c.expires * MS_PER_DAY) } : {}) })),
          ...fixed.consents.map((c) => ({ ...c, at: fixedAt(c.at) })),
        ],
        objections: [...g.objections.map((o) => ({ scope: o.scope, at: ago(o.at) })), ...fixed.objections.map((o) => ({ ...o, at: fixedAt(o.at) }))],
        history: [...g.history.map((h) => ({ journey: h.journey, at: ago(h.at) })), ...fixed.history.map((h) => ({ ...h, at: fixedAt(h.at) }))],
      };
    });
}
