// Running the fuzz target: cases from an arbitrary (fixed seed in CI, like every property),
// seeds, and blow-up families, through one sandbox; each finding minimized, described and
// written to test/fuzz/findings/. Shared by the test suite (test/fuzz/fuzz.test.ts) and long
// runs (`npm run fuzz`, test/fuzz/run.ts).
import fc from "fast-check";
import { blowup, sharingChain, type Family } from "./families.ts";
import { minimize, signature } from "./minimize.ts";
import { describeFinding, writeFinding } from "./report.ts";
import type { Sandbox } from "./sandbox.ts";
import type { Failure, FuzzCase, Metrics } from "./types.ts";

export interface Finding {
  readonly case: FuzzCase;
  readonly failure: Failure;
  /** Printed form: stage, message, stack, minimal reproducer. */
  readonly text: string;
  /** Where the reproducer was written. */
  readonly written?: string;
}

export interface DriverOptions {
  readonly sandbox: Sandbox;
  /** Time to spend minimizing each finding (0: report as found). Hangs are minimized only with `minimizeHangs`. */
  readonly minimizeMs?: number;
  readonly minimizeHangs?: boolean;
  /** Write reproducers to test/fuzz/findings/ (default true). */
  readonly write?: boolean;
  readonly log?: (line: string) => void;
}

/** The seed of this run: FC_SEED, else the global fast-check seed (fixed under CI), else a new one. */
export function runSeed(): number {
  const env = process.env["FC_SEED"];
  if (env !== undefined && env !== "") return Number(env);
  return fc.readConfigureGlobal().seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0;
}

export class Driver {
  readonly findings: Finding[] = [];
  private readonly seen = new Set<string>();
  private readonly o: DriverOptions;
  cases = 0;

  constructor(options: DriverOptions) {
    this.o = options;
  }

  /** Runs one case; records (once per distinct signature) what it finds. Returns the failures. */
  async check(c: FuzzCase): Promise<readonly Failure[]> {
    this.cases++;
    const v = await this.o.sandbox.run(c);
    for (const f of v.failures) await this.record(c, f);
    return v.failures;
  }

  /** Runs a case, returning its metrics too (for the families). */
  async measure(c: FuzzCase): Promise<{ failures: readonly Failure[]; metrics: Metrics }> {
    this.cases++;
    const v = await this.o.sandbox.run(c);
    for (const f of v.failures) await this.record(c, f);
    return v;
  }

  /** A family at n and 2n: failures at either size, and costs growing faster than the input. */
  async family(f: Family, n = f.n): Promise<void> {
    const small = await this.measure(f.build(n));
    if (small.failures.length > 0) return;
    const large = f.build(2 * n);
    const big = await this.measure(large);
    if (big.failures.length > 0) return;
    const grew = blowup(small.metrics, big.metrics);
    if (grew) await this.record(large, { stage: "blowup", message: `${f.name}: ${grew}` }, false);
  }

  /** A generated sharing family (`c_k = T[c_{k-1}]`) at n and 2n. */
  async sharing(corpus: Parameters<typeof sharingChain>[0], base: string, template: string, n: number): Promise<void> {
    await this.family({ name: `sharing chain c_k = ${template}`, n, build: (k) => sharingChain(corpus, base, template, k) });
  }

  /** Cases sampled from an arbitrary with this run's seed (offset per property), at most `ms` long. */
  async sample<T>(arb: fc.Arbitrary<T>, numRuns: number, seed: number, ms: number, run: (value: T) => Promise<unknown>): Promise<number> {
    const started = Date.now();
    let done = 0;
    const values = fc.sample(arb, { numRuns, seed });
    for (const v of values) {
      if (Date.now() - started > ms) break;
      await run(v);
      done++;
    }
    return done;
  }

  private async record(c: FuzzCase, f: Failure, shrink = true): Promise<void> {
    const sig = signature(f);
    if (this.seen.has(sig)) return;
    this.seen.add(sig);
    let rc = c;
    let rf = f;
    let note = "";
    const budget = this.o.minimizeMs ?? 0;
    if (shrink && budget > 0 && (f.stage !== "hang" || this.o.minimizeHangs)) {
      this.o.log?.(`minimizing [${f.stage}] ${c.label} …`);
      const m = await minimize(this.o.sandbox, c, f, budget);
      rc = m.case;
      rf = m.failure;
      note = `(minimized in ${m.attempts} attempts${m.partial ? "; the time budget ran out, it may shrink further" : ""})`;
    }
    const written = this.o.write === false ? undefined : writeFinding(rc, rf);
    const text = describeFinding(rc, rf, [note, written ? `written to ${written}` : ""].filter(Boolean).join("\n"));
    this.findings.push({ case: rc, failure: rf, text, ...(written ? { written } : {}) });
    this.o.log?.(text);
  }
}
