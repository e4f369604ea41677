// The conformance table in a real headless browser: the loader and the cases are bundled by
// Vite into one ES module, served from a local HTTP server, and run in /usr/bin/chromium.
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCases } from "../conformance/consent-residency/load.ts";
import { defaultBuild } from "./build-once.ts";

const CHROMIUM = "/usr/bin/chromium";
const cases = loadCases();
let server: Server;
let browser: Browser;
let origin: string;

async function bundlePage(): Promise<string> {
  const out = await build({
    configFile: false,
    logLevel: "silent",
    root: fileURLToPath(new URL("./browser/", import.meta.url)),
    build: {
      write: false,
      minify: false,
      target: "es2022",
      rollupOptions: { input: fileURLToPath(new URL("./browser/page.ts", import.meta.url)), output: { format: "es" } },
    },
  });
  const outputs = (Array.isArray(out) ? out : [out]) as { output: { type: string; code?: string; isEntry?: boolean }[] }[];
  const entry = outputs.flatMap((o) => o.output).find((c) => c.type === "chunk" && c.isEntry);
  if (!entry?.code) throw new Error("vite produced no entry chunk for the browser page");
  return entry.code;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the browser test needs Chromium at ${CHROMIUM} (apt-get install chromium); it is not installed`);
  }
  const [page, built] = await Promise.all([bundlePage(), defaultBuild()]);
  const files: Record<string, [string, string | Uint8Array]> = {
    "/": ["text/html", '<!doctype html><meta charset="utf-8"><title>kairos opa</title><script type="module" src="/page.js"></script>'],
    "/page.js": ["text/javascript", page],
    "/bundle.tar.gz": ["application/gzip", built.bundle],
    "/cases.json": ["application/json", JSON.stringify(cases)],
  };
  server = createServer((req, res) => {
    const file = files[req.url ?? ""];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": file[0] }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

describe("consent and residency conformance (OPA Wasm, headless Chromium)", () => {
  it("runs every case in the browser with the same verdicts", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(origin + "/");
    await page.waitForFunction(() => typeof window.runConformance === "function");
    const { results, entrypoints, wasmInBrowser } = await page.evaluate(() => window.runConformance());
    expect(errors).toEqual([]);
    expect(wasmInBrowser).toBe(true);
    expect(entrypoints).toEqual(["kairos/consent", "kairos/decision", "kairos/residency"]);
    expect(results.map((r) => r.id)).toEqual(cases.map((c) => c.id));
    expect(results.filter((r) => r.problems.length > 0)).toEqual([]);
    expect(results.map((r) => r.outcome)).toEqual(cases.map((c) => (c.expect_error ? `error:${c.expect_error}` : `verdicts:${c.expect?.length}`)));
  });
});
