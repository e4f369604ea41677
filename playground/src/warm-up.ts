// Warming the compiler worker's hot paths while the author is not typing yet. Why: the first
// keystrokes after the page loads used to take two to three times as long as steady typing
// (p95 over a frame), because the incremental reparse, the checker's error paths (an unknown
// field and its "did you mean" hint) and the marker conversion had never run: the JIT was still
// compiling them. So after a check of newly loaded files, when the worker is idle, it replays a
// few edits of the kind typing makes — a letter appended to a field name, then removed — on the
// loaded files themselves (the same shapes the real checks will see), against a private copy of
// the check cache, and throws the results away. Each edit is its own task and the warm-up stops
// as soon as a real request arrives, so it never delays one by more than a single check.
import { CheckCache, compilePolicySet, type CompileResult, type PolicySources } from "../../compiler/index.ts";

/** Edits replayed per warm-up (each checked with the letter, then without it). */
const EDITS = 30;
/** A file whose length changed by more than this since the last check was loaded or pasted, not typed. */
const LOADED_CHANGE = 64;

/** What a warm-up does with each check's result (the worker converts diagnostics to markers). */
export type Consume = (result: CompileResult) => void;

/** Field accesses (`customer.tenure_months`) in a text: where typing usually happens. */
function editPoints(text: string, count: number): number[] {
  const ends: number[] = [];
  for (const m of text.matchAll(/\b[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*\b/g)) ends.push(m.index + m[0].length);
  if (ends.length <= count) return ends;
  // Spread over the file, so that reparsing sees declarations at its start, middle and end.
  return Array.from({ length: count }, (_, i) => ends[Math.floor((i * ends.length) / count)]!);
}

/** A copy of a check cache: the warm-up's edits must not become the real cache's state. */
function copyOf(cache: CheckCache): CheckCache {
  const copy = new CheckCache();
  for (const [k, v] of cache.catalogs) copy.catalogs.set(k, v);
  for (const [k, v] of cache.journeys) copy.journeys.set(k, v);
  for (const [k, v] of cache.clean) copy.clean.set(k, v);
  return copy;
}

/** Schedules warm-ups after checks; `interrupt` stops a running one (a real request arrived). */
export class WarmUp {
  /** Each journey file's length at the last check. */
  private readonly lengths = new Map<string, number>();
  private generation = 0;
  private readonly consume: Consume;

  constructor(consume: Consume) {
    this.consume = consume;
  }

  /** A real request arrived: a warm-up in progress stops before its next edit. */
  interrupt(): void {
    this.generation++;
  }

  /**
   * Called after a check of `sources` (whose state `cache` now holds): warms up when a file was
   * loaded, added or pasted into since the last check — not when it was typed into.
   */
  afterCheck(sources: PolicySources, cache: CheckCache): void {
    let loaded = false;
    for (const j of sources.journeys) {
      const before = this.lengths.get(j.name);
      if (before === undefined || Math.abs(before - j.text.length) > LOADED_CHANGE) loaded = true;
      this.lengths.set(j.name, j.text.length);
    }
    if (!loaded || sources.journeys.length === 0) return;
    const largest = sources.journeys.reduce((a, b) => (b.text.length > a.text.length ? b : a));
    const steps: PolicySources[] = [];
    for (const at of editPoints(largest.text, EDITS)) {
      const edited = { name: largest.name, text: `${largest.text.slice(0, at)}x${largest.text.slice(at)}` };
      steps.push({ ...sources, journeys: sources.journeys.map((j) => (j === largest ? edited : j)) }, sources);
    }
    void this.run(steps, copyOf(cache), this.generation);
  }

  private async run(steps: readonly PolicySources[], cache: CheckCache, generation: number): Promise<void> {
    for (const step of steps) {
      // One edit per task: a request that arrives in between is handled first, and ends this.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (generation !== this.generation) return;
      this.consume(await compilePolicySet(step, { cache, mode: "check" }));
    }
  }
}
