// Generated command lines for the fuzz target: every `kairos` command with its options and
// hostile values — paths that are the policy directory spelled differently, its parent, a file
// where a directory is expected, a log where a report goes, numbers that are not numbers, unknown
// formats and options. Each runs in a sandbox holding the example set (`policies/`), a small
// demo's output (`d/`: artifact, decision log, keys, checkpoints), request files and a stray
// `notes.txt`. Whatever the arguments: exit 0, 1 or 2, never "internal error", and nothing it
// was not asked to write — the policies, the notes, the request files, the log — is changed.
import fc from "fast-check";
import { BASE_REQUEST } from "./families.ts";
import type { CliCase } from "./types.ts";

const PATHS = [
  "policies",
  "policies/",
  "./policies",
  "policies/journeys",
  "policies/journeys/..",
  "policies/journeys/renewals.journey",
  "policies/catalog.yaml",
  "policies/rego",
  "d",
  "d/artifact",
  "d/artifact/manifest.json",
  "d/decisions.log",
  "d/decisions.log.key",
  "d/decisions.log.checkpoints",
  "req.json",
  "bad.json",
  "big.json",
  "notes.txt",
  "nope",
  "nope/deeper",
  ".",
  "..",
  "../..",
  "",
  "-",
  "out",
  "new/out",
  "notes.txt/out",
];
const NUMBERS = ["0", "-1", "1", "3", "1e3", "NaN", "Infinity", "99999999999999999999", "2.5", "abc", "", "0x10", " 5"];
const FORMATS = ["json", "text", "md", "html", "customer", "compact", "full", "xml", ""];

const path = fc.constantFrom(...PATHS);
const num = fc.constantFrom(...NUMBERS);
const format = fc.constantFrom(...FORMATS);
const word = fc.constantFrom("--help", "--version", "--unknown", "-x", "--", "--format", "--out", "--out=", "--seed=1", "=", "--request");

/** Options of a command: flag → value generator (null: a boolean flag). */
const COMMANDS: Record<string, Record<string, fc.Arbitrary<string> | null>> = {
  check: { "--format": format },
  compile: { "--out": path, "--format": format },
  fmt: { "--check": null },
  decide: { "--request": path, "--artifact": path, "--trace": format },
  explain: { "--decision": fc.constantFrom("d_", "d_0", "x", "", "d_00000000000000000000000000000000"), "--format": format, "--artifact": path, "--seq": num },
  log: {
    "-n": num,
    "--format": format,
    "--checkpoint": path,
    "--public-key": fc.constantFrom("", "x", "AAAA", "d/decisions.log"),
    "--hashes-only": null,
    "--contains": fc.constantFrom("", "0".repeat(64), "x"),
    "--out": path,
  },
  replay: { "--artifact": path, "--format": format, "--show": num },
  demo: {
    "--out": path,
    "--customers": fc.constantFrom("1", "3", "0", "-1", "abc", "99999999999"),
    "--days": fc.constantFrom("1", "2", "0", "-5", "abc", "99999999999"),
    "--seed": num,
    "--policies": path,
  },
  test: {
    "--coverage": null,
    "--threshold": num,
    "--junit": path,
    "--format": format,
    "--filter": fc.constantFrom("", "x", "renewal"),
    "--seed": num,
    "--runs": fc.constantFrom("1", "0", "-1", "abc"),
  },
};
const LOG_SUBCOMMANDS = ["verify", "tail", "checkpoint", "public-key", "nope"];

const option = (cmd: string): fc.Arbitrary<string[]> => {
  const opts = Object.entries(COMMANDS[cmd] ?? {});
  const known: fc.Arbitrary<string[]>[] =
    opts.length === 0 ? [fc.constant<string[]>([])] : opts.map(([flag, value]) => (value === null ? fc.constant([flag]) : value.map((v) => [flag, v])));
  return fc.oneof({ arbitrary: fc.oneof(...known), weight: 5 }, { arbitrary: word.map((w): string[] => [w]), weight: 1 });
};

/** A command line from a command's options (or a typo): positional paths, options, stray words. */
const randomLine: fc.Arbitrary<string[]> = fc
  .constantFrom(...Object.keys(COMMANDS), "chek", "")
  .chain((cmd) =>
    fc
      .tuple(
        cmd === "log" ? fc.constantFrom(...LOG_SUBCOMMANDS).map((s) => [s]) : fc.constant<string[]>([]),
        fc.array(path, { maxLength: 2 }),
        fc.array(option(cmd), { maxLength: 4 }),
      )
      .map(([sub, positionals, opts]) => [...(cmd === "" ? [] : [cmd]), ...sub, ...positionals, ...opts.flat()]),
  );

/** Command lines as people write them, which get past argument parsing to the real work. */
const TEMPLATES: readonly (readonly string[])[] = [
  ["check", "policies"],
  ["check", "policies", "--format", "json"],
  ["compile", "policies", "--out", "out"],
  ["compile", "policies", "--out", "d/artifact"],
  ["fmt", "--check", "policies/journeys"],
  ["fmt", "policies/journeys/renewals.journey"],
  ["decide", "policies", "--request", "req.json"],
  ["decide", "--artifact", "d/artifact", "--request", "req.json", "--trace", "compact"],
  ["explain", "d/decisions.log", "--decision", "d_", "--seq", "1", "--format", "md"],
  ["explain", "d/decisions.log", "--decision", "d_", "--artifact", "d/artifact", "--format", "customer"],
  ["log", "verify", "d/decisions.log", "--format", "json"],
  ["log", "verify", "d/decisions.log", "--checkpoint", "d/decisions.log.checkpoints"],
  ["log", "tail", "d/decisions.log", "-n", "2"],
  ["log", "checkpoint", "d/decisions.log", "--out", "cp.json"],
  ["log", "public-key", "d/decisions.log"],
  ["replay", "d/decisions.log", "--artifact", "d/artifact", "--format", "json"],
  ["demo", "--out", "d2", "--customers", "3", "--days", "1"],
  ["test", "policies", "--runs", "1", "--junit", "report.xml"],
];

/** One value of a template replaced by a hostile one, one token dropped, or a stray word added. */
const templateLine: fc.Arbitrary<string[]> = fc
  .tuple(fc.constantFrom(...TEMPLATES), fc.nat(), fc.constantFrom("replace", "replace", "replace", "drop", "add", "keep"), fc.oneof(path, num, format, word))
  .map(([t, at, op, value]) => {
    const argv = [...t];
    const i = 1 + (at % Math.max(1, argv.length - 1));
    if (op === "replace") argv[i] = value;
    else if (op === "drop") argv.splice(i, 1);
    else if (op === "add") argv.splice(i, 0, value);
    return argv;
  });

/** A whole command line: mostly a realistic one with one hostile change, sometimes anything. */
export const commandLine: fc.Arbitrary<string[]> = fc.oneof({ arbitrary: templateLine, weight: 3 }, { arbitrary: randomLine, weight: 1 });

/** Request files in the sandbox: a valid one, malformed JSON, and one past the request limits. */
const FILES: Readonly<Record<string, string>> = {
  "req.json": JSON.stringify(BASE_REQUEST),
  "bad.json": '{"event": {"type": "daily", "id": "e"}, "subject": ',
  "big.json": JSON.stringify({ ...BASE_REQUEST, consents: Array.from({ length: 20_000 }, () => BASE_REQUEST.consents[0]) }),
  "notes.txt": "my notes\n",
};

/** One command line in a sandbox with the demo fixture; the files nobody asked to write are protected. */
export function cliCase(argv: string[]): CliCase {
  // What the command was told to write may change: `--out X` replaces an earlier artifact or
  // demo, `demo --out` may replace the demo in `d/`, `log checkpoint` appends to the checkpoints.
  const outs = new Set(argv.flatMap((a, i) => (argv[i - 1] === "--out" ? [a.replace(/^\.\/|\/$/g, "")] : [])));
  const log = argv[0] === "demo" ? [] : ["d/decisions.log", "d/decisions.log.key", "d/decisions.log.integrity-key"];
  const artifact = argv[0] === "demo" || outs.has("d/artifact") || outs.has("d") ? [] : ["d/artifact"];
  const checkpoints = argv[0] === "demo" || argv.includes("checkpoint") ? [] : ["d/decisions.log.checkpoints"];
  return {
    kind: "cli",
    label: `kairos ${argv.join(" ")}`,
    argv,
    files: FILES,
    fixture: "demo",
    protect: ["notes.txt", "req.json", "bad.json", "big.json", ...log, ...artifact, ...checkpoints],
    // A demo starts the decision service on a new embedded store (PGlite's first open runs
    // initdb in Wasm): seconds, not the milliseconds of the other commands.
    timeoutMs: argv[0] === "demo" ? 30_000 : 10_000,
  };
}

/** Generated command lines (see cliCase). */
export const cliCases: fc.Arbitrary<CliCase> = commandLine.map(cliCase);
