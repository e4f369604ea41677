// The page's side of the tools worker (tools-worker.ts): started on the first request, one
// promise per request, matched by sequence number.
import type { ArtifactArchive } from "./decide.ts";
import type { NamedText } from "./protocol.ts";
import type { WithoutTests } from "./test-blocks.ts";
import type { ToolsRequest, ToolsResponse } from "./tools-worker.ts";

/** Thrown when the tools worker reports a bug or cannot start. */
export class ToolsError extends Error {}

/** Requests to the tools worker; it is started on the first one. */
export class ToolsClient {
  private worker: Worker | undefined;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (r: ToolsResponse) => void; reject: (e: Error) => void }>();

  private start(): Worker {
    const worker = new Worker(new URL("./tools-worker.ts", import.meta.url), { type: "module", name: "kairos-tools" });
    worker.onmessage = (e: MessageEvent<ToolsResponse>) => {
      const waiter = this.waiting.get(e.data.seq);
      this.waiting.delete(e.data.seq);
      if (e.data.type === "crash") waiter?.reject(new ToolsError(e.data.message));
      else waiter?.resolve(e.data);
    };
    worker.onerror = (e) => {
      for (const w of this.waiting.values()) w.reject(new ToolsError(`the tools worker failed: ${e.message || "unknown error"}`));
      this.waiting.clear();
    };
    return worker;
  }

  private send(req: ToolsRequest): Promise<ToolsResponse> {
    this.worker ??= this.start();
    const worker = this.worker;
    return new Promise((resolve, reject) => {
      this.waiting.set(req.seq, { resolve, reject });
      worker.postMessage(req);
    });
  }

  /** The journey files with their `test` and `property` blocks blanked out. */
  async withoutTests(journeys: readonly NamedText[]): Promise<WithoutTests> {
    const res = await this.send({ type: "without-tests", seq: ++this.seq, journeys });
    if (res.type !== "without-tests") throw new ToolsError(`unexpected answer ${res.type}`);
    return res;
  }

  /** The policy set's artifact as a `.tar.gz`, or why there is none. */
  async artifact(catalog: NamedText, journeys: readonly NamedText[], opaBundleUrl: string): Promise<ArtifactArchive> {
    const res = await this.send({ type: "artifact", seq: ++this.seq, catalog, journeys, opaBundleUrl });
    if (res.type !== "artifact") throw new ToolsError(`unexpected answer ${res.type}`);
    return res;
  }
}
