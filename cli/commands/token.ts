// `kairos token create --name N --scopes a,b`: adds a bearer token for `kairos serve` to its
// tokens file (default `<data-dir>/tokens.json`) and prints the secret once — the file keeps
// only its sha256 (docs/service.md#security).
import { join } from "node:path";
import { createToken, SCOPES, TokensFileError, type Scope } from "../../server/auth.ts";
import { DEFAULT_DATA_DIR } from "../../server/index.ts";
import { didYouMean } from "../../core/diagnostics.ts";
import { EXIT, parse, UsageError } from "../io.ts";
import type { Command } from "../main.ts";

export const command: Command = {
  summary: "create a bearer token for `kairos serve` (printed once; only its hash is kept)",
  usage: `kairos token create --name NAME --scopes SCOPE[,SCOPE…] [--rate N] [--tokens FILE] [--data-dir DIR]\n  scopes: ${SCOPES.join(", ")}`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      name: { type: "string" },
      scopes: { type: "string" },
      rate: { type: "string" },
      tokens: { type: "string" },
      "data-dir": { type: "string" },
    });
    if (positionals[0] !== "create" || positionals.length !== 1)
      throw new UsageError(positionals.length ? `unknown subcommand \`${positionals.join(" ")}\`; use \`create\`` : "missing the subcommand `create`");
    const name = values["name"];
    if (typeof name !== "string" || !/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new UsageError("`--name` takes 1–64 letters, digits, `.`, `_` or `-`");
    const list =
      typeof values["scopes"] === "string"
        ? values["scopes"]
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s !== "")
        : [];
    if (list.length === 0) throw new UsageError(`\`--scopes\` takes a comma-separated list of ${SCOPES.join(", ")}`);
    for (const s of list) {
      if (!SCOPES.includes(s as Scope)) {
        const hint = didYouMean(s, SCOPES);
        throw new UsageError(`unknown scope \`${s}\`${hint ? ` (${hint})` : ""}; the scopes are ${SCOPES.join(", ")}`);
      }
    }
    let rate: number | undefined;
    if (values["rate"] !== undefined) {
      rate = Number(values["rate"]);
      if (!(rate > 0 && Number.isFinite(rate))) throw new UsageError("`--rate` takes requests per second, a positive number");
    }
    const file = (values["tokens"] as string | undefined) ?? join((values["data-dir"] as string | undefined) ?? DEFAULT_DATA_DIR, "tokens.json");
    let secret: string;
    try {
      secret = createToken(file, name, [...new Set(list)] as Scope[], rate);
    } catch (e) {
      if (!(e instanceof TokensFileError)) throw e;
      io.err(`kairos token: ${e.message}${e.hint ? `\nhelp: ${e.hint}` : ""}`);
      return EXIT.failed;
    }
    io.out(secret);
    io.err(`kairos token: token \`${name}\` (${list.join(", ")}) added to ${file}; the secret above is not stored — keep it now`);
    return EXIT.ok;
  },
};
