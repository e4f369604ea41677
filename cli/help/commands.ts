// The help of every `kairos` command, in one place: `kairos CMD --help`, `kairos help CMD`, the
// shell completion scripts and docs/cli.md are all generated from these entries, so they cannot
// drift apart (test/cli/help.test.ts fails when docs/cli.md is stale).
import type { CommandHelp, OptionHelp } from "./types.ts";

const FORMAT: OptionHelp = {
  flag: "--format text|json",
  description: "`text` (default) for people; `json` for scripts: pretty JSON, two-space indent, on stdout",
};
const HELP_OPT: OptionHelp = { flag: "-h, --help", description: "print this help and exit 0" };
const DIR_ARG: OptionHelp = { flag: "DIR", description: "the policy set: a directory with `catalog.yaml`, `journeys/*.journey` and optional `rego/*.rego`" };
const WATCH: OptionHelp = {
  flag: "--watch",
  description: "run again whenever a file under DIR changes (debounced); Ctrl-C stops it with exit 0",
};

const CHECK: CommandHelp = {
  name: "check",
  summary: "check a policy set and report diagnostics",
  usage: ["kairos check DIR [--format text|json] [--strict] [--watch]"],
  description:
    "Parses, type-checks and lints the journeys against the catalog, and builds the policy set's Rego with OPA: a clean check means a clean compile. " +
    "Diagnostics go to stderr as `file:line:col: severity[code]: message` with a code frame and a `help:` line; file paths are printed as you gave DIR, " +
    "so an editor or a CI problem matcher opens them from the current directory. The summary line goes to stdout.",
  arguments: [DIR_ARG],
  options: [FORMAT, { flag: "--strict", description: "warnings fail the check too (exit 1), like `opa check --strict`" }, WATCH, HELP_OPT],
  examples: [
    { command: "kairos check policies", note: "check the example policy set" },
    { command: "kairos check policies --format json | jq '.diagnostics[].code'", note: "the codes, for a script" },
    { command: "kairos check policies --strict", note: "in CI: a warning fails the build" },
    { command: "kairos check policies --watch", note: "re-check on every save" },
  ],
  exit: [
    { code: 0, meaning: "no errors (with `--strict`: no warnings either)" },
    { code: 1, meaning: "errors (or, with `--strict`, warnings)" },
    { code: 2, meaning: "usage error: a missing or unreadable DIR, an unknown option" },
  ],
};

const COMPILE: CommandHelp = {
  name: "compile",
  summary: "check a policy set and write its artifact (predicates, OPA bundle, manifest)",
  usage: ["kairos compile DIR --out OUT [--format text|json]"],
  description:
    "Checks DIR like `kairos check`, then writes the artifact to OUT, atomically. Nothing is written when there are errors. OUT is replaced only " +
    "when it is missing, empty or an earlier artifact; anything else is refused before any work. The same sources always give a byte-identical artifact.",
  arguments: [DIR_ARG],
  options: [{ flag: "-o, --out OUT", description: "the artifact directory to write (required)" }, FORMAT, HELP_OPT],
  examples: [
    { command: "kairos compile policies --out build/artifact", note: "write the artifact" },
    { command: "kairos inspect build/artifact", note: "then look inside it" },
  ],
  exit: [
    { code: 0, meaning: "compiled and written" },
    { code: 1, meaning: "the policy set has errors; OUT was left as it was" },
    { code: 2, meaning: "usage error, or OUT is not safe to replace" },
  ],
};

const FMT: CommandHelp = {
  name: "fmt",
  summary: "format .journey files canonically",
  usage: ["kairos fmt [--check | --diff | -l] FILES_OR_DIRS…", "kairos fmt -"],
  description:
    "Rewrites each .journey file (directories: every .journey file below them) in the canonical layout, in place and atomically. " +
    "`-` reads one file from stdin and writes the formatted text to stdout (for editors). A file with syntax errors is reported and left alone.",
  arguments: [{ flag: "FILES_OR_DIRS…", description: "files and directories to format; `-` for stdin" }],
  options: [
    { flag: "--check", description: "change nothing; name the files that are not formatted, exit 1 if any" },
    { flag: "-d, --diff", description: "change nothing; print a unified diff of what formatting would change (like `gofmt -d`, `opa fmt -d`)" },
    { flag: "-l, --list", description: "change nothing; print only the names of files that would change (like `gofmt -l`, `opa fmt -l`)" },
    { flag: "--stdout", description: "print the formatted text instead of writing the files" },
    HELP_OPT,
  ],
  examples: [
    { command: "kairos fmt policies", note: "format every journey of the policy set" },
    { command: "kairos fmt --check policies", note: "in CI: fail on unformatted files" },
    { command: "kairos fmt -d policies/journeys/renewals.journey", note: "see what would change" },
    { command: "kairos fmt - < renewals.journey", note: "format stdin to stdout" },
  ],
  exit: [
    { code: 0, meaning: "formatted (with `--check`/`--diff`/`-l`: nothing to change)" },
    { code: 1, meaning: "a file has syntax errors; with `--check`/`--diff`/`-l`: some file would change" },
    { code: 2, meaning: "usage error: no files, a path that does not exist" },
  ],
};

const TEST: CommandHelp = {
  name: "test",
  summary: "run a policy set's tests and properties (and the built-in ones)",
  usage: ["kairos test DIR [--coverage] [--threshold N] [--junit FILE] [--format text|json] [--filter TEXT] [--seed N] [--runs N] [--watch]"],
  description:
    "Compiles DIR in memory and runs its `test` and `property` blocks and the built-in properties against the generated predicates and the real OPA " +
    "Wasm policies. Results go to stdout; compile diagnostics to stderr.",
  arguments: [DIR_ARG],
  options: [
    { flag: "--coverage", description: "report which conditions and journeys the tests exercised" },
    { flag: "--threshold N", description: "fail when coverage is below N percent (implies `--coverage`)" },
    { flag: "--junit FILE", description: "also write a JUnit XML report (replaces only an earlier report)" },
    FORMAT,
    { flag: "--filter TEXT", description: "run only the tests whose name contains TEXT" },
    { flag: "--seed N", description: "the seed of the property runs (printed on failure, to reproduce it)" },
    { flag: "--runs N", description: "cases per property, overriding each block's `runs` (default 200)" },
    WATCH,
    HELP_OPT,
  ],
  examples: [
    { command: "kairos test policies", note: "run every test" },
    { command: "kairos test policies --coverage --threshold 80", note: "fail under 80 % coverage" },
    { command: "kairos test policies --junit report.xml", note: "for a CI test report" },
    { command: "kairos test policies --watch", note: "re-run on every save" },
  ],
  exit: [
    { code: 0, meaning: "every test passed (and coverage met `--threshold`)" },
    { code: 1, meaning: "a test failed, or coverage is below `--threshold`" },
    { code: 2, meaning: "usage error, or the policy set does not compile" },
  ],
};

const DECIDE: CommandHelp = {
  name: "decide",
  summary: "make one decision for a request and print it as JSON (or explain it)",
  usage: [
    "kairos decide DIR --request FILE|- [--trace full|compact] [--explain [text|md|html|customer]] [--log FILE] [--allow-error]",
    "kairos decide --artifact OUT --request FILE|- [options]",
  ],
  description:
    "Decides one request (docs/request.md) with the policy set DIR, compiled in memory, or a compiled artifact. Prints the decision as pretty JSON " +
    "on stdout; with `--explain`, the rationale as text or Markdown instead (like `opa eval --explain`). An `error` outcome exits 1 unless " +
    "`--allow-error` is given, so scripts do not mistake a failed decision for a made one.",
  arguments: [{ flag: "DIR", description: "a policy set, or an artifact directory (one with `manifest.json`)" }],
  options: [
    { flag: "-r, --request FILE|-", description: "the request JSON; `-` reads it from stdin (required)" },
    { flag: "--artifact OUT", description: "decide with this compiled artifact instead of DIR" },
    { flag: "--trace full|compact", description: "`full` (default): each step with its expression; `compact`: `[node, value]` pairs, one line, as logged" },
    {
      flag: "--explain [text|md|html|customer]",
      description: "print the rationale instead of the JSON: for legal review as `text` (the default), `md` or `html`, or the `customer` sentence",
    },
    { flag: "--log FILE", description: "also append the decision to the decision log FILE (created if missing; docs/decision-log.md)" },
    { flag: "--allow-error", description: "exit 0 even when the outcome is `error`" },
    HELP_OPT,
  ],
  examples: [
    { command: "kairos decide policies --request request.json", note: "the decision as JSON" },
    { command: "cat request.json | kairos decide policies --request -", note: "the request from stdin" },
    { command: "kairos decide policies -r request.json --explain", note: "why, in plain text" },
    { command: "kairos decide policies -r request.json --log decisions.jsonl", note: "decide and log; then `kairos explain decisions.jsonl -d ID`" },
  ],
  exit: [
    { code: 0, meaning: "a decision was made (any outcome but `error`, or any outcome with `--allow-error`)" },
    { code: 1, meaning: "the outcome is `error`; or the policies do not compile; or the artifact cannot be loaded" },
    { code: 2, meaning: "usage error, or the request is malformed or does not fit the policy set" },
  ],
};

const EXPLAIN: CommandHelp = {
  name: "explain",
  summary: "explain a logged decision: the rationale for legal review, or the customer's sentence",
  usage: ["kairos explain LOG --decision ID [--format md|html|text|customer|json] [--artifact OUT] [--seq N]"],
  description:
    "Finds a decision in a decision log and renders why it came out as it did: for legal review as Markdown, a self-contained HTML page or plain " +
    "text; the customer-facing sentence; or `json`, the decision and the structured rationale. Node texts come from the log itself or, with " +
    "`--artifact`, from the artifact that made the decision.",
  arguments: [{ flag: "LOG", description: "a decision log file (`kairos decide --log`, `kairos serve`, `kairos log export`)" }],
  options: [
    { flag: "-d, --decision ID", description: "the decision id, or a unique prefix of at least 6 characters (required)" },
    { flag: "--format md|html|text|customer|json", description: "the rendering (default `md`)" },
    { flag: "--artifact OUT", description: "take node texts from this artifact (must be the one that decided)" },
    { flag: "--seq N", description: "a replayed decision has several entries: explain the one at seq N (default: the latest)" },
    HELP_OPT,
  ],
  examples: [
    { command: "kairos explain decisions.jsonl -d d_1ee232", note: "Markdown for legal review" },
    { command: "kairos explain decisions.jsonl -d d_1ee232 --format html > why.html", note: "a page to share" },
    { command: "kairos explain decisions.jsonl -d d_1ee232 --format customer", note: "the customer's sentence" },
  ],
  exit: [
    { code: 0, meaning: "explained" },
    { code: 1, meaning: "no such decision (the last ids are listed), an ambiguous prefix, or the wrong artifact" },
    { code: 2, meaning: "usage error, or LOG is not a decision log" },
  ],
};

const INSPECT: CommandHelp = {
  name: "inspect",
  summary: "show what a compiled artifact contains: manifest, journeys, parts and hashes",
  usage: ["kairos inspect ARTIFACT [--format text|json]"],
  description:
    "Reads an artifact directory written by `kairos compile` (like `opa inspect` for a bundle), verifies every part against the manifest, and prints " +
    "the artifact hash, the compiler and OPA versions, each journey (trigger, timers, fields read) and each part with its size and hash.",
  arguments: [{ flag: "ARTIFACT", description: "an artifact directory (`kairos compile … --out ARTIFACT`)" }],
  options: [FORMAT, HELP_OPT],
  examples: [
    { command: "kairos inspect build/artifact", note: "a summary" },
    { command: "kairos inspect build/artifact --format json | jq .hash", note: "the artifact hash, for a deployment script" },
  ],
  exit: [
    { code: 0, meaning: "the artifact is intact" },
    { code: 1, meaning: "a part is missing or does not match its hash" },
    { code: 2, meaning: "usage error, or ARTIFACT is not an artifact directory" },
  ],
};

const INIT: CommandHelp = {
  name: "init",
  summary: "start a new policy set: a catalog, a journey with a test, and Rego",
  usage: ["kairos init [DIR]"],
  description:
    "Writes a small working policy set into DIR (default: the current directory): `catalog.yaml`, `journeys/welcome.journey` with a test, and " +
    "`rego/` policies with their OPA tests. It passes `kairos check` and `kairos test` as written. Refuses a DIR that already holds files.",
  arguments: [{ flag: "DIR", description: "where to create it; created if missing, must be empty (default `.`)" }],
  options: [HELP_OPT],
  examples: [{ command: "kairos init my-policies && kairos test my-policies", note: "a new policy set, tested" }],
  exit: [
    { code: 0, meaning: "created" },
    { code: 2, meaning: "usage error, or DIR is not empty" },
  ],
};

const COMPLETION: CommandHelp = {
  name: "completion",
  summary: "print a shell completion script for bash, zsh or fish",
  usage: ["kairos completion bash|zsh|fish"],
  description: "Prints a script that completes commands, options and file names. Load it from your shell's start-up file.",
  arguments: [{ flag: "bash|zsh|fish", description: "the shell" }],
  options: [HELP_OPT],
  examples: [
    { command: "source <(kairos completion bash)", note: "bash, in ~/.bashrc" },
    { command: 'kairos completion zsh > "${fpath[1]}/_kairos"', note: "zsh" },
    { command: "kairos completion fish > ~/.config/fish/completions/kairos.fish", note: "fish" },
  ],
  exit: [
    { code: 0, meaning: "printed" },
    { code: 2, meaning: "usage error: no shell, or one not supported" },
  ],
  subcommands: ["bash", "zsh", "fish"],
};

const REPLAY: CommandHelp = {
  name: "replay",
  summary: "re-decide every entry of a decision log and report any difference",
  usage: ["kairos replay LOG --artifact OUT [--format text|json] [--show N]"],
  description:
    "Re-decides every logged decision from its sealed request with the given artifact and reports any difference: evidence that decisions are " +
    "deterministic, or what another artifact would decide. Needs an intact, authenticated log (its keys: docs/decision-log.md).",
  arguments: [{ flag: "LOG", description: "a decision log file" }],
  options: [
    { flag: "--artifact OUT", description: "the artifact to re-decide with (required)" },
    FORMAT,
    { flag: "--show N", description: "differences to print in text (default 10)" },
    HELP_OPT,
  ],
  examples: [{ command: "kairos replay decisions.jsonl --artifact build/artifact", note: "every decision replays byte for byte?" }],
  exit: [
    { code: 0, meaning: "every decision made by this artifact replays identically" },
    { code: 1, meaning: "a difference, a log that is not intact, an artifact that cannot be loaded" },
    { code: 2, meaning: "usage error, a missing key, or LOG is not a decision log" },
  ],
};

const HELP: CommandHelp = {
  name: "help",
  summary: "show the help of a command",
  usage: ["kairos help [COMMAND]"],
  description: "The same text as `kairos COMMAND --help`; without COMMAND, the list of commands.",
  arguments: [{ flag: "COMMAND", description: "a command name" }],
  options: [],
  examples: [{ command: "kairos help decide", note: "the options of `decide`" }],
  exit: [
    { code: 0, meaning: "printed" },
    { code: 2, meaning: "no such command" },
  ],
};

// Commands documented in depth elsewhere; their entries here give them the same help layout.
const GENERIC_EXIT = [
  { code: 0, meaning: "success" },
  { code: 1, meaning: "failure (see the message)" },
  { code: 2, meaning: "usage error" },
];

const SERVE: CommandHelp = {
  name: "serve",
  summary: "serve decisions over HTTP, with state in an embedded store or PostgreSQL",
  usage: [
    "kairos serve DIR|ARTIFACT [--store URL] [--data-dir DIR] [--listen HOST:PORT] [--tokens FILE] [--clock system|request]",
    "             [--provider URL_TEMPLATE] [--provider-timeout MS] [--log-shards N] [--max-inflight N] [--quiet]",
  ],
  description:
    "The decision service: decisions, consents, wake-ups and the decision log over HTTP, with bearer tokens. Binds 127.0.0.1:8181 by default; " +
    "SIGINT/SIGTERM shut it down gracefully. See docs/service.md.",
  arguments: [{ flag: "DIR|ARTIFACT", description: "a policy set (compiled at start) or an artifact directory" }],
  options: [
    {
      flag: "--store URL",
      description:
        "`postgres://…` for a shared PostgreSQL store; `sqlite:PATH` for a SQLite store elsewhere; `pglite:` for PGlite (PostgreSQL in Wasm) in `--data-dir` " +
        "(default: the embedded store in `--data-dir`: SQLite, or the engine the directory already holds)",
    },
    { flag: "--data-dir DIR", description: "the embedded store's directory (default `.kairos/`)" },
    { flag: "--listen HOST:PORT", description: "where to listen (default `127.0.0.1:8181`)" },
    { flag: "--tokens FILE", description: "the bearer tokens file" },
    { flag: "--clock system|request", description: "whose clock decides" },
    { flag: "--provider URL_TEMPLATE", description: "where context is fetched from" },
    { flag: "--provider-timeout MS", description: "the provider's deadline" },
    { flag: "--log-shards N", description: "decision log shards" },
    { flag: "--max-inflight N", description: "concurrent decisions before 503" },
    { flag: "--quiet", description: "print less at start" },
    HELP_OPT,
  ],
  examples: [{ command: "kairos serve policies", note: "serve the example policies on 127.0.0.1:8181" }],
  exit: [
    { code: 0, meaning: "shut down cleanly" },
    { code: 1, meaning: "could not start: the store does not answer, the policies do not compile, the port is in use" },
    { code: 2, meaning: "usage error" },
  ],
  seeAlso: "docs/service.md",
};

const TOKEN: CommandHelp = {
  name: "token",
  summary: "create a bearer token for `kairos serve` (printed once; only its hash is kept)",
  usage: ["kairos token create --name NAME --scopes SCOPE[,SCOPE…] [--rate N] [--tokens FILE] [--data-dir DIR]"],
  description: "Creates a token for the decision service. The token is printed once; the store keeps only its hash. See docs/service.md.",
  options: [
    { flag: "--name NAME", description: "who the token is for (required)" },
    { flag: "--scopes SCOPE[,SCOPE…]", description: "what it may do comma-separated (required; the scopes are listed in docs/service.md)" },
    { flag: "--rate N", description: "requests per second allowed" },
    { flag: "--tokens FILE", description: "the tokens file" },
    { flag: "--data-dir DIR", description: "the embedded store's directory" },
    HELP_OPT,
  ],
  examples: [{ command: "kairos token create --name crm --scopes decide", note: "a token that may only decide" }],
  exit: GENERIC_EXIT,
  subcommands: ["create"],
  seeAlso: "docs/service.md",
};

const LOG: CommandHelp = {
  name: "log",
  summary: "verify the decision log (a file, or the service's store), export a signed checkpoint or a store's shard, or show its last entries",
  usage: [
    "kairos log verify FILE [--checkpoint CP]... [--public-key KEY] [--hashes-only] [--contains HASH] [--format text|json]",
    "kairos log verify --store URL|DATA_DIR [--shard N] [--data-dir DIR] [--format text|json]",
    "kairos log export --store URL|DATA_DIR [--shard N] --out FILE [--data-dir DIR]",
    "kairos log checkpoint FILE [--out CP]",
    "kairos log public-key FILE",
    "kairos log tail FILE [-n N] [--format text|json]",
  ],
  description: "Checking, anchoring and reading the decision log. See docs/decision-log.md and docs/store.md.",
  options: [FORMAT, HELP_OPT],
  examples: [
    { command: "kairos log verify decisions.jsonl", note: "is the chain intact and authenticated?" },
    { command: "kairos log tail decisions.jsonl -n 5", note: "the last five decisions" },
  ],
  exit: [
    { code: 0, meaning: "intact (verify) / done" },
    { code: 1, meaning: "the first bad entry, or a checkpoint the log no longer matches" },
    { code: 2, meaning: "usage error, FILE missing or not a decision log, or nothing could authenticate it" },
  ],
  subcommands: ["verify", "export", "checkpoint", "public-key", "tail"],
  seeAlso: "docs/decision-log.md",
};

const DEMO: CommandHelp = {
  name: "demo",
  summary: "simulate an insurance book through the decision service and the example policies, and report every decision",
  usage: ["kairos demo [--out DIR] [--customers N] [--days D] [--seed S] [--policies DIR]"],
  description: "Runs a simulated book of customers through the example policies and writes a report of every decision.",
  options: [
    { flag: "--out DIR", description: "where to write the report" },
    { flag: "--customers N", description: "customers to simulate" },
    { flag: "--days D", description: "days to simulate" },
    { flag: "--seed S", description: "the simulation's seed" },
    { flag: "--policies DIR", description: "a policy set other than the example" },
    HELP_OPT,
  ],
  examples: [{ command: "kairos demo --customers 1000", note: "a simulated book of 1,000 customers" }],
  exit: GENERIC_EXIT,
};

const LSP: CommandHelp = {
  name: "lsp",
  summary: "the language server for editors (Language Server Protocol over stdio)",
  usage: ["kairos lsp [--stdio]"],
  description:
    "Diagnostics as you type, hover, completion, go to definition, formatting and quick fixes, speaking LSP on stdin and stdout. " +
    "Editors start it; nothing else writes to stdout while it runs. It ends when the editor sends `exit`. See docs/editors.md.",
  options: [
    { flag: "--stdio", description: "talk over stdin/stdout (what editors pass; the only transport)" },
    { flag: "--clientProcessId PID", description: "passed by some editors; accepted and ignored" },
    HELP_OPT,
  ],
  examples: [{ command: "kairos lsp --stdio", note: "what an editor runs (see editors/vscode/)" }],
  exit: [
    { code: 0, meaning: "the editor sent `shutdown` then `exit`" },
    { code: 1, meaning: "the editor sent `exit` without `shutdown`" },
    { code: 2, meaning: "usage error" },
  ],
  seeAlso: "docs/editors.md",
};

/** Every command's help, in the order `kairos --help` lists them. */
export const COMMAND_HELP: readonly CommandHelp[] = [
  INIT,
  CHECK,
  COMPILE,
  FMT,
  TEST,
  DECIDE,
  EXPLAIN,
  INSPECT,
  LOG,
  REPLAY,
  SERVE,
  TOKEN,
  LSP,
  DEMO,
  COMPLETION,
  HELP,
];

/** The help of one command, if it has any. */
export function helpFor(name: string): CommandHelp | undefined {
  return COMMAND_HELP.find((h) => h.name === name);
}

/** Help for a command that must have an entry (the commands this folder's owner writes). */
export function helpOf(name: string): CommandHelp {
  const h = helpFor(name);
  if (!h) throw new Error(`no help entry for \`${name}\``);
  return h;
}
