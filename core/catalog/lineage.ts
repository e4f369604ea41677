// Where a field's value comes from: the source system of its catalog `lineage` tag. One
// definition for the checks (a purpose's `systems` allow-list) and the records of processing.

/**
 * The source system of a lineage path: its first segment, `crm` of `crm.contacts.email`. A
 * lineage without a dot is a system on its own.
 */
export function lineageSystem(lineage: string): string {
  const dot = lineage.indexOf(".");
  return dot < 0 ? lineage : lineage.slice(0, dot);
}
