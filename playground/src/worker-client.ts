// The page's side of the compiler worker: request/response by sequence number, and checks
// coalesced so that at most one runs at a time and the next one always sees the latest text
// (no fixed debounce: a check starts as soon as the previous one is done).
import type { CheckRequest, CheckResponse, FormatResponse, NamedText, RunRequest, RunResponse, WorkerRequest, WorkerResponse } from "./protocol.ts";

type Body<T> = Omit<T, "type" | "seq">;

export class CompilerClient {
  private readonly worker: Worker;
  private seq = 0;
  private readonly waiting = new Map<number, (r: WorkerResponse) => void>();
  private checking = false;
  private dirty = false;
  private readonly snapshot: () => Body<CheckRequest>;
  private readonly onCheck: (r: CheckResponse) => void;
  private readonly onCrash: (message: string) => void;

  constructor(snapshot: () => Body<CheckRequest>, onCheck: (r: CheckResponse) => void, onCrash: (message: string) => void) {
    this.snapshot = snapshot;
    this.onCheck = onCheck;
    this.onCrash = onCrash;
    this.worker = new Worker(new URL("./compiler-worker.ts", import.meta.url), { type: "module", name: "kairos-compiler" });
    this.worker.onmessage = (e: MessageEvent<WorkerResponse>) => {
      const res = e.data;
      if (res.type === "crash") this.onCrash(res.message);
      const resolve = this.waiting.get(res.seq);
      this.waiting.delete(res.seq);
      resolve?.(res);
    };
    this.worker.onerror = (e) => this.onCrash(`the compiler worker failed to start: ${e.message || "unknown error"}`);
  }

  private send<T extends WorkerResponse>(req: WorkerRequest): Promise<T> {
    return new Promise((resolve) => {
      this.waiting.set(req.seq, resolve as (r: WorkerResponse) => void);
      this.worker.postMessage(req);
    });
  }

  /** Asks for a check of the current texts; coalesces with one already running. */
  check(): void {
    if (this.checking) {
      this.dirty = true;
      return;
    }
    this.checking = true;
    this.dirty = false;
    void this.send<CheckResponse | { type: "crash"; seq: number; message: string }>({ type: "check", seq: ++this.seq, ...this.snapshot() }).then((res) => {
      this.checking = false;
      if (res.type === "check") this.onCheck(res);
      if (this.dirty) this.check();
    });
  }

  async format(file: NamedText): Promise<FormatResponse | undefined> {
    const res = await this.send<WorkerResponse>({ type: "format", seq: ++this.seq, file });
    return res.type === "format" ? res : undefined;
  }

  async run(body: Body<RunRequest>): Promise<RunResponse | undefined> {
    const res = await this.send<WorkerResponse>({ type: "run", seq: ++this.seq, ...body });
    return res.type === "run" ? res : undefined;
  }
}
