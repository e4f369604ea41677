// A policy set as the language server sees it: the directory holding catalog.yaml (found by
// walking up from an open file), its catalog and journeys/*.journey read from disk — the files
// `kairos check` reads — with the editor's unsaved texts in their place, and every other open
// .journey file under the directory. File names are absolute paths, so a diagnostic's file is
// the document to publish it to.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { PolicySources } from "../compiler/pipeline.ts";
import { decodeUtf8Strict } from "../compiler/node/policy-dir.ts";

/** The directory holding catalog.yaml at or above `file`'s directory, if any. */
export function findPolicyRoot(file: string): string | undefined {
  let dir = dirname(resolve(file));
  for (;;) {
    if (existsSync(join(dir, "catalog.yaml"))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The catalog's path in a policy-set directory. */
export const catalogPath = (root: string): string => join(root, "catalog.yaml");

function readText(path: string): string | undefined {
  try {
    return decodeUtf8Strict(readFileSync(path)).text;
  } catch {
    return undefined; // deleted or unreadable meanwhile: as if absent
  }
}

function journeysOnDisk(root: string): string[] {
  const dir = join(root, "journeys");
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith(".journey"))
    .map((n) => join(dir, n))
    .filter((p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    });
}

/**
 * What was read from disk, kept until the directory changes (the server clears it when its
 * watcher fires), so a keystroke does not re-read every journey file.
 */
export class DiskCache {
  journeys: string[] | undefined;
  readonly texts = new Map<string, string | undefined>();

  /** Forgets everything read (the directory changed). */
  clear(): void {
    this.journeys = undefined;
    this.texts.clear();
  }

  text(path: string): string | undefined {
    if (!this.texts.has(path)) this.texts.set(path, readText(path));
    return this.texts.get(path);
  }
}

/**
 * The sources of the policy set at `root`: disk contents overlaid with `open` (absolute path →
 * the editor's text). Rego is left out: the check stage does not read it.
 */
export function readPolicySet(root: string, open: ReadonlyMap<string, string>, disk: DiskCache = new DiskCache()): PolicySources {
  const cat = catalogPath(root);
  const journeys = new Map<string, string>();
  disk.journeys ??= journeysOnDisk(root);
  for (const p of disk.journeys) {
    const text = open.get(p) ?? disk.text(p);
    if (text !== undefined) journeys.set(p, text);
  }
  for (const [p, text] of open) if (p.endsWith(".journey") && p.startsWith(root + "/") && !journeys.has(p)) journeys.set(p, text);
  return {
    catalog: { name: cat, text: open.get(cat) ?? disk.text(cat) ?? "" },
    journeys: [...journeys].map(([name, text]) => ({ name, text })),
    rego: [],
  };
}
