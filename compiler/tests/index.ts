// Checking `test` and `property` blocks: the public API.
export { checkTests } from "./check.ts";
export { testCodes } from "./codes.ts";
export { decisionScope, DECISION, PROPERTY_STATEMENTS } from "./check-property.ts";
export { TEST_STATEMENTS } from "./check-test.ts";
export * from "./model.ts";
