// The decision conformance corpus (test/conformance/decisions/*.yaml, format in its README), read
// once the same way by every runner: the library's (test/runtime), the service's over HTTP
// (test/server) and the JSON Schema check (test/schemas).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";

/** Where the corpus files and their policy sets are. */
export const CORPUS = join(import.meta.dirname, "decisions");

export type Obj = Record<string, unknown>;

export interface Case {
  readonly name: string;
  readonly request: Obj;
  readonly expect?: Obj;
  readonly expect_request_error?: string;
}

export interface CorpusFile {
  readonly policy: string;
  readonly journeys?: Record<string, string>;
  readonly defaults?: Obj;
  readonly cases: readonly Case[];
}

/** The corpus files, sorted by name, each parsed. */
export function corpusFiles(): { readonly file: string; readonly data: CorpusFile }[] {
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((file) => ({ file, data: parseYaml(readFileSync(join(CORPUS, file), "utf8")) as CorpusFile }));
}

/** A case's request: the file's defaults with the case's keys over them, `context` merged per entity. */
export function merge(defaults: Obj = {}, request: Obj): Obj {
  const out: Obj = { ...defaults, ...request };
  const dc = (defaults["context"] ?? {}) as Record<string, Obj>;
  const rc = (request["context"] ?? {}) as Record<string, Obj>;
  const context: Record<string, Obj> = {};
  for (const entity of new Set([...Object.keys(dc), ...Object.keys(rc)])) context[entity] = { ...dc[entity], ...rc[entity] };
  if (Object.keys(context).length > 0) out["context"] = context;
  return out;
}
