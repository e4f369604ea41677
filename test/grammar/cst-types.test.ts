// The checked-in CST types (grammar/cst.generated.ts) are what chevrotain generates from the
// grammar as it is now, so lowering is type-checked against the labels the parser really uses.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CST_TYPES_PATH, renderCstTypes } from "../../scripts/gen-cst.ts";

describe("grammar/cst.generated.ts", () => {
  it("is what the generator produces from grammar/parser.ts now (run `npm run gen:cst`)", () => {
    expect(readFileSync(CST_TYPES_PATH, "utf8")).toBe(renderCstTypes());
  });
});
