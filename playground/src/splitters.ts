// Resizable columns: a splitter between each two columns of the page, dragged with a pointer
// (mouse, pen, touch) or moved with the keyboard (focus it with Tab, then ←/→, Shift for big
// steps, Home/End for the extremes) — the WAI-ARIA window splitter pattern. The three widths
// are fractions of the page, kept in the grid's template and remembered in localStorage.

/** The smallest share of the width a column can be given. */
const MIN = 0.15;
const STEP = 0.02;
const BIG_STEP = 0.1;
const STORAGE_KEY = "kairos-playground-columns";
const DEFAULT: readonly number[] = [1.35 / 3.55, 0.9 / 3.55, 1.3 / 3.55];

function load(): number[] {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null") as unknown;
    if (Array.isArray(saved) && saved.length === 3 && saved.every((x) => typeof x === "number" && x >= MIN && x <= 1)) return saved as number[];
  } catch {
    // Storage may be disabled or hold something else: the default widths.
  }
  return [...DEFAULT];
}

/**
 * Makes `splitters[i]` resize the columns on either side of it inside `grid` (a CSS grid whose
 * template alternates columns and splitters). Returns the current fractions, for tests.
 */
export function installSplitters(grid: HTMLElement, splitters: readonly HTMLElement[]): () => readonly number[] {
  const widths = load();
  const apply = () => {
    grid.style.gridTemplateColumns = widths.map((w) => `minmax(0, ${w.toFixed(4)}fr)`).join(" auto ");
    splitters.forEach((s, i) => {
      const at = widths.slice(0, i + 1).reduce((a, b) => a + b, 0);
      s.setAttribute("aria-valuenow", String(Math.round(at * 100)));
      s.setAttribute("aria-valuemin", String(Math.round((widths.slice(0, i).reduce((a, b) => a + b, 0) + MIN) * 100)));
      s.setAttribute("aria-valuemax", String(Math.round((widths.slice(0, i + 2).reduce((a, b) => a + b, 0) - MIN) * 100)));
    });
  };
  const save = () => {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(widths));
    } catch {
      // Not remembered: the widths still apply to this page.
    }
  };
  /** Moves splitter `i` to `at` (a fraction of the page from its left edge), within bounds. */
  const moveTo = (i: number, at: number) => {
    const before = widths.slice(0, i).reduce((a, b) => a + b, 0);
    const pair = widths[i]! + widths[i + 1]!;
    const left = Math.min(Math.max(at - before, MIN), pair - MIN);
    widths[i] = left;
    widths[i + 1] = pair - left;
    apply();
  };
  splitters.forEach((s, i) => {
    s.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      s.setPointerCapture(e.pointerId);
      s.classList.add("dragging");
      const box = grid.getBoundingClientRect();
      const onMove = (m: PointerEvent) => moveTo(i, (m.clientX - box.left) / box.width);
      const onUp = () => {
        s.classList.remove("dragging");
        s.removeEventListener("pointermove", onMove);
        s.removeEventListener("pointerup", onUp);
        s.removeEventListener("pointercancel", onUp);
        save();
      };
      s.addEventListener("pointermove", onMove);
      s.addEventListener("pointerup", onUp);
      s.addEventListener("pointercancel", onUp);
    });
    s.addEventListener("keydown", (e) => {
      const at = widths.slice(0, i + 1).reduce((a, b) => a + b, 0);
      const step = e.shiftKey ? BIG_STEP : STEP;
      const to = e.key === "ArrowLeft" ? at - step : e.key === "ArrowRight" ? at + step : e.key === "Home" ? 0 : e.key === "End" ? 1 : undefined;
      if (to === undefined) return;
      e.preventDefault();
      moveTo(i, to);
      save();
    });
    s.addEventListener("dblclick", () => {
      widths.splice(0, 3, ...DEFAULT);
      apply();
      save();
    });
  });
  apply();
  return () => [...widths];
}
