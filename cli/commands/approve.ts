// `kairos approve DIR --journey ID --approver NAME --key FILE`: a DPO approval of journeys as they
// are now — their content hashes, the PII their bundles read, the catalog hash — signed with the
// approver's Ed25519 key and written to `DIR/approvals/` (docs/approvals.md). `kairos approve
// --new-key FILE` makes an approver's key pair and prints the line for approvers.yaml. The key
// must be on that trusted list under NAME: an approval nobody would accept is not written.
import { needText } from "../../core/approval.ts";
import { didYouMean } from "../../core/diagnostics.ts";
import { readPolicyDir } from "../../compiler/node/index.ts";
import { checkSources } from "../../compiler/pipeline.ts";
import { approveProgram, programApprovals } from "../../server/approval-check.ts";
import { ApprovalError, APPROVERS_FILE, newApproverKey, readApproverKey } from "../../server/approvals.ts";
import { printDiagnostics } from "../diagnostics-output.ts";
import { helpOf } from "../help/commands.ts";
import { CliError, EXIT, parse, UsageError } from "../io.ts";
import type { Command } from "../main.ts";

const HELP = helpOf("approve");
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function failed(e: ApprovalError): CliError {
  return new CliError(e.message, { hint: e.hint });
}

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      journey: { type: "string", multiple: true },
      all: { type: "boolean" },
      approver: { type: "string" },
      key: { type: "string" },
      "new-key": { type: "string" },
      approvals: { type: "string" },
      date: { type: "string" },
    });
    const approver = values["approver"] as string | undefined;
    if (approver !== undefined && approver.trim() === "") throw new UsageError("`--approver` takes the approver's name as approvers.yaml spells it");

    const newKey = values["new-key"] as string | undefined;
    if (newKey !== undefined) {
      if (positionals.length > 0 || values["journey"] !== undefined || values["all"] || values["key"] !== undefined)
        throw new UsageError("`--new-key FILE` makes a key pair and takes no policy set, journeys or `--key`");
      if (newKey === "") throw new UsageError("`--new-key` takes the file to write the private key to");
      let pub: string;
      try {
        pub = newApproverKey(newKey);
      } catch (e) {
        if (e instanceof ApprovalError) throw failed(e);
        throw new CliError(`cannot write \`${newKey}\`: ${(e as Error).message}`, { hint: "choose a file in a directory you can write to" });
      }
      io.out(`  - { name: ${JSON.stringify(approver ?? "NAME")}, key: "${pub}" }`);
      io.err(
        `kairos approve: wrote the private key to ${newKey} (mode 0600; keep it to yourself); its public key is above.\n` +
          `help: add that line under \`approvers:\` in the policy set's ${APPROVERS_FILE} through review, then approve with \`--key ${newKey}\``,
      );
      return EXIT.ok;
    }

    if (positionals.length !== 1) throw new UsageError(positionals.length ? "give exactly one policy directory" : "missing the policy directory");
    const dir = positionals[0]!;
    const journeys = (values["journey"] as string[] | undefined) ?? [];
    const all = values["all"] === true;
    if (journeys.length === 0 && !all) throw new UsageError("say what to approve: `--journey ID` (repeatable) or `--all` (every journey that waits for one)");
    if (journeys.length > 0 && all) throw new UsageError("give `--journey ID` or `--all`, not both");
    if (approver === undefined) throw new UsageError("missing `--approver NAME`: who approves, as approvers.yaml names them");
    const keyFile = values["key"] as string | undefined;
    if (keyFile === undefined || keyFile === "")
      throw new UsageError("missing `--key FILE`: the approver's private key (`kairos approve --new-key FILE` makes one)");
    const date = values["date"] as string | undefined;
    if (date !== undefined && (!DATE.test(date) || Number.isNaN(Date.parse(date))))
      throw new UsageError(`\`--date\` takes an ISO 8601 UTC datetime like \`2026-05-30T09:00:00Z\`; got \`${date}\``);
    const home = (values["approvals"] as string | undefined) ?? dir;

    const read = readPolicyDir(dir);
    if (!read.sources) throw new UsageError(read.usage ?? `cannot read the policy directory \`${dir}\``);
    const checked = checkSources(read.sources);
    const diagnostics = [...read.diagnostics, ...checked.diagnostics];
    if (!checked.program || diagnostics.some((d) => d.severity === "error")) {
      printDiagnostics(diagnostics, checked.sources, io, "text", undefined, { dir });
      io.err("kairos approve: the policy set has errors; an approval covers only what compiles — fix them first (`kairos check`)");
      return EXIT.failed;
    }
    const program = checked.program;
    const ids = program.journeys.map((j) => j.id);
    for (const id of journeys) {
      if (!ids.includes(id)) {
        const hint = didYouMean(id, ids);
        throw new UsageError(`the policy set has no journey \`${id}\`${hint ? ` (${hint})` : ""}`);
      }
    }
    let privateKey;
    let chosen = journeys;
    let status;
    try {
      privateKey = readApproverKey(keyFile).privateKey;
      status = programApprovals(program, home);
    } catch (e) {
      if (e instanceof ApprovalError) throw failed(e);
      throw e;
    }
    if (all) {
      chosen = status.subjects.filter((s) => status.status.get(s.id)?.status === "unapproved").map((s) => s.id);
      if (chosen.length === 0) {
        io.out(`nothing to approve: every journey of ${dir} that needs a DPO approval has one`);
        return EXIT.ok;
      }
    }
    let written;
    try {
      written = approveProgram(program, { home, journeys: chosen, approver, privateKey, ...(date ? { date } : {}) });
    } catch (e) {
      if (e instanceof ApprovalError) throw failed(e);
      throw e;
    }
    const { record, file } = written;
    io.out(`approved by ${record.approver} at ${record.date}: ${record.id}`);
    for (const s of record.scope) {
      const subject = status.subjects.find((x) => x.id === s.journey)!;
      const why = status.status.get(s.journey)?.status === "not-needed" ? "needs no approval (approved anyway)" : `needs one: ${needText(subject)}`;
      io.out(`  ${s.journey} (${s.risk}, ${s.purpose}; ${why})`);
    }
    io.out(`written to ${file}`);
    io.err(
      `help: commit ${file} with the policy set; \`kairos serve ${dir}\` activates the journeys it covers, and \`kairos check ${dir}\` lists what still waits`,
    );
    return EXIT.ok;
  },
};
