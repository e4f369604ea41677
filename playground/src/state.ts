// What the playground holds: the policy set's texts and the three JSON inputs. This is exactly
// what a share link carries.
import type { NamedText } from "./protocol.ts";

export interface PlaygroundState {
  readonly catalog: string;
  /** Journey files in display order. */
  readonly journeys: readonly NamedText[];
  readonly request: string;
  readonly context: string;
  readonly consents: string;
}

/** The catalog's file name, as diagnostics and the editor tabs show it. */
export const CATALOG_FILE = "catalog.yaml";

/** A journey file name the compiler accepts and links can carry. */
export const JOURNEY_FILE_RE = /^[A-Za-z0-9_.-]{1,64}\.journey$/;
