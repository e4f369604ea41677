// Help entries (issue 17, safe change): filled in by the owner of these commands.
import type { CommandHelp } from "./types.ts";

export const SIGN: CommandHelp = {
  name: "sign",
  summary: "sign (being built)",
  usage: ["kairos sign"],
  description: "Being built.",
  options: [{ flag: "-h, --help", description: "print this help and exit 0" }],
  examples: [],
  exit: [{ code: 0, meaning: "done" }],
};

export const VERIFY: CommandHelp = {
  name: "verify",
  summary: "verify (being built)",
  usage: ["kairos verify"],
  description: "Being built.",
  options: [{ flag: "-h, --help", description: "print this help and exit 0" }],
  examples: [],
  exit: [{ code: 0, meaning: "done" }],
};

export const ARTIFACTS: CommandHelp = {
  name: "artifacts",
  summary: "artifacts (being built)",
  usage: ["kairos artifacts"],
  description: "Being built.",
  options: [{ flag: "-h, --help", description: "print this help and exit 0" }],
  examples: [],
  exit: [{ code: 0, meaning: "done" }],
};
