// Examples for the catalog section of docs/diagnostics.md: each is the spec catalog with one
// edit (or a whole small file) that triggers the code.

export interface CatalogExample {
  /** An edit of the spec catalog: [search, replace]. */
  readonly patch?: readonly [string, string];
  /** A whole catalog file instead. */
  readonly catalog?: string;
  /** What to show as the input (default: the replacement text). */
  readonly show?: string;
  readonly note?: string;
  readonly fix: string;
}

export const CATALOG_EXAMPLES: Record<string, CatalogExample> = {
  "catalog/empty": { catalog: "", show: "# (an empty file)", fix: "Write the catalog: `version: 1`, `entities`, `events`, `purposes`, `actions`." },
  "catalog/yaml-syntax": { patch: ["transfers: { eu: [uk] }", "transfers: { eu: [uk }"], fix: "Fix the YAML at the position shown." },
  "catalog/duplicate-key": { patch: ["      timezone:      { type: string, lineage: crm.customers.tz }\n", "      timezone:      { type: string, lineage: crm.customers.tz }\n      timezone:      { type: string }\n"], show: "      timezone:      { type: string, lineage: crm.customers.tz }\n      timezone:      { type: string }", fix: "Keep one of the two keys." },
  "catalog/unknown-key": { patch: ["transfers: { eu: [uk] }", "transfer: { eu: [uk] }"], fix: "Use a key the catalog format has (the hint names the closest)." },
  "catalog/missing-key": { patch: ["  daily:           { binds: [customer, policy, onboarding], schedule: true }", "  daily:           { schedule: true }"], fix: "Add the required key." },
  "catalog/invalid-value": { patch: ["tenure_months: { type: int,", "tenure_months: { type: integer,"], show: "      tenure_months: { type: integer, lineage: billing.accounts.tenure_months }", fix: "Use one of the allowed values (the message lists them)." },
  "catalog/enum-without-values": { patch: ["segment:       { type: enum, values: [retail, sme, corporate],", "segment:       { type: enum,"], show: "      segment:       { type: enum, lineage: crm.customers.segment }", fix: "List the enum's `values`." },
  "catalog/unknown-entity": { patch: ["binds: [customer, claim]", "binds: [customer, claims]"], show: "  claim.filed:     { binds: [customer, claims], … }", fix: "Bind entities the catalog declares." },
  "catalog/overlapping-labels": { patch: ["claims_handling:   { bases: [contract], channels: [email, sms, call_task], allows: [health] }", "claims_handling:   { bases: [contract], channels: [email, sms, call_task], allows: [health], forbids: [health] }"], fix: "A label is either forbidden or allowed for a purpose, not both." },
};
