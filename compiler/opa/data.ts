// The OPA data document built from the catalog (data.json of the bundle): the only facts the
// consent and residency policies know about purposes, fields and regions.
import type { Catalog } from "../../core/catalog/types.ts";
import type { OpaDataDocument, OpaPurposeData } from "../../core/opa-contract.ts";

function byKey<T>(entries: Iterable<[string, T]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = v;
  return out;
}

/** The data document of a catalog, with keys in sorted order so its JSON is canonical. */
export function catalogToData(catalog: Catalog): OpaDataDocument {
  const purposes = byKey<OpaPurposeData>(
    [...catalog.purposes.values()].map((p) => [p.name, { bases: [...p.bases], channels: [...p.channels], marketing: p.marketing }]),
  );
  const fields = byKey<{ residency: string }>(
    [...catalog.entities.values()].flatMap((e) => [...e.fields.values()].map((f): [string, { residency: string }] => [f.path, { residency: f.residency }])),
  );
  const transfers = byKey<string[]>([...catalog.transfers].map(([region, to]) => [region, [...to]]));
  return { catalog: { purposes, fields, transfers } };
}

/** The bytes of data.json: canonical JSON of the data document. */
export function dataDocumentBytes(data: OpaDataDocument): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(data));
}
