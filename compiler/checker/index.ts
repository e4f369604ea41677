// The check stage's public API.
export { checkProgram } from "./check.ts";
export { checkCodes, syntaxCodes } from "./codes.ts";
export { FUNCTIONS } from "./types.ts";
