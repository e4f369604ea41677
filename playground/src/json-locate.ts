// Finds where a JSON path (`consents[2].status`) is in a JSON text, so a validation problem
// can be underlined in the panel that holds it. A small scanner over valid JSON, no parser
// of its own beyond what locating needs.

/** A half-open offset range into the text. */
export interface TextRange {
  readonly start: number;
  readonly end: number;
}

export type PathSegment = string | number;

/** `consents[2].status` → `["consents", 2, "status"]`. */
export function parsePath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  for (let m = re.exec(path); m; m = re.exec(path)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

class Scanner {
  readonly text: string;
  pos = 0;
  constructor(text: string) {
    this.text = text;
  }
  ws(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
  /** Skips one value; returns its range. */
  value(): TextRange {
    this.ws();
    const start = this.pos;
    const ch = this.text[this.pos];
    if (ch === "{" || ch === "[") {
      let depth = 0;
      while (this.pos < this.text.length) {
        const c = this.text[this.pos]!;
        if (c === '"') this.string();
        else {
          if (c === "{" || c === "[") depth++;
          else if (c === "}" || c === "]") depth--;
          this.pos++;
          if (depth === 0) break;
        }
      }
    } else if (ch === '"') this.string();
    else while (this.pos < this.text.length && !/[\s,\]}]/.test(this.text[this.pos]!)) this.pos++;
    return { start, end: this.pos };
  }
  string(): string {
    const start = this.pos;
    this.pos++;
    while (this.pos < this.text.length && this.text[this.pos] !== '"') this.pos += this.text[this.pos] === "\\" ? 2 : 1;
    this.pos++;
    try {
      return JSON.parse(this.text.slice(start, this.pos)) as string;
    } catch {
      return "";
    }
  }
  expect(c: string): boolean {
    this.ws();
    if (this.text[this.pos] !== c) return false;
    this.pos++;
    return true;
  }
}

/**
 * The range of the value at `path`, or of the closest enclosing value that exists (a missing
 * key is reported at its parent object). For an object member the key is included.
 */
export function locateJsonPath(text: string, path: readonly PathSegment[]): TextRange {
  const s = new Scanner(text);
  s.ws();
  let range: TextRange = { start: s.pos, end: text.length };
  let at = s.pos;
  for (const seg of path) {
    s.pos = at;
    s.ws();
    const open = text[s.pos];
    let found: TextRange | undefined;
    let next = -1;
    if (typeof seg === "string" && open === "{") {
      s.pos++;
      while (!s.expect("}") && s.pos < text.length) {
        s.ws();
        const keyStart = s.pos;
        const key = s.string();
        s.expect(":");
        s.ws();
        const valueStart = s.pos;
        const v = s.value();
        if (key === seg) {
          found = { start: keyStart, end: v.end };
          next = valueStart;
          break;
        }
        if (!s.expect(",")) break;
      }
    } else if (typeof seg === "number" && open === "[") {
      s.pos++;
      for (let i = 0; !s.expect("]") && s.pos < text.length; i++) {
        s.ws();
        const v = s.value();
        if (i === seg) {
          found = v;
          next = v.start;
          break;
        }
        if (!s.expect(",")) break;
      }
    }
    if (!found) return shrink(text, range);
    range = found;
    at = next;
  }
  return shrink(text, range);
}

// A whole object is underlined by its first line only: a red block over a screenful helps no one.
function shrink(text: string, r: TextRange): TextRange {
  const nl = text.indexOf("\n", r.start);
  return nl !== -1 && nl < r.end ? { start: r.start, end: nl } : r;
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}
