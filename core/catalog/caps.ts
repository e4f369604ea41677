// Which purposes and channels a catalog channel cap covers: one definition shared by the
// catalog checks (a cap that can never apply), the engine's guardrail and the service's
// re-check of caps at review time, so "covered" means the same thing everywhere.
import type { Catalog, ChannelCapDef } from "./types.ts";

/** Whether `cap` counts actions taken for `purpose` (an id the catalog may not know: then only `all` covers it). */
export function capCoversPurpose(cap: ChannelCapDef, purpose: string | undefined, catalog: Catalog): boolean {
  if (cap.purposes === "all") return true;
  if (purpose === undefined) return false;
  if (cap.purposes === "marketing") return catalog.purposes.get(purpose)?.marketing === true;
  return cap.purposes.includes(purpose);
}

/** Whether `cap` covers an action on `channel` for `purpose`. */
export function capCovers(cap: ChannelCapDef, channel: string | undefined, purpose: string | undefined, catalog: Catalog): boolean {
  return channel === cap.channel && capCoversPurpose(cap, purpose, catalog);
}

/** The catalog's channel caps in name order (none when the catalog has no `caps`). */
export function channelCaps(catalog: Catalog): readonly ChannelCapDef[] {
  const caps = catalog.caps;
  if (!caps || caps.size === 0) return [];
  return [...caps.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
