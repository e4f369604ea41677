// The screenshots of docs/value.md, made again from a real run (`node scripts/value-screenshots.ts`):
// a demo of 2,000 customers (the default 200 give intervals too wide to show anything), then
// `kairos serve` on its store with the demo's artifact and approvals on the simulated clock, a
// token with only the `metrics` scope, and headless Chromium with JavaScript off photographing
// `/dashboard` (docs/images/value-dashboard.png) and the demo's own `value.html` from its journeys
// table down (docs/images/value-report.png). Standalone: it runs the command line as a user would.
// Every step has a deadline; the service is stopped and the temp directory removed at the end.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const ROOT = resolve(import.meta.dirname, "..");
const KAIROS = join(ROOT, "bin", "kairos.js");
const OUT = join(ROOT, "docs", "images");
/** The demo's simulated end: the scoreboard is judged as of then. */
const AS_OF = "2026-03-06T00:00:00Z";

function kairos(args: readonly string[], timeoutMs: number): string {
  return execFileSync(process.execPath, [KAIROS, ...args], { cwd: ROOT, encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 << 20 });
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a ? done(a.port) : fail(new Error("no port"))));
    });
  });
}

async function ready(url: string, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the service did not answer ${url} within ${deadlineMs / 1000} s`);
}

const dir = mkdtempSync(join(tmpdir(), "kairos-value-shots-"));
let service: ChildProcess | undefined;
try {
  const demo = join(dir, "demo");
  process.stdout.write("running the demo with 2,000 customers (about a minute)…\n");
  kairos(["demo", "--out", demo, "--customers", "2000"], 10 * 60_000);
  const tokens = join(dir, "tokens.json");
  const created = kairos(["token", "create", "--name", "wallboard", "--scopes", "metrics", "--tokens", tokens], 30_000);
  const token = /kairos_[A-Za-z0-9_-]+/.exec(created)?.[0];
  if (!token) throw new Error(`no token in the output of kairos token create:\n${created}`);
  const port = await freePort();
  const args = ["serve", join(demo, "artifact"), "--data-dir", demo, "--clock", "request", "--approvals", join(demo, "governance")];
  service = spawn(process.execPath, [KAIROS, ...args, "--tokens", tokens, "--listen", `127.0.0.1:${port}`], { cwd: ROOT, stdio: "ignore" });
  const base = `http://127.0.0.1:${port}`;
  await ready(`${base}/healthz`, 60_000);

  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    timeout: 60_000,
  });
  try {
    const viewport = { width: 1280, height: 1500 };
    const dash = await browser.newContext({ viewport, javaScriptEnabled: false, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
    const page = await dash.newPage();
    const answer = await page.goto(`${base}/dashboard?as_of=${AS_OF}`, { timeout: 60_000 });
    if (answer?.status() !== 200) throw new Error(`/dashboard answered ${answer?.status()}`);
    await page.screenshot({ path: join(OUT, "value-dashboard.png") });
    const report = await (await browser.newContext({ viewport, javaScriptEnabled: false })).newPage();
    await report.goto(`file://${join(demo, "value.html")}`, { timeout: 60_000 });
    const y = await report.evaluate(() => (document.querySelector("#journeys") as HTMLElement | null)?.offsetTop ?? 0);
    await report.evaluate((top) => window.scrollTo(0, Math.max(0, top - 16)), y);
    await report.screenshot({ path: join(OUT, "value-report.png") });
  } finally {
    await browser.close();
  }
  process.stdout.write(`wrote ${join(OUT, "value-dashboard.png")} and ${join(OUT, "value-report.png")}\n`);
} finally {
  service?.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
