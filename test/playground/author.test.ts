// The playground's rough edges of issue 14, in real headless Chromium: every built-in example
// loads clean, an error in a test block does not block Run, the layout at phone and laptop
// widths (screenshots in test-results/), resizable columns, dark mode from the system, the
// downloads, the shortcuts help, hovers not clipped, identifiers wrapped between words.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTar } from "../../core/tar.ts";
import { ARTIFACTS, allMarkers, openPlayground, type Playground, settled, startPlayground } from "./harness.ts";

const TEST_TIMEOUT = 180_000;
const MONACO_ERROR = 8;

let pg: Playground;

beforeAll(async () => {
  pg = await startPlayground();
}, 240_000);

afterAll(async () => {
  await pg?.close();
});

/** Error markers of the models on the page now (a removed file's are gone with it). */
async function errorsShown(page: Page): Promise<string[]> {
  const live = await page.evaluate(() => window.kairosPlayground.monaco.editor.getModels().map((m) => m.uri.toString()));
  return (await allMarkers(page)).filter((m) => m.severity === MONACO_ERROR && live.includes(m.resource)).map((m) => `${m.resource}:${m.line}: ${m.message}`);
}

/** Replaces `from` by `to` in a policy file (one edit, as typing would make). */
async function edit(page: Page, file: string, from: string, to: string): Promise<void> {
  await page.evaluate(
    ([f, a, b]) => {
      const model = window.kairosPlayground.model(f!);
      if (!model) throw new Error(`no file ${f}`);
      const match = model.findMatches(a!, false, false, true, null, false)[0];
      if (!match) throw new Error(`\`${a}\` is not in ${f}`);
      model.pushEditOperations([], [{ range: match.range, text: b! }], () => null);
    },
    [file, from, to],
  );
  await settled(page);
}

async function runToDecision(page: Page): Promise<void> {
  await page.click("#btn-run");
  await page.waitForSelector(".decision-head [data-outcome], .result-body [data-problem]", { timeout: 60_000 });
}

describe("the playground's author experience", () => {
  it(
    "loads every built-in example from the menu with no error on any file or panel",
    async () => {
      const { page, errors } = await openPlayground(pg);
      const ids = await page.$$eval("#examples option:not([disabled])", (os) => os.map((o) => (o as HTMLOptionElement).value));
      expect(ids.length).toBeGreaterThanOrEqual(8);
      const broken: Record<string, string[]> = {};
      for (const id of ids) {
        await page.selectOption("#examples", id);
        await settled(page);
        const found = await errorsShown(page);
        if (found.length) broken[id] = found;
        expect(await page.textContent("#status")).not.toContain("error");
      }
      expect(broken).toEqual({});
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT,
  );

  it(
    "runs despite an error inside a test block, keeps that error shown, and still refuses to run with an error in a journey",
    async () => {
      const { page, errors } = await openPlayground(pg);
      await edit(page, "renewals.journey", "expect    renewal_reminder_d30 no_match", "expect    renewal_reminder_d30 no_mtch");
      const before = await errorsShown(page);
      expect(before).toHaveLength(1);
      await runToDecision(page);
      expect(await page.getAttribute(".decision-head [data-outcome]", "data-outcome")).toBe("acted");
      expect(await page.textContent(".decision")).toContain("renewal_reminder_d90");
      // The test block's error is still on the editor after the run.
      expect(await errorsShown(page)).toEqual(before);
      // The tests themselves do not run until it is fixed, and say so.
      await page.click("[data-result=tests]");
      await page.waitForSelector(".result-body .error-box", { timeout: 60_000 });
      expect(await page.textContent(".result-body .error-box")).toContain("errors");

      await edit(page, "renewals.journey", "customer.tenure_months >= 12\n  do       email", "customer.tenure >= 12\n  do       email");
      await page.click("[data-result=decision]");
      await runToDecision(page);
      expect(await page.textContent(".result-body [data-problem]")).toContain("fix the policy set first");
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT,
  );

  for (const width of [390, 1280, 1440]) {
    it(
      `lays out at ${width} px: nothing overflows sideways, Run, Share and every tab are visible and whole`,
      async () => {
        const { page, errors } = await openPlayground(pg, { viewport: { width, height: width < 600 ? 844 : 900 } });
        await page.screenshot({ path: join(ARTIFACTS, `playground-${width}.png`), fullPage: width < 600 });
        expect(await page.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, inner: innerWidth }))).toSatisfy(
          (x: { scroll: number; inner: number }) => x.scroll <= x.inner,
        );
        const selectors = [
          "#btn-run",
          "#btn-share",
          "#btn-help",
          '#file-tabs [data-file="catalog.yaml"]',
          "#file-tabs .tab.add",
          "#file-tabs [data-file]",
          "#input-tabs .tab",
          "#result-tabs .tab",
          '#result-tabs [data-result="tests"]',
        ];
        const problems: string[] = [];
        for (const selector of selectors) {
          const handles = await page.$$(selector);
          expect(handles.length, selector).toBeGreaterThan(0);
          for (const el of handles) {
            // Scroll the page (one column under another at 390 px) to it, and nothing else: a tab
            // scrolled out of sight inside its tab strip is a failure, not something to reveal.
            await el.evaluate((node) => {
              const r = node.getBoundingClientRect();
              if (r.top < 0 || r.bottom > innerHeight) window.scrollBy(0, r.top - innerHeight / 2);
            });
            const why = await el.evaluate((node) => {
              const r = node.getBoundingClientRect();
              if (r.width === 0 || r.height === 0) return "has no size";
              if (r.left < 0 || r.right > innerWidth) return `is outside the window sideways (${Math.round(r.left)}–${Math.round(r.right)} of ${innerWidth})`;
              if (node.scrollWidth > node.clientWidth + 1) return `is truncated (${node.scrollWidth} > ${node.clientWidth})`;
              // Clipped or covered: the element itself must be what is drawn at its corners.
              for (const [x, y] of [
                [r.left + 2, r.top + r.height / 2],
                [r.right - 2, r.top + r.height / 2],
              ] as const) {
                const hit = document.elementFromPoint(x, y);
                if (!hit || !(hit === node || node.contains(hit))) return `is covered or clipped at (${Math.round(x)}, ${Math.round(y)})`;
              }
              return "";
            });
            if (why) problems.push(`${selector} "${(await el.textContent())?.trim()}" ${why}`);
          }
        }
        expect(problems).toEqual([]);
        expect(errors).toEqual([]);
        await page.close();
      },
      TEST_TIMEOUT,
    );
  }

  it(
    "resizes the columns by dragging a splitter and with the keyboard",
    async () => {
      const { page, errors } = await openPlayground(pg, { viewport: { width: 1440, height: 900 } });
      const widths = () => page.$$eval("#columns > .column", (cs) => cs.map((c) => c.getBoundingClientRect().width));
      const [policy0, request0, results0] = await widths();
      const splitters = await page.$$(".splitter");
      expect(splitters).toHaveLength(2);
      const box = (await splitters[0]!.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 + 60, box.y + 200, { steps: 4 });
      await page.mouse.move(box.x + box.width / 2 + 120, box.y + 200, { steps: 4 });
      await page.mouse.up();
      const [policy1, request1, results1] = await widths();
      expect(policy1! - policy0!).toBeGreaterThan(110);
      expect(policy1! - policy0!).toBeLessThan(130);
      expect(request0! - request1!).toBeGreaterThan(110);
      expect(results1).toBeCloseTo(results0!, 0);

      const second = splitters[1]!;
      const valueBefore = Number(await second.getAttribute("aria-valuenow"));
      await second.focus();
      for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
      await page.keyboard.press("Shift+ArrowRight");
      const [policy2, request2, results2] = await widths();
      expect(Number(await second.getAttribute("aria-valuenow"))).toBe(valueBefore + 16);
      expect(request2! - request1!).toBeGreaterThan(0.15 * 1440);
      expect(request2! - request1!).toBeLessThan(0.17 * 1440);
      expect(results2).toBeLessThan(results1!);
      expect(policy2).toBeCloseTo(policy1!, 0);
      // The editors follow their columns.
      await page.waitForFunction(
        () =>
          Math.abs(
            document.querySelector("#policy-editor .monaco-editor")!.getBoundingClientRect().width -
              document.getElementById("policy-editor")!.getBoundingClientRect().width,
          ) < 2,
      );
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT,
  );

  it(
    "follows the system's dark-mode preference, the editors included, and switches when it changes",
    async () => {
      const luminance = (page: Page, selector: string) =>
        page.$eval(selector, (el) => {
          const [r, g, b] = getComputedStyle(el)
            .backgroundColor.match(/[\d.]+/g)!
            .map(Number) as [number, number, number];
          return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
        });
      const { page, errors } = await openPlayground(pg, { colorScheme: "dark" });
      expect(await luminance(page, "body")).toBeLessThan(0.2);
      expect(await luminance(page, "#policy-editor .monaco-editor-background")).toBeLessThan(0.2);
      expect(await page.getAttribute("#policy-editor .monaco-editor", "class")).toContain("vs-dark");
      await page.screenshot({ path: join(ARTIFACTS, "playground-dark.png") });

      await page.emulateMedia({ colorScheme: "light" });
      await page.waitForFunction(() => !document.querySelector("#policy-editor .monaco-editor")!.classList.contains("vs-dark"));
      expect(await luminance(page, "body")).toBeGreaterThan(0.9);
      expect(await luminance(page, "#policy-editor .monaco-editor-background")).toBeGreaterThan(0.9);
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT,
  );

  it(
    "downloads the artifact as .tar.gz, the decision as JSON and the rationale as HTML, each with the run's content",
    async () => {
      const { page, errors } = await openPlayground(pg);
      expect(await page.isDisabled("#dl-decision")).toBe(true);
      await runToDecision(page);
      const shown = await page.evaluate(() => {
        const pre = [...document.querySelectorAll("details.raw pre")].at(-1)!;
        return JSON.parse(pre.textContent!) as { decision_id: string; artifact: string; outcome: string };
      });
      const download = async (id: string) => {
        const [d] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), page.click(`#${id}`)]);
        return { name: d.suggestedFilename(), bytes: await readFile((await d.path())!) };
      };

      const decision = await download("dl-decision");
      expect(decision.name).toBe(`decision-${shown.decision_id}.json`);
      expect(JSON.parse(decision.bytes.toString("utf8"))).toEqual(shown);

      const rationale = await download("dl-rationale");
      expect(rationale.name).toBe(`rationale-${shown.decision_id}.html`);
      const html = rationale.bytes.toString("utf8");
      expect(html.toLowerCase()).toMatch(/^<!doctype html>/);
      // Identifiers carry <wbr> break opportunities after `_`, `.` and `/` (never inside a word).
      const text = html.replaceAll("<wbr>", "");
      expect(text).toContain(shown.decision_id);
      expect(text).toContain("renewal_reminder_d90");
      expect(html).toContain("renewal_<wbr>reminder_<wbr>d90");

      const artifact = await download("dl-artifact");
      expect(artifact.name).toBe(`kairos-artifact-${shown.artifact.slice(0, 12)}.tar.gz`);
      const entries = new Map(readTar(new Uint8Array(gunzipSync(artifact.bytes))).map((e) => [e.name, e.data]));
      expect([...entries.keys()]).toContain("manifest.json");
      const manifest = JSON.parse(new TextDecoder().decode(entries.get("manifest.json"))) as { hash: string; parts?: Record<string, unknown> };
      // The artifact the decision was made with: its identity is the decision's `artifact`.
      expect(manifest.hash).toBe(shown.artifact);
      expect(entries.size).toBeGreaterThanOrEqual(4);
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT,
  );

  it(
    "opens the keyboard shortcuts help with ? and with its button, and closes it with Escape",
    async () => {
      const { page, errors } = await openPlayground(pg);
      expect(await page.isVisible("#shortcuts")).toBe(false);
      await page.click("h2");
      await page.keyboard.press("?");
      expect(await page.isVisible("#shortcuts")).toBe(true);
      const text = await page.textContent("#shortcuts");
      for (const s of ["Ctrl", "Enter", "Run", "Format", "Resize"]) expect(text).toContain(s);
      await page.keyboard.press("Escape");
      expect(await page.isVisible("#shortcuts")).toBe(false);
      await page.click("#btn-help");
      expect(await page.isVisible("#shortcuts")).toBe(true);
      await page.click("#shortcuts-close");
      expect(await page.isVisible("#shortcuts")).toBe(false);
      // Typing `?` in an editor types it, and opens nothing.
      await page.evaluate(() => window.kairosPlayground.policyEditor.focus());
      await page.keyboard.press("?");
      expect(await page.isVisible("#shortcuts")).toBe(false);
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT,
  );

  it(
    "shows hovers and suggestions whole, past the edge of a narrow column",
    async () => {
      const { page, errors } = await openPlayground(pg, { viewport: { width: 1440, height: 900 } });
      // The narrowest policy column the splitter allows.
      await page.focus(".splitter");
      await page.keyboard.press("Home");
      // Once the editor has followed its column (a layout hides any hover shown before it).
      await page.waitForFunction(() => {
        const box = document.getElementById("policy-editor")!.getBoundingClientRect();
        return box.width < 0.2 * innerWidth && Math.abs(document.querySelector("#policy-editor .monaco-editor")!.getBoundingClientRect().width - box.width) < 2;
      });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const editorBox = (await page.$eval("#policy-editor", (e) => e.getBoundingClientRect().toJSON())) as DOMRect;

      /** The shown widget matching `selector`, once there is one. */
      const shown = async (selector: string) => {
        await page.waitForFunction(
          (sel) => [...document.querySelectorAll(sel)].some((e) => e.getBoundingClientRect().width > 0 && e.checkVisibility() && e.textContent),
          selector,
          { timeout: 30_000 },
        );
        for (const e of await page.$$(selector)) if (await e.isVisible()) return e;
        throw new Error(`no ${selector} is visible`);
      };
      /** Where the widget is cut off: points inside it where something else is drawn. */
      const clipped = async (selector: string) =>
        (await shown(selector)).evaluate((w) => {
          const r = w.getBoundingClientRect();
          const bad: string[] = [];
          for (const fx of [0.05, 0.5, 0.95])
            for (const fy of [0.1, 0.5, 0.9]) {
              const [x, y] = [r.left + fx * r.width, r.top + fy * r.height];
              const hit = document.elementFromPoint(x, y);
              if (!hit || !w.contains(hit)) bad.push(`(${Math.round(x)}, ${Math.round(y)}) shows ${hit?.className || hit?.tagName}`);
            }
          return { right: r.right, bad };
        });

      await page.evaluate(() => {
        const p = window.kairosPlayground;
        p.showFile("renewals.journey");
        const model = p.model("renewals.journey")!;
        const match = model.findMatches("customer.tenure_months", false, false, true, null, false)[0]!;
        // Inside `tenure`, near the left edge of the narrow editor: the hover is wider than it.
        const pos = { lineNumber: match.range.startLineNumber, column: match.range.startColumn + "customer.te".length };
        p.policyEditor.setPosition(pos);
        p.policyEditor.revealLineInCenter(pos.lineNumber);
        p.policyEditor.setScrollLeft(0);
        p.policyEditor.focus();
        p.policyEditor.trigger("test", "editor.action.showHover", null);
      });
      const hover = await clipped(".monaco-hover");
      expect(hover.right).toBeGreaterThan(editorBox.right + 20);
      expect(hover.bad).toEqual([]);
      await page.keyboard.press("Escape");

      await page.evaluate(() => {
        const p = window.kairosPlayground;
        const model = p.model("renewals.journey")!;
        const match = model.findMatches("customer.tenure_months", false, false, true, null, false)[0]!;
        p.policyEditor.setSelection({
          startLineNumber: match.range.startLineNumber,
          startColumn: match.range.startColumn + "customer.".length,
          endLineNumber: match.range.startLineNumber,
          endColumn: match.range.endColumn,
        });
        p.policyEditor.focus();
      });
      await page.keyboard.press("Delete");
      await page.evaluate(() => window.kairosPlayground.policyEditor.trigger("test", "editor.action.triggerSuggest", null));
      const suggest = await clipped(".suggest-widget.visible");
      expect(suggest.right).toBeGreaterThan(editorBox.right + 20);
      expect(suggest.bad).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT,
  );

  it(
    "wraps identifiers in the legal review between words, never inside one, at 390 px",
    async () => {
      const { page, errors } = await openPlayground(pg, { viewport: { width: 390, height: 844 } });
      await runToDecision(page);
      await page.click('[data-result="legal"]');
      const frame = await (await page.waitForSelector("iframe.legal")).contentFrame();
      await frame!.waitForSelector("code");
      // Every place a `code` element's text moves to a new line, and the two characters around it.
      const breaks = await frame!.$$eval("code", (codes) =>
        codes.flatMap((code) => {
          const chars: { ch: string; top: number }[] = [];
          const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const t = n as Text;
            for (let i = 0; i < t.data.length; i++) {
              const range = document.createRange();
              range.setStart(t, i);
              range.setEnd(t, i + 1);
              const rect = range.getClientRects()[0];
              if (rect) chars.push({ ch: t.data[i]!, top: rect.top });
            }
          }
          const out: { code: string; before: string; after: string }[] = [];
          for (let i = 1; i < chars.length; i++)
            if (chars[i]!.top > chars[i - 1]!.top + 2) out.push({ code: code.textContent!, before: chars[i - 1]!.ch, after: chars[i]!.ch });
          return out;
        }),
      );
      await page.screenshot({ path: join(ARTIFACTS, "playground-legal-390.png") });
      // Identifiers did wrap here (the check below is about something)…
      expect(breaks.filter((b) => /^[A-Za-z][A-Za-z0-9_.]*$/.test(b.code)).length).toBeGreaterThan(0);
      // …and only after `_`, `.`, `/` or a space: never between two letters or digits.
      expect(breaks.filter((b) => /[A-Za-z0-9]/.test(b.before) && /[A-Za-z0-9]/.test(b.after))).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT,
  );
});
