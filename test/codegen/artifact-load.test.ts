// Loading an artifact for running (runtime/load.ts, runtime/node.ts) with the predicates module
// evaluated journey by journey when first used, the manifest's per-journey members parsed only
// when asked for, and `predicates.ts` neither read nor hashed: decisions are the same as with the
// module imported whole (the reference), the manifest reads as the verified one, and what runs is
// still what was hashed — a tampered `predicates.js` or manifest is refused, and a full
// verification still covers `predicates.ts`.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWorkload } from "../../bench/contenders/workload.ts";
import type { ArtifactFiles } from "../../compiler/index.ts";
import { writeArtifactDir } from "../../compiler/node/index.ts";
import { catalogFromJson } from "../../core/catalog/serialize.ts";
import { Engine } from "../../runtime/engine.ts";
import { loadEngine, verifyArtifact } from "../../runtime/load.ts";
import { loadEngineDir, readArtifactDir } from "../../runtime/node.ts";
import { PolicyEngine } from "../../runtime/opa/index.ts";
import { compileFiles, policySources } from "../runtime/compiled.ts";
import { importPredicates, ROOT } from "./helpers.ts";
import { artifactErrorCode } from "../helpers/artifact-error.ts";

const dec = new TextDecoder();
const enc = new TextEncoder();
let files: ArtifactFiles;
let dir: string;

beforeAll(async () => {
  files = await compileFiles(policySources(join(ROOT, "policies")));
  dir = mkdtempSync(join(tmpdir(), "kairos-load-"));
  writeArtifactDir(join(dir, "artifact"), files);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const errorCode = artifactErrorCode;

/** A copy of the written artifact directory with one file replaced (or removed). */
function dirWith(name: string, path: string, bytes: Uint8Array | undefined): string {
  const out = join(dir, name);
  writeArtifactDir(out, files);
  if (bytes === undefined) rmSync(join(out, path));
  else writeFileSync(join(out, path), bytes);
  return out;
}

describe("loading an artifact for running", () => {
  it("decides the benchmark workload exactly as the predicates module imported whole", async () => {
    const loaded = await loadEngineDir(join(dir, "artifact"));
    const manifest = verifyArtifact(files);
    const reference = Engine.fromParts({
      manifest,
      catalog: catalogFromJson(JSON.parse(dec.decode(files.get("catalog.json")!))),
      predicates: await importPredicates(dec.decode(files.get("predicates.js")!)),
      policy: await PolicyEngine.load(files.get("opa/bundle.tar.gz")!),
    });
    expect(loaded.hash).toBe(reference.hash);
    const outcomes = new Set<string>();
    for (const request of buildWorkload(600)) {
      const a = await loaded.decide(request);
      const b = await reference.decide(request);
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      outcomes.add(a.outcome);
    }
    // The workload reaches matches and non-matches, so predicates and reasons really ran.
    expect(outcomes).toContain("acted");
    expect(outcomes).toContain("no_match");
  });

  it("keeps a manifest that reads as the verified one, its per-journey members parsed only when asked for", async () => {
    const loaded = await loadEngineDir(join(dir, "artifact"));
    const manifest = verifyArtifact(files);
    expect(manifest.journeys.length).toBeGreaterThan(0);
    const kept = loaded.manifest as unknown as Record<string, unknown>;
    // Not kept as objects: accessors that parse the manifest's text on first use.
    expect(Object.getOwnPropertyDescriptor(kept, "journeys")?.get).toBeTypeOf("function");
    expect(Object.getOwnPropertyDescriptor(kept, "triggers")?.get).toBeTypeOf("function");
    expect(Object.keys(kept)).toEqual(Object.keys(manifest));
    expect(JSON.stringify(loaded.manifest)).toBe(JSON.stringify(manifest));
    expect(loaded.manifest).toEqual(manifest);
    expect(loaded.manifest.journeys).toBe(loaded.manifest.journeys);
    expect(loaded.policies().parts).toEqual(manifest.parts);
  });

  it("reads a manifest in another layout whole, and checks the compiler's layout as strictly", async () => {
    const manifest = verifyArtifact(files);
    // Minified: not the compiler's layout, so parsed whole (plain members).
    const minified = await loadEngine(new Map(files).set("manifest.json", enc.encode(JSON.stringify(manifest))));
    expect(Object.getOwnPropertyDescriptor(minified.manifest, "journeys")?.value).toEqual(manifest.journeys);
    expect(JSON.stringify(minified.manifest)).toBe(JSON.stringify(manifest));
    // The compiler's layout with a part's hash changed: refused, as before.
    const text = dec.decode(files.get("manifest.json")!);
    const wrongHash = text.replace(manifest.parts["catalog.json"]!, "0".repeat(64));
    expect(wrongHash).not.toBe(text);
    expect(await errorCode(loadEngine(new Map(files).set("manifest.json", enc.encode(wrongHash))))).toBe("artifact/hash-mismatch");
    // A per-journey member broken (the rest intact) fails, clearly, when it is read.
    const broken = text.replace('"journeys": [', '"journeys": [[');
    const engine = await loadEngine(new Map(files).set("manifest.json", enc.encode(broken)));
    expect(() => engine.manifest.journeys).toThrow("`manifest.json` is not valid JSON");
    expect(engine.hash).toBe(manifest.hash);
  });

  it("does not read predicates.ts: a directory without it loads", async () => {
    const without = dirWith("without-ts", "predicates.ts", undefined);
    expect((await readArtifactDir(join(dir, "artifact"), { parts: "runtime" })).has("predicates.ts")).toBe(false);
    const engine = await loadEngineDir(without);
    expect(engine.predicates.journeys.length).toBeGreaterThan(0);
    // A full verification (what `kairos inspect` runs) still wants it.
    const all = await readArtifactDir(without);
    expect(() => verifyArtifact(all)).toThrow("the artifact has no `predicates.ts`, which its manifest lists");
  });

  it("refuses a predicates.js changed after compiling, though its layout is intact", async () => {
    const js = dec.decode(files.get("predicates.js")!);
    const changed = js.replace('"active"', '"lapsed"');
    expect(changed).not.toBe(js);
    expect(await errorCode(loadEngineDir(dirWith("tampered-js", "predicates.js", enc.encode(changed))))).toBe("artifact/hash-mismatch");
    expect(await errorCode(loadEngine(new Map(files).set("predicates.js", enc.encode(changed))))).toBe("artifact/hash-mismatch");
  });

  it("a full verification still refuses a changed predicates.ts", () => {
    const ts = dec.decode(files.get("predicates.ts")!);
    const changed = new Map(files).set("predicates.ts", enc.encode(`${ts}\n// edited\n`));
    expect(() => verifyArtifact(changed)).toThrow("`predicates.ts` does not match its hash in the manifest");
    // Running never reads it, so the runtime verification does not look at it.
    expect(verifyArtifact(changed, { parts: "runtime" }).hash).toBe(verifyArtifact(files).hash);
  });
});
