// The page's side of the compiler workers: request/response by sequence number, and checks
// coalesced so that at most one runs at a time and the next one always sees the latest text
// (no fixed debounce: a check starts as soon as the previous one is done). Two instances of the
// same worker: one checks and formats while the other runs decisions and tests, so a long test
// run never delays diagnostics.
import type {
  CheckRequest,
  CheckResponse,
  FormatResponse,
  NamedText,
  RunRequest,
  RunResponse,
  TestsRequest,
  TestsResponse,
  WorkerRequest,
  WorkerResponse,
} from "./protocol.ts";

type Body<T> = Omit<T, "type" | "seq">;

export class CompilerClient {
  private readonly checker: Worker;
  private readonly runner: Worker;
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
    this.checker = this.spawn("kairos-checker");
    this.runner = this.spawn("kairos-runner");
  }

  private spawn(name: string): Worker {
    const worker = new Worker(new URL("./compiler-worker.ts", import.meta.url), { type: "module", name });
    worker.onmessage = (e: MessageEvent<WorkerResponse>) => {
      const res = e.data;
      if (res.type === "crash") this.onCrash(res.message);
      const resolve = this.waiting.get(res.seq);
      this.waiting.delete(res.seq);
      resolve?.(res);
    };
    worker.onerror = (e) => this.onCrash(`the compiler worker failed to start: ${e.message || "unknown error"}`);
    return worker;
  }

  private send<T extends WorkerResponse>(req: WorkerRequest): Promise<T> {
    return new Promise((resolve) => {
      this.waiting.set(req.seq, resolve as (r: WorkerResponse) => void);
      (req.type === "run" || req.type === "tests" ? this.runner : this.checker).postMessage(req);
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

  async tests(body: Body<TestsRequest>): Promise<TestsResponse | undefined> {
    const res = await this.send<WorkerResponse>({ type: "tests", seq: ++this.seq, ...body });
    return res.type === "tests" ? res : undefined;
  }
}
