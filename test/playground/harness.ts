// The playground's browser tests' shared setup: the site built with Vite (the same config as
// `npm run playground:build`) into a temporary directory, served by a tiny local HTTP server,
// and Debian's Chromium driven by playwright-core.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { type StaticServer, serveStatic } from "./static-server.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const repo = fileURLToPath(new URL("../../", import.meta.url));
/** Where screenshots and other artifacts of the browser tests go. */
export const ARTIFACTS = join(repo, "test-results");

/** A built, served playground and a browser to open it in. */
export interface Playground {
  readonly origin: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Builds and serves the playground, and launches Chromium. */
export async function startPlayground(): Promise<Playground> {
  if (!existsSync(CHROMIUM)) throw new Error(`the playground tests need Chromium at ${CHROMIUM} (apt-get install chromium); it is not installed`);
  const outDir = await mkdtemp(join(tmpdir(), "kairos-playground-"));
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await server?.close();
    await rm(outDir, { recursive: true, force: true });
  };
  try {
    await build({ configFile: join(repo, "playground/vite.config.ts"), logLevel: "warn", build: { outDir, emptyOutDir: true } });
    server = await serveStatic(outDir);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    await mkdir(ARTIFACTS, { recursive: true });
    return { origin: server.origin, browser, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** A page of the playground and the uncaught errors it threw (every test expects none). */
export interface Opened {
  readonly page: Page;
  readonly errors: string[];
}

/** Opens the playground in a new context (viewport, colour scheme…) and waits for its first check to be current. */
export async function openPlayground(p: Playground, options: BrowserContextOptions = {}, fragment = ""): Promise<Opened> {
  const context = await p.browser.newContext({ viewport: { width: 1600, height: 900 }, acceptDownloads: true, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // The context goes with its page (a closed browser has closed it already).
  page.on("close", () => void context.close().catch(() => undefined));
  await page.goto(`${p.origin}/${fragment}`);
  await settled(page);
  return { page, errors };
}

/** Waits until the markers shown are those of the texts shown. */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => window.kairosPlayground?.upToDate(), undefined, { timeout: 30_000 });
}

/** Every marker of every model on the page (policy files and input panels), errors first. */
export function allMarkers(page: Page): Promise<{ resource: string; severity: number; message: string; code: string; line: number }[]> {
  return page.evaluate(() => {
    const { monaco } = window.kairosPlayground;
    return monaco.editor
      .getModelMarkers({})
      .map((m) => ({ resource: m.resource.toString(), severity: m.severity, message: m.message, code: String(m.code), line: m.startLineNumber }))
      .sort((a, b) => b.severity - a.severity);
  });
}
