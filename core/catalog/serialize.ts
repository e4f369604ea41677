// The catalog as plain JSON (for artifacts and the browser) and back. Maps become objects
// with sorted keys so the artifact is byte-identical across builds.
import type { ActionDef, Catalog, ChannelCapDef, EntityDef, EventDef, FieldDef, FieldType, ListElement, PurposeDef, ValueDef } from "./types.ts";
import { builtinOutcomeTypes } from "./value.ts";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function sortedEntries<V>(m: ReadonlyMap<string, V>): [string, V][] {
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function typeToJson(t: FieldType): Json {
  switch (t.kind) {
    case "scalar":
      return { kind: "scalar", name: t.name };
    case "enum":
      return { kind: "enum", values: [...t.values] };
    case "list":
      return {
        kind: "list",
        of:
          t.of.kind === "record"
            ? { kind: "record", members: Object.fromEntries(sortedEntries(t.of.members).map(([k, v]) => [k, typeToJson(v)])) }
            : { kind: "type", type: typeToJson(t.of.type) },
      };
  }
}

function typeFromJson(j: any): FieldType {
  if (j.kind === "scalar") return { kind: "scalar", name: j.name };
  if (j.kind === "enum") return { kind: "enum", values: j.values };
  const of: ListElement =
    j.of.kind === "record"
      ? { kind: "record", members: new Map(Object.entries(j.of.members).map(([k, v]) => [k, typeFromJson(v)])) }
      : { kind: "type", type: typeFromJson(j.of.type) };
  return { kind: "list", of };
}

const opt = <K extends string, V>(k: K, v: V | undefined): Partial<Record<K, V>> => (v === undefined ? {} : ({ [k]: v } as Record<K, V>));

/** A JSON-ready, deterministic form of the catalog. */
export function catalogToJson(c: Catalog): Json {
  // The governance members (controller, subjects, description, systems, pii) appear only when
  // the catalog has them: a catalog without them serializes as before (same artifact hash).
  return {
    version: c.version,
    ...(c.controller ? { controller: { name: c.controller.name, ...opt("contact", c.controller.contact), ...opt("dpo", c.controller.dpo) } } : {}),
    file: c.file,
    entities: Object.fromEntries(
      sortedEntries(c.entities).map(([name, e]) => [
        name,
        {
          key: e.key,
          ...opt("subjects", e.subjects),
          loc: [e.loc.start, e.loc.end],
          fields: Object.fromEntries(
            sortedEntries(e.fields).map(([fname, f]) => [
              fname,
              {
                type: typeToJson(f.type),
                pii: f.pii,
                labels: [...f.labels],
                residency: f.residency,
                optional: f.optional,
                ...opt("reasonAllowed", f.reasonAllowed === true ? true : undefined),
                loc: [f.loc.start, f.loc.end],
                ...opt("lineage", f.lineage),
                ...opt("retention", f.retention),
                ...opt("freshness", f.freshness),
              },
            ]),
          ),
        },
      ]),
    ),
    events: Object.fromEntries(
      sortedEntries(c.events).map(([name, e]) => [
        name,
        {
          binds: [...e.binds],
          schedule: e.schedule,
          loc: [e.loc.start, e.loc.end],
          fields: Object.fromEntries(sortedEntries(e.fields).map(([k, v]) => [k, typeToJson(v)])),
          ...opt("freshness", e.freshness),
        },
      ]),
    ),
    purposes: Object.fromEntries(
      sortedEntries(c.purposes).map(([name, p]) => [
        name,
        {
          bases: [...p.bases],
          channels: [...p.channels],
          forbids: [...p.forbids],
          allows: [...p.allows],
          marketing: p.marketing,
          ...opt("description", p.description),
          ...opt("systems", p.systems ? [...p.systems] : undefined),
          ...opt("pii", p.pii ? [...p.pii] : undefined),
          loc: [p.loc.start, p.loc.end],
        },
      ]),
    ),
    actions: Object.fromEntries(
      sortedEntries(c.actions).map(([name, a]) => [
        name,
        {
          channel: a.channel,
          cost: a.cost,
          loc: [a.loc.start, a.loc.end],
          params: Object.fromEntries(sortedEntries(a.params).map(([k, p]) => [k, typeToJson(p.type)])),
        },
      ]),
    ),
    transfers: Object.fromEntries(sortedEntries(c.transfers).map(([k, v]) => [k, [...v]])),
    // Only when there are caps: a catalog without them serializes as before (same artifact hash).
    ...(c.caps && c.caps.size > 0
      ? {
          caps: Object.fromEntries(
            sortedEntries(c.caps).map(([name, cap]) => [
              name,
              {
                channel: cap.channel,
                max: cap.max,
                per: cap.per,
                windowMs: cap.windowMs,
                purposes: typeof cap.purposes === "string" ? cap.purposes : [...cap.purposes],
                loc: [cap.loc.start, cap.loc.end],
              },
            ]),
          ),
        }
      : {}),
    // Only when the catalog has a `value:` section: one without it serializes as before.
    ...(c.value ? { value: valueToJson(c.value) } : {}),
  };
}

function valueToJson(v: ValueDef): Json {
  return {
    currency: v.currency,
    costs: Object.fromEntries(sortedEntries(v.costs)),
    outcomes: Object.fromEntries(
      sortedEntries(v.outcomes).map(([name, o]) => [
        name,
        { harm: o.harm, ...opt("description", o.description), ...(o.loc ? { loc: [o.loc.start, o.loc.end] } : {}) },
      ]),
    ),
    ...(v.controlGroup ? { controlGroup: { percent: v.controlGroup.percent, salt: v.controlGroup.salt } } : {}),
    ...opt("retention", v.retention),
    loc: [v.loc.start, v.loc.end],
  };
}

function valueFromJson(j: any): ValueDef {
  // The built-in types first, as the compiler builds them; then the declared ones.
  const outcomes = builtinOutcomeTypes();
  for (const [name, o] of Object.entries<any>(j.outcomes ?? {})) {
    outcomes.set(name, {
      name,
      harm: o.harm === true,
      ...opt("description", o.description as string | undefined),
      ...(Array.isArray(o.loc) ? { loc: { start: o.loc[0], end: o.loc[1] } } : {}),
    });
  }
  return {
    currency: j.currency,
    costs: new Map(Object.entries<number>(j.costs ?? {})),
    outcomes,
    ...(j.controlGroup ? { controlGroup: { percent: j.controlGroup.percent, salt: j.controlGroup.salt } } : {}),
    ...opt("retention", j.retention as string | undefined),
    loc: { start: j.loc[0], end: j.loc[1] },
  };
}

/** Rebuilds the catalog model from `catalogToJson` output. */
export function catalogFromJson(j: any): Catalog {
  const loc = (l: [number, number]) => ({ start: l[0], end: l[1] });
  const entities = new Map<string, EntityDef>();
  for (const [name, e] of Object.entries<any>(j.entities)) {
    const fields = new Map<string, FieldDef>();
    for (const [fname, f] of Object.entries<any>(e.fields)) {
      fields.set(fname, {
        entity: name,
        name: fname,
        path: `${name}.${fname}`,
        type: typeFromJson(f.type),
        pii: f.pii,
        labels: f.labels,
        residency: f.residency,
        optional: f.optional,
        ...(f.reasonAllowed === true ? { reasonAllowed: true } : {}),
        loc: loc(f.loc),
        ...opt("lineage", f.lineage as string | undefined),
        ...opt("retention", f.retention as string | undefined),
        ...opt("freshness", f.freshness as string | undefined),
      });
    }
    entities.set(name, { name, key: e.key, ...opt("subjects", e.subjects as string | undefined), fields, loc: loc(e.loc) });
  }
  const events = new Map<string, EventDef>();
  for (const [name, e] of Object.entries<any>(j.events)) {
    events.set(name, {
      name,
      binds: e.binds,
      schedule: e.schedule,
      loc: loc(e.loc),
      fields: new Map(Object.entries<any>(e.fields).map(([k, v]) => [k, typeFromJson(v)])),
      ...opt("freshness", e.freshness as string | undefined),
    });
  }
  const purposes = new Map<string, PurposeDef>();
  for (const [name, p] of Object.entries<any>(j.purposes))
    purposes.set(name, {
      name,
      bases: p.bases,
      channels: p.channels,
      forbids: p.forbids,
      allows: p.allows,
      marketing: p.marketing,
      ...opt("description", p.description as string | undefined),
      ...opt("systems", p.systems as string[] | undefined),
      ...opt("pii", p.pii as string[] | undefined),
      loc: loc(p.loc),
    });
  const actions = new Map<string, ActionDef>();
  for (const [name, a] of Object.entries<any>(j.actions)) {
    actions.set(name, {
      name,
      channel: a.channel,
      cost: a.cost,
      loc: loc(a.loc),
      params: new Map(Object.entries<any>(a.params).map(([k, t]) => [k, { name: k, type: typeFromJson(t) }])),
    });
  }
  const caps = new Map<string, ChannelCapDef>();
  for (const [name, c] of Object.entries<any>(j.caps ?? {})) {
    caps.set(name, { name, channel: c.channel, max: c.max, per: c.per, windowMs: c.windowMs, purposes: c.purposes, loc: loc(c.loc) });
  }
  const controller = j.controller as { name: string; contact?: string; dpo?: string } | undefined;
  return {
    version: j.version,
    ...(controller ? { controller: { name: controller.name, ...opt("contact", controller.contact), ...opt("dpo", controller.dpo) } } : {}),
    file: j.file,
    entities,
    events,
    purposes,
    actions,
    transfers: new Map(Object.entries<any>(j.transfers)),
    caps,
    ...(j.value ? { value: valueFromJson(j.value) } : {}),
  };
}
