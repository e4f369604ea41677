// docs/processing.md stays true to the code: every CSV column and section, every checklist
// check and every measure the records of processing can hold (CHECK_IDS, MEASURE_IDS: the
// types make the code use no other) is documented there, and the usage line is the command's.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { helpOf } from "../../cli/help/commands.ts";
import { CHECK_IDS, MEASURE_IDS, PROCESSING_CSV_COLUMNS, PROCESSING_FORMATS } from "../../compiler/governance/index.ts";

const DOC = readFileSync("docs/processing.md", "utf8");
const CSV = readFileSync("test/golden/processing/record.csv", "utf8");

describe("docs/processing.md", () => {
  it("shows the command's usage line and every format", () => {
    const usage = helpOf("report").usage;
    // Each report's usage line in its own document: processing here, value in docs/value.md.
    for (const line of usage.filter((l) => l.startsWith("kairos report processing"))) expect(DOC).toContain(line);
    for (const line of usage.filter((l) => l.startsWith("kairos report value"))) expect(readFileSync("docs/value.md", "utf8")).toContain(line);
    expect(usage.length).toBe(2);
    for (const f of PROCESSING_FORMATS) expect(DOC).toContain(`- **\`${f}\`**`);
  });

  it("lists the CSV columns in order, and documents every section the example's CSV holds", () => {
    expect(DOC.replace(/\s+/g, " ")).toContain(`CSV columns: \`${PROCESSING_CSV_COLUMNS.join(", ")}\``);
    const sections = new Set(
      CSV.split("\r\n")
        .slice(1, -1)
        .map((row) => row.slice(0, row.indexOf(","))),
    );
    for (const s of sections) expect(DOC, s).toContain(`| \`${s}\` |`);
  });

  it("documents every check and every measure the record can hold", () => {
    for (const id of [...CHECK_IDS, ...MEASURE_IDS]) expect(DOC, id).toContain(`| \`${id}\` |`);
  });
});
