// Reporting a finding: a plain-text description (stage, message, stack, the reproducer) for the
// terminal and the test failure, and the reproducer written to test/fuzz/findings/<id>/ in the
// seed layout (test/fuzz/README.md), so that moving it into seeds/ turns it into a regression seed.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { POLICIES } from "./cases.ts";
import type { Failure, FuzzCase, PolicyCase } from "./types.ts";

export const FINDINGS = join(import.meta.dirname, "findings");

const clip = (s: string, n = 4000) => (s.length > n ? `${s.slice(0, n)}… (${s.length - n} more characters)` : s);

/** The reproducer as text: the files and request of a policy case, or the command line. */
export function reproducerText(c: FuzzCase): string {
  if (c.kind === "cli")
    return `kairos ${c.argv.join(" ")}   (expected exit ${c.expectExit ?? "0, 1 or 2"}${c.fixture ? `; with the ${c.fixture} fixture in d/` : ""}${c.files ? `; files: ${Object.keys(c.files).join(", ")}` : ""})`;
  if (c.kind === "selftest") return `self-test: ${c.what}`;
  const parts: string[] = [];
  if (c.dir) parts.push(`policy directory: ${c.dir}`);
  if (c.catalog && !isExampleCatalog(c)) parts.push(`--- ${c.catalog.name}\n${clip(c.catalog.text)}`);
  else if (c.catalog) parts.push(`catalog: ${c.catalog.name} (the example catalog)`);
  for (const j of c.journeys ?? []) parts.push(`--- ${j.name}\n${clip(j.text)}`);
  for (const r of c.requests ?? []) parts.push(`--- request\n${clip(r)}`);
  if (c.generate) parts.push(`(+ ${c.generate.count} generated requests, seed ${c.generate.seed}${c.generate.hostile === false ? ", valid" : ", hostile"})`);
  if (c.provider) parts.push(`(context provider: ${c.provider})`);
  return parts.join("\n");
}

let exampleCatalog: string | undefined;
function isExampleCatalog(c: PolicyCase): boolean {
  exampleCatalog ??= readFileSync(join(POLICIES, "catalog.yaml"), "utf8");
  return c.catalog?.text === exampleCatalog;
}

/** A finding for people: what failed, where, the stack, and the reproducer. */
export function describeFinding(c: FuzzCase, f: Failure, note = ""): string {
  const lines = [`[${f.stage}] ${c.label}${f.file ? ` (${f.file})` : ""}`, clip(f.message, 2000)];
  // A stack starts with the error's own line, already printed as the message.
  if (f.stack) lines.push(f.stack.startsWith(f.message.split("\n")[0]!) ? f.stack.split("\n").slice(1).join("\n") : f.stack);
  if (f.request && !(c.kind === "policies" && c.requests?.includes(f.request))) lines.push(`request: ${clip(f.request, 2000)}`);
  lines.push("reproducer:", reproducerText(c));
  if (note) lines.push(note);
  return lines.join("\n");
}

/** Writes the reproducer in the seed layout under `dir/<id>/`; returns that folder. */
export function writeFinding(c: FuzzCase, f: Failure, dir: string = FINDINGS): string {
  const id = `${f.stage}-${createHash("sha256").update(JSON.stringify(c)).digest("hex").slice(0, 10)}`;
  const root = join(dir, id);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, "finding.txt"), describeFinding(c, f) + "\n");
  const comment = `fuzz finding [${f.stage}]: ${f.message.split("\n")[0]!.slice(0, 300)}`;
  if (c.kind === "cli") {
    mkdirSync(join(root, "cli"), { recursive: true });
    const seed = {
      $comment: comment,
      argv: c.argv,
      ...(c.expectExit !== undefined ? { expect_exit: c.expectExit } : {}),
      ...(c.files ? { files: c.files } : {}),
      ...(c.env ? { env: c.env } : {}),
      ...(c.fixture ? { fixture: c.fixture } : {}),
      ...(c.protect ? { protect: c.protect } : {}),
      ...(c.timeoutMs ? { timeout_seconds: c.timeoutMs / 1000 } : {}),
    };
    writeFileSync(join(root, "cli", `${id}.json`), JSON.stringify(seed, null, 2) + "\n");
    return root;
  }
  if (c.kind === "selftest") return root;
  // The failing request, else the case's own requests (a hang or crash names none).
  const requests = f.request !== undefined ? [f.request] : [...(c.requests ?? [])];
  const withComment = (r: string) => {
    const o = JSON.parse(r) as Record<string, unknown>;
    // `$comment` first, the request's own members after it (own properties, `__proto__` included).
    const out: Record<string, unknown> = { $comment: comment, ...(c.provider ? { $provider: c.provider } : {}) };
    for (const k of Object.keys(o)) Object.defineProperty(out, k, { value: o[k], enumerable: true, writable: true, configurable: true });
    return JSON.stringify(out, null, 2) + "\n";
  };
  if (c.dir === POLICIES && requests.length > 0) {
    mkdirSync(join(root, "requests"), { recursive: true });
    requests.forEach((r, i) => {
      writeFileSync(join(root, "requests", `${id}${requests.length > 1 ? `-${i + 1}` : ""}.json`), withComment(r));
    });
  } else if (!c.dir && isExampleCatalog(c) && c.journeys?.length === 1 && requests.length === 0) {
    writeFileSync(join(root, `${id}.journey`), c.journeys[0]!.text);
  } else if (!c.dir) {
    const set = join(root, id);
    mkdirSync(join(set, "journeys"), { recursive: true });
    writeFileSync(join(set, "catalog.yaml"), c.catalog?.text ?? "");
    for (const j of c.journeys ?? []) writeFileSync(join(set, "journeys", basename(j.name).replace(/\.journey$/, "") + ".journey"), j.text);
    if (requests.length > 0) {
      mkdirSync(join(set, "requests"), { recursive: true });
      requests.forEach((r, i) => {
        writeFileSync(join(set, "requests", `request-${i + 1}.json`), withComment(r));
      });
    }
  } else if (requests.length > 0) {
    // A folder seed: the folder is the reproducer; the failing request goes next to the report.
    writeFileSync(join(root, "failing-request.json.txt"), withComment(requests[0]!));
  }
  return root;
}
