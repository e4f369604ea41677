// `kairos inspect ARTIFACT [--format json]`: what a compiled artifact contains — its hash, the
// compiler and OPA versions, each journey (trigger, timers, fields read) and each part with its
// size and hash — after verifying every part against the manifest (like `opa inspect`).
import { ArtifactError, verifyArtifact } from "../../runtime/load.ts";
import { readArtifactDir } from "../../runtime/node.ts";
import { parseFormat } from "../diagnostics-output.ts";
import { helpOf } from "../help/commands.ts";
import { EXIT, jsonOut, parse, UsageError } from "../io.ts";
import type { Command } from "../main.ts";

const HELP = helpOf("inspect");

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const { values, positionals } = parse(argv, { format: { type: "string" } });
    const format = parseFormat(values["format"]);
    if (!format) throw new UsageError(`unknown format \`${String(values["format"])}\`; use \`text\` or \`json\``);
    if (positionals.length !== 1) throw new UsageError(positionals.length ? "give exactly one artifact directory" : "missing the artifact directory");
    const dir = positionals[0]!;
    let files;
    try {
      files = await readArtifactDir(dir);
    } catch (e) {
      if (!(e instanceof ArtifactError)) throw e;
      io.err(`kairos inspect: ${e.message}\nhelp: an artifact is the directory \`kairos compile DIR --out ARTIFACT\` writes`);
      return EXIT.usage;
    }
    let manifest;
    try {
      manifest = verifyArtifact(files);
    } catch (e) {
      if (!(e instanceof ArtifactError)) throw e;
      io.err(`kairos inspect: \`${dir}\` is not intact: ${e.message}\nhelp: recompile it with \`kairos compile\``);
      return EXIT.failed;
    }
    const parts = Object.entries(manifest.parts)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, sha256]) => ({ path, bytes: files.get(path)?.length ?? 0, sha256 }));
    if (format === "json") {
      io.out(
        jsonOut({
          artifact: dir,
          hash: manifest.hash,
          artifact_version: manifest.artifact_version,
          compiler: manifest.compiler,
          opa: manifest.opa,
          journeys: manifest.journeys,
          purposes: manifest.purposes,
          triggers: manifest.triggers,
          sources: manifest.sources,
          parts,
        }),
      );
      return EXIT.ok;
    }
    const width = Math.max(...manifest.journeys.map((j) => j.id.length), 8);
    const purposeWidth = Math.max(...manifest.journeys.map((j) => j.purpose.length), 8);
    const pwidth = Math.max(...parts.map((p) => p.path.length), 8);
    const swidth = Math.max(...Object.keys(manifest.sources).map((s) => s.length), 8);
    io.out(
      [
        `artifact  ${dir}`,
        `hash      ${manifest.hash}`,
        `compiler  kairos ${manifest.compiler.version} (artifact version ${manifest.artifact_version})`,
        `opa       ${manifest.opa ? `${manifest.opa.version}, entrypoints ${manifest.opa.entrypoints.join(", ")}${manifest.opa.default_policies ? ", standard consent/residency policies" : ""}` : "none"}`,
        `purposes  ${manifest.purposes.join(", ") || "(none)"}`,
        "",
        `journeys (${manifest.journeys.length}):`,
        ...manifest.journeys.map(
          (j) =>
            `  ${j.id.padEnd(width)}  ${j.purpose.padEnd(purposeWidth)}  on ${j.trigger}${j.timers.length ? ` after ${j.timers.join(", ")}` : ""}  reads ${j.fields.length ? j.fields.join(", ") : "(nothing)"}`,
        ),
        "",
        `parts (${parts.length}, all verified):`,
        ...parts.map((p) => `  ${p.path.padEnd(pwidth)}  ${String(p.bytes).padStart(9)} B  sha256:${p.sha256}`),
        "",
        `sources (${Object.keys(manifest.sources).length}):`,
        ...Object.entries(manifest.sources).map(([path, sha]) => `  ${path.padEnd(swidth)}  sha256:${sha}`),
      ].join("\n"),
    );
    return EXIT.ok;
  },
};
