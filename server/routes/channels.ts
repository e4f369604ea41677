// Routes of kill switches of channels: /v1/channels (H4) — being built (issue 17).
import type { RouteSpec } from "./route.ts";

export const channelRoutes: readonly RouteSpec[] = [];
