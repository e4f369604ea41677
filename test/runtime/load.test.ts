// Loading artifacts: what runs is what was hashed; a tampered, incomplete or foreign-version
// artifact is refused with a typed error, never half-loaded.
import { beforeAll, describe, expect, test } from "vitest";
import type { ArtifactFiles } from "../../compiler/artifact/build.ts";
import { importPredicates, loadEngine, verifyArtifact } from "../../runtime/load.ts";
import { sha256Hex } from "../../core/sha256.ts";
import { compiledEngine } from "./compiled.ts";
import { artifactErrorCode } from "../helpers/artifact-error.ts";

let files: ArtifactFiles;
beforeAll(async () => {
  ({ files } = await compiledEngine());
});

const enc = new TextEncoder();
const dec = new TextDecoder();
const withFile = (path: string, bytes: Uint8Array | undefined): Map<string, Uint8Array> => {
  const copy = new Map(files);
  if (bytes === undefined) copy.delete(path);
  else copy.set(path, bytes);
  return copy;
};
const errorCode = artifactErrorCode;

describe("loading an artifact", () => {
  test("a compiled artifact loads and its identity is the manifest hash", async () => {
    const engine = await loadEngine(files);
    const manifest = JSON.parse(dec.decode(files.get("manifest.json")!)) as { hash: string };
    expect(engine.hash).toBe(manifest.hash);
    expect(engine.predicates.journeys.map((j) => j.meta.id)).toContain("renewal_reminder_d90");
  });

  test("a predicates module changed after compiling is refused", async () => {
    const js = dec.decode(files.get("predicates.js")!).replace('"active"', '"lapsed"');
    expect(await errorCode(loadEngine(withFile("predicates.js", enc.encode(js))))).toBe("artifact/hash-mismatch");
  });

  test("a manifest whose identity does not match its parts is refused", async () => {
    const m = JSON.parse(dec.decode(files.get("manifest.json")!)) as Record<string, unknown>;
    m["hash"] = sha256Hex("something else");
    expect(await errorCode(loadEngine(withFile("manifest.json", enc.encode(JSON.stringify(m)))))).toBe("artifact/hash-mismatch");
  });

  test("a missing part is named", async () => {
    await expect(loadEngine(withFile("catalog.json", undefined))).rejects.toThrow("the artifact has no `catalog.json`");
  });

  test("another artifact version is refused with the way out", async () => {
    const m = JSON.parse(dec.decode(files.get("manifest.json")!)) as Record<string, unknown>;
    m["artifact_version"] = 99;
    const bad = withFile("manifest.json", enc.encode(JSON.stringify(m)));
    expect(await errorCode(loadEngine(bad))).toBe("artifact/version");
    expect(() => verifyArtifact(bad)).toThrow("recompile it with `kairos compile`");
  });

  test("a manifest that is not JSON is refused", async () => {
    expect(await errorCode(loadEngine(withFile("manifest.json", enc.encode("{"))))).toBe("artifact/bad-manifest");
  });

  test("a module that does not export journeys is refused", async () => {
    expect(await errorCode(importPredicates("export const other = 1;"))).toBe("artifact/bad-part");
    expect(await errorCode(importPredicates("this is not javascript"))).toBe("artifact/bad-part");
  });
});
