// A temporary project that depends on the packed tarball, installable without the network.
// `npm install <tarball>` into an empty project asks the registry for every dependency's full
// metadata, which `npm ci` never caches (it reads the lockfile and fetches only abbreviated
// metadata and tarballs), so `--offline` fails with ENOTCACHED. A project that ships a lockfile
// is installed from the lockfile instead, like any project with a committed package-lock.json:
// this one pins the tarball by its sha512 and each dependency to the version and integrity of
// the repository's own lockfile — exactly what `npm ci` put in the npm cache.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

interface LockEntry {
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

interface Lockfile {
  readonly packages: Readonly<Record<string, LockEntry>>;
}

/** The repository being packed: its folder, package name and version. */
export interface Repository {
  readonly root: string;
  readonly name: string;
  readonly version: string;
}

/** Where a dependency named from the entry at `from` is installed (Node's lookup upwards). */
function resolveIn(packages: Lockfile["packages"], from: string, dep: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${dep}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf("/node_modules/");
    base = cut < 0 ? "" : base.slice(0, cut);
  }
}

/** The lockfile entries of `names` (resolved from the root) and everything they depend on. */
function closure(packages: Lockfile["packages"], names: readonly string[]): Map<string, LockEntry> {
  const out = new Map<string, LockEntry>();
  const queue: [string, string][] = names.map((n) => ["", n]);
  for (let next = queue.shift(); next; next = queue.shift()) {
    const [from, dep] = next;
    const path = resolveIn(packages, from, dep);
    if (!path) throw new Error(`the repository's lockfile has no entry for ${dep} (needed from ${from || "the root"})`);
    if (out.has(path)) continue;
    const entry = packages[path]!;
    out.set(path, entry);
    for (const d of Object.keys(entry.dependencies ?? {})) queue.push([path, d]);
  }
  return out;
}

/**
 * Writes package.json and package-lock.json into `dir` for a project depending on `tarball`
 * (copied beside them, referenced as `file:`), plus `devDependencies` at the repository's
 * versions. Returns the tarball's integrity.
 */
export function writeProject(dir: string, repo: Repository, tarball: string, devDependencies: readonly string[]): string {
  const lock = JSON.parse(readFileSync(join(repo.root, "package-lock.json"), "utf8")) as Lockfile;
  const root = lock.packages[""]!;
  const bytes = readFileSync(tarball);
  const file = basename(tarball);
  writeFileSync(join(dir, file), bytes);
  const integrity = `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
  const spec = `file:${file}`;
  const dev = Object.fromEntries(devDependencies.map((n) => [n, lock.packages[`node_modules/${n}`]?.version ?? "*"]));

  const packages: Record<string, LockEntry> = {
    "": { name: "kairos-consumer", dependencies: { [repo.name]: spec }, devDependencies: dev },
    [`node_modules/${repo.name}`]: {
      version: repo.version,
      resolved: spec,
      integrity,
      license: root["license"],
      dependencies: root.dependencies ?? {},
      bin: root["bin"],
      engines: root["engines"],
    },
  };
  // Dependency flags (dev, optional) describe the repository's tree, not this one's.
  const strip = ({ dev: _d, devOptional: _o, ...rest }: LockEntry): LockEntry => rest;
  for (const [path, entry] of closure(lock.packages, Object.keys(root.dependencies ?? {}))) packages[path] = strip(entry);
  for (const [path, entry] of closure(lock.packages, devDependencies)) packages[path] ??= { ...strip(entry), dev: true };

  const manifest = { name: "kairos-consumer", private: true, type: "module", dependencies: { [repo.name]: spec }, devDependencies: dev };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, "package-lock.json"), `${JSON.stringify({ name: "kairos-consumer", lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
  return integrity;
}
