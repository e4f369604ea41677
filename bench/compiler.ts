// Benchmark (issue 2): compiling 1,000 generated journeys in memory — compilePolicySet: check,
// codegen, the artifact's files and manifest, without the OPA bundle (no OPA backend) — against
// `tsc --noEmit` type-checking the TypeScript the compiler emits for them. Goal: the compiler
// ≥ 10× faster.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ARTIFACT_PART } from "../core/artifact.ts";
import { compilePolicySet } from "../compiler/index.ts";
import { SPEC_CATALOG } from "../test/helpers/spec-catalog.ts";
import { generateJourneys } from "./generate.ts";
import { percentile, round, rssMb, type BenchRow } from "./stats.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

export interface CompilerBench {
  readonly rows: BenchRow[];
  readonly journeys: number;
  readonly compileMs: number;
  readonly tscMs: number;
  readonly ratio: number;
  readonly emittedBytes: number;
}

export async function benchCompiler(n = 1000, runs = 5): Promise<CompilerBench> {
  const journeys = generateJourneys(n);
  const input = { catalog: { name: "catalog.yaml", text: SPEC_CATALOG }, journeys, rego: [] };
  let ts = "";
  const times: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const r = await compilePolicySet(input);
    if (!r.artifact)
      throw new Error(
        `generated journeys do not compile: ${r.diagnostics
          .slice(0, 3)
          .map((d) => d.message)
          .join("; ")}`,
      );
    if (i > 0) times.push(performance.now() - t0); // first run warms the JIT
    ts = new TextDecoder().decode(r.artifact.files.get(ARTIFACT_PART.predicatesTs));
  }
  times.sort((a, b) => a - b);
  const compileMs = percentile(times, 50);

  const dir = mkdtempSync(join(tmpdir(), "kairos-bench-tsc-"));
  const tscTimes: number[] = [];
  try {
    writeFileSync(join(dir, "predicates.ts"), ts);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, target: "ES2023", module: "ESNext", moduleResolution: "Bundler", skipLibCheck: true, types: [] },
        files: ["predicates.ts"],
      }),
    );
    const tsc = join(root, "node_modules/typescript/bin/tsc");
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      execFileSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], { stdio: "pipe" });
      tscTimes.push(performance.now() - t0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  tscTimes.sort((a, b) => a - b);
  const tscMs = percentile(tscTimes, 50);
  const rows: BenchRow[] = [
    {
      name: `kairos compile in memory (check + codegen + artifact, no OPA), ${n} journeys`,
      ops_s: round(1000 / compileMs),
      p50_us: round(compileMs * 1000),
      p99_us: round(times[times.length - 1]! * 1000),
      rss_mb: rssMb(),
    },
    {
      name: `tsc --noEmit --strict on the emitted TypeScript (${Math.round(ts.length / 1024)} KiB)`,
      ops_s: round(1000 / tscMs),
      p50_us: round(tscMs * 1000),
      p99_us: round(tscTimes[tscTimes.length - 1]! * 1000),
      rss_mb: 0,
      note: "separate process; RSS not measured",
    },
  ];
  return { rows, journeys: n, compileMs: round(compileMs), tscMs: round(tscMs), ratio: round(tscMs / compileMs), emittedBytes: ts.length };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await benchCompiler();
  console.log(JSON.stringify(r, null, 2));
}
