// Collects catalog diagnostics with a cap, so a pathological file yields a readable report
// (and bounded work) instead of hundreds of thousands of entries.
import { sortDiagnostics, type Diagnostic } from "../../core/diagnostics.ts";
import type { SourceFile, Span } from "../../core/source.ts";
import { catalogCodes, type CatalogCode } from "./codes.ts";
import type { CatalogLoc } from "../../core/catalog/types.ts";

/** At most this many diagnostics are reported per catalog; the rest are counted. */
export const MAX_CATALOG_DIAGNOSTICS = 200;

export interface Related {
  readonly loc: CatalogLoc;
  readonly message: string;
}

export class Reporter {
  readonly file: SourceFile;
  private readonly list: Diagnostic[] = [];
  private dropped = 0;

  constructor(file: SourceFile) {
    this.file = file;
  }

  /** True once the cap is reached: callers may skip expensive work for further reports. */
  get full(): boolean {
    return this.list.length >= MAX_CATALOG_DIAGNOSTICS;
  }

  report(code: CatalogCode, message: string, loc: CatalogLoc, hint?: string, related?: readonly Related[]): void {
    if (this.full) {
      this.dropped++;
      return;
    }
    const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = {
      code,
      severity: catalogCodes[code]!.severity,
      message,
      span: this.span(loc),
    };
    if (hint !== undefined) d.hint = hint;
    if (related !== undefined && related.length > 0) {
      d.related = related.map((r) => ({ span: this.span(r.loc), message: r.message }));
    }
    this.list.push(d);
  }

  /** Counts a problem that is not worth locating (the cap is reached). */
  drop(): void {
    this.dropped++;
  }

  span(loc: CatalogLoc): Span {
    return this.file.span(loc.start, loc.end);
  }

  /** The diagnostics in file order, with a final note when some were left out. */
  finish(): Diagnostic[] {
    const out = sortDiagnostics(this.list);
    if (this.dropped > 0) {
      out.push({
        code: "catalog/truncated",
        severity: catalogCodes["catalog/truncated"]!.severity,
        message: `${this.dropped} more problem${this.dropped === 1 ? "" : "s"} in the catalog not shown`,
        span: this.file.span(0, 0),
        hint: "fix the problems above and check again",
      });
    }
    return out;
  }
}
