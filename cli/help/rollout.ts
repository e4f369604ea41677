// The help entry of `kairos rollout` (docs/rollout.md): canary and shadow rollouts of a registered
// version, promote, rollback, status and history, on the store or through a running service. Kept
// apart from commands.ts so that its owner edits one file.
import type { CommandHelp } from "./types.ts";

const TARGET = "(--store URL|DATA_DIR [--data-dir DIR] | --url URL [--token TOKEN]) [--format text|json]";

export const ROLLOUT: CommandHelp = {
  name: "rollout",
  summary: "roll a registered version out to a share of subjects (canary) or beside the stable one (shadow), promote it or roll it back",
  usage: [
    "kairos rollout start VERSION (--canary PERCENT | --shadow) [--max-error-rate PERCENT] [--max-p99-ms MS] [--min-decisions N]\n" +
      `               --by NAME [--reason TEXT] ${TARGET}`,
    `kairos rollout status ${TARGET}`,
    `kairos rollout promote --by NAME [--reason TEXT] ${TARGET}`,
    `kairos rollout rollback --by NAME [--reason TEXT] ${TARGET}`,
    `kairos rollout history ${TARGET}`,
  ],
  description:
    "Every instance of the service decides with the version set the store holds: a stable version and, during a rollout, a candidate " +
    "(a version published with `kairos artifacts publish`). `start --canary 5%` makes the candidate decide for 5% of subjects, chosen by a " +
    "bucket of their id (each subject sees one version for the whole rollout); a canary that breaches its error budget (`--max-error-rate`, " +
    "default 1%; `--max-p99-ms`), judged on each instance once it made `--min-decisions` (default 100), or during which a stop-loss fires, " +
    "is rolled back automatically (action `auto_rollback`, with the reason). `start --shadow` keeps the stable version deciding everything " +
    "and has the candidate decide every request again after the commit, without effect; `status` summarises the differences like " +
    "`kairos diff`. `promote` makes the candidate the stable version; `rollback` drops it. Every instance switches within about two " +
    "seconds; every decision records the version that made it, and its log entry the rollout's generation and arm. Each change is one " +
    "compare-and-set write: when someone changed the rollout first, nothing is written and the command says what came first. Through a " +
    "service (`--url`) the candidate is first checked to load, and `status` shows the generation that instance decides with. An embedded " +
    "store must not be in use by `kairos serve`: while it is, use `--url`. See docs/rollout.md.",
  arguments: [
    { flag: "start|status|promote|rollback|history", description: "what to do" },
    { flag: "VERSION", description: "start: the candidate, by its registry name (`v42`) or artifact hash" },
  ],
  options: [
    { flag: "--canary PERCENT", description: "start: the share of subjects the candidate decides for, like `5%` (above 0, at most 100, two decimals at most)" },
    { flag: "--shadow", description: "start: the candidate decides every request again, after the stable version and without effect" },
    { flag: "--max-error-rate PERCENT", description: "start --canary: most share of the candidate's decisions that may be `error` (default 1%)" },
    { flag: "--max-p99-ms MS", description: "start --canary: most p99 engine latency of the candidate's decisions, in ms (default: none)" },
    { flag: "--min-decisions N", description: "start --canary: the candidate's decisions on an instance before its budget is judged there (default 100)" },
    { flag: "--by NAME", description: "start, promote, rollback: who makes the change (required; kept in the rollout history)" },
    { flag: "--reason TEXT", description: "start, promote, rollback: why, in a sentence" },
    { flag: "--store URL|DATA_DIR", description: "the service's store: postgres://…, sqlite:PATH, or the data directory of an embedded store" },
    { flag: "--url URL", description: "a running service instead (`http://127.0.0.1:8181`); each call gets 15 s" },
    {
      flag: "--token TOKEN",
      description: "with `--url`: a token with the `admin` scope (`audit:read` for `status` and `history`; default: the KAIROS_TOKEN environment variable)",
    },
    { flag: "--data-dir DIR", description: "where a PostgreSQL or `sqlite:PATH` store's key files are (default: the store's directory)" },
    { flag: "--format text|json", description: "`text` (default) for people; `json` for scripts: pretty JSON, two-space indent, on stdout" },
    { flag: "-h, --help", description: "print this help and exit 0" },
  ],
  examples: [
    {
      command: 'kairos rollout start v42 --canary 5% --max-error-rate 0.5% --by "Dana Scholz" --url http://127.0.0.1:8181 --token $KAIROS_TOKEN',
      note: "v42 decides for 5% of subjects; rolled back by itself past 0.5% errors",
    },
    {
      command: 'kairos rollout start v42 --shadow --by "Dana Scholz" --store postgres://kairos@db/kairos',
      note: "v42 decides beside the stable version, without effect",
    },
    { command: "kairos rollout status --url http://127.0.0.1:8181 --token $KAIROS_TOKEN", note: "the rollout, that instance's generation, the shadow summary" },
    { command: 'kairos rollout promote --by "Dana Scholz" --store postgres://kairos@db/kairos', note: "v42 becomes the stable version" },
    { command: "kairos rollout history --store .kairos", note: "every change: who, when, why" },
  ],
  exit: [
    { code: 0, meaning: "changed, or shown" },
    {
      code: 1,
      meaning:
        "refused: the version is not registered or does not load, a rollout is in progress (start) or none is (promote, rollback), " +
        "someone changed it first; or the store or service failed",
    },
    { code: 2, meaning: "usage error: no target, neither or both of --canary and --shadow, a percent out of range, a store location that is not one" },
  ],
  subcommands: ["start", "status", "promote", "rollback", "history"],
};
