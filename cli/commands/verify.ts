// `kairos verify ARTIFACT --trust FILE`: checks an artifact directory's signature
// (docs/artifacts.md#signatures) the way `kairos serve --trust` does before serving it: signed,
// by a trusted signer under its own name, the signature valid, manifest.json the bytes that were
// signed, and every part matching the manifest. Exit 0 when it holds; 1 with what failed and the fix.
import { helpOf } from "../help/commands.ts";
import { EXIT, jsonOut, parse, UsageError } from "../io.ts";
import type { Command } from "../main.ts";
import { cliErrorOf } from "./sign.ts";

const HELP = helpOf("verify");

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const { values, positionals } = parse(argv, { trust: { type: "string" }, format: { type: "string" } });
    const format = values["format"] ?? "text";
    if (format !== "text" && format !== "json") throw new UsageError(`unknown format \`${String(format)}\`; use \`text\` or \`json\``);
    if (positionals.length !== 1)
      throw new UsageError(positionals.length === 0 ? "missing the artifact directory to verify" : "give exactly one artifact directory");
    const dir = positionals[0]!;
    const { readTrust, trustFileOf, verifyArtifactDir, TRUST_ENV } = await import("../../server/signing.ts");
    const trustFile = trustFileOf(values["trust"] as string | undefined);
    if (trustFile === undefined) throw new UsageError(`say whom to trust: \`--trust FILE\` (or ${TRUST_ENV}), a YAML file \`signers: [{ name, key }]\``);
    try {
      const v = await verifyArtifactDir(dir, readTrust(trustFile));
      const s = v.signature;
      if (format === "json") io.out(jsonOut({ ok: true, artifact: s.artifact, version: s.version, signer: s.signer, key: s.key, signed_at: s.signed_at }));
      else {
        io.out(`ok: artifact ${s.artifact.slice(0, 12)}… version ${s.version}, signed by ${s.signer} at ${s.signed_at} (a trusted signer of ${trustFile});`);
        io.out("    its manifest is the one signed and every part matches it");
      }
      return EXIT.ok;
    } catch (e) {
      throw cliErrorOf(e);
    }
  },
};
