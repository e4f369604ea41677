// The conventions docs/cli.md measures `kairos` against: what OPA and Cedar users expect from a
// policy tool's command line, and where Kairos stands on each. A row says "not done" honestly
// when it is not; the table is generated into docs/cli.md with the rest of the reference.

/** One convention: what OPA and Cedar do, and what Kairos does. */
export interface Convention {
  readonly convention: string;
  readonly opa: string;
  readonly cedar: string;
  readonly kairos: string;
  readonly done: boolean;
}

export const CONVENTIONS: readonly Convention[] = [
  {
    convention: "Help per command: options, examples, exit codes",
    opa: "`opa eval --help`",
    cedar: "`cedar authorize --help`",
    kairos: "`kairos CMD --help` = `kairos help CMD` = this page (one source)",
    done: true,
  },
  {
    convention: "`-` reads stdin",
    opa: "`opa eval --stdin-input`, `opa fmt` from stdin",
    cedar: "policies from stdin when `--policies` is omitted",
    kairos: "`decide --request -`, `fmt -` (`check`, `test` and `compile` read a directory, which stdin cannot be)",
    done: true,
  },
  {
    convention: "Explain a decision ad hoc",
    opa: "`opa eval --explain full|notes`",
    cedar: "`cedar authorize -v` (reasons)",
    kairos: "`decide --explain [text|md|html|customer]`",
    done: true,
  },
  {
    convention: "Decision log",
    opa: "`--set decision_logs.console=true` (server)",
    cedar: "—",
    kairos: "`decide --log FILE`, `serve`; `explain LOG`",
    done: true,
  },
  { convention: "Inspect a built artifact", opa: "`opa inspect bundle.tar.gz`", cedar: "—", kairos: "`inspect ARTIFACT [--format json]`", done: true },
  {
    convention: "Formatter: in place, check, diff, list",
    opa: "`opa fmt -w / --fail / -d / -l`",
    cedar: "`cedar format --check`",
    kairos: "`fmt`, `fmt --check`, `fmt -d`, `fmt -l`",
    done: true,
  },
  {
    convention: "Strict checking (warnings fail)",
    opa: "`opa check --strict`",
    cedar: "`cedar validate --deny-warnings`",
    kairos: "`check --strict`",
    done: true,
  },
  { convention: "Watch mode", opa: "`opa test --watch`", cedar: "—", kairos: "`check --watch`, `test --watch` (Ctrl-C exits 0)", done: true },
  {
    convention: "Scaffold a project",
    opa: "— (`opa build` on a dir)",
    cedar: "`cedar new`",
    kairos: "`init [DIR]`: catalog, journey with a test, Rego",
    done: true,
  },
  { convention: "Shell completion", opa: "`opa completion bash|zsh|fish`", cedar: "—", kairos: "`completion bash|zsh|fish`", done: true },
  {
    convention: "Paths as the user gave them",
    opa: "file paths as given",
    cedar: "file paths as given",
    kairos: "diagnostics name `DIR/journeys/x.journey` as DIR was typed, openable from the current directory",
    done: true,
  },
  {
    convention: "Colour per stream, `NO_COLOR`/`FORCE_COLOR`",
    opa: "colour on terminals",
    cedar: "miette: colour on terminals, `NO_COLOR`",
    kairos: "stdout and stderr each coloured only on a terminal; `NO_COLOR` off, `FORCE_COLOR` on",
    done: true,
  },
  {
    convention: "`--format json` where output is data, one style",
    opa: "`--format json|pretty`",
    cedar: "`--error-format json`",
    kairos:
      "`check`, `compile`, `test`, `explain`, `inspect`, `replay`, `log verify`: pretty JSON, 2-space indent; `decide` prints JSON always, `log tail` JSON Lines",
    done: true,
  },
  {
    convention: "Exit codes documented per command",
    opa: "`opa eval --fail`, `--fail-defined`",
    cedar: "`authorize`: 0 allow, 2 deny",
    kairos: "each command's table below; `decide` exits 1 on an `error` outcome (`--allow-error` to opt out)",
    done: true,
  },
];
