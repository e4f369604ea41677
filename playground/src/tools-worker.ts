// The page's third worker, started only when first needed: what Run and the downloads ask of
// the compiler besides a check — the journey files without their test blocks (so that an error
// in a test never blocks Run) and the artifact packed as a `.tar.gz`. Kept apart from the
// checker (keystrokes) and the runner (decisions, tests) so that neither waits for it.
import { CheckCache } from "../../compiler/index.ts";
import { type ArtifactArchive, artifactArchive } from "./decide.ts";
import type { NamedText } from "./protocol.ts";
import { type WithoutTests, withoutTests } from "./test-blocks.ts";

declare const self: DedicatedWorkerGlobalScope;

/** A request to the tools worker. */
export type ToolsRequest =
  | { readonly type: "without-tests"; readonly seq: number; readonly journeys: readonly NamedText[] }
  | { readonly type: "artifact"; readonly seq: number; readonly catalog: NamedText; readonly journeys: readonly NamedText[]; readonly opaBundleUrl: string };

/** Its answer, by the request's `seq`; `crash` is a bug, reported on the page. */
export type ToolsResponse =
  | ({ readonly type: "without-tests"; readonly seq: number } & WithoutTests)
  | ({ readonly type: "artifact"; readonly seq: number } & ArtifactArchive)
  | { readonly type: "crash"; readonly seq: number; readonly message: string };

const cache = new CheckCache();

async function handle(req: ToolsRequest): Promise<ToolsResponse> {
  switch (req.type) {
    case "without-tests":
      return { type: "without-tests", seq: req.seq, ...withoutTests(req.journeys) };
    case "artifact":
      return {
        type: "artifact",
        seq: req.seq,
        ...(await artifactArchive({ catalog: req.catalog, journeys: req.journeys, rego: [] }, cache, req.opaBundleUrl)),
      };
  }
}

self.onmessage = async (e: MessageEvent<ToolsRequest>) => {
  let res: ToolsResponse;
  try {
    res = await handle(e.data);
  } catch (err) {
    res = { type: "crash", seq: e.data.seq, message: err instanceof Error ? err.message : String(err) };
  }
  self.postMessage(res);
};
