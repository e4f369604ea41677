// `kairos artifacts` (issue 17, safe change): being built.
import { helpOf } from "../help/commands.ts";
import { EXIT } from "../io.ts";
import type { Command } from "../main.ts";

const HELP = helpOf("artifacts");

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(_argv, io) {
    io.err("kairos artifacts: not built yet");
    return EXIT.failed;
  },
};
