// Writing an artifact directory atomically: everything goes to a sibling temp directory that
// replaces OUT only once complete, so a failed or interrupted compile never leaves OUT
// half-written and never destroys the previous artifact.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { ArtifactFiles } from "./artifact-build.ts";

export function writeArtifactDir(out: string, files: ArtifactFiles): void {
  const target = resolve(out);
  const tmp = `${target}.tmp-${process.pid}`;
  const old = `${target}.old-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const [rel, bytes] of files) {
    const path = join(tmp, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
  if (existsSync(target)) renameSync(target, old);
  renameSync(tmp, target);
  rmSync(old, { recursive: true, force: true });
}
