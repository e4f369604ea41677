// The playground end to end, in real headless Chromium: the site is built once with Vite (the
// same config as `npm run playground:build`), served from a tiny local HTTP server, and driven
// through the UI. Also measures keystroke-to-diagnostics latency on a 500-line file and writes
// it to bench/results/playground.json (recorded, never asserted on).
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateJourneys } from "../../bench/generate.ts";
import { serveStatic, type StaticServer } from "./static-server.ts";

const CHROMIUM = "/usr/bin/chromium";
/** Each test opens one to three pages; generous for a loaded 2-core CI machine. */
const TEST_TIMEOUT = 180_000;
const repo = fileURLToPath(new URL("../../", import.meta.url));
const ARTIFACTS = join(repo, "test-results");

let outDir: string;
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`the playground tests need Chromium at ${CHROMIUM} (apt-get install chromium); it is not installed`);
  outDir = await mkdtemp(join(tmpdir(), "kairos-playground-"));
  await build({ configFile: join(repo, "playground/vite.config.ts"), logLevel: "warn", build: { outDir, emptyOutDir: true } });
  server = await serveStatic(outDir);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  await mkdir(ARTIFACTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

interface Opened {
  readonly page: Page;
  /** Uncaught page errors: every test expects none. */
  readonly errors: string[];
}

/** Opens the playground (optionally at a fragment) and waits for its first check. */
async function open(fragment = ""): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${server.origin}/${fragment}`);
  await page.waitForFunction(() => window.kairosPlayground?.checkTimes.length > 0, undefined, { timeout: 30_000 });
  return { page, errors };
}

/** Markers of a policy file, as Monaco holds them. */
function markers(page: Page, file: string): Promise<{ message: string; code: string; line: number }[]> {
  return page.evaluate((f) => {
    const p = window.kairosPlayground;
    const model = p.model(f);
    if (!model) throw new Error(`no file ${f}`);
    return p.monaco.editor.getModelMarkers({ resource: model.uri }).map((m) => ({ message: m.message, code: String(m.code), line: m.startLineNumber }));
  }, file);
}

/** Selects `word` inside the first occurrence of `context` in a policy file, and focuses the editor. */
async function select(page: Page, file: string, context: string, word: string): Promise<void> {
  await page.evaluate(
    ([f, c, w]) => {
      const p = window.kairosPlayground;
      p.showFile(f!);
      const model = p.model(f!)!;
      const match = model.findMatches(c!, false, false, true, null, false)[0];
      if (!match) throw new Error(`\`${c}\` is not in ${f}`);
      const start = model.getPositionAt(model.getOffsetAt(match.range.getStartPosition()) + c!.indexOf(w!));
      const end = model.getPositionAt(model.getOffsetAt(start) + w!.length);
      p.policyEditor.setSelection({ startLineNumber: start.lineNumber, startColumn: start.column, endLineNumber: end.lineNumber, endColumn: end.column });
      p.policyEditor.focus();
    },
    [file, context, word],
  );
}

describe("the playground in headless Chromium", () => {
  it(
    "loads the default example, checked clean, with the examples menu and the four actions",
    async () => {
      const { page, errors } = await open();
      await page.waitForFunction(() => document.getElementById("status")?.textContent?.includes("No problems"));
      const options = await page.$$eval("#examples option:not([disabled])", (os) => os.map((o) => o.textContent));
      expect(options.length).toBeGreaterThanOrEqual(5);
      for (const id of ["btn-check", "btn-format", "btn-run", "btn-share"]) expect(await page.isVisible(`#${id}`)).toBe(true);
      expect(await page.$$eval("#file-tabs [data-file]", (ts) => ts.map((t) => t.getAttribute("data-file")))).toContain("catalog.yaml");
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT,
  );

  it(
    "shows the compiler's diagnostic for a typed mistake, and after the fix runs to an acted decision with its trace",
    async () => {
      const { page, errors } = await open();
      await select(page, "renewals.journey", "customer.tenure_months >= 12\n  do       email", "tenure_months");
      await page.keyboard.type("tenure");
      await page.keyboard.press("Escape");
      await page.waitForFunction(() => {
        const p = window.kairosPlayground;
        return p.monaco.editor.getModelMarkers({ resource: p.model("renewals.journey")!.uri }).some((m) => m.message.includes("no field `tenure`"));
      });
      const found = (await markers(page, "renewals.journey")).find((m) => m.code === "check/unknown-field")!;
      // The line the edit was made on, wherever the example file puts it.
      const source = readFileSync("policies/journeys/renewals.journey", "utf8");
      expect(found.line).toBe(source.slice(0, source.indexOf("customer.tenure_months >= 12\n  do       email")).split("\n").length);
      expect(found.message).toContain("entity `customer` has no field `tenure`");
      expect(found.message).toContain("did you mean `tenure_months`?");
      expect(await page.textContent("#problems")).toContain("has no field tenure");

      await select(page, "renewals.journey", "customer.tenure >= 12\n  do       email", "tenure");
      await page.keyboard.type("tenure_months");
      await page.keyboard.press("Escape");
      await page.waitForFunction(() => document.getElementById("status")?.textContent?.includes("No problems"));
      expect(await markers(page, "renewals.journey")).toEqual([]);

      await page.click("#btn-run");
      await page.waitForSelector(".decision-head [data-outcome]", { timeout: 30_000 });
      expect(await page.getAttribute(".decision-head [data-outcome]", "data-outcome")).toBe("acted");
      expect(await page.textContent(".decision")).toContain("renewal_reminder_d90");

      await page.click("[data-result=trace]");
      const trace = await page.textContent(".traces");
      expect(trace).toContain("customer.tenure_months >= 12");
      expect(trace).toContain("= 26");
      expect(trace).toContain("days_until(policy.renewal_date)");
      await page.screenshot({ path: join(ARTIFACTS, "playground.png") });

      // The same compiled engine runs the policy set's tests and the built-in properties.
      await page.click("[data-result=tests]");
      await page.waitForSelector(".tests-summary", { timeout: 60_000 });
      expect(await page.textContent(".tests-summary")).toMatch(/^\d+ passed, \d+ failed/);
      expect(await page.$$eval(".test-list li", (ls) => ls.length)).toBeGreaterThanOrEqual(3);
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT,
  );

  it(
    "restores the same state from a share link",
    async () => {
      const { page, errors } = await open();
      await page.evaluate(() => {
        const p = window.kairosPlayground;
        const req = p.inputModel("request")!;
        req.setValue(req.getValue().replace('"region": "eu"', '"region": "uk"'));
        const m = p.model("claims.journey")!;
        m.setValue(m.getValue() + "\n# shared with a colleague — ünïcödé ✓\n");
      });
      const before = await page.evaluate(() => window.kairosPlayground.state());
      await page.click("#btn-share");
      await page.waitForFunction(() => location.hash.startsWith("#v1:"));
      const url = await page.evaluate(() => location.href);
      await page.close();

      const again = await open(url.slice(url.indexOf("#")));
      expect(await again.page.evaluate(() => window.kairosPlayground.state())).toEqual(before);
      expect(await again.page.isHidden("#banner")).toBe(true);
      expect([...errors, ...again.errors]).toEqual([]);
      await again.page.close();
    },
    TEST_TIMEOUT,
  );

  it(
    "shows an error in place for a truncated or older-version link and falls back to the default example",
    async () => {
      const { page } = await open();
      const defaults = await page.evaluate(() => window.kairosPlayground.state());
      await page.click("#btn-share");
      await page.waitForFunction(() => location.hash.startsWith("#v1:"));
      const hash = await page.evaluate(() => location.hash);
      await page.close();

      for (const [fragment, error] of [
        [hash.slice(0, Math.floor(hash.length / 2)), "damaged or truncated"],
        ["#v0:" + hash.slice(4), "format v0"],
      ] as const) {
        const { page: p, errors } = await open(fragment);
        expect(await p.isVisible("#banner")).toBe(true);
        expect(await p.textContent("#banner-text")).toContain(error);
        expect(await p.evaluate(() => window.kairosPlayground.state())).toEqual(defaults);
        expect(await p.isVisible("#policy-editor .monaco-editor")).toBe(true);
        expect(errors).toEqual([]);
        await p.close();
      }
    },
    TEST_TIMEOUT,
  );

  it(
    "shows invalid YAML in the catalog and invalid JSON in an input panel in place",
    async () => {
      const { page, errors } = await open();
      await page.evaluate(() => window.kairosPlayground.model("catalog.yaml")!.setValue("version: 1\nentities: [\n"));
      await page.waitForFunction(
        () => (window.kairosPlayground.monaco.editor.getModelMarkers({ resource: window.kairosPlayground.model("catalog.yaml")!.uri }).length ?? 0) > 0,
      );
      const catalogMarkers = await markers(page, "catalog.yaml");
      expect(catalogMarkers[0]!.code).toMatch(/^catalog\//);
      expect(await page.textContent("#problems")).toContain("catalog.yaml:");
      expect(await page.textContent('#file-tabs [data-file="catalog.yaml"] .badge')).not.toBe("");

      await page.evaluate(() => {
        const p = window.kairosPlayground;
        p.showInput("context");
        p.inputModel("context")!.setValue('{\n  "customer": { "tenure_months": 26,, }\n}\n');
      });
      await page.waitForSelector('#input-errors li[data-panel="context"]');
      const text = await page.textContent('#input-errors li[data-panel="context"]');
      expect(text).toContain("invalid JSON");
      expect(text).toContain("Context 2:");
      const jsonMarkers = await page.evaluate(() => {
        const p = window.kairosPlayground;
        return p.monaco.editor.getModelMarkers({ resource: p.inputModel("context")!.uri }).map((m) => m.startLineNumber);
      });
      expect(jsonMarkers).toEqual([2]);
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT,
  );

  it(
    "measures keystroke-to-diagnostics latency on a 500-line file (recorded, not asserted)",
    async () => {
      let n = 1;
      while (generateJourneys(n)[0]!.text.split("\n").length < 500) n++;
      const text = generateJourneys(n)[0]!.text;
      const lines = text.split("\n").length;
      const { page, errors } = await open();
      await page.evaluate((t) => window.kairosPlayground.model("renewals.journey")!.setValue(t), text);
      await page.waitForFunction(() => document.getElementById("status")?.textContent?.includes("No problems"), undefined, { timeout: 30_000 });
      // The edit: `customer.tenure_months` → `customer.tenure_monthsx` (an unknown field) and back,
      // each as a real keystroke through Monaco's `type` / `deleteLeft` commands, at a typist's
      // pace (the page goes idle between keystrokes: two frames and 100 ms). 300 keystrokes: the
      // first 50 after the page loaded (the JIT is still compiling the compiler: occasional
      // spikes) and the last 100 (steady typing) are reported separately.
      const result = await page.evaluate(
        async ({ rounds }) => {
          const p = window.kairosPlayground;
          const { monaco, policyEditor } = p;
          p.showFile("renewals.journey");
          const model = p.model("renewals.journey")!;
          const match = model.findMatches("customer.tenure_months", false, false, true, null, false)[Math.floor(model.getLineCount() / 40)]!;
          const hasError = () => monaco.editor.getModelMarkers({ resource: model.uri }).some((m) => String(m.code) === "check/unknown-field");
          const settled = (wantError: boolean) =>
            new Promise<void>((resolve) => {
              if (hasError() === wantError) return resolve();
              const sub = monaco.editor.onDidChangeMarkers((uris) => {
                if (uris.some((u) => u.toString() === model.uri.toString()) && hasError() === wantError) {
                  sub.dispose();
                  resolve();
                }
              });
            });
          const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
          const idle = async () => {
            await frame();
            await frame();
            await new Promise((r) => setTimeout(r, 100));
          };
          const times: number[] = [];
          const worker: number[] = [];
          policyEditor.focus();
          for (let i = 0; i < rounds; i++) {
            for (const [command, args, wantError] of [
              ["type", { text: "x" }, true],
              ["deleteLeft", null, false],
            ] as const) {
              if (command === "type") policyEditor.setPosition(match.range.getEndPosition());
              await idle();
              const checks = p.checkTimes.length;
              const t0 = performance.now();
              policyEditor.trigger("keyboard", command, args);
              await settled(wantError);
              times.push(performance.now() - t0);
              worker.push(p.checkTimes.slice(checks).reduce((a, b) => a + b, 0));
            }
          }
          return { times, worker };
        },
        { rounds: 150 },
      );
      expect(result.times).toHaveLength(300);
      const pct = (xs: readonly number[], q: number) => {
        const sorted = [...xs].sort((a, b) => a - b);
        return Math.round(sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1))]! * 10) / 10;
      };
      const FRAME = 1000 / 60;
      const phase = (from: number, count: number) => {
        const times = result.times.slice(from, from + count);
        const worker = result.worker.slice(from, from + count);
        return {
          p50_ms: pct(times, 0.5),
          p95_ms: pct(times, 0.95),
          max_ms: pct(times, 1),
          worker_check_p50_ms: pct(worker, 0.5),
          worker_check_p95_ms: pct(worker, 0.95),
          under_one_frame: times.filter((t) => t < FRAME).length,
        };
      };
      const steady = phase(200, 100);
      const first = phase(0, 50);
      const report = {
        name: "playground keystroke-to-diagnostics",
        what: "performance.now() from a keystroke in a Monaco editor (Monaco's `type`/`deleteLeft` command) to the compiler's markers being updated in the editor; the check (incremental parse, catalog, type-check of the whole policy set) runs in the Web Worker. 300 keystrokes at a typist's pace; p50/p95 of the last 100 (steady typing), and of the first 50 after the page loaded",
        measured_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        file_lines: lines,
        journeys: n,
        p50_ms: steady.p50_ms,
        p95_ms: steady.p95_ms,
        max_ms: steady.max_ms,
        under_one_frame: `${steady.under_one_frame} of 100`,
        worker_check_p50_ms: steady.worker_check_p50_ms,
        worker_check_p95_ms: steady.worker_check_p95_ms,
        first_50_p50_ms: first.p50_ms,
        first_50_p95_ms: first.p95_ms,
        first_50_max_ms: first.max_ms,
        first_50_under_one_frame: `${first.under_one_frame} of 50`,
        first_50_worker_check_p50_ms: first.worker_check_p50_ms,
        first_50_worker_check_p95_ms: first.worker_check_p95_ms,
        frame_ms: Math.round(FRAME * 10) / 10,
        browser: `chromium ${browser.version()} (headless)`,
        load_average: loadavg().map((x) => Math.round(x * 100) / 100),
      };
      await mkdir(join(repo, "bench/results"), { recursive: true });
      await writeFile(join(repo, "bench/results/playground.json"), JSON.stringify(report, null, 2) + "\n");
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT,
  );
});
