// What a load of an artifact failed with, for tests that expect a refusal: the ArtifactError's
// code, undefined when it loaded, or a text that makes any expectation fail for another error.
import { ArtifactError } from "../../runtime/load.ts";

/** The ArtifactError code `p` rejects with; undefined when it resolves. */
export async function artifactErrorCode(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return e instanceof ArtifactError ? e.code : `not an ArtifactError: ${String(e)}`;
  }
}
