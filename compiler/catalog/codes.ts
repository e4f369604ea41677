// The diagnostic codes catalog loading emits: one registry, so docs and tests can check
// that every code is documented and has one severity.
import type { CodeInfo } from "../../core/diagnostics.ts";

const codes = {
  "catalog/empty": { severity: "error", summary: "the catalog file has no content" },
  "catalog/too-large": {
    severity: "error",
    summary: "the catalog is larger than the loader accepts (text size, or what its aliases expand to)",
  },
  "catalog/too-deep": { severity: "error", summary: "the catalog nests collections deeper than the loader accepts" },
  "catalog/yaml-syntax": { severity: "error", summary: "the file is not well-formed YAML" },
  "catalog/yaml-warning": { severity: "warning", summary: "the YAML parser found something suspicious, such as an unknown tag" },
  "catalog/duplicate-key": { severity: "error", summary: "a key appears twice in the same mapping" },
  "catalog/unknown-key": { severity: "error", summary: "a key the catalog format does not have" },
  "catalog/missing-key": { severity: "error", summary: "a required key is missing" },
  "catalog/invalid-value": { severity: "error", summary: "a value of the wrong type or outside the allowed values" },
  "catalog/invalid-name": {
    severity: "error",
    summary: "a name that is not lowercase letters, digits and `_` (dots too for events)",
  },
  "catalog/unsupported-version": { severity: "error", summary: "a catalog `version` this compiler does not read" },
  "catalog/reserved-name": { severity: "error", summary: "an entity named like a built-in path of the language (`event`, `now`)" },
  "catalog/enum-without-values": { severity: "error", summary: "an `enum` type without `values`" },
  "catalog/list-without-of": { severity: "error", summary: "a `list` type without `of`" },
  "catalog/inapplicable-key": { severity: "error", summary: "`values` on a type that is not `enum`, or `of` on a type that is not `list`" },
  "catalog/invalid-key": { severity: "error", summary: "an entity `key` declared among its fields as optional or not `string`/`int`" },
  "catalog/unknown-entity": { severity: "error", summary: "an event binds an entity the catalog does not declare" },
  "catalog/overlapping-labels": { severity: "error", summary: "a purpose both forbids and allows the same label" },
  "catalog/duplicate-item": { severity: "warning", summary: "the same item is listed twice" },
  "catalog/unknown-label": {
    severity: "warning",
    summary: "a purpose names a label no field carries but one close to it exists (a likely typo)",
  },
  "catalog/unknown-channel": {
    severity: "warning",
    summary: "a purpose names a channel no action uses but one close to it exists (a likely typo)",
  },
  "catalog/unknown-cap-channel": { severity: "error", summary: "a channel cap counts a channel that no action uses and no purpose lists" },
  "catalog/unknown-purpose": { severity: "error", summary: "a channel cap names a purpose the catalog does not declare" },
  "catalog/ineffective-cap": {
    severity: "warning",
    summary: "a channel cap never applies: none of the purposes it covers lists its channel",
  },
  "catalog/sensitive-without-labels": {
    severity: "warning",
    summary: "a `pii: sensitive` field has no labels, so no purpose can allow reading it",
  },
  "catalog/unknown-system": {
    severity: "error",
    summary: "a purpose's `systems` names a source system that no field's `lineage` starts with",
  },
  "catalog/unknown-pii-field": { severity: "error", summary: "a purpose's `pii` allowance names a field the catalog does not declare" },
  "catalog/needless-pii-allowance": {
    severity: "error",
    summary: "a purpose's `pii` allowance names a field that is not `pii: direct` or `pii: sensitive`",
  },
  "catalog/builtin-outcome-type": {
    severity: "error",
    summary: "`value: outcomes:` declares a built-in outcome type (`conversion`, `renewal`, `complaint`, `unsubscribe`)",
  },
  "catalog/unknown-cost-channel": { severity: "error", summary: "`value: costs:` gives a cost to a channel that no action uses" },
  "catalog/truncated": { severity: "info", summary: "more problems were found than are reported" },
} as const satisfies Record<string, CodeInfo>;

/** A code catalog loading emits. */
export type CatalogCode = keyof typeof codes;

/** Every code catalog loading emits, with its severity and a one-line summary. */
export const catalogCodes: Record<string, CodeInfo> = codes;
