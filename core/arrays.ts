// map and filter for hot paths (the compiler's per-node lists, the decision path), as push loops.
// V8's optimizing compiler builds the result of an inlined `Array.prototype.map` as a holey array
// where the builtin builds a packed one (and `filter` of a holey array the other way round), so a
// list made by `map` changes its hidden class when its maker is optimized, and every optimized
// reader of it deoptimizes ("wrong map") and is compiled again: measured, the second and third
// compiles of a process, and a few hundred ms of recompilation in an engine's first thousands of
// decisions. A list grown by `push` from `[]` is packed whichever tier runs: its readers see one
// hidden class. Lists given to these are dense (no holes), so the results are `map`'s and `filter`'s.

/** `list.map(f)`, packed in every tier. */
export function mapped<T, U>(list: readonly T[], f: (item: T, index: number) => U): U[] {
  const out: U[] = [];
  for (let i = 0; i < list.length; i++) out.push(f(list[i]!, i));
  return out;
}

/** `list.filter(keep)`, packed in every tier. */
export function kept<T>(list: readonly T[], keep: (item: T) => boolean): T[] {
  const out: T[] = [];
  for (let i = 0; i < list.length; i++) {
    const item = list[i]!;
    if (keep(item)) out.push(item);
  }
  return out;
}
