// `kairos sign ARTIFACT --key FILE [--version V] [--signer NAME]`: signs an artifact directory —
// writes `signature.json` next to its manifest (outside the manifest's parts: the artifact's hash is
// unchanged) with the version name, the signer and an Ed25519 signature over the manifest's bytes
// (docs/artifacts.md#signatures). `kairos sign --keygen FILE --signer NAME` makes a signer's key
// pair and prints the entry to add to the trusted signers file. Key handling is server/signing.ts's.
import { userInfo } from "node:os";
import { helpOf } from "../help/commands.ts";
import { CliError, EXIT, type Io, jsonOut, parse, UsageError } from "../io.ts";
import type { Command } from "../main.ts";

const HELP = helpOf("sign");

/** A signing, registry or approvals problem (a typed error with a hint) as a CLI error; anything else unchanged. */
export function cliErrorOf(e: unknown): unknown {
  if (e instanceof Error && ["SigningError", "RegistryError", "ApprovalError", "ArtifactError"].includes(e.name)) {
    const hint = (e as Error & { hint?: string }).hint;
    return new CliError(e.message, { exit: EXIT.failed, ...(hint === undefined ? {} : { hint }) });
  }
  return e;
}

function defaultSigner(): string | undefined {
  try {
    const name = userInfo().username;
    return name === "" ? undefined : name;
  } catch {
    return undefined;
  }
}

async function keygen(file: string, signer: string, format: string, io: Io): Promise<number> {
  const { newSigningKey } = await import("../../server/signing.ts");
  const key = newSigningKey(file);
  if (format === "json") {
    io.out(jsonOut({ key_file: file, signer: { name: signer, key } }));
    return EXIT.ok;
  }
  io.out(`wrote ${signer}'s private key to ${file} (mode 0600): keep it secret, or put its text in KAIROS_SIGNING_KEY`);
  io.out("add the public key to the trusted signers file (--trust FILE, KAIROS_TRUSTED_SIGNERS):");
  io.out("signers:");
  io.out(`  - { name: ${JSON.stringify(signer)}, key: ${JSON.stringify(key)} }`);
  return EXIT.ok;
}

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      key: { type: "string" },
      version: { type: "string" },
      signer: { type: "string" },
      keygen: { type: "string" },
      format: { type: "string" },
    });
    const format = values["format"] ?? "text";
    if (format !== "text" && format !== "json") throw new UsageError(`unknown format \`${String(format)}\`; use \`text\` or \`json\``);
    const signer = (values["signer"] as string | undefined) ?? defaultSigner();
    if (values["keygen"] !== undefined) {
      if (positionals.length > 0 || values["key"] !== undefined || values["version"] !== undefined) {
        throw new UsageError("`--keygen FILE` makes a key pair: it takes only `--signer NAME` (and `--format`)");
      }
      if (typeof values["signer"] !== "string" || values["signer"].trim() === "")
        throw new UsageError("`--keygen` needs `--signer NAME`: the name the trusted signers file gives the key");
      if (values["keygen"] === "") throw new UsageError("`--keygen` needs the file to write the private key to");
      try {
        return await keygen(values["keygen"] as string, values["signer"], format, io);
      } catch (e) {
        throw cliErrorOf(e);
      }
    }
    if (positionals.length !== 1)
      throw new UsageError(positionals.length === 0 ? "missing the artifact directory to sign" : "give exactly one artifact directory");
    const dir = positionals[0]!;
    if (signer === undefined || signer.trim() === "") throw new UsageError("say who signs: `--signer NAME` (as the trusted signers file names the key)");
    const { readSigningKey, readDir, signArtifactDir } = await import("../../server/signing.ts");
    try {
      const { privateKey } = readSigningKey(values["key"] as string | undefined);
      const { PART } = await import("../../runtime/load.ts");
      const files = await readDir(dir);
      const hash = (JSON.parse(Buffer.from(files.get(PART.manifest)!).toString("utf8")) as { hash?: string }).hash ?? "";
      const version = (values["version"] as string | undefined) ?? `sha-${hash.slice(0, 12)}`;
      const { signature, file } = await signArtifactDir(dir, { privateKey, version, signer });
      if (format === "json") io.out(jsonOut({ file, ...signature }));
      else {
        io.out(`signed artifact ${signature.artifact.slice(0, 12)}… as version ${signature.version} by ${signature.signer}: wrote ${file}`);
        io.out(`check it with: kairos verify ${dir} --trust SIGNERS.yaml`);
      }
      return EXIT.ok;
    } catch (e) {
      throw cliErrorOf(e);
    }
  },
};
