// The line writer of codegen: a predicates module is written line by line at an indentation
// level (`line`, `block`, `comment`), expressions laid out by layout.ts (`code`). A module
// has tens of thousands of lines, each built from many small strings, so lines are joined
// into chunks of flat text as they are written (`flush`); `toString` joins the chunks.
import type { Code, Mode } from "./code.ts";
import { lay, STEP, type Sink } from "./layout.ts";

/**
 * Lines are joined into chunks of about this many characters (see `flush`): well below the
 * size from which V8 allocates a string as a large object, in fresh (unpooled) memory.
 */
const CHUNK_CHARS = 32 * 1024;

/** The encoder's two methods used here (typed by hand: under the package build's libs, DOM and WebWorker together, `TextEncoder` has no `encodeInto`; every runtime Kairos supports has it). */
interface Utf8Encoder {
  encode(text: string): Uint8Array;
  encodeInto(text: string, into: Uint8Array): { read: number; written: number };
}
const UTF8 = new TextEncoder() as unknown as Utf8Encoder;

/** Accumulates lines with indentation; `toString` gives the module text (LF, final newline). */
export class CodeWriter {
  readonly mode: Mode;
  /** The latest lines; earlier ones are in `chunks`. */
  private readonly out: string[] = [];
  /** Finished text, each chunk some whole lines joined with LF (no final LF). */
  private readonly chunks: string[] = [];
  /** About how many characters `out` holds. */
  private pending = 0;
  private depth = 0;
  private padText = "";

  constructor(mode: Mode) {
    this.mode = mode;
  }

  /** Whether this writes the TypeScript flavour (types, `!`, `as`). */
  get ts(): boolean {
    return this.mode === "ts";
  }

  private get pad(): string {
    return this.padText;
  }

  private indent(delta: number): void {
    this.depth += delta;
    this.padText = STEP.repeat(this.depth);
  }

  /**
   * Joins all but the last non-empty line (and the blank lines after it, which `blank` and
   * `toString` look at) into one chunk. A module has tens of thousands of lines, each built
   * from many small strings; joining them as they are written keeps only flat text alive.
   */
  private flush(): void {
    const out = this.out;
    let k = out.length - 1;
    while (k > 0 && out[k] === "") k--;
    if (k > 0) this.chunks.push(out.splice(0, k).join("\n"));
    this.pending = out.length === 0 ? 0 : out[out.length - 1]!.length;
  }

  private push(line: string): void {
    this.out.push(line);
    this.pending += line.length + 1;
    if (this.pending >= CHUNK_CHARS) this.flush();
  }

  /** One line of fixed compiler text at the current indentation. */
  line(text: string): this {
    this.push(text === "" ? "" : this.pad + text);
    return this;
  }

  /** A blank line, never two in a row. */
  blank(): this {
    if (this.out.length > 0 && this.out[this.out.length - 1] !== "") this.out.push("");
    return this;
  }

  /** `// text` lines; callers pass compiler text only, never user text. */
  comment(...lines: string[]): this {
    for (const l of lines) this.line(l === "" ? "//" : `// ${l}`);
    return this;
  }

  /** `open`, the body one level deeper, then `close`. */
  block(open: string, body: () => void, close = "}"): this {
    this.line(open);
    this.indent(1);
    body();
    this.indent(-1);
    return this.line(close);
  }

  /** `before` + the laid-out expression + `after`, broken over lines when long. */
  code(before: string, c: Code, after = ""): this {
    return this.laid(this.layout(before, c, after));
  }

  /** The current indentation: lines laid out at it by one writer may be written by another. */
  get indentation(): string {
    return this.padText;
  }

  /** The lines `code(before, c, after)` writes at the current indentation, without writing them. */
  layout(before: string, c: Code, after = ""): string[] {
    const lines: string[] = [];
    const s: Sink = { lines, cur: this.pad + before };
    lay(c, this.pad, this.mode, s);
    lines.push(s.cur + after);
    return lines;
  }

  /**
   * Writes lines from `layout`: this writer's, or another's laid out at this indentation for
   * Code that reads the same in both flavours (compiler/codegen/module.ts shares them). An
   * entry may hold several lines joined with LF: text written to both modules is joined into
   * one flat string once, rather than each module walking its many small pieces (a string
   * built by concatenation is a rope of them in V8).
   */
  laid(lines: readonly string[]): this {
    for (const l of lines) {
      this.out.push(l);
      this.pending += l.length + 1;
    }
    if (this.pending >= CHUNK_CHARS) this.flush();
    return this;
  }

  /** The module text: LF line ends, trailing blank lines dropped, one final newline. */
  toString(): string {
    const pieces = this.pieces();
    if (pieces.length === 0) return "\n";
    // The final "" gives the final LF in the same join: the result is one flat string.
    return [...pieces, ""].join("\n");
  }

  /**
   * `TextEncoder.encode(toString())`, written chunk by chunk into bytes of the text's length
   * when the text is ASCII (which takes as many bytes as characters), so that the module's
   * text is never built as one string; other text goes through `toString`.
   */
  encode(): Uint8Array {
    const pieces = this.pieces();
    let size = pieces.length === 0 ? 1 : 0;
    for (const p of pieces) size += p.length + 1;
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const p of pieces) {
      const r = UTF8.encodeInto(p, bytes.subarray(at));
      at += r.written;
      if (r.read !== p.length || at >= size) return UTF8.encode(this.toString());
      bytes[at++] = 0x0a;
    }
    if (pieces.length === 0) bytes[at++] = 0x0a;
    return at === size ? bytes : UTF8.encode(this.toString());
  }

  /** What the text is made of, in order, each followed by an LF: the chunks, then the latest lines without trailing blanks. */
  private pieces(): string[] {
    const out = this.out;
    let end = out.length;
    while (end > 0 && out[end - 1] === "") end--;
    return [...this.chunks, ...(end === out.length ? out : out.slice(0, end))];
  }
}
