// Help entries (issue 17, safe change): filled in by the owner of these commands.
import type { CommandHelp } from "./types.ts";

export const DIFF: CommandHelp = {
  name: "diff",
  summary: "diff (being built)",
  usage: ["kairos diff"],
  description: "Being built.",
  options: [{ flag: "-h, --help", description: "print this help and exit 0" }],
  examples: [],
  exit: [{ code: 0, meaning: "done" }],
};
