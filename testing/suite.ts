// Running a policy set's whole test suite: every example test, every property, the built-in
// properties, and coverage — the one entry point `kairos test`, the mutation check and the
// benchmark share.
import type { CheckedProgram } from "../compiler/checker/checked.ts";
import type { SourceSet } from "../core/source.ts";
import type { CheckedSuite } from "../compiler/tests/model.ts";
import type { Engine } from "../runtime/engine.ts";
import { coverageOf, type Coverage } from "./coverage.ts";
import { runTest, type TestResult } from "./expectations.ts";
import { propertyEnv, runBuiltins, runProperty, type PropertyResult, type RunOptions } from "./properties.ts";

export interface SuiteOptions extends RunOptions {
  /** Run only tests and properties whose name contains this text (built-ins are then skipped). */
  readonly filter?: string;
  /** Run the author's properties and the built-in ones (default true). */
  readonly properties?: boolean;
  /** Cases per built-in property (default 200). */
  readonly builtinRuns?: number;
}

export interface SuiteResult {
  readonly tests: readonly TestResult[];
  readonly properties: readonly PropertyResult[];
  readonly coverage: Coverage;
  readonly passed: number;
  readonly failed: number;
  readonly ms: number;
  /** Generated cases the properties ran (reached `expect` or were discarded by `assume`). */
  readonly generated: number;
}

export async function runSuite(
  engine: Engine,
  program: CheckedProgram,
  suite: CheckedSuite,
  sources?: SourceSet,
  options: SuiteOptions = {},
): Promise<SuiteResult> {
  const start = performance.now();
  const match = (name: string) => options.filter === undefined || name.includes(options.filter);
  const tests: TestResult[] = [];
  for (const t of suite.tests) if (match(t.name)) tests.push(await runTest(engine, t));
  const properties: PropertyResult[] = [];
  if (options.properties !== false) {
    const env = propertyEnv(engine, program, suite, sources);
    for (const p of suite.properties) if (match(p.name)) properties.push(await runProperty(p, env, options));
    if (options.filter === undefined) properties.push(...(await runBuiltins(env, options)));
  }
  const coverage = coverageOf(
    engine.predicates.journeys.map((j) => j.meta),
    tests.map((t) => t.decision),
  );
  const failed = tests.filter((t) => !t.passed).length + properties.filter((p) => p.status !== "passed").length;
  const passed = tests.length + properties.length - failed;
  const generated = properties.reduce((n, p) => n + p.runs + p.discarded, 0);
  return { tests, properties, coverage, passed, failed, ms: performance.now() - start, generated };
}
