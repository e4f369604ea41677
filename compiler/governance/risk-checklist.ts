// The risk checklist of the records of processing: per data type (every catalog field with
// personal data, whether or not a journey reads it), per high-risk journey, and for the record
// itself, each check `ok` or `attention` with the reason. It restates what the policy set shows
// so that a DPO can tick it off: sensitive data without consent as its basis, personal data
// without retention or lineage, sources outside a purpose's allow-list, marketing reading direct
// personal data without an allowance, transfers, high-risk journeys without review. Some of
// these are also compiler diagnostics; the checklist lists them whether or not they fail a build.
import { lineageSystem } from "../../core/catalog/lineage.ts";
import type { FieldDef, PiiClass } from "../../core/catalog/types.ts";
import type { ProcessingInput } from "./processing-input.ts";
import type { PurposeRecord } from "./processing-record.ts";

/** `ok`: nothing to do; `attention`: the DPO should look (what to document or fix is in `text`). */
export type CheckStatus = "ok" | "attention";

/** Every check the checklist can hold, by its stable id (docs/processing.md documents each). */
export const CHECK_IDS = ["controller", "retention", "lineage", "transfers", "source-allowed", "explicit-consent", "marketing-allowance", "review"] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** One check of one group. */
export interface Check {
  readonly id: CheckId;
  readonly status: CheckStatus;
  readonly text: string;
}

/** The checks of one data type (a field), one journey, or the record itself. */
export interface ChecklistGroup {
  readonly kind: "data" | "journey" | "record";
  /** The field path, the journey id, or `controller`. */
  readonly subject: string;
  /** For `data`: the field's class. */
  readonly pii?: PiiClass;
  /** For `data`: the purposes whose journeys read the field, sorted. */
  readonly readBy?: readonly string[];
  readonly checks: readonly Check[];
}

const PII_ORDER: readonly PiiClass[] = ["sensitive", "direct", "identifier"];

function code(s: string): string {
  return `\`${s}\``;
}

function codes(xs: readonly string[]): string {
  return xs.map(code).join(", ");
}

function fieldChecks(def: FieldDef, input: ProcessingInput, readers: readonly PurposeRecord[]): Check[] {
  const checks: Check[] = [];
  checks.push(
    def.retention !== undefined
      ? { id: "retention", status: "ok", text: `kept for ${code(def.retention)}` }
      : { id: "retention", status: "attention", text: "no retention period: add `retention:` (an ISO 8601 duration) to the field" },
  );
  checks.push(
    def.lineage !== undefined
      ? { id: "lineage", status: "ok", text: `comes from ${code(def.lineage)}` }
      : { id: "lineage", status: "attention", text: "no lineage: its source system cannot be shown; add `lineage:` to the field" },
  );
  if (def.residency === "any") {
    checks.push({ id: "transfers", status: "attention", text: "no residency: it may be processed in any region; add `residency:` to the field" });
  } else {
    const to = input.catalog.transfers.get(def.residency) ?? [];
    checks.push(
      to.length > 0
        ? {
            id: "transfers",
            status: "attention",
            text: `resides in ${code(def.residency)} and may also be processed in ${codes(to)}: document the safeguard of each transfer (GDPR Art. 44–49)`,
          }
        : { id: "transfers", status: "ok", text: `processed only in ${code(def.residency)}` },
    );
  }
  const system = def.lineage !== undefined && def.lineage !== "" ? lineageSystem(def.lineage) : undefined;
  const limited = readers.filter((p) => p.allowedSystems !== undefined);
  if (limited.length > 0) {
    const outside = limited.filter((p) => system === undefined || !p.allowedSystems!.includes(system));
    checks.push(
      outside.length === 0
        ? { id: "source-allowed", status: "ok", text: `its system ${code(system!)} is on the allow-list of ${codes(limited.map((p) => p.id))}` }
        : {
            id: "source-allowed",
            status: "attention",
            text:
              system === undefined
                ? `read under ${codes(outside.map((p) => p.id))}, which limit their source systems, but it has no lineage`
                : `its system ${code(system)} is not on the \`systems\` allow-list of ${codes(outside.map((p) => p.id))}`,
          },
    );
  }
  if (def.pii === "sensitive") {
    const noConsent = readers.filter((p) => !p.bases.includes("consent"));
    const alsoOther = readers.filter((p) => p.bases.includes("consent") && p.bases.some((b) => b !== "consent"));
    if (readers.length === 0) checks.push({ id: "explicit-consent", status: "ok", text: "no journey reads it" });
    else if (noConsent.length === 0 && alsoOther.length === 0)
      checks.push({
        id: "explicit-consent",
        status: "ok",
        text: `read only under consent (${codes(readers.map((p) => p.id))}); it must be explicit (Art. 9(2)(a))`,
      });
    else {
      const parts: string[] = [];
      if (noConsent.length > 0) parts.push(`read under ${codes(noConsent.map((p) => p.id))}, whose bases do not include consent`);
      if (alsoOther.length > 0) parts.push(`read under ${codes(alsoOther.map((p) => p.id))}, which may also rely on a basis other than consent`);
      checks.push({
        id: "explicit-consent",
        status: "attention",
        text: `special-category data ${parts.join("; ")}: document the Art. 9(2) condition that applies, or make explicit consent the basis`,
      });
    }
  }
  if (def.pii === "sensitive" || def.pii === "direct") {
    const marketing = readers.filter((p) => p.marketing);
    const without = marketing.filter((p) => !p.piiAllowance.includes(def.path));
    checks.push(
      marketing.length === 0
        ? { id: "marketing-allowance", status: "ok", text: "no marketing purpose reads it" }
        : without.length === 0
          ? { id: "marketing-allowance", status: "ok", text: `read for marketing by ${codes(marketing.map((p) => p.id))}, allowed by its \`pii\` list` }
          : {
              id: "marketing-allowance",
              status: "attention",
              text: `read for direct marketing by ${codes(without.map((p) => p.id))} without an allowance: list ${code(def.path)} in the purpose's \`pii\`, or stop reading it`,
            },
    );
  }
  return checks;
}

/** The checklist of a policy set, given its purposes as the record lists them. */
export function riskChecklist(input: ProcessingInput, purposes: readonly PurposeRecord[]): ChecklistGroup[] {
  const groups: ChecklistGroup[] = [];
  const controller = input.catalog.controller;
  groups.push({
    kind: "record",
    subject: "controller",
    checks: [
      controller
        ? {
            id: "controller",
            status: controller.dpo !== undefined ? "ok" : "attention",
            text: controller.dpo !== undefined ? `named: ${controller.name}; DPO: ${controller.dpo}` : `named: ${controller.name}; no DPO named (add \`dpo:\`)`,
          }
        : {
            id: "controller",
            status: "attention",
            text: "the catalog names no controller: add `controller: { name, contact, dpo }` to catalog.yaml (Art. 30(1)(a))",
          },
    ],
  });
  const fields: FieldDef[] = [];
  for (const entity of input.catalog.entities.values()) for (const f of entity.fields.values()) if (f.pii !== "none") fields.push(f);
  fields.sort((a, b) => PII_ORDER.indexOf(a.pii) - PII_ORDER.indexOf(b.pii) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const def of fields) {
    const readers = purposes.filter((p) => p.data.some((d) => d.path === def.path));
    groups.push({ kind: "data", subject: def.path, pii: def.pii, readBy: readers.map((p) => p.id), checks: fieldChecks(def, input, readers) });
  }
  for (const j of input.journeys) {
    if (j.risk !== "high") continue;
    groups.push({
      kind: "journey",
      subject: j.id,
      checks: [
        j.review
          ? { id: "review", status: "ok", text: "risk high, and a person reviews every action (`review required`)" }
          : { id: "review", status: "attention", text: "risk high without human review: add `review required`" },
      ],
    });
  }
  return groups;
}
