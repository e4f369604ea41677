// Building the Wasm bundle: reproducible bytes, hashes, the default policies shipped as the
// example set, a clear error without the OPA CLI, and the SDK wrapper's handling of inputs.
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { buildOpaBundle, DEFAULT_REGO_DIR, OpaBuildError, PINNED_OPA_VERSION } from "../../compiler/opa/index.ts";
import { OpaError, PolicyEngine, readTar } from "../../runtime/opa/index.ts";
import { WasmPolicy } from "../../runtime/opa/sdk.ts";
import { defaultBuild, specCatalog } from "./build-once.ts";
import { catalogFromBits } from "./catalog-fixture.ts";

const hex = (b: Uint8Array | string): string => createHash("sha256").update(b).digest("hex");

describe("buildOpaBundle", () => {
  it("builds byte-identical bundles from the same sources", async () => {
    const a = await defaultBuild();
    const b = await buildOpaBundle({ catalog: specCatalog() });
    expect(hex(b.bundle)).toBe(hex(a.bundle));
    expect(b.bundle).toEqual(a.bundle);
    expect(b.hashes).toEqual(a.hashes);
  });

  it("reports the pinned OPA version and sha256 hashes of every source and part", async () => {
    const a = await defaultBuild();
    expect(a.opaVersion).toBe(PINNED_OPA_VERSION);
    const names = (await readdir(DEFAULT_REGO_DIR)).filter((n) => n.endsWith(".rego") && !n.endsWith("_test.rego")).sort();
    expect(Object.keys(a.hashes.rego)).toEqual(names);
    for (const n of names) expect(a.hashes.rego[n]).toBe(hex(await readFile(join(DEFAULT_REGO_DIR, n))));
    expect(a.hashes.wasm).toBe(hex(a.parts.wasm));
    expect(a.hashes.data).toBe(hex(a.parts.data));
    expect(a.hashes.bundle).toBe(hex(a.bundle));
  });

  it("packs entries in name order with zero mtimes and no test files", async () => {
    const a = await defaultBuild();
    const tar = gunzipSync(a.bundle);
    const names = readTar(tar).map((e) => e.name);
    expect(names).toEqual([...names].sort());
    expect(names).toContain("policy.wasm");
    expect(names.some((n) => n.endsWith("_test.rego"))).toBe(false);
    expect(a.bundle.subarray(4, 8)).toEqual(new Uint8Array(4)); // gzip MTIME
    expect(new TextDecoder().decode(tar.subarray(136, 147))).toBe("00000000000"); // tar mtime
  });

  it("writes the catalog's data document with sorted keys", async () => {
    const a = await defaultBuild();
    const data = JSON.parse(new TextDecoder().decode(a.parts.data));
    expect(Object.keys(data.catalog.purposes)).toEqual(["claims_handling", "renewal_marketing", "service_recovery", "service_updates"]);
    expect(data.catalog.purposes.renewal_marketing).toEqual({ bases: ["consent", "legitimate_interest"], channels: ["email", "push"], marketing: true });
    expect(data.catalog.fields["customer.email"]).toEqual({ residency: "eu" });
    expect(data.catalog.fields["customer.timezone"]).toEqual({ residency: "any" });
    expect(data.catalog.transfers).toEqual({ eu: ["uk"] });
  });

  it("changes the bundle when the catalog changes", async () => {
    const a = await defaultBuild();
    const b = await buildOpaBundle({ catalog: catalogFromBits({ purposes: { p: { bases: ["contract"], channels: ["sms"] } } }) });
    expect(b.hashes.wasm).toBe(a.hashes.wasm);
    expect(b.hashes.data).not.toBe(a.hashes.data);
    expect(b.hashes.bundle).not.toBe(a.hashes.bundle);
  });

  it("tells the user to run npm run setup when the OPA CLI is missing", async () => {
    const err = await buildOpaBundle({ catalog: specCatalog(), opaPath: "/nonexistent/opa" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpaBuildError);
    expect((err as OpaBuildError).code).toBe("opa/not-installed");
    expect((err as Error).message).toContain("run `npm run setup`");
  });

  it("reports OPA's compile errors for a broken policy", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kairos-rego-"));
    await writeFile(join(dir, "bad.rego"), "package kairos\n\ndecision := [x | x := input.y\n");
    const err = await buildOpaBundle({ catalog: specCatalog(), regoDir: dir }).catch((e: unknown) => e);
    expect((err as OpaBuildError).code).toBe("opa/build-failed");
    expect((err as Error).message).toMatch(/bad\.rego:\d+/);
  });

  it("reports a folder without policies", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kairos-rego-"));
    const err = await buildOpaBundle({ catalog: specCatalog(), regoDir: dir }).catch((e: unknown) => e);
    expect((err as OpaBuildError).code).toBe("opa/no-rego");
  });
});

describe("the standard policies", () => {
  it("ship identically as the example set's policies/rego", async () => {
    const example = join(DEFAULT_REGO_DIR, "../../../policies/rego");
    const names = (await readdir(DEFAULT_REGO_DIR)).sort();
    expect((await readdir(example)).sort()).toEqual(names);
    for (const n of names) {
      expect(await readFile(join(example, n), "utf8"), n).toBe(await readFile(join(DEFAULT_REGO_DIR, n), "utf8"));
    }
  });

  it("name no purpose, field, channel or region of the catalog", async () => {
    const catalog = specCatalog();
    const names = [
      ...catalog.purposes.keys(),
      ...[...catalog.entities.values()].flatMap((e) => [e.name, ...e.fields.keys()]),
      "email",
      "sms",
      "push",
      "call_task",
      "eu",
      "uk",
      "us",
    ];
    for (const file of (await readdir(DEFAULT_REGO_DIR)).filter((n) => !n.endsWith("_test.rego"))) {
      const code = (await readFile(join(DEFAULT_REGO_DIR, file), "utf8")).replace(/#.*$/gm, "");
      for (const name of names) expect(code, `${file} names ${name}`).not.toMatch(new RegExp(`"${name}"|\\b${name}\\.`));
    }
  });
});

describe("the opa-wasm wrapper", () => {
  it("passes falsy inputs as themselves and turns aborts into typed errors", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kairos-rego-"));
    await writeFile(join(dir, "echo.rego"), "package t\n\necho := input\n\nclash := x if { some x in input }\n");
    const built = await buildOpaBundle({ catalog: specCatalog(), regoDir: dir, entrypoints: ["t/echo", "t/clash"] });
    const policy = await WasmPolicy.load(built.parts.wasm, {});
    for (const input of [false, 0, "", null, [], {}]) expect(policy.evaluate("t/echo", input)).toEqual(input);
    expect(() => policy.evaluate("t/echo", undefined)).toThrowError(OpaError);
    let caught: unknown;
    try {
      policy.evaluate("t/clash", [1, 2]); // a complete rule with two values: OPA aborts
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(OpaError);
    expect((caught as OpaError).code).toBe("opa/eval-failed");
    expect((caught as OpaError).message).toMatch(/conflict/);
    // the default PolicyEngine requires the standard entrypoints
    await expect(PolicyEngine.load(built.bundle)).rejects.toMatchObject({ code: "opa/entrypoint-missing" });
  });
});
