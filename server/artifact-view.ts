// A registered artifact as the registry's readers see it: the JSON of `GET /v1/artifacts` and of
// `kairos artifacts list|show --format json`, whether they read the store or the service.
import type { RegisteredArtifact } from "./store/types.ts";

/** A registered artifact as `GET /v1/artifacts` shows it. */
export interface ArtifactView {
  readonly version: string;
  readonly hash: string;
  readonly signed: boolean;
  readonly signer?: string;
  readonly approvals: readonly string[];
  readonly published_by: string;
  readonly published_at: string;
  readonly activated_at?: string;
}

export function artifactView(a: RegisteredArtifact): ArtifactView {
  return {
    version: a.version,
    hash: a.hash,
    signed: a.signature !== undefined,
    ...(a.signer === undefined ? {} : { signer: a.signer }),
    approvals: [...a.approvals],
    published_by: a.publishedBy,
    published_at: a.publishedAt,
    ...(a.activatedAt === undefined ? {} : { activated_at: a.activatedAt }),
  };
}
