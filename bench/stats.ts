// Timing helpers for benchmarks: percentiles over repeated runs, RSS, one result-row shape.

export interface BenchRow {
  readonly name: string;
  readonly ops_s: number;
  readonly p50_us: number;
  readonly p99_us: number;
  readonly rss_mb: number;
  readonly note?: string;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function rssMb(): number {
  return Math.round((process.memoryUsage().rss / 1048576) * 10) / 10;
}

/** Runs `fn` `iterations` times after `warmup` runs; returns a row from the per-call times. */
export async function measure(
  name: string,
  fn: () => unknown | Promise<unknown>,
  iterations: number,
  warmup = Math.min(50, iterations),
  note?: string,
): Promise<BenchRow> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    times.push((performance.now() - t0) * 1000);
  }
  const total = performance.now() - start;
  times.sort((a, b) => a - b);
  const row: BenchRow = {
    name,
    ops_s: Math.round((iterations / total) * 1000 * 10) / 10,
    p50_us: round(percentile(times, 50)),
    p99_us: round(percentile(times, 99)),
    rss_mb: rssMb(),
  };
  return note ? { ...row, note } : row;
}

export function round(x: number): number {
  return x >= 100 ? Math.round(x) : Math.round(x * 100) / 100;
}
