// The help of `kairos diff` (docs/diff.md): what a change to the policies would do to whom, on
// recorded traffic, before it is released.
import type { CommandHelp } from "./types.ts";

export const DIFF: CommandHelp = {
  name: "diff",
  summary: "re-decide recorded traffic under two versions and report what the change does to whom",
  usage: [
    "kairos diff OLD NEW --log LOG [--since T] [--until T] [--format text|md|json] [--examples N] [--fail-on SPEC]",
    "kairos diff OLD NEW --store URL|DATA_DIR [--data-dir DIR] [--since T] [--until T] [--format text|md|json] [--examples N] [--fail-on SPEC]",
  ],
  description:
    "Opens every entry of a decision log (or of the service's store) as `kairos replay` does — an intact, authenticated log and its keys — and " +
    "decides its sealed request again under OLD and under NEW, each with the journeys the entry's writer had left inactive or found stopped. " +
    "Then it reports how many requests were re-decided and how many changed; decisions per outcome under each version; outcome transitions per " +
    "journey (`renewal_reminder_d90: acted → no_match: 412`) with a few examples each — the subject as logged (pseudonymized), the time, " +
    "OLD's and NEW's rationale; subjects newly reached (acted on under NEW in some request, never under OLD) or dropped, in all and per " +
    "journey; consent and residency denials added or removed per journey; and whether OLD is the artifact that made the entries. " +
    "Nothing is written anywhere. The report goes to stdout; `--fail-on` breaches go to stderr. See docs/diff.md.",
  arguments: [
    {
      flag: "OLD",
      description:
        "the version in force: an artifact directory (`kairos compile --out`), a policy-set directory, " +
        "or with `--store` a version name or hash of its registry (`kairos artifacts list`)",
    },
    { flag: "NEW", description: "the changed version, likewise" },
  ],
  options: [
    { flag: "--log LOG", description: "the recorded traffic: a decision log file (its keys as for `kairos replay`)" },
    {
      flag: "--store URL|DATA_DIR",
      description: "the recorded traffic: the decision service's store (PostgreSQL URL, `sqlite:PATH`, or the data directory of an embedded store)",
    },
    { flag: "--data-dir DIR", description: "with `--store URL`: where the store's key files are (default: the environment's keys)" },
    { flag: "--since T", description: "only entries decided at or after T (ISO 8601: `2026-12-01` or `2026-12-01T09:00:00Z`)" },
    { flag: "--until T", description: "only entries decided before T" },
    { flag: "--format text|md|json", description: "`text` (default) for people, `md` for a pull request or a review, `json` for scripts" },
    { flag: "--examples N", description: "examples per transition and per list of subjects (default 3; 0 for none)" },
    {
      flag: "--fail-on SPEC",
      description:
        "exit 1 when the change moves a count by more than allowed: comma-separated METRIC+N, METRIC-N, METRIC+N% or METRIC-N%, where METRIC is an " +
        "outcome (NEW's count of decisions with it against OLD's; `%` of OLD's) or `changed`, `reached`, `dropped` (`%` of those compared): " +
        "`acted+10%`, `acted-5%`, `denied_consent+20`, `dropped+0`",
    },
    { flag: "-h, --help", description: "print this help and exit 0" },
  ],
  examples: [
    { command: "kairos diff build/v1 policies --log decisions.log", note: "what the edited policies would change on the logged traffic" },
    {
      command: "kairos diff build/v1 build/v2 --store .kairos --since 2026-11-01 --format md > diff.md",
      note: "a month of the service's traffic, for a review",
    },
    {
      command: "kairos diff build/v1 policies --log decisions.log --fail-on acted+10%,denied_consent+20",
      note: "in CI: fail when the change reaches too many",
    },
  ],
  exit: [
    { code: 0, meaning: "the report was printed (and no `--fail-on` rule was breached)" },
    { code: 1, meaning: "a `--fail-on` rule was breached, a log or store that is not intact, OLD or NEW does not compile or cannot be loaded" },
    { code: 2, meaning: "usage error, a missing key, a missing file, or LOG is not a decision log" },
  ],
  seeAlso: "docs/diff.md",
};
