// The scoreboard in a real browser (headless Chromium through playwright-core, as the playground's
// tests): the service's `/dashboard` behind a bearer token, and the page `kairos report value
// --out` writes opened from disk. Each is read with JavaScript off (nothing on it needs a script),
// fetches nothing but itself, shows its key texts and draws its charts; a screenshot of each is
// saved to test-results/ (value-dashboard.png, value-report.png) and checked not to be blank: it
// must hold ink, the blue of the charts' bars and the red of the stopped journey's panel. The
// report also fits a phone's width.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TONE_COLOUR } from "../../server/value/svg.ts";
import { runCli } from "../helpers/cli.ts";
import { ARTIFACTS, CHROMIUM } from "../playground/harness.ts";
import { compiledEngine } from "../runtime/compiled.ts";
import { startTestServer, type TestServer } from "../server/helpers.ts";
import { AS_OF, fillValueStore, writeValuePolicies } from "./value-policies.ts";

const TIMEOUT = 120_000;

let policies: string;
let work: string;
let t: TestServer | undefined;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`the browser tests need Chromium at ${CHROMIUM} (apt-get install chromium); it is not installed`);
  policies = writeValuePolicies();
  work = mkdtempSync(join(tmpdir(), "kairos-value-browser-"));
  const { engine } = await compiledEngine(policies);
  const server = await startTestServer({ artifact: engine, clock: "request", dataDir: join(work, "data"), stopLoss: { intervalMs: 0, controlsRefreshMs: 0 } });
  t = server;
  await fillValueStore(server);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await t?.close().catch(() => undefined);
  if (policies) rmSync(policies, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

/** What a page did while it loaded: every URL it asked for, and its uncaught errors. */
interface Opened {
  readonly page: Page;
  readonly requests: string[];
  readonly errors: string[];
}

async function open(url: string, headers: Record<string, string> = {}): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, javaScriptEnabled: false, extraHTTPHeaders: headers });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => void requests.push(r.url()));
  page.on("pageerror", (e) => void errors.push(e.message));
  page.on("close", () => void context.close().catch(() => undefined));
  const answer = await page.goto(url);
  expect(answer?.status()).toBe(200);
  return { page, requests, errors };
}

/**
 * Reads a screenshot's pixels in a blank page's canvas (the scoreboard's own page forbids images):
 * the share of pixels that are not background, and whether the given colours appear.
 */
async function ink(png: Buffer, colours: readonly string[]): Promise<{ share: number; found: boolean[] }> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(
      async ({ data, colours }) => {
        const img = new Image();
        img.src = `data:image/png;base64,${data}`;
        await img.decode();
        const canvas = document.createElement("canvas");
        canvas.width = img.width;
        canvas.height = img.height;
        const g = canvas.getContext("2d")!;
        g.drawImage(img, 0, 0);
        const px = g.getImageData(0, 0, img.width, img.height).data;
        const wanted = colours.map((c) => [1, 3, 5].map((i) => Number.parseInt(c.slice(i, i + 2), 16)));
        const found = wanted.map(() => false);
        let inked = 0;
        for (let i = 0; i < px.length; i += 4) {
          const [r, gr, b] = [px[i]!, px[i + 1]!, px[i + 2]!];
          if (r < 235 || gr < 235 || b < 235) inked++;
          wanted.forEach((w, k) => {
            if (Math.abs(w[0]! - r) < 6 && Math.abs(w[1]! - gr) < 6 && Math.abs(w[2]! - b) < 6) found[k] = true;
          });
        }
        return { share: inked / (px.length / 4), found };
      },
      { data: png.toString("base64"), colours: [...colours] },
    );
  } finally {
    await page.close();
  }
}

/** Whether `text` is shown on the page: some element holding it is visible (a chart's `<title>` is not). */
async function visible(page: Page, text: string): Promise<boolean> {
  for (const element of await page.getByText(text).all()) if (await element.isVisible()) return true;
  return false;
}

/** The checks both pages pass: texts, charts drawn, nothing fetched, a screenshot with ink and colour. */
async function checkPage(o: Opened, self: string, title: string, screenshot: string): Promise<void> {
  const { page } = o;
  expect(await page.title()).toBe(title);
  for (const needle of ["Totals", "Uplift per journey node", "renewal_nudge", "referral_invite", "STOPPED", "Stop-loss: stopped", "Consent health"]) {
    expect(await visible(page, needle), needle).toBe(true);
  }
  // The uplift chart is drawn and has a dot for the journey with a judged goal.
  const chart = page.locator('svg[aria-label^="Absolute uplift"]');
  const box = await chart.boundingBox();
  expect(box?.width).toBeGreaterThan(400);
  expect(box?.height).toBeGreaterThan(40);
  expect(await chart.locator("circle").count()).toBeGreaterThanOrEqual(1);
  // The stopped journey's panel is red-edged.
  const border = await page.locator('section[data-journey="referral_invite"]').evaluate((el) => getComputedStyle(el).borderLeftColor);
  expect(border).toBe("rgb(185, 28, 28)");
  expect(o.errors).toEqual([]);
  expect(o.requests).toEqual([self]);
  const path = join(ARTIFACTS, screenshot);
  const png = await page.screenshot({ path, fullPage: true });
  const { share, found } = await ink(png, [TONE_COLOUR.bad, TONE_COLOUR.bar]);
  expect(share).toBeGreaterThan(0.03);
  expect(found).toEqual([true, true]);
}

describe("the scoreboard in Chromium", () => {
  it(
    "GET /dashboard reads without a script, fetches nothing else, and shows the journeys, signals and stop-loss",
    async () => {
      const server = t!;
      const url = `${server.url}/dashboard?as_of=${AS_OF}`;
      const o = await open(url, { authorization: `Bearer ${server.token("wallboard", ["metrics"])}` });
      try {
        await checkPage(o, url, "Kairos dashboard: proof of value", "value-dashboard.png");
        for (const needle of ["Service health", "Decision latency p50", "Throughput", "Saturation"]) expect(await visible(o.page, needle), needle).toBe(true);
      } finally {
        await o.page.close();
      }
    },
    TIMEOUT,
  );

  it(
    "the page `kairos report value --out` writes opens from disk and reads the same",
    async () => {
      const file = join(work, "value.html");
      // An embedded store serves one process: the command reads it once the service has stopped.
      await t?.close();
      t = undefined;
      const r = await runCli(["report", "value", "--store", join(work, "data"), "--policies", policies, "--as-of", AS_OF, "--out", file]);
      if (r.code !== 0) throw new Error(`kairos report value failed: ${r.err}`);
      const url = pathToFileURL(file).href;
      const o = await open(url);
      try {
        await checkPage(o, url, "Kairos: proof of value", "value-report.png");
        expect(await o.page.getByText("Service health").count()).toBe(0);
        // On a phone the page does not grow sideways: wide tables scroll within it.
        await o.page.setViewportSize({ width: 390, height: 800 });
        expect(await o.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      } finally {
        await o.page.close();
      }
    },
    TIMEOUT,
  );
});
