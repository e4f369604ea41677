// The help entry of `kairos channel` (docs/kill-switch.md): a channel's kill switch, on the store or
// through a running service. Kept apart from commands.ts so that its owner edits one file.
import type { CommandHelp } from "./types.ts";

export const CHANNEL: CommandHelp = {
  name: "channel",
  summary: "turn every journey acting on a channel off on every instance (kill switch), and on again",
  usage: [
    "kairos channel status [NAME] (--store URL|DATA_DIR [--data-dir DIR] | --url URL [--token TOKEN]) [--format text|json]",
    "kairos channel disable NAME --by NAME --reason TEXT (--store URL|DATA_DIR [--data-dir DIR] | --url URL [--token TOKEN]) [--format text|json]",
    "kairos channel enable NAME --by NAME --reason TEXT (--store URL|DATA_DIR [--data-dir DIR] | --url URL [--token TOKEN]) [--format text|json]",
  ],
  description:
    "A channel's kill switch turns off every journey whose action uses the channel (`sms`, `email`, … as the catalog's actions name them): " +
    "on every instance of the service within about two seconds, their candidates — wake-ups too — are `suppressed` with the reason " +
    "`kill_switch`, naming the channel, who turned it off, when and why, until a person turns it on again; replay reproduces them. " +
    "`status` lists the channels turned off (with `NAME`: that channel and its history); through a service it lists every channel of the " +
    "running artifact with the journeys acting on it. A channel is turned off only if a version the service runs has it (through a service: " +
    "its versions; on the store: the stable and candidate versions in its artifact registry, when it has them), so a typo is refused. " +
    "An embedded store must not be in use by `kairos serve`: while it is, use `--url`. See docs/kill-switch.md.",
  arguments: [
    { flag: "status|disable|enable", description: "what to do" },
    { flag: "NAME", description: "the channel, as the catalog's actions name it (`sms`); optional for `status`" },
  ],
  options: [
    { flag: "--store URL|DATA_DIR", description: "the service's store: postgres://…, sqlite:PATH, or the data directory of an embedded store" },
    { flag: "--url URL", description: "a running service instead (`http://127.0.0.1:8181`); each call gets 15 s" },
    {
      flag: "--token TOKEN",
      description: "with `--url`: a token with the `admin` scope (`audit:read` for `status`; default: the KAIROS_TOKEN environment variable)",
    },
    { flag: "--by NAME", description: "disable, enable: who does it (required; recorded, and shown in every suppressed candidate's reason)" },
    { flag: "--reason TEXT", description: "disable, enable: why (required; recorded with it)" },
    { flag: "--data-dir DIR", description: "where a PostgreSQL or `sqlite:PATH` store's key files are (default: the store's directory)" },
    {
      flag: "--format text|json",
      description: "`text` (default) for people; `json` for scripts: pretty JSON, two-space indent, on stdout",
    },
    { flag: "-h, --help", description: "print this help and exit 0" },
  ],
  examples: [
    {
      command: 'kairos channel disable sms --by "Dana Scholz" --reason "SMS provider sends garbled texts" --url http://127.0.0.1:8181 --token $KAIROS_TOKEN',
      note: "stop every SMS journey on every instance",
    },
    { command: "kairos channel status --store postgres://kairos@db/kairos", note: "which channels are off, since when, by whom, why" },
    { command: 'kairos channel enable sms --by "Dana Scholz" --reason "provider fixed" --store postgres://kairos@db/kairos', note: "let them act again" },
  ],
  exit: [
    { code: 0, meaning: "listed, or turned" },
    {
      code: 1,
      meaning: "the switch already is in that state (who set it is printed), a channel the running versions do not have, or the store or service failed",
    },
    { code: 2, meaning: "usage error, or a store location that is not one" },
  ],
  subcommands: ["status", "disable", "enable"],
};
