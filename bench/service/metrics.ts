// What `kairos serve` says about itself at `/metrics` (Prometheus text), read by the service
// benchmark after a run: the mean wall time of each decision stage, how large the group
// committer's batches were and how long a commit took — where a decision's time goes, from
// the service's own histograms, alongside the CPU profile.

/** Mean and count of one histogram series. */
export interface Mean {
  readonly count: number;
  /** Mean of the observed values, in the metric's unit ×1000 (ms for seconds). */
  readonly mean_ms: number;
}

export interface ServiceMetrics {
  /** `kairos_decision_stage_seconds{stage}`: per stage. */
  readonly stages: Readonly<Record<string, Mean>>;
  /** `kairos_http_request_duration_seconds` of `POST /v1/decisions`. */
  readonly request?: Mean;
  /** Group commit: batches, mean items per batch, mean seconds per commit (as ms). */
  readonly commit?: { readonly batches: number; readonly mean_batch: number; readonly mean_ms: number };
}

/** `name{labels} value` lines of a Prometheus text exposition, comments left out. */
function samples(text: string): { name: string; labels: string; value: number }[] {
  const out: { name: string; labels: string; value: number }[] = [];
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line.trim());
    if (m) out.push({ name: m[1]!, labels: m[2] ?? "", value: Number(m[3]) });
  }
  return out;
}

const label = (labels: string, key: string) => new RegExp(`${key}="([^"]*)"`).exec(labels)?.[1];

/** Reads /metrics with `token` (scope metrics or audit:read); undefined when it cannot. */
export async function readServiceMetrics(url: string, token: string): Promise<ServiceMetrics | undefined> {
  let text: string;
  try {
    const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return undefined;
    text = await res.text();
  } catch {
    return undefined;
  }
  const s = samples(text);
  const find = (name: string, pred: (labels: string) => boolean = () => true) => s.find((x) => x.name === name && pred(x.labels))?.value;
  const mean = (sum: number | undefined, count: number | undefined): Mean | undefined =>
    sum === undefined || count === undefined || count === 0 ? undefined : { count, mean_ms: Math.round((sum / count) * 1e6) / 1000 };
  const stages: Record<string, Mean> = {};
  for (const x of s.filter((x) => x.name === "kairos_decision_stage_seconds_count")) {
    const stage = label(x.labels, "stage");
    if (!stage) continue;
    const m = mean(
      find("kairos_decision_stage_seconds_sum", (l) => label(l, "stage") === stage),
      x.value,
    );
    if (m) stages[stage] = m;
  }
  const isDecisions = (l: string) => label(l, "route") === "/v1/decisions" && label(l, "method") === "POST";
  const request = mean(find("kairos_http_request_duration_seconds_sum", isDecisions), find("kairos_http_request_duration_seconds_count", isDecisions));
  const batches = find("kairos_commit_batch_size_count");
  const items = find("kairos_commit_batch_size_sum");
  const commitSeconds = find("kairos_commit_seconds_sum");
  const commit =
    batches && items !== undefined && commitSeconds !== undefined
      ? { batches, mean_batch: Math.round((items / batches) * 100) / 100, mean_ms: Math.round((commitSeconds / batches) * 1e6) / 1000 }
      : undefined;
  return { stages, ...(request ? { request } : {}), ...(commit ? { commit } : {}) };
}
