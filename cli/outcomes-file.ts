// Reading an outcomes file for `kairos outcomes import` (docs/value.md#outcomes): CSV with a header
// row (columns `subject`, `type`, `at`, optional `value` and `id`, in any order; RFC 4180 quoting)
// or JSON Lines (one outcome object per line). Each record keeps the line it starts on, and every
// problem names its line and field, so a file with mistakes is reported whole — the import then
// writes nothing. Pure: the text in, records and problems out.
import { outcomeProblems } from "../server/store/outcome-rows.ts";
import type { OutcomeRecord } from "../server/store/types.ts";

/** The formats an outcomes file may have. */
export type OutcomesFileFormat = "csv" | "jsonl";

/** One outcome of the file, with the line it starts on (1-based). */
export interface FileOutcome {
  readonly line: number;
  readonly record: OutcomeRecord;
}

/** One problem of the file: its line, the field (when there is one) and what is wrong. */
export interface FileProblem {
  readonly line: number;
  readonly field?: string;
  readonly message: string;
}

/** What reading the file gave. */
export interface OutcomesFile {
  readonly outcomes: readonly FileOutcome[];
  readonly problems: readonly FileProblem[];
}

const COLUMNS = ["id", "subject", "type", "at", "value"] as const;
const REQUIRED = ["subject", "type", "at"] as const;

/** The format of a file by its name (`.csv`, `.jsonl`, `.ndjson`), or undefined. */
export function formatOfFile(name: string): OutcomesFileFormat | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  return undefined;
}

/** Reads the outcomes of a file's text; `types` (when known) are the outcome types the policy set has. */
export function readOutcomesFile(text: string, format: OutcomesFileFormat, types?: readonly string[]): OutcomesFile {
  const read = format === "csv" ? readCsv(text) : readJsonl(text);
  const problems = [...read.problems];
  const known = types === undefined ? undefined : new Set(types);
  for (const { line, record } of read.outcomes) {
    for (const p of outcomeProblems(record, 0)) problems.push({ line, ...(p.field === "" ? {} : { field: p.field }), message: p.message });
    if (known && typeof record.type === "string" && record.type !== "" && !known.has(record.type)) {
      problems.push({ line, field: "type", message: `\`${record.type}\` is not an outcome type of the policy set (${[...known].join(", ")})` });
    }
  }
  problems.sort((a, b) => a.line - b.line);
  return { outcomes: read.outcomes, problems };
}

function readJsonl(text: string): OutcomesFile {
  const outcomes: FileOutcome[] = [];
  const problems: FileProblem[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    const body = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (body.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (e) {
      problems.push({ line, message: `is not JSON: ${(e as Error).message}` });
      return;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      problems.push({ line, message: 'is not a JSON object (`{"subject": …, "type": …, "at": …}`)' });
      return;
    }
    outcomes.push({ line, record: value as OutcomeRecord });
  });
  if (outcomes.length === 0 && problems.length === 0) problems.push({ line: 1, message: "the file has no outcomes" });
  return { outcomes, problems };
}

/** CSV rows (RFC 4180: quoted fields may hold commas, `""` and line breaks), each with the line it starts on. */
export function csvRows(text: string): { rows: { line: number; cells: string[] }[]; problem?: FileProblem } {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  let quoteLine = 0;
  let touched = false;
  const endRow = () => {
    cells.push(cell);
    if (touched || cells.length > 1 || cell !== "") rows.push({ line: start, cells });
    cells = [];
    cell = "";
    touched = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === "\n") line++;
        cell += c;
      }
      continue;
    }
    if (c === '"' && cell === "") {
      quoted = true;
      quoteLine = line;
      touched = true;
    } else if (c === ",") {
      cells.push(cell);
      cell = "";
      touched = true;
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRow();
      line++;
      start = line;
    } else cell += c;
  }
  if (quoted) return { rows, problem: { line: quoteLine, message: 'a quoted field is not closed (a `"` is missing)' } };
  if (cell !== "" || cells.length > 0 || touched) endRow();
  return { rows };
}

function readCsv(text: string): OutcomesFile {
  const { rows, problem } = csvRows(text);
  if (problem) return { outcomes: [], problems: [problem] };
  const [header, ...body] = rows;
  if (header === undefined) return { outcomes: [], problems: [{ line: 1, message: "the file is empty; it needs a header row: subject,type,at,value,id" }] };
  const names = header.cells.map((c) => c.trim());
  const problems: FileProblem[] = [];
  names.forEach((n, i) => {
    if (!(COLUMNS as readonly string[]).includes(n))
      problems.push({ line: header.line, message: `column ${i + 1} \`${n}\` is not one of ${COLUMNS.join(", ")}` });
    else if (names.indexOf(n) !== i) problems.push({ line: header.line, message: `column \`${n}\` appears twice` });
  });
  for (const r of REQUIRED)
    if (!names.includes(r)) problems.push({ line: header.line, message: `the header has no \`${r}\` column (it needs subject, type and at)` });
  if (problems.length > 0) return { outcomes: [], problems };
  const outcomes: FileOutcome[] = [];
  for (const row of body) {
    if (row.cells.length !== names.length) {
      problems.push({ line: row.line, message: `has ${row.cells.length} field${row.cells.length === 1 ? "" : "s"}, the header ${names.length}` });
      continue;
    }
    const record: Record<string, unknown> = {};
    names.forEach((n, i) => {
      const cell = row.cells[i]!;
      if (n === "value") {
        if (cell.trim() === "") return;
        const v = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(cell) ? Number(cell) : Number.NaN;
        if (!Number.isFinite(v))
          problems.push({ line: row.line, field: "value", message: `\`${cell}\` is not a number (write 1200.50, not 1.200,50 or €1200)` });
        else record["value"] = v;
      } else if (n === "id") {
        if (cell !== "") record["id"] = cell;
      } else record[n] = cell;
    });
    outcomes.push({ line: row.line, record: record as unknown as OutcomeRecord });
  }
  if (outcomes.length === 0 && problems.length === 0) problems.push({ line: header.line, message: "the file has a header but no outcomes" });
  return { outcomes, problems };
}
