// A unified diff of two texts, line by line, for `kairos fmt --diff` (the format of `diff -u`,
// `gofmt -d` and `opa fmt -d`, so `patch -p0` and review tools read it). Formatting changes are
// small and journey files short: a longest-common-subsequence table is simple and fast enough;
// past a size limit the whole file is one hunk, still a correct diff.

const CONTEXT = 3;
const MAX_CELLS = 4_000_000;

type Op = { kind: " " | "-" | "+"; line: string };

function lines(text: string): string[] {
  const l = text.split("\n");
  if (l.at(-1) === "") l.pop();
  return l;
}

function ops(a: readonly string[], b: readonly string[]): Op[] {
  if (a.length * b.length > MAX_CELLS) return [...a.map((line) => ({ kind: "-" as const, line })), ...b.map((line) => ({ kind: "+" as const, line }))];
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
  const w = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i * w + j] = a[i] === b[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
  const out: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ kind: " ", line: a[i]! });
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) out.push({ kind: "-", line: a[i++]! });
    else out.push({ kind: "+", line: b[j++]! });
  }
  return out;
}

/** The unified diff turning `before` into `after`, labelled with `name`; "" when they are equal. */
export function unifiedDiff(name: string, before: string, after: string): string {
  if (before === after) return "";
  const all = ops(lines(before), lines(after));
  const out = [`--- ${name}`, `+++ ${name}`];
  let k = 0;
  while (k < all.length) {
    while (k < all.length && all[k]!.kind === " ") k++;
    if (k === all.length) break;
    // A hunk: from CONTEXT lines before the change to CONTEXT after the last change that is
    // within 2 × CONTEXT of the previous one.
    const start = Math.max(0, k - CONTEXT);
    let end = k;
    let last = k;
    while (end < all.length && end - last <= 2 * CONTEXT) {
      if (all[end]!.kind !== " ") last = end;
      end++;
    }
    end = Math.min(all.length, last + CONTEXT + 1);
    let aLine = 1;
    let bLine = 1;
    for (let m = 0; m < start; m++) {
      if (all[m]!.kind !== "+") aLine++;
      if (all[m]!.kind !== "-") bLine++;
    }
    const hunk = all.slice(start, end);
    const aCount = hunk.filter((o) => o.kind !== "+").length;
    const bCount = hunk.filter((o) => o.kind !== "-").length;
    out.push(`@@ -${aCount ? aLine : aLine - 1},${aCount} +${bCount ? bLine : bLine - 1},${bCount} @@`, ...hunk.map((o) => o.kind + o.line));
    k = end;
  }
  return out.join("\n") + "\n";
}
