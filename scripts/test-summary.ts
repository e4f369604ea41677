// Prints the suite's closing line, `total: N passed, N failed`, from the vitest JSON report and
// the policy tests' JUnit file written by scripts/test.sh, so CI sees one count for everything.
import { existsSync, readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;
const vitest = "test-results/vitest.json";
if (existsSync(vitest)) {
  const r = JSON.parse(readFileSync(vitest, "utf8")) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
}
const junit = "test-results/kairos-policies.xml";
if (existsSync(junit)) {
  const head = /<testsuites[^>]*tests="(\d+)"[^>]*failures="(\d+)"[^>]*errors="(\d+)"/.exec(readFileSync(junit, "utf8"));
  if (head) {
    const [, tests, failures, errors] = head.map(Number) as [number, number, number, number];
    passed += tests - failures - errors;
    failed += failures + errors;
  }
}
console.log(`total: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
