// Policy testing (`kairos test`): running a policy set's tests and properties, coverage, reports.
export { engineFor, journeyMetas, loadPolicies, type PredicatePath } from "./harness.ts";
export { runTest, checkExpectation, type TestResult, type ExpectationFailure } from "./expectations.ts";
export { runProperty, runBuiltins, propertyEnv, seedFor, MAX_DISCARD_RATIO, type PropertyResult, type PropertyEnv, type RunOptions } from "./properties.ts";
export { BUILTIN_PROPERTIES, basisProblem } from "./builtins.ts";
export { caseArbitrary, mineHints, triggersOf, BASE_NOW, type Trigger, type Hints } from "./generate.ts";
export { counterexampleTest } from "./counterexample.ts";
export { coverageOf, atomsOf, type Coverage, type JourneyCoverage } from "./coverage.ts";
export { runSuite, type SuiteResult, type SuiteOptions } from "./suite.ts";
export { renderText, renderJson, rationale, coverageLines } from "./report.ts";
export { renderJunit, xmlEscape } from "./junit.ts";
