// Builds the catalog's `value:` section (docs/value.md, docs/catalog.md#value): the currency,
// the cost of one action per channel, the outcome types (the built-in ones, then those declared)
// and the global control group. Like the rest of the builder it is tolerant: whatever the schema
// already reported is skipped or defaulted without a second diagnostic; what a schema cannot say
// well (a currency code, a control group of at most half the subjects, a declared
// type that is built in) is reported here, at the value's place in catalog.yaml.
import { isMap, isScalar } from "yaml";
import { builtinOutcomeTypes } from "../../core/catalog/value.ts";
import { parseIsoDuration } from "../../core/literals.ts";
import type { ControlGroupDef, OutcomeTypeDef, ValueDef } from "../../core/catalog/types.ts";
import type { NameRef } from "./build.ts";
import type { Reporter } from "./report.ts";
import { nodeLoc, type Entry, type Node } from "./yaml-tree.ts";

const NAME = /^[a-z][a-z0-9_]*$/;
const CURRENCY = /^[A-Z]{3}$/;
/** The syntax of an ISO 8601 duration (the schema's `duration`). */
const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?$/;

/** The largest global control group, in percent: beyond it most subjects would get nothing. */
export const MAX_CONTROL_GROUP_PERCENT = 50;

/**
 * The `value:` section, or undefined when the catalog has none (or it is not a mapping: the
 * schema said so). `costChannels` receives each channel given a cost, for the cross-reference
 * check that some action uses it (compiler/catalog/semantic.ts).
 */
export function buildValue(
  entry: Entry | undefined,
  mapOf: (node: Node | null) => Map<string, Entry>,
  r: Reporter,
  costChannels: NameRef[],
): ValueDef | undefined {
  if (!entry || !isMap(entry.value)) return undefined;
  const m = mapOf(entry.value);

  let currency = "EUR";
  const currencyEntry = m.get("currency");
  const code = str(currencyEntry?.value);
  if (code !== undefined) {
    if (CURRENCY.test(code)) currency = code;
    else {
      const upper = code.trim().toUpperCase();
      r.report(
        "catalog/invalid-value",
        `\`${code}\` is not an ISO 4217 currency code`,
        nodeLoc(currencyEntry!.value),
        CURRENCY.test(upper) ? `did you mean \`${upper}\`?` : "write three capital letters, such as `EUR`, `USD` or `GBP`",
      );
    }
  }

  const costs = new Map<string, number>();
  const costsEntry = m.get("costs");
  if (costsEntry && isMap(costsEntry.value)) {
    for (const [channel, e] of mapOf(costsEntry.value)) {
      if (!NAME.test(channel)) continue;
      const v = scalar(e.value);
      // Not a finite number of 0 or more: the schema reported it.
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) continue;
      costs.set(channel, v);
      costChannels.push({ owner: "costs", name: channel, loc: nodeLoc(e.keyNode) });
    }
  }

  const outcomes = builtinOutcomeTypes();
  const builtins = [...outcomes.keys()];
  const outcomesEntry = m.get("outcomes");
  if (outcomesEntry && isMap(outcomesEntry.value)) {
    for (const [name, e] of mapOf(outcomesEntry.value)) {
      if (!NAME.test(name)) continue;
      if (builtins.includes(name)) {
        r.report(
          "catalog/builtin-outcome-type",
          `\`${name}\` is a built-in outcome type`,
          nodeLoc(e.keyNode),
          `remove it from \`value: outcomes:\`: ${builtins.map((b) => `\`${b}\``).join(", ")} exist in every catalog`,
        );
        continue;
      }
      // A declaration the schema refused still names a type, so journeys using it get no second error.
      const d = isMap(e.value) ? mapOf(e.value) : undefined;
      const description = str(d?.get("description")?.value);
      const def: OutcomeTypeDef = {
        name,
        ...(description !== undefined && description.length > 0 ? { description } : {}),
        harm: scalar(d?.get("harm")?.value) === true,
        loc: nodeLoc(e.keyNode),
      };
      outcomes.set(name, def);
    }
  }

  let controlGroup: ControlGroupDef | undefined;
  const groupEntry = m.get("control_group");
  if (groupEntry && isMap(groupEntry.value)) {
    const g = mapOf(groupEntry.value);
    const percentEntry = g.get("percent");
    const percent = scalar(percentEntry?.value);
    const salt = scalar(g.get("salt")?.value);
    if (typeof percent === "number") {
      if (percent > 0 && percent <= MAX_CONTROL_GROUP_PERCENT) {
        if (salt === undefined || typeof salt === "string") controlGroup = { percent, salt: salt ?? "" };
      } else {
        r.report(
          "catalog/invalid-value",
          `\`control_group.percent\` must be above 0 and at most ${MAX_CONTROL_GROUP_PERCENT}, not ${String(percent)}`,
          nodeLoc(percentEntry!.value),
          percent <= 0
            ? "to have no global control group, remove `control_group`"
            : "a global control group gets no action from any journey: keep it a small share, such as `percent: 5`",
        );
      }
    }
  }

  // Not a duration: the schema reported it; a duration of nothing (or past any calendar) is reported here.
  const retentionEntry = m.get("retention");
  const retention = str(retentionEntry?.value);
  const retentionMs = retention === undefined ? undefined : parseIsoDuration(retention);
  const kept = retention !== undefined && retentionMs !== undefined && retentionMs > 0 ? retention : undefined;
  if (retention !== undefined && kept === undefined && ISO_DURATION.test(retention)) {
    r.report(
      "catalog/invalid-value",
      `\`retention: ${retention}\` keeps nothing: it must be longer than zero and at most a few thousand years`,
      nodeLoc(retentionEntry!.value),
      "write how long assignments and outcomes are kept, such as `P2Y`; to keep them, remove `retention`",
    );
  }
  return { currency, costs, outcomes, ...(controlGroup ? { controlGroup } : {}), ...(kept ? { retention: kept } : {}), loc: nodeLoc(entry.keyNode) };
}

function scalar(node: Node | null | undefined): unknown {
  return isScalar(node) ? node.value : undefined;
}

function str(node: Node | null | undefined): string | undefined {
  const v = scalar(node);
  return typeof v === "string" ? v : undefined;
}
