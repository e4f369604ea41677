// The check stage's public API.
export { checkProgram } from "./check.ts";
export { checkCodes, codegenCodes, syntaxCodes } from "./codes.ts";
export { FUNCTIONS } from "./types.ts";
