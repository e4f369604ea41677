// Cross-reference checks over the built catalog: names used in one section must exist in
// another. Labels and channels are free names, so for them only a near miss (a likely typo)
// is reported; a label forbidden ahead of any field carrying it is legitimate.
import { closest, didYouMean } from "../../core/diagnostics.ts";
import type { NameRef, References } from "./build.ts";
import type { Reporter } from "./report.ts";
import type { Catalog } from "../../core/catalog/types.ts";

export function checkReferences(catalog: Catalog, refs: References, r: Reporter): void {
  checkBinds(catalog, refs.binds, r);
  checkOverlaps(refs, r);
  checkLabels(catalog, [...refs.forbids, ...refs.allows], r);
  checkChannels(catalog, refs.channels, r);
}

function checkBinds(catalog: Catalog, binds: readonly NameRef[], r: Reporter): void {
  const names = [...catalog.entities.keys()];
  for (const ref of binds) {
    if (catalog.entities.has(ref.name)) continue;
    const hint =
      didYouMean(ref.name, names) ??
      (names.length === 0
        ? "declare the entity under `entities`"
        : `declared entities: ${names.map((n) => `\`${n}\``).join(", ")}; or declare \`${ref.name}\` under \`entities\``);
    r.report("catalog/unknown-entity", `event \`${ref.owner}\` binds unknown entity \`${ref.name}\``, ref.loc, hint);
  }
}

function checkOverlaps(refs: References, r: Reporter): void {
  const forbidden = new Map<string, NameRef>();
  for (const f of refs.forbids) forbidden.set(`${f.owner}\u0000${f.name}`, f);
  for (const a of refs.allows) {
    const f = forbidden.get(`${a.owner}\u0000${a.name}`);
    if (!f) continue;
    r.report(
      "catalog/overlapping-labels",
      `purpose \`${a.owner}\` both forbids and allows label \`${a.name}\``,
      a.loc,
      `remove \`${a.name}\` from \`allows\` or from \`forbids\`: a label is either forbidden or allowed`,
      [{ loc: f.loc, message: "forbidden here" }],
    );
  }
}

function checkLabels(catalog: Catalog, uses: readonly NameRef[], r: Reporter): void {
  const carried = new Set<string>();
  for (const e of catalog.entities.values()) for (const f of e.fields.values()) for (const l of f.labels) carried.add(l);
  for (const ref of uses) {
    if (carried.has(ref.name)) continue;
    const near = closest(ref.name, carried);
    if (near === undefined) continue;
    r.report("catalog/unknown-label", `no field carries label \`${ref.name}\` (named by purpose \`${ref.owner}\`)`, ref.loc, `did you mean \`${near}\`?`);
  }
}

function checkChannels(catalog: Catalog, uses: readonly NameRef[], r: Reporter): void {
  const offered = new Set<string>();
  for (const a of catalog.actions.values()) offered.add(a.channel);
  for (const ref of uses) {
    if (offered.has(ref.name)) continue;
    const near = closest(ref.name, offered);
    if (near === undefined) continue;
    r.report("catalog/unknown-channel", `no action uses channel \`${ref.name}\` (named by purpose \`${ref.owner}\`)`, ref.loc, `did you mean \`${near}\`?`);
  }
}
