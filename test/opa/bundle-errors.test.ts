// Bad bundles and bad requests become typed OpaErrors with clear messages, never thrown strings.
import { gzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { OpaError, PolicyEngine, openBundle, readTar, writeTar, type BundleParts } from "../../runtime/opa/index.ts";
import { gunzipSync } from "fflate";
import type { OpaBuildResult } from "../../compiler/opa/index.ts";
import { defaultBuild } from "./build-once.ts";

let build: OpaBuildResult;
let parts: BundleParts;

beforeAll(async () => {
  build = await defaultBuild();
  parts = openBundle(build.bundle);
});

async function loadError(bundle: Uint8Array | BundleParts): Promise<OpaError> {
  try {
    await PolicyEngine.load(bundle);
  } catch (e) {
    expect(e).toBeInstanceOf(OpaError);
    return e as OpaError;
  }
  throw new Error("the bundle loaded");
}

function repack(mutate: (entries: { name: string; data: Uint8Array }[]) => { name: string; data: Uint8Array }[]): Uint8Array {
  return gzipSync(writeTar(mutate(readTar(gunzipSync(build.bundle)))));
}

const request = {
  now: "2026-05-30T09:00:00Z",
  region: "eu",
  candidates: [{ journey: "renew", purpose: "renewal_marketing", channel: "email", fields: ["customer.email"] }],
};

describe("opening and loading bundles", () => {
  it("opens the built bundle into manifest, data and wasm", () => {
    expect(parts.manifest.wasm?.map((w) => w.entrypoint)).toEqual(["kairos/decision", "kairos/consent", "kairos/residency"]);
    expect(parts.wasm).toEqual(build.parts.wasm);
    expect(parts.data).toEqual(build.dataDocument);
  });

  it("rejects bytes that are not gzip", async () => {
    const e = await loadError(new TextEncoder().encode("not a bundle"));
    expect(e.code).toBe("opa/bundle-corrupt");
    expect(e.message).toMatch(/gzip/);
  });

  it("rejects a truncated bundle", async () => {
    const e = await loadError(build.bundle.subarray(0, build.bundle.length / 2));
    expect(e.code).toBe("opa/bundle-corrupt");
  });

  it("rejects a tar with a damaged header", async () => {
    const tar = gunzipSync(build.bundle);
    tar[10] = (tar[10] ?? 0) ^ 0xff;
    const e = await loadError(gzipSync(tar));
    expect(e.code).toBe("opa/bundle-corrupt");
    expect(e.message).toMatch(/checksum/);
  });

  it("rejects a bundle without a manifest", async () => {
    const e = await loadError(repack((es) => es.filter((x) => x.name !== ".manifest")));
    expect(e.code).toBe("opa/bundle-missing-manifest");
    expect(e.message).toContain("`.manifest`");
  });

  it("rejects a bundle without data.json", async () => {
    const e = await loadError(repack((es) => es.filter((x) => x.name !== "data.json")));
    expect(e.code).toBe("opa/bundle-missing-data");
  });

  it("rejects data.json without the catalog document", async () => {
    const e = await loadError({ ...parts, data: { purposes: {} } });
    expect(e.code).toBe("opa/bundle-missing-data");
  });

  it("rejects a bundle without policy.wasm", async () => {
    const e = await loadError(repack((es) => es.filter((x) => x.name !== "policy.wasm")));
    expect(e.code).toBe("opa/bundle-missing-wasm");
  });

  it("rejects a corrupt wasm module", async () => {
    const wasm = parts.wasm.slice();
    wasm.fill(0x42, 100, 200);
    const e = await loadError({ ...parts, wasm });
    expect(e.code).toBe("opa/wasm-invalid");
  });

  it("rejects a truncated wasm module", async () => {
    const e = await loadError({ ...parts, wasm: parts.wasm.subarray(0, 1000) });
    expect(e.code).toBe("opa/wasm-invalid");
    expect(e.message).toMatch(/corrupt or truncated/);
  });

  it("rejects a valid wasm module that is not an OPA policy", async () => {
    // (module (func (export "f"))): valid WebAssembly, wrong ABI
    const wasm = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 4, 1, 2, 0, 11]);
    expect(WebAssembly.validate(wasm)).toBe(true);
    const e = await loadError({ ...parts, wasm });
    expect(e.code).toBe("opa/wasm-abi");
    expect(e.message).toContain("`opa_eval`");
  });

  it("rejects an OPA policy of another ABI major version", async () => {
    // patch the exported global opa_wasm_abi_version's init expression (i32.const 1 → 2)
    const wasm = parts.wasm.slice();
    const at = findAbiGlobal(wasm);
    wasm[at] = 2;
    const e = await loadError({ ...parts, wasm });
    expect(e.code).toBe("opa/wasm-abi");
    expect(e.message).toMatch(/unsupported ABI version 2/);
  });

  it("needs no host built-in functions", async () => {
    const engine = await PolicyEngine.load(build.bundle);
    expect(engine.requiredBuiltins).toEqual([]);
    expect(engine.entrypoints).toEqual(["kairos/consent", "kairos/decision", "kairos/residency"]);
  });
});

// Index of the i32.const immediate of the global exported as opa_wasm_abi_version.
function findAbiGlobal(wasm: Uint8Array): number {
  const module = new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
  const names = WebAssembly.Module.exports(module).map((e) => e.name);
  expect(names).toContain("opa_wasm_abi_version");
  // Parse sections: find export index of the global, then its init expr in the global section.
  let p = 8;
  const leb = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = wasm[p++] as number;
      result |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) return result;
    }
  };
  let globalSection = -1;
  let exportIndex = -1;
  let importedGlobals = 0;
  while (p < wasm.length) {
    const id = wasm[p++] as number;
    const size = leb();
    const end = p + size;
    if (id === 2) {
      const n = leb();
      for (let i = 0; i < n; i++) {
        p += leb(); // module name
        p += leb(); // field name
        const kind = wasm[p++] as number;
        if (kind === 0) leb();
        else if (kind === 1) {
          p++;
          const f = leb();
          leb();
          if (f & 1) leb();
        } else if (kind === 2) {
          const f = leb();
          leb();
          if (f & 1) leb();
        } else if (kind === 3) {
          importedGlobals++;
          p += 2;
        }
      }
    } else if (id === 6) globalSection = p;
    else if (id === 7) {
      const n = leb();
      for (let i = 0; i < n; i++) {
        const len = leb();
        const name = new TextDecoder().decode(wasm.subarray(p, p + len));
        p += len;
        const kind = wasm[p++] as number;
        const index = leb();
        if (kind === 3 && name === "opa_wasm_abi_version") exportIndex = index - importedGlobals;
      }
    }
    p = end;
  }
  p = globalSection;
  const n = leb();
  for (let i = 0; i < n; i++) {
    p += 2; // valtype, mutability
    expect(wasm[p]).toBe(0x41); // i32.const
    if (i === exportIndex) return p + 1;
    p++;
    leb();
    expect(wasm[p++]).toBe(0x0b); // end
  }
  throw new Error("abi global not found");
}

describe("validating requests", () => {
  let engine: PolicyEngine;
  beforeAll(async () => {
    engine = await PolicyEngine.load(build.bundle);
  });

  function inputError(req: unknown): OpaError {
    try {
      engine.evaluate(req as typeof request);
    } catch (e) {
      expect(e).toBeInstanceOf(OpaError);
      return e as OpaError;
    }
    throw new Error("the request was accepted");
  }

  it("names the record with an unknown consent status", () => {
    const e = inputError({
      ...request,
      consents: [
        { purpose: "renewal_marketing", status: "granted", at: 1 },
        { purpose: "renewal_marketing", status: "opted_in", at: 1 },
      ],
    });
    expect(e.code).toBe("opa/unknown-status");
    expect(e.message).toBe("consents[1] has status `opted_in`; expected one of `granted`, `withdrawn`, `denied`");
    expect(e.detail).toEqual({ where: "consents[1]", status: "opted_in" });
  });

  it.each(["2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-01-01 00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00+25:00", "", "1.5"])(
    "rejects the malformed timestamp %j",
    (at) => {
      const e = inputError({ ...request, consents: [{ purpose: "renewal_marketing", status: "granted", at }] });
      expect(e.code).toBe("opa/bad-timestamp");
      expect(e.detail["where"]).toBe("consents[0].at");
    },
  );

  it("rejects a fractional epoch and a malformed expiry", () => {
    expect(inputError({ ...request, now: 1.5 }).code).toBe("opa/bad-timestamp");
    const e = inputError({ ...request, consents: [{ purpose: "renewal_marketing", status: "granted", at: 1, expires_at: "soon" }] });
    expect(e.detail["where"]).toBe("consents[0].expires_at");
  });

  it("names an unknown purpose", () => {
    const e = inputError({ ...request, candidates: [{ ...request.candidates[0], purpose: "newsletter" }] });
    expect(e.code).toBe("opa/unknown-purpose");
    expect(e.message).toBe("candidates[0] names purpose `newsletter`, which the catalog does not declare");
  });

  it("rejects a request of the wrong shape", () => {
    expect(inputError({ ...request, candidates: "all" }).code).toBe("opa/bad-input");
    expect(inputError({ ...request, region: "" }).code).toBe("opa/bad-input");
    expect(inputError(null).code).toBe("opa/bad-input");
  });

  it("sends Wasm only the minimal input: no context, no sources, no event paths", () => {
    const input = engine.toInput({
      ...request,
      candidates: [{ ...request.candidates[0]!, fields: ["event.csat", "customer.email"] }],
      context: { customer: { email: "a@example.com" } },
      consents: [
        { subject: "s1", purpose: "renewal_marketing", status: "granted", at: "2026-01-01T01:00:00+01:00", source: "web", notice_version: "v3", id: "c1" },
      ],
      objections: [{ subject: "s1", scope: "direct_marketing", at: "2026-01-02T00:00:00Z" }],
    } as typeof request);
    expect(input).toEqual({
      now_ms: Date.UTC(2026, 4, 30, 9),
      region: "eu",
      candidates: [{ journey: "renew", purpose: "renewal_marketing", channel: "email", fields: ["customer.email"] }],
      consents: [{ purpose: "renewal_marketing", channel: null, status: "granted", at_ms: Date.UTC(2026, 0, 1), expires_at_ms: null }],
      objections: [{ scope: "direct_marketing", at_ms: Date.UTC(2026, 0, 2) }],
    });
  });

  it("turns an unknown entrypoint into a typed error", () => {
    try {
      engine.evaluateRaw("kairos/nope", {});
      expect.unreachable();
    } catch (e) {
      expect((e as OpaError).code).toBe("opa/entrypoint-missing");
    }
  });
});

describe("the loader's portability", () => {
  it("has no Node imports outside the node-only helper", async () => {
    const { readdir, readFile } = await import("node:fs/promises");
    const dir = new URL("../../runtime/opa/", import.meta.url);
    const files = (await readdir(dir)).filter((f) => f.endsWith(".ts") && f !== "node.ts");
    expect(files).toContain("bundle.ts");
    for (const f of files) expect(await readFile(new URL(f, dir), "utf8"), f).not.toMatch(/from "node:/);
  });

  it("loads a bundle file through the node-only helper", async () => {
    const { mkdtemp, writeFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { loadPolicyEngineFile } = await import("../../runtime/opa/node.ts");
    const file = join(await mkdtemp(join(tmpdir(), "kairos-bundle-")), "opa.tar.gz");
    await writeFile(file, build.bundle);
    const engine = await loadPolicyEngineFile(file);
    expect(engine.evaluate(request).map((v) => [v.journey, v.consent.basis, v.residency.allowed])).toEqual([["renew", "legitimate_interest", true]]);
  });
});
