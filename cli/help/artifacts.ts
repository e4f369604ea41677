// Help entries of the signed, versioned artifacts (docs/artifacts.md): `kairos sign`, `kairos
// verify` and `kairos artifacts` (the registry in the service's store).
import type { CommandHelp, OptionHelp } from "./types.ts";

const FORMAT: OptionHelp = {
  flag: "--format text|json",
  description: "`text` (default) for people; `json` for scripts: pretty JSON, two-space indent, on stdout",
};
const HELP_OPT: OptionHelp = { flag: "-h, --help", description: "print this help and exit 0" };

export const SIGN: CommandHelp = {
  name: "sign",
  summary: "sign an artifact directory (Ed25519) with a version name, or make a signer's key pair",
  usage: ["kairos sign ARTIFACT --key FILE [--version V] [--signer NAME] [--format text|json]", "kairos sign --keygen FILE --signer NAME [--format text|json]"],
  description:
    "Writes `signature.json` into ARTIFACT (the output of `kairos compile --out`): the artifact's hash, the SHA-256 of its manifest.json, the version " +
    "name, the signer and their public key, the time, and an Ed25519 signature over all of that. The file sits outside the manifest's parts, so the " +
    "artifact's hash does not change; signing again replaces it. Every part is checked against the manifest first: a modified artifact is not signed. " +
    "`--keygen FILE` makes a signer's key pair instead: the private key goes to FILE (PKCS#8 PEM, mode 0600, never over a file) and the line to add to " +
    "the trusted signers file is printed. See docs/artifacts.md#signatures.",
  arguments: [{ flag: "ARTIFACT", description: "an artifact directory (`kairos compile POLICIES --out ARTIFACT`); a policy-set directory cannot be signed" }],
  options: [
    { flag: "--key FILE", description: "the signer's private key (PKCS#8 PEM); default: the PEM text in KAIROS_SIGNING_KEY" },
    { flag: "--version V", description: "the version name to sign it as (default `sha-` and the first 12 hex digits of its hash)" },
    { flag: "--signer NAME", description: "the signer's name, as the trusted signers file names the key (default: the user name)" },
    { flag: "--keygen FILE", description: "make a key pair: the private key to FILE; prints the trusted signers entry (needs `--signer`)" },
    FORMAT,
    HELP_OPT,
  ],
  examples: [
    { command: "kairos sign --keygen release.pem --signer release-bot", note: "make a key pair; add the printed line to signers.yaml" },
    { command: "kairos sign build/artifact --key release.pem --version 2026.12.06-1 --signer release-bot", note: "sign an artifact as a version" },
    { command: 'KAIROS_SIGNING_KEY="$(cat release.pem)" kairos sign build/artifact --signer release-bot', note: "the key from the environment (CI)" },
  ],
  exit: [
    { code: 0, meaning: "signed (or the key pair was written)" },
    { code: 1, meaning: "not signed: the key cannot be read or is not Ed25519, the artifact does not match its manifest, FILE exists" },
    { code: 2, meaning: "usage error: no ARTIFACT, no signer, an unknown option" },
  ],
};

export const VERIFY: CommandHelp = {
  name: "verify",
  summary: "check an artifact's signature against the trusted signers, as `kairos serve --trust` does",
  usage: ["kairos verify ARTIFACT --trust FILE [--format text|json]"],
  description:
    "Checks that ARTIFACT is signed (`signature.json`), by a key the trusted signers file lists under the name the signature gives, that the " +
    "signature verifies, that manifest.json holds the bytes that were signed and that every part matches the manifest. Prints who signed which " +
    "version when; on a failure, what failed and what to do. See docs/artifacts.md#signatures.",
  arguments: [{ flag: "ARTIFACT", description: "an artifact directory" }],
  options: [
    { flag: "--trust FILE", description: "the trusted signers: YAML `signers: [{ name, key }]`; default: the file KAIROS_TRUSTED_SIGNERS names" },
    FORMAT,
    HELP_OPT,
  ],
  examples: [
    { command: "kairos verify build/artifact --trust signers.yaml", note: "before deploying: is it signed by someone we trust, and untouched?" },
    { command: "kairos verify build/artifact --trust signers.yaml --format json | jq .version", note: "the signed version name, for a script" },
  ],
  exit: [
    { code: 0, meaning: "signed by a trusted signer, and untampered" },
    { code: 1, meaning: "unsigned, signed by a key not trusted, a signature that does not verify, or files changed after signing" },
    { code: 2, meaning: "usage error: no ARTIFACT, no trusted signers file, an unknown option" },
  ],
};

export const ARTIFACTS: CommandHelp = {
  name: "artifacts",
  summary: "the artifact registry: publish versions, list and show them, say which was in force at a time",
  usage: [
    "kairos artifacts publish DIR [--version V] --by NAME [--approvals DIR] [--trust FILE] (--store URL|DATA_DIR | --url URL --token T) [--format text|json]",
    "kairos artifacts list (--store URL|DATA_DIR | --url URL --token T) [--format text|json]",
    "kairos artifacts show VERSION|HASH (--store URL|DATA_DIR | --url URL --token T) [--format text|json]",
    "kairos artifacts at TIME (--store URL|DATA_DIR | --url URL --token T) [--format text|json]",
  ],
  description:
    "The registry keeps every published artifact with its files in the service's store, so that every instance can load any version by name or " +
    "hash (`kairos rollout start VERSION`). `publish` checks the artifact against its manifest (with `--trust`, its signature too) and adds it with the " +
    "DPO approvals of `--approvals DIR`, all or nothing; publishing a registered artifact again changes nothing, and a version name is refused when " +
    "another artifact has it. `list` shows each version's hash, signer, approvals and when it first became stable; `show` one version (and, on the " +
    "store, its files); `at TIME` which version was stable — and which candidate ran — at that time, from the rollout history (what audits and replays " +
    "ask). Works on the store directly or through a running service (`publish` needs the `admin` scope, the rest `audit:read`). See docs/artifacts.md.",
  arguments: [
    { flag: "DIR", description: "an artifact directory (`kairos compile POLICIES --out DIR`), signed or not" },
    { flag: "VERSION|HASH", description: "a version name or an artifact hash" },
    { flag: "TIME", description: "an ISO 8601 time with an offset, like 2026-12-06T10:00:00Z" },
  ],
  options: [
    { flag: "--version V", description: "`publish`: the version name (default: the name it was signed as; an unsigned artifact needs one)" },
    { flag: "--by NAME", description: "`publish`: who publishes it (recorded)" },
    { flag: "--approvals DIR", description: "`publish`: the DPO approvals to serve it with (`approvers.yaml`, `approvals/`; a policy set holds them)" },
    { flag: "--trust FILE", description: "`publish`: publish only when signed by one of these signers and untampered (default: KAIROS_TRUSTED_SIGNERS)" },
    { flag: "--store URL|DATA_DIR", description: "the service's store: `postgres://…`, `sqlite:PATH`, or the data directory of the embedded store" },
    { flag: "--data-dir DIR", description: "with `--store sqlite:`/`pglite:`: the data directory" },
    { flag: "--url URL", description: "a running service instead of the store (the way in while `kairos serve` holds an embedded store)" },
    { flag: "--token T", description: "with `--url`: a bearer token (default: KAIROS_TOKEN)" },
    FORMAT,
    HELP_OPT,
  ],
  examples: [
    {
      command: "kairos artifacts publish build/artifact --version 2026.12.06-1 --by alice --approvals policies --store postgres://kairos@db/kairos",
      note: "publish a version with the policy set's approvals",
    },
    { command: "kairos artifacts list --url http://127.0.0.1:8181 --token $KAIROS_TOKEN", note: "the registered versions, through the service" },
    { command: "kairos artifacts show 2026.12.06-1 --store .kairos", note: "one version and its files" },
    { command: "kairos artifacts at 2026-12-06T10:00:00Z --store postgres://kairos@db/kairos", note: "which version decided at that time" },
  ],
  exit: [
    { code: 0, meaning: "done" },
    {
      code: 1,
      meaning:
        "not done: the store or service refused or did not answer, the artifact does not match its manifest or signature, the version name is " +
        "taken, nothing is registered under that name, nothing was in force at that time",
    },
    { code: 2, meaning: "usage error: an unknown action, a missing argument, both or neither of `--store` and `--url`" },
  ],
  subcommands: ["publish", "list", "show", "at"],
};
