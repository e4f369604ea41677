// The review queue: `pending_review` decisions waiting for a person, and the verdict that acts
// on one (approve) or suppresses it (reject), logged as a new entry linked to the first.
import { resolveReview, type VerdictBody } from "../reviews.ts";
import { DECISION_PARAMS, DECISION_SCHEMA, REVIEW_BODY, REVIEWS_QUERY } from "../schemas.ts";
import { fromStore } from "../service.ts";
import type { StoredReview } from "../store/types.ts";
import { errorsOf, type RouteSpec } from "./route.ts";

export const reviewRoutes: readonly RouteSpec[] = [
  {
    method: "GET",
    url: "/v1/reviews",
    tag: "reviews",
    summary: "Reviews by state (default `pending`), oldest first",
    scopes: ["review"],
    schema: { querystring: REVIEWS_QUERY },
    responses: {
      200: { description: "the reviews", schema: { type: "object", properties: { reviews: { type: "array", items: { type: "object" } } } } },
      ...errorsOf(),
    },
    async handler(ctx, request) {
      const state = ((request.query as { state?: string }).state ?? "pending") as StoredReview["state"];
      return { reviews: await fromStore("reading reviews", () => ctx.store.reviews(state)) };
    },
  },
  {
    method: "POST",
    url: "/v1/reviews/:id",
    tag: "reviews",
    summary: "Approve or reject a pending review",
    description:
      "Approval re-checks the journey's cap and the catalog's channel caps at the time of the verdict (409 `cap_reached`: the review stays pending). " +
      "The verdict is logged as a new decision (`review.of` names the first).",
    scopes: ["review"],
    schema: { params: DECISION_PARAMS, body: REVIEW_BODY },
    responses: {
      200: {
        description: "the verdict's decision and the review after it",
        schema: { type: "object", properties: { decision: DECISION_SCHEMA, review: { type: "object" } } },
      },
      ...errorsOf(404, 409),
    },
    async handler(ctx, request) {
      const { id } = request.params as { id: string };
      return resolveReview(ctx.service, id, request.body as VerdictBody);
    },
  },
];
