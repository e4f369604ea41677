// Routes of the artifact registry: GET /v1/artifacts (H1) — being built (issue 17).
import type { RouteSpec } from "./route.ts";

export const artifactRoutes: readonly RouteSpec[] = [];
