// Formatting as edits: the compiler's formatter (`kairos fmt`) over one file, returned as the
// smallest single replacement that turns the text into the formatted text (an editor keeps the
// cursor and the undo history tidy). No edit for a file with syntax errors or already formatted.
import { SourceFile } from "../../core/source.ts";
import { formatFile } from "../format/formatter.ts";

/** A replacement of `[start, end)` of the original text. */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** The edits that format `text`; undefined when it has syntax errors (it cannot be formatted). */
export function formattingEdits(name: string, text: string): TextEdit[] | undefined {
  const formatted = formatFile(new SourceFile(name, text)).value;
  if (formatted === undefined) return undefined;
  if (formatted === text) return [];
  let start = 0;
  const max = Math.min(text.length, formatted.length);
  while (start < max && text.charCodeAt(start) === formatted.charCodeAt(start)) start++;
  let endOld = text.length;
  let endNew = formatted.length;
  while (endOld > start && endNew > start && text.charCodeAt(endOld - 1) === formatted.charCodeAt(endNew - 1)) {
    endOld--;
    endNew--;
  }
  return [{ start, end: endOld, text: formatted.slice(start, endNew) }];
}
