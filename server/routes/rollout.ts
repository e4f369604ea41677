// Routes of the rollout: GET/POST /v1/rollout, promote, rollback (H3) — being built (issue 17).
import type { RouteSpec } from "./route.ts";

export const rolloutRoutes: readonly RouteSpec[] = [];
