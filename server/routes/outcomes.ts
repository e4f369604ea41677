// `POST /v1/outcomes` (docs/value.md#outcomes): the business results a journey is judged on —
// a renewal, a conversion, a complaint — reported by the systems that see them. One outcome or
// `{outcomes: [...]}` (at most 1,000), each checked (the schema, then an ISO time with an offset
// and a type the artifact's catalog knows) before anything is written; the batch is written all
// or nothing, idempotently by outcome id, so a retried request or a file imported twice counts once.
import { BUILTIN_OUTCOME_TYPES, type Catalog } from "../../core/catalog/types.ts";
import { HttpError, type Problem } from "../errors.ts";
import { OUTCOMES_BODY, OUTCOMES_RESPONSE } from "../schemas.ts";
import { fromStore } from "../service.ts";
import { outcomeProblems } from "../store/outcome-rows.ts";
import type { OutcomeRecord, ServiceStore, Store } from "../store/types.ts";
import { errorsOf, type RouteSpec } from "./route.ts";

/** The outcome types a catalog knows: the built-in ones and those its `value:` section declares, sorted. */
export function outcomeTypes(catalog: Catalog): string[] {
  return [...new Set([...BUILTIN_OUTCOME_TYPES, ...(catalog.value?.outcomes.keys() ?? [])])].sort();
}

/**
 * The problems of a batch of outcomes against the catalog's types ([] when every record is fine),
 * with paths as the body names them (`outcomes[3].at`, or `at` for a single outcome).
 */
export function outcomeBatchProblems(records: readonly unknown[], types: readonly string[], single: boolean): Problem[] {
  const known = new Set(types);
  const problems: Problem[] = [];
  const path = (index: number, field: string) => (single ? field : `outcomes[${index}]${field === "" ? "" : `.${field}`}`) || "(the body)";
  records.forEach((record, index) => {
    for (const p of outcomeProblems(record, index)) problems.push({ path: path(p.index, p.field), message: p.message });
    const type = (record as { type?: unknown } | null)?.type;
    if (typeof type === "string" && type !== "" && !known.has(type)) {
      problems.push({
        path: path(index, "type"),
        message: `\`${type}\` is not an outcome type of the policy set`,
        hint: `use one of ${types.map((t) => `\`${t}\``).join(", ")}, or declare it under \`value: outcomes:\` in catalog.yaml`,
      });
    }
  });
  return problems;
}

export const outcomeRoutes: readonly RouteSpec[] = [
  {
    method: "POST",
    url: "/v1/outcomes",
    tag: "value",
    summary: "Report business outcomes (one, or `{outcomes: [...]}` with at most 1,000), idempotently by id",
    description:
      "An outcome is `{subject, type, at, value?, id?}`: `type` is conversion, renewal, complaint, unsubscribe or a type the catalog declares; " +
      "`at` is ISO 8601 with an offset; `value` a finite number in the catalog's currency. The batch is checked whole and written all or " +
      "nothing; an id the store already has is not counted again (`duplicates`). 201 when something was added, 200 when nothing was new.",
    scopes: ["decide"],
    schema: { body: OUTCOMES_BODY },
    responses: {
      200: { description: "nothing new: every outcome was a duplicate", schema: OUTCOMES_RESPONSE },
      201: { description: "added", schema: OUTCOMES_RESPONSE },
      ...errorsOf(),
    },
    async handler(ctx, request, reply) {
      const body = request.body as Record<string, unknown>;
      const batch = Array.isArray(body["outcomes"]);
      if (batch && Object.keys(body).length > 1) {
        throw new HttpError(400, "invalid_request", "the body is either one outcome or `{outcomes: [...]}`, not both", {
          problems: Object.keys(body)
            .filter((k) => k !== "outcomes")
            .map((k) => ({ path: k, message: "not allowed next to `outcomes`" })),
          hint: "move the outcome into the `outcomes` list; nothing was written",
        });
      }
      const records = batch ? (body["outcomes"] as unknown[]) : [body];
      const types = outcomeTypes(ctx.engine.catalog);
      const problems = outcomeBatchProblems(records, types, !batch);
      if (problems.length > 0) {
        throw new HttpError(
          400,
          "invalid_outcome",
          `${problems.length === 1 ? "an outcome does" : "outcomes do"} not fit the policy set; nothing was written`,
          {
            problems,
            hint: "fix the outcomes named in `problems` and send the batch again",
          },
        );
      }
      const store = ctx.store as Store & Partial<Pick<ServiceStore, "addOutcomes">>;
      if (typeof store.addOutcomes !== "function") {
        throw new HttpError(503, "store_unavailable", "this service's store keeps no outcomes", { hint: "run kairos serve on one of Kairos's stores" });
      }
      const added = await fromStore("adding outcomes", () => store.addOutcomes!(records as OutcomeRecord[]));
      reply.code(added.added > 0 ? 201 : 200);
      return added;
    },
  },
];
