// A tiny element builder: the playground's UI is plain DOM, and every user-provided string goes
// in as text (never as HTML).

type Child = Node | string | number | false | null | undefined;
type Attrs = Record<string, string | boolean | number | ((e: Event) => void) | undefined>;

/** `h("div", { class: "x", onclick: f }, "text", child)`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === "number" ? String(c) : c);
  return el;
}

/** Renders text with `backticks` as <code>, the way compiler messages write names. */
export function richText(text: string): (Node | string)[] {
  return text
    .split(/(`[^`]*`)/)
    .map((part) => (part.length > 1 && part.startsWith("`") && part.endsWith("`") ? h("code", {}, ...breakable(part.slice(1, -1))) : part));
}

/**
 * An identifier or path with a line-break opportunity (<wbr>) after each `_`, `.` and `/`, so
 * that a narrow column wraps `renewal_reminder_d90` between its words, never inside one.
 */
export function breakable(text: string): (Node | string)[] {
  const parts = text.split(/(?<=[_./])(?=.)/);
  return parts.flatMap((p, i) => (i === 0 ? [p] : [document.createElement("wbr"), p]));
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}
