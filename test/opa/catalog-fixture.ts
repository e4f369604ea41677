// Builds the typed Catalog model from catalog-YAML bits (purposes, entities' fields with
// residency, transfers) for the OPA tests, without depending on the catalog loader.
import type { Catalog, EntityDef, FieldDef, LawfulBasis, PurposeDef } from "../../core/catalog/types.ts";

const loc = { start: 0, end: 0 };

interface CatalogBits {
  entities?: Record<string, { key?: string; fields?: Record<string, { residency?: string } | null> }>;
  purposes?: Record<string, { bases?: string[]; channels?: string[]; marketing?: boolean; forbids?: string[]; allows?: string[] }>;
  transfers?: Record<string, string[]>;
}

export function catalogFromBits(bits: unknown): Catalog {
  const b = (bits ?? {}) as CatalogBits;
  const entities = new Map<string, EntityDef>();
  for (const [entity, def] of Object.entries(b.entities ?? {})) {
    const fields = new Map<string, FieldDef>();
    for (const [name, f] of Object.entries(def.fields ?? {})) {
      fields.set(name, {
        entity,
        name,
        path: `${entity}.${name}`,
        type: { kind: "scalar", name: "string" },
        pii: "none",
        labels: [],
        residency: f?.residency ?? "any",
        optional: false,
        loc,
      });
    }
    entities.set(entity, { name: entity, key: def.key ?? "id", fields, loc });
  }
  const purposes = new Map<string, PurposeDef>();
  for (const [name, p] of Object.entries(b.purposes ?? {})) {
    purposes.set(name, {
      name,
      bases: (p.bases ?? []) as LawfulBasis[],
      channels: p.channels ?? [],
      forbids: p.forbids ?? [],
      allows: p.allows ?? [],
      marketing: p.marketing ?? false,
      loc,
    });
  }
  return {
    version: 1,
    file: "catalog.yaml",
    entities,
    events: new Map(),
    purposes,
    actions: new Map(),
    transfers: new Map(Object.entries(b.transfers ?? {})),
  };
}
