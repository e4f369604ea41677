// The help of every `kairos` command, in one place: `kairos CMD --help`, `kairos help CMD`, the
// shell completion scripts and docs/cli.md are all generated from these entries, so they cannot
// drift apart (test/cli/help.test.ts fails when docs/cli.md is stale).
import { ARTIFACTS, SIGN, VERIFY } from "./artifacts.ts";
import { CHANNEL } from "./channel.ts";
import { DIFF } from "./diff.ts";
import { ROLLOUT } from "./rollout.ts";
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
  options: [
    FORMAT,
    {
      flag: "--strict",
      description:
        "warnings fail the check too (exit 1), like `opa check --strict` — among them personal data that journeys read without `retention` or `lineage` in the catalog (docs/catalog.md#governance-checks)",
    },
    WATCH,
    HELP_OPT,
  ],
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
  usage: [
    "kairos replay LOG --artifact OUT [--format text|json] [--show N]",
    "kairos replay --store URL|DATA_DIR [--data-dir DIR] [--format text|json] [--show N]",
  ],
  description:
    "Re-decides every logged decision from its sealed request with the given artifact. Entries made by that artifact must replay byte for byte: " +
    "evidence that decisions are deterministic; a difference is a defect, reported with its first differing JSON path (exit 1). Entries made by " +
    "another artifact are a what-if, never a defect and never called identical: what this artifact would decide instead, summarized like " +
    "`kairos diff` (outcome transitions per journey, subjects newly reached or dropped, denials, examples); `kairos diff OLD NEW --log LOG` " +
    "compares two versions on the same traffic. Needs an intact, authenticated log (its keys: docs/decision-log.md). Entries about erased " +
    "subjects (their per-subject keys destroyed: `kairos subject erase`) are counted as erased, not replayed and not errors. " +
    "With `--store`, the decision service's log is audited: every entry is re-decided with the version that made it, loaded from the store's " +
    "registry (docs/artifacts.md), through canaries, promotions and rollbacks, and must replay byte for byte; entries of a version missing " +
    "from the registry fail the audit until it is published.",
  arguments: [{ flag: "LOG", description: "a decision log file" }],
  options: [
    { flag: "--artifact OUT", description: "the artifact to re-decide with (required with LOG)" },
    {
      flag: "--store URL|DATA_DIR",
      description: "the service's store instead of LOG: `postgres://…`, `sqlite:PATH` or an embedded store's data directory (each entry with its own version)",
    },
    { flag: "--data-dir DIR", description: "with `--store sqlite:`/`pglite:`: the data directory (its key files)" },
    {
      flag: "--format text|json",
      description:
        "`text` (default) for people; `json` for scripts: the counts, every difference (`otherArtifact` marks a what-if's), `defects`, and `whatIf` (the summary); with `--store`, per version",
    },
    { flag: "--show N", description: "defects to print in text (default 10)" },
    HELP_OPT,
  ],
  examples: [
    { command: "kairos replay decisions.jsonl --artifact build/artifact", note: "every decision replays byte for byte?" },
    { command: "kairos replay decisions.jsonl --artifact build/next", note: "what-if: what the next version would decide on this traffic" },
    { command: "kairos replay --store postgres://kairos@db/kairos", note: "audit the service's log: each decision with the version that made it" },
  ],
  exit: [
    { code: 0, meaning: "every decision made by this artifact replays identically (what-if differences never fail)" },
    {
      code: 1,
      meaning:
        "a decision made by this artifact replays differently, a log that is not intact, an artifact that cannot be loaded (with `--store`: a version not in the registry)",
    },
    { code: 2, meaning: "usage error, a missing key, or LOG is not a decision log" },
  ],
};

const REPORT: CommandHelp = {
  name: "report",
  summary: "write the records of processing (GDPR Art. 30) of a policy set, or the proof-of-value scoreboard of a service's store",
  usage: [
    "kairos report processing DIR|ARTIFACT [--format md|html|csv|json] [--out FILE] [--date YYYY-MM-DD]",
    "kairos report value --store URL|DATA_DIR --policies DIR|ARTIFACT [--format md|html|json] [--out FILE] [--as-of TIME] [--data-dir DIR]",
  ],
  description:
    "`processing` checks DIR like `kairos check` (without building its Rego), or verifies a compiled ARTIFACT against its manifest, and writes the records " +
    "of processing of what it holds: per purpose the lawful bases, the " +
    "categories of data subjects and of the personal data its journeys' minimal bundles read, recipients, source systems, transfers, retention, " +
    "technical measures, journeys and risk tier; then the legal-basis map (purpose × basis × journeys) and a risk checklist per data type. " +
    "The same policy set always gives the same bytes, from its directory or its artifact: nothing is dated unless `--date` is given. " +
    "A policy set with errors, or an artifact that is not intact, gets no record (exit 1); " +
    "warnings are printed and the record is written. See docs/processing.md. " +
    "`value` writes the scoreboard of proof of value (docs/value.md): per journey node its volume, outcome mix, treated and held-out " +
    "subjects, the goal's rate in each arm, absolute and relative uplift with 95% intervals, incremental conversions and value, cost and " +
    "return, and stop-loss state; totals, the global control group and consent health. It reads the service's store without writing to it, " +
    "and the journeys, goals and costs of the policy set or artifact the service runs; the same figures as the service's `/dashboard`.",
  arguments: [
    { flag: "processing", description: "the records of processing (GDPR Art. 30) of DIR|ARTIFACT" },
    { flag: "value", description: "the proof-of-value scoreboard of a service's store (docs/value.md)" },
    { flag: "DIR|ARTIFACT", description: "a policy set (`catalog.yaml`, `journeys/`, optional `rego/`) or an artifact (a directory with `manifest.json`)" },
  ],
  options: [
    {
      flag: "--format md|html|csv|json",
      description:
        "`md` (Markdown), `html` (a self-contained page to file or print), `csv` (RFC 4180, one table) or `json`; default: the extension of `--out`, else `md`",
    },
    { flag: "-o, --out FILE", description: "write to FILE (atomically; replaces only a new file or a report this command wrote) instead of stdout" },
    { flag: "--date YYYY-MM-DD", description: "the date the record is stated for, printed in it (default: none, so output is reproducible)" },
    { flag: "--store URL|DATA_DIR", description: "`value`: the service's store: postgres://…, sqlite:PATH, or the --data-dir of `kairos serve` (read only)" },
    { flag: "--policies DIR|ARTIFACT", description: "`value`: the policy set or artifact the service runs (its journeys, goals, stop-losses and costs)" },
    {
      flag: "--as-of TIME",
      description: "`value`: judge the goal windows at this ISO 8601 time with an offset (default: now); only subjects whose window has ended count",
    },
    { flag: "--data-dir DIR", description: "`value`: where the store's key files are, for a PostgreSQL or `sqlite:PATH` store" },
    { flag: "-h, --help", description: "print this help and exit 0" },
  ],
  examples: [
    { command: "kairos report processing policies", note: "the record as Markdown on stdout" },
    { command: "kairos report processing policies --out ropa.html --date 2026-12-06", note: "a dated page for the DPO to file" },
    { command: "kairos report processing policies --format csv > ropa.csv", note: "one table for a spreadsheet" },
    { command: "kairos report processing build/artifact --out ropa.md", note: "the record of a compiled artifact: what is deployed" },
    { command: "kairos report value --store .kairos --policies policies", note: "the scoreboard of the embedded store as Markdown" },
    {
      command: "kairos report value --store postgres://kairos@db/kairos --policies build/artifact --out value.html",
      note: "a self-contained page for marketing, product, legal and finance",
    },
    { command: "kairos report value --store demo-out --policies policies --format json --as-of 2026-07-01T00:00:00Z", note: "the figures for a script" },
  ],
  exit: [
    { code: 0, meaning: "written (warnings, if any, on stderr)" },
    { code: 1, meaning: "the policy set has errors, the artifact is not intact, or the store cannot be read: nothing written" },
    { code: 2, meaning: "usage error: no such report, a missing DIR, `--store` or `--policies`, a bad `--date` or `--as-of`, or a foreign `--out` file" },
  ],
  subcommands: ["processing", "value"],
};

const APPROVE: CommandHelp = {
  name: "approve",
  summary: "sign a DPO approval of journeys, which `kairos serve` needs to activate high-risk and PII-reading journeys",
  usage: [
    "kairos approve DIR (--journey ID... | --all) --approver NAME --key FILE [--approvals DIR] [--date DATETIME]",
    "kairos approve --new-key FILE [--approver NAME]",
  ],
  description:
    "Journeys of `risk high`, and journeys whose minimal bundle reads PII fields, are activated by `kairos serve` only when a DPO approval covers them. " +
    "`approve` checks DIR (like `kairos check`, without building its Rego), then signs with the approver's Ed25519 key a record of the journeys as they are " +
    "now — each journey's content hash and the PII fields it reads, and the catalog hash — and writes it to `DIR/approvals/`. The key must be listed " +
    "under NAME in `DIR/approvers.yaml` (the trusted approvers, reviewed like the policies): an approval that would be refused is not written. " +
    "`--new-key FILE` makes an approver's key pair: the private key goes to FILE (mode 0600), the line for approvers.yaml to stdout. " +
    "`kairos check` lists the journeys that still wait for an approval. See docs/approvals.md.",
  arguments: [DIR_ARG],
  options: [
    { flag: "--journey ID", description: "a journey to approve (repeatable: one record covers them all)" },
    { flag: "--all", description: "every journey that needs an approval and has no valid one" },
    { flag: "--approver NAME", description: "who approves, as approvers.yaml names the key's owner (required to approve)" },
    { flag: "--key FILE", description: "the approver's private key (PKCS#8 PEM, as `--new-key` writes it)" },
    { flag: "--approvals DIR", description: "where approvers.yaml is and approvals/ goes, when not the policy set itself" },
    { flag: "--date DATETIME", description: "the approval's date, ISO 8601 UTC (default: now)" },
    { flag: "--new-key FILE", description: "make an approver key pair instead: the private key to FILE, never over an existing file" },
    HELP_OPT,
  ],
  examples: [
    { command: "kairos approve --new-key ~/.kairos/dpo.key --approver 'Dana Scholz'", note: "once: a key pair; add the printed line to approvers.yaml" },
    { command: "kairos approve policies --journey service_recovery --approver 'Dana Scholz' --key ~/.kairos/dpo.key", note: "approve one journey" },
    { command: "kairos check policies", note: "what still waits for an approval (`approval/required`)" },
  ],
  exit: [
    { code: 0, meaning: "the approval (or the key) was written" },
    { code: 1, meaning: "the policy set has errors, the key is unreadable or not a trusted approver's under NAME, or FILE exists" },
    { code: 2, meaning: "usage error: a missing DIR, `--journey`/`--all`, `--approver` or `--key`; an unknown journey; a bad `--date`" },
  ],
  seeAlso: "docs/approvals.md",
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

const SUBJECT: CommandHelp = {
  name: "subject",
  summary: "erase a data subject from the decision log (crypto-shredding) or export every decision about them",
  usage: [
    "kairos subject erase SUBJECT (--log FILE | --store URL|DATA_DIR) [--data-dir DIR] [--format text|json]",
    "kairos subject export SUBJECT (--log FILE | --store URL|DATA_DIR) [--data-dir DIR] [--format json|md] [--out FILE]",
  ],
  description:
    "A data subject's rights on the decision log. `erase` (GDPR Art. 17) destroys the subject's per-subject key: their log entries stay in the " +
    "chain and still verify, but nobody can link them to the person or open their sealed requests any more; in the service's store it also deletes " +
    "their consents, objections, cap history, wake-ups, reviews, experiment assignments and outcomes and strips their decision rows to what the log shows, in one transaction. It is " +
    "idempotent and prints what it erased. `export` (Art. 15) prints every decision about the subject with the sentence the customer was given, and " +
    "the consents, objections, experiment assignments and outcomes on record. Needs the log's pseudonymization key. An embedded store must not be in use by `kairos serve`. " +
    "See docs/decision-log.md#erasure-and-access and docs/store.md#erasure-and-access.",
  arguments: [
    { flag: "erase|export", description: "what to do" },
    { flag: "SUBJECT", description: "the subject id, as requests name it" },
  ],
  options: [
    { flag: "--log FILE", description: "a decision log file (with its key files next to it, or KAIROS_LOG_KEY)" },
    { flag: "--store URL|DATA_DIR", description: "the service's store: postgres://…, sqlite:PATH, or the data directory of an embedded store" },
    { flag: "--data-dir DIR", description: "where a PostgreSQL or `sqlite:PATH` store's key files are (default: the store's directory)" },
    { flag: "--format text|json|md", description: "erase: `text` (default) or `json`; export: `json` (default) or `md` (a document for the person)" },
    { flag: "--out FILE", description: "export: write to FILE (mode 0600) instead of stdout" },
    HELP_OPT,
  ],
  examples: [
    { command: "kairos subject export cust-42 --log decisions.jsonl --format md", note: "what the log holds about cust-42, as a document" },
    { command: "kairos subject erase cust-42 --store .kairos", note: "erase cust-42 from a stopped embedded store" },
  ],
  exit: [
    { code: 0, meaning: "done (erase: also when there was nothing left to erase)" },
    { code: 1, meaning: "erase: entries about the subject were made under the log key alone and cannot be erased per subject; or the store failed" },
    { code: 2, meaning: "usage error, a missing or wrong key, or a store location that is not one" },
  ],
  subcommands: ["erase", "export"],
};

const JOURNEY: CommandHelp = {
  name: "journey",
  summary: "list stopped and turned-off journeys, resume one a stop-loss stopped, turn one off on every instance (kill switch) and on again",
  usage: [
    "kairos journey status (--store URL|DATA_DIR [--data-dir DIR] | --url URL [--token TOKEN]) [--format text|json]",
    "kairos journey resume JOURNEY --by NAME [--note TEXT] (--store URL|DATA_DIR [--data-dir DIR] | --url URL [--token TOKEN]) [--format text|json]",
    "kairos journey disable JOURNEY --by NAME --reason TEXT (--store URL|DATA_DIR [--data-dir DIR] | --url URL [--token TOKEN]) [--format text|json]",
    "kairos journey enable JOURNEY --by NAME --reason TEXT (--store URL|DATA_DIR [--data-dir DIR] | --url URL [--token TOKEN]) [--format text|json]",
  ],
  description:
    "A journey with a `stop_loss` is stopped by the service when a condition passes its threshold: its decisions are `suppressed` with the reason " +
    "`stop_loss` until a person resumes it; `resume` lets it act again, recording who and why, and from then on its stop-loss counts only " +
    "subjects exposed after the resume. `disable` is the journey's kill switch: a person turns it off on every instance — its candidates, " +
    "wake-ups too, are `suppressed` with the reason `kill_switch` (who, when, why) — until someone `enable`s it; it takes precedence over a " +
    "stop-loss stop (`kairos channel disable` turns off every journey of a channel). `status` lists the journeys a stop-loss ever stopped and " +
    "the kill switches ever turned (through a service: every journey of the running artifact). Every instance of the service acts on a change " +
    "within about two seconds. `disable` refuses a journey the versions the service runs do not have (through a service: its versions; on the " +
    "store: the stable and candidate versions in its artifact registry, when it has them), so a typo is refused. An embedded store must not " +
    "be in use by `kairos serve`: while it is, use `--url`. See docs/kill-switch.md and docs/value.md#stop-loss.",
  arguments: [
    { flag: "status|resume|disable|enable", description: "what to do" },
    { flag: "JOURNEY", description: "resume, disable, enable: the journey id" },
  ],
  options: [
    { flag: "--store URL|DATA_DIR", description: "the service's store: postgres://…, sqlite:PATH, or the data directory of an embedded store" },
    { flag: "--url URL", description: "a running service instead (`http://127.0.0.1:8181`); each call gets 15 s" },
    {
      flag: "--token TOKEN",
      description: "with `--url`: a token with the `admin` scope (`audit:read` for `status`; default: the KAIROS_TOKEN environment variable)",
    },
    { flag: "--by NAME", description: "resume, disable, enable: who does it (required; kept in the journey's history)" },
    { flag: "--note TEXT", description: "resume: why it may act again" },
    { flag: "--reason TEXT", description: "disable, enable: why (required; shown in every candidate the switch suppresses)" },
    { flag: "--data-dir DIR", description: "where a PostgreSQL or `sqlite:PATH` store's key files are (default: the store's directory)" },
    FORMAT,
    HELP_OPT,
  ],
  examples: [
    { command: "kairos journey status --store .kairos", note: "which journeys are stopped or turned off, and why" },
    {
      command:
        'kairos journey disable referral_invite --by "Dana Scholz" --reason "wrong discount in the template" --url http://127.0.0.1:8181 --token $KAIROS_TOKEN',
      note: "turn it off on every instance now",
    },
    {
      command: 'kairos journey enable referral_invite --by "Dana Scholz" --reason "template fixed" --store postgres://kairos@db/kairos',
      note: "let it act again",
    },
    {
      command: 'kairos journey resume referral_invite --store postgres://kairos@db/kairos --by "Dana Scholz" --note "complaint template fixed"',
      note: "resume a journey its stop-loss stopped",
    },
  ],
  exit: [
    { code: 0, meaning: "listed, resumed, or turned" },
    {
      code: 1,
      meaning:
        "resume: the journey is not stopped; disable, enable: the switch already is in that state, or a journey the running versions do not have; " +
        "or the store or service failed",
    },
    { code: 2, meaning: "usage error, or a store location that is not one" },
  ],
  subcommands: ["status", "resume", "disable", "enable"],
};

const OUTCOMES: CommandHelp = {
  name: "outcomes",
  summary: "import business outcomes (renewals, conversions, complaints…) from a CSV or JSON Lines file",
  usage: [
    "kairos outcomes import FILE --url URL [--token TOKEN] [--input-format csv|jsonl] [--format text|json]",
    "kairos outcomes import FILE --store URL|DATA_DIR --policies DIR|ARTIFACT [--data-dir DIR] [--input-format csv|jsonl] [--format text|json]",
  ],
  description:
    "Reads outcomes — `subject`, `type`, `at` (ISO 8601 with an offset), optional `value` and `id` — from a CSV file with a header row or a JSON " +
    "Lines file (one object per line), and adds them to a running service (`POST /v1/outcomes`) and/or straight to its store. The whole file is " +
    "checked first and every problem is printed with its line (`outcomes.csv:12: …`); nothing is written when there is any. Outcomes go in " +
    "batches of 1,000, each written all or nothing. An outcome's id (given, or derived from the rest of the record) makes the import idempotent: " +
    "importing the same file again adds nothing. `type` must be an outcome type of the policy set: conversion, renewal, complaint, unsubscribe, or " +
    "one its catalog declares under `value: outcomes:`. An embedded store must not be in use by `kairos serve`: while it is, use `--url`. " +
    "See docs/value.md#outcomes.",
  arguments: [
    { flag: "import", description: "what to do" },
    { flag: "FILE", description: "the outcomes: `.csv` (a header row: subject,type,at,value,id — any order) or `.jsonl`" },
  ],
  options: [
    { flag: "--url URL", description: "a running service (`http://127.0.0.1:8181`); each batch gets 30 s" },
    { flag: "--token TOKEN", description: "with `--url`: a token with the `decide` scope (default: the KAIROS_TOKEN environment variable)" },
    { flag: "--store URL|DATA_DIR", description: "the service's store: postgres://…, sqlite:PATH, or the data directory of an embedded store" },
    { flag: "--policies DIR|ARTIFACT", description: "with `--store`: the policy set or artifact the service runs (its catalog's outcome types)" },
    { flag: "--data-dir DIR", description: "where a PostgreSQL or `sqlite:PATH` store's key files are (default: the store's directory)" },
    { flag: "--input-format csv|jsonl", description: "the file's format when its name does not say (`.csv`, `.jsonl`, `.ndjson`)" },
    FORMAT,
    HELP_OPT,
  ],
  examples: [
    { command: "kairos outcomes import renewals.csv --url http://127.0.0.1:8181 --token $KAIROS_TOKEN", note: "through a running service" },
    { command: "kairos outcomes import crm-export.jsonl --store postgres://kairos@db/kairos --policies policies", note: "straight into a PostgreSQL store" },
  ],
  exit: [
    { code: 0, meaning: "every outcome was added or was already there" },
    { code: 1, meaning: "the file has problems (nothing written), or the service or store refused or failed a batch (earlier batches stay written)" },
    { code: 2, meaning: "usage error: no target, a file format that cannot be told, a store location that is not one" },
  ],
  subcommands: ["import"],
};

const SERVE: CommandHelp = {
  name: "serve",
  summary: "serve decisions over HTTP, with state in an embedded store or PostgreSQL",
  usage: [
    "kairos serve DIR|ARTIFACT [--store URL] [--data-dir DIR] [--listen HOST:PORT] [--tokens FILE] [--clock system|request]",
    "             [--provider URL_TEMPLATE] [--provider-timeout MS] [--log-shards N] [--max-inflight N] [--approvals DIR]\n" +
      "             [--trust FILE] [--version NAME] [--retention-interval MS] [--default-retention DURATION] [--stop-loss-interval MS] [--quiet]",
  ],
  description:
    "The decision service: decisions, consents, wake-ups and the decision log over HTTP, with bearer tokens. Binds 127.0.0.1:8181 by default; " +
    "SIGINT/SIGTERM shut it down gracefully. Journeys that need a DPO approval (`risk high`, or PII in their bundle) are active only when a valid " +
    "approval covers them; the others stay inactive, listed at the start (docs/approvals.md). See docs/service.md.",
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
    {
      flag: "--approvals DIR",
      description: "where the DPO approvals are (`approvers.yaml`, `approvals/`; default: the policy set itself; none for an artifact directory)",
    },
    {
      flag: "--trust FILE",
      description:
        "trusted signers (YAML `signers: [{ name, key }]`; default: the KAIROS_TRUSTED_SIGNERS file): serve only an artifact directory signed by one of them " +
        "and untampered, and load only such versions from the registry; a policy-set directory is refused (docs/artifacts.md#signatures)",
    },
    {
      flag: "--version NAME",
      description:
        "the artifact directory's name in the store's registry, where it is published at start (default: its signature's version, else `sha-` and 12 hex " +
        "digits of its hash); when the store's stable version is another, that one is served and the start says how to roll this one out (docs/rollout.md)",
    },
    {
      flag: "--retention-interval MS",
      description:
        "how often the store's log is purged of values past the catalog's `retention` (default 3600000: hourly; 0 turns it off; off on `--clock request`)",
    },
    {
      flag: "--default-retention DURATION",
      description: "retention for every log entry, whatever fields it holds (ISO 8601, e.g. `P2Y`); default: the catalog's only",
    },
    {
      flag: "--stop-loss-interval MS",
      description:
        "how often journeys with a `stop_loss` are checked and stopped when a condition passes its threshold (default 60000: every minute; 0 turns the " +
        "periodic check off) — docs/value.md#stop-loss",
    },
    { flag: "--quiet", description: "print less at start" },
    HELP_OPT,
  ],
  examples: [{ command: "kairos serve policies", note: "serve the example policies on 127.0.0.1:8181" }],
  exit: [
    { code: 0, meaning: "shut down cleanly" },
    {
      code: 1,
      meaning:
        "could not start: the store does not answer, the policies do not compile, the port is in use, the artifact is not signed by a trusted signer (`--trust`)",
    },
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
  summary:
    "verify the decision log (a file, or the service's store), export a signed checkpoint or a store's shard, show its last entries, " +
    "or purge values past their retention",
  usage: [
    "kairos log verify FILE [--checkpoint CP]... [--public-key KEY] [--hashes-only] [--contains HASH] [--format text|json]",
    "kairos log verify --store URL|DATA_DIR [--shard N] [--data-dir DIR] [--format text|json]",
    "kairos log export --store URL|DATA_DIR [--shard N] --out FILE [--data-dir DIR]",
    "kairos log checkpoint FILE [--out CP]",
    "kairos log public-key FILE",
    "kairos log tail FILE [-n N] [--format text|json]",
    "kairos log retain FILE|--store URL|DATA_DIR [--artifact OUT] [--default-retention DURATION] [--now T] [--dry-run] [--format text|json]",
  ],
  description:
    "Checking, anchoring and reading the decision log. See docs/decision-log.md and docs/store.md. " +
    "`retain` replaces the context and sealed request of every entry past its retention by their sha256 digests — the shortest `retention` " +
    "of the catalog fields its context holds, and the default — keeping the chain, the MACs and the checkpoints valid (docs/decision-log.md#retention); " +
    "it needs the integrity key, rewrites the file atomically under the log's lock, and purges nothing twice.",
  options: [
    FORMAT,
    { flag: "--artifact OUT", description: "retain: the compiled artifact whose catalog gives each field's `retention`" },
    { flag: "--default-retention DURATION", description: "retain: how long any entry is kept (ISO 8601, e.g. `P2Y`), besides the catalog's field retentions" },
    { flag: "--now T", description: "retain: judge retention at this time (ISO 8601) instead of now" },
    { flag: "--dry-run", description: "retain: report what would be purged, write nothing" },
    HELP_OPT,
  ],
  examples: [
    { command: "kairos log verify decisions.jsonl", note: "is the chain intact and authenticated?" },
    { command: "kairos log tail decisions.jsonl -n 5", note: "the last five decisions" },
    { command: "kairos log retain decisions.jsonl --artifact build/artifact --default-retention P2Y --dry-run", note: "what retention would purge" },
  ],
  exit: [
    { code: 0, meaning: "intact (verify) / done" },
    { code: 1, meaning: "the first bad entry, or a checkpoint the log no longer matches (retain: nothing was changed, or a writer holds the log)" },
    { code: 2, meaning: "usage error, FILE missing or not a decision log, or nothing could authenticate it" },
  ],
  subcommands: ["verify", "export", "checkpoint", "public-key", "tail", "retain"],
  seeAlso: "docs/decision-log.md",
};

const DEMO: CommandHelp = {
  name: "demo",
  summary: "simulate an insurance book through the decision service and the example policies, and report every decision",
  usage: ["kairos demo [--out DIR] [--customers N] [--days D] [--seed S] [--policies DIR]"],
  description:
    "Runs a simulated book of customers through the example policies and writes a report of every decision. It plays the DPO first: the journeys " +
    "that need an approval are approved with a demo key kept in `OUT/governance/` (docs/approvals.md), so the service activates them all. " +
    "It also reports business outcomes with a known true effect per journey, runs the stop-loss check once per simulated day, prints the value " +
    "per journey beside that truth and writes `OUT/value.html` (docs/value.md#the-demo).",
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
  REPORT,
  APPROVE,
  LOG,
  REPLAY,
  DIFF,
  SIGN,
  VERIFY,
  ARTIFACTS,
  SUBJECT,
  JOURNEY,
  CHANNEL,
  OUTCOMES,
  SERVE,
  ROLLOUT,
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
