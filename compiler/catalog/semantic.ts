// Cross-reference checks over the built catalog: names used in one section must exist in
// another. Labels and channels are free names, so for them only a near miss (a likely typo)
// is reported; a label forbidden ahead of any field carrying it is legitimate. A channel cap is
// stricter: its channel and purposes must exist, since a cap that counts nothing protects nobody.
// So are a purpose's governance lists: a system no field comes from, or a personal-data allowance
// naming a field that is not direct or sensitive personal data, is a mistake that would make the
// journey checks (compiler/checker/journey.ts) reject or allow the wrong reads.
import { closest, didYouMean } from "../../core/diagnostics.ts";
import type { NameRef, References } from "./build.ts";
import type { Reporter } from "./report.ts";
import { capCoversPurpose } from "../../core/catalog/caps.ts";
import { lineageSystem } from "../../core/catalog/lineage.ts";
import type { Catalog } from "../../core/catalog/types.ts";

export function checkReferences(catalog: Catalog, refs: References, r: Reporter): void {
  checkBinds(catalog, refs.binds, r);
  checkOverlaps(refs, r);
  checkLabels(catalog, [...refs.forbids, ...refs.allows], r);
  checkChannels(catalog, refs.channels, r);
  checkCaps(catalog, refs, r);
  checkSystems(catalog, refs.systems, r);
  checkPiiAllowances(catalog, refs.piiAllowances, r);
  checkCosts(catalog, refs.costChannels, r);
}

// `value: costs` prices the actions of a channel: a channel no action uses is a mistake (a typo,
// or an action removed), since its cost would never count.
function checkCosts(catalog: Catalog, uses: readonly NameRef[], r: Reporter): void {
  const used = new Set<string>();
  for (const a of catalog.actions.values()) used.add(a.channel);
  const known = [...used].sort();
  for (const ref of uses) {
    if (used.has(ref.name)) continue;
    const hint =
      didYouMean(ref.name, known) ?? (known.length === 0 ? "declare an action that uses the channel under `actions`" : `channels actions use: ${list(known)}`);
    r.report("catalog/unknown-cost-channel", `\`value: costs\` prices channel \`${ref.name}\`, which no action uses`, ref.loc, hint);
  }
}

// A purpose's `systems` must name systems the catalog's lineage tags use.
function checkSystems(catalog: Catalog, uses: readonly NameRef[], r: Reporter): void {
  const known = new Set<string>();
  for (const e of catalog.entities.values()) for (const f of e.fields.values()) if (f.lineage !== undefined) known.add(lineageSystem(f.lineage));
  const sorted = [...known].sort();
  for (const ref of uses) {
    if (known.has(ref.name)) continue;
    const hint =
      didYouMean(ref.name, sorted) ??
      (sorted.length === 0
        ? "no field has a `lineage` yet: tag the fields with their source, such as `lineage: crm.contacts.email`, then list `crm` here"
        : `systems named by the fields' \`lineage\`: ${list(sorted)}`);
    r.report("catalog/unknown-system", `purpose \`${ref.owner}\` allows system \`${ref.name}\`, which no field's \`lineage\` names`, ref.loc, hint);
  }
}

// A purpose's `pii` allowance must name declared fields that are direct or sensitive personal data.
function checkPiiAllowances(catalog: Catalog, uses: readonly NameRef[], r: Reporter): void {
  for (const ref of uses) {
    const [entityName, fieldName] = ref.name.split(".") as [string, string];
    const entity = catalog.entities.get(entityName);
    const field = entity?.fields.get(fieldName);
    if (!entity || !field) {
      const paths: string[] = [];
      for (const e of catalog.entities.values()) for (const f of e.fields.values()) if (f.pii === "direct" || f.pii === "sensitive") paths.push(f.path);
      const hint =
        didYouMean(ref.name, paths) ??
        (entity
          ? `entity \`${entityName}\` has no field \`${fieldName}\``
          : paths.length === 0
            ? "the catalog has no `pii: direct` or `pii: sensitive` field"
            : `the direct and sensitive personal data: ${list(paths.sort())}`);
      r.report("catalog/unknown-pii-field", `purpose \`${ref.owner}\` allows personal data \`${ref.name}\`, which the catalog does not declare`, ref.loc, hint);
      continue;
    }
    if (field.pii === "direct" || field.pii === "sensitive") continue;
    r.report(
      "catalog/needless-pii-allowance",
      `purpose \`${ref.owner}\` allows \`${ref.name}\`, which is not direct or sensitive personal data (pii: ${field.pii})`,
      ref.loc,
      field.pii === "identifier"
        ? `pseudonymous identifiers need no allowance: remove \`${ref.name}\` from \`pii\`, or tag the field \`pii: direct\` if it identifies a person`
        : `remove \`${ref.name}\` from \`pii\`, or tag the field \`pii: direct\` or \`pii: sensitive\` if it is personal data`,
      [{ loc: field.loc, message: `\`${ref.name}\` is declared here` }],
    );
  }
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

function list(names: readonly string[]): string {
  return names.map((n) => `\`${n}\``).join(", ");
}

// A cap's channel must be one the catalog uses (an action's or a purpose's), its purposes must
// be declared, and a cap no covered purpose can act through is reported as never applying.
function checkCaps(catalog: Catalog, refs: References, r: Reporter): void {
  const channels = new Set<string>();
  for (const a of catalog.actions.values()) channels.add(a.channel);
  for (const p of catalog.purposes.values()) for (const c of p.channels) channels.add(c);
  const bad = new Set<string>();
  for (const ref of refs.capChannels) {
    if (channels.has(ref.name)) continue;
    bad.add(ref.owner);
    const known = [...channels].sort();
    const hint =
      didYouMean(ref.name, known) ?? (known.length === 0 ? "declare an action that uses the channel under `actions`" : `channels in use: ${list(known)}`);
    r.report("catalog/unknown-cap-channel", `cap \`${ref.owner}\` counts channel \`${ref.name}\`, which no action or purpose uses`, ref.loc, hint);
  }
  const purposes = [...catalog.purposes.keys()];
  for (const ref of refs.capPurposes) {
    if (catalog.purposes.has(ref.name)) continue;
    bad.add(ref.owner);
    const hint = didYouMean(ref.name, purposes) ?? (purposes.length === 0 ? "declare the purpose under `purposes`" : `declared purposes: ${list(purposes)}`);
    r.report("catalog/unknown-purpose", `cap \`${ref.owner}\` names unknown purpose \`${ref.name}\``, ref.loc, hint);
  }
  for (const cap of catalog.caps?.values() ?? []) {
    if (bad.has(cap.name)) continue;
    const covered = [...catalog.purposes.values()].filter((p) => capCoversPurpose(cap, p.name, catalog));
    if (covered.some((p) => p.channels.includes(cap.channel))) continue;
    const why =
      covered.length === 0
        ? cap.purposes === "marketing"
          ? "no purpose is `marketing: true`"
          : "it covers no purpose"
        : `no purpose it covers (${list(covered.map((p) => p.name))}) lists channel \`${cap.channel}\``;
    r.report(
      "catalog/ineffective-cap",
      `cap \`${cap.name}\` never applies: ${why}`,
      cap.loc,
      "an action on a channel its purpose does not list is never taken; change the cap's `channel` or `purposes`, or remove the cap",
    );
  }
}
