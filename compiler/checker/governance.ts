// The checks that turn the catalog's data-protection tags into duties (issue 15): a marketing
// purpose may read direct or sensitive personal data only with an explicit allowance (`pii:`
// of the purpose), a purpose with a `systems` allow-list may read only fields whose `lineage`
// names one of them, and personal data a journey reads must say how long it is kept
// (`retention`) and where it comes from (`lineage`). The first two are errors at the read; the
// last is one warning per field, at the field in the catalog, since the fix is there.
import { lineageSystem } from "../../core/catalog/lineage.ts";
import type { Catalog, FieldDef, PurposeDef } from "../../core/catalog/types.ts";
import type { Diagnostic } from "../../core/diagnostics.ts";
import type { Span } from "../../core/source.ts";
import { list } from "./expr.ts";

type Report = (code: string, message: string, span: Span, hint?: string) => void;

/**
 * The purpose's duties for one read of `def` at `span`. `forbidden`: the read already broke
 * the purpose's `forbids` (`check/forbidden-label`), so no allowance could make it right and
 * the marketing allowance is not asked for on top.
 */
export function checkPurposeDuties(def: FieldDef, span: Span, purpose: PurposeDef, forbidden: boolean, err: Report): void {
  if (purpose.marketing && !forbidden && (def.pii === "direct" || def.pii === "sensitive") && !(purpose.pii ?? []).includes(def.path)) {
    const what = def.pii === "direct" ? "which identifies a person (pii: direct)" : "which is special-category data (pii: sensitive)";
    err(
      "check/marketing-pii",
      `marketing purpose \`${purpose.name}\` reads \`${def.path}\`, ${what}, without an allowance`,
      span,
      `direct marketing may read such data only where the catalog allows it: add \`${def.path}\` to \`pii:\` of purpose \`${purpose.name}\` if this use is intended and covered by its lawful basis, or remove the read`,
    );
  }
  const systems = purpose.systems;
  if (systems === undefined) return;
  const allowed = systems.length === 0 ? "no system" : list([...systems]);
  if (def.lineage === undefined) {
    err(
      "check/no-lineage",
      `\`${def.path}\` has no \`lineage\`, so it cannot be shown to come from a system purpose \`${purpose.name}\` allows (${allowed})`,
      span,
      `tag the field in the catalog with its source, such as \`lineage: ${systems[0] ?? "crm"}.table.column\`, or remove the read`,
    );
    return;
  }
  const system = lineageSystem(def.lineage);
  if (systems.includes(system)) return;
  err(
    "check/system-not-allowed",
    `\`${def.path}\` comes from system \`${system}\` (lineage \`${def.lineage}\`), which purpose \`${purpose.name}\` does not allow`,
    span,
    `purpose \`${purpose.name}\` may read from ${allowed}: add \`${system}\` to its \`systems\` in the catalog if this source is intended, or remove the read`,
  );
}

/**
 * One warning per personal-data field (`pii` other than `none`) that some journey reads and
 * that has no `retention` or no `lineage`, at the field in the catalog, pointing at the first
 * read. Fields no journey reads are not processed by decisions and are left to the records of
 * processing (`kairos report processing`).
 */
export function checkPiiTags(
  catalog: Catalog,
  firstReads: ReadonlyMap<string, { readonly def: FieldDef; readonly span: Span; readonly journey: string }>,
  diagnostics: Diagnostic[],
): void {
  for (const path of [...firstReads.keys()].sort()) {
    const { def, span, journey } = firstReads.get(path)!;
    if (def.pii === "none") continue;
    const at: Span = { file: catalog.file, start: def.loc.start, end: def.loc.end };
    const related = [{ span, message: `read by journey \`${journey}\` here` }];
    if (def.retention === undefined) {
      diagnostics.push({
        code: "check/pii-without-retention",
        severity: "warning",
        message: `\`${def.path}\` is personal data (pii: ${def.pii}) that journeys read, but has no \`retention\``,
        span: at,
        hint: "say how long the value is kept, as an ISO 8601 duration, such as `retention: P7Y`",
        related,
      });
    }
    if (def.lineage === undefined) {
      diagnostics.push({
        code: "check/pii-without-lineage",
        severity: "warning",
        message: `\`${def.path}\` is personal data (pii: ${def.pii}) that journeys read, but has no \`lineage\``,
        span: at,
        hint: "say where the value comes from, a path that starts with its source system: `lineage: system.table.column`, such as `lineage: crm.contacts.email`",
        related,
      });
    }
  }
}
