// The playground page: three columns (policy set, request, results), the header's examples
// menu and Check / Format / Run / Share, the Monaco models behind every panel, and the wiring
// to the compiler worker. State lives in the models; a share link is a snapshot of them.
import "./style.css";
import type * as Monaco from "monaco-editor/editor/editor.api";
import type { Catalog } from "../../core/catalog/types.ts";
import { byId, h, richText } from "./dom.ts";
import { DEFAULT_EXAMPLE, EXAMPLES } from "./examples.ts";
import { JOURNEY_LANGUAGE, registerJourneyLanguage } from "./journey-language.ts";
import { monaco } from "./monaco.ts";
import type { CheckResponse, InputPanel, Marker, NamedText, RunResponse, TestsResponse } from "./protocol.ts";
import { renderResult, RESULT_TABS, type ResultTab } from "./results.ts";
import { decodeState, encodeState } from "./share.ts";
import { installSplitters } from "./splitters.ts";
import { CATALOG_FILE, type PlaygroundState } from "./state.ts";
import type { BlankedBlock } from "./test-blocks.ts";
import { defineDarkTheme, EDITOR_THEME, followScheme, preferredScheme } from "./theme.ts";
import { ToolsClient } from "./tools-client.ts";
import { CompilerClient } from "./worker-client.ts";

/** The OPA Wasm bundle the build writes next to index.html (see vite.config.ts). */
const OPA_BUNDLE_URL = new URL("kairos-opa.tar.gz", document.baseURI).href;
const MARKER_OWNER = "kairos";

const INPUT_PANELS: readonly { readonly id: InputPanel; readonly label: string; readonly help: string }[] = [
  { id: "request", label: "Request", help: "The event, the subject, `now` and the region; `history` lists earlier actions (for caps)." },
  { id: "context", label: "Context", help: "Everything the context provider holds about the subject, by entity. Only the minimal bundle is read." },
  { id: "consents", label: "Consents", help: "The subject's consent records and objections (GDPR Art. 21)." },
];

// ---------------------------------------------------------------------------------------------
// Models

const fileUri = (name: string): Monaco.Uri => monaco.Uri.parse(`file:///${name}`);
const inputUri = (panel: InputPanel): Monaco.Uri => monaco.Uri.parse(`inmemory://input/${panel}.json`);

let journeyModels: Monaco.editor.ITextModel[] = [];
let catalogModel!: Monaco.editor.ITextModel;
const inputModels = new Map<InputPanel, Monaco.editor.ITextModel>();
let catalog: Catalog | undefined;

function journeyTexts(): { name: string; text: string }[] {
  return journeyModels.map((m) => ({ name: nameOf(m), text: m.getValue() }));
}

function nameOf(model: Monaco.editor.ITextModel): string {
  return model.uri.path.replace(/^\//, "");
}

function inputTexts(): { request: string; context: string; consents: string } {
  return {
    request: inputModels.get("request")!.getValue(),
    context: inputModels.get("context")!.getValue(),
    consents: inputModels.get("consents")!.getValue(),
  };
}

function currentState(): PlaygroundState {
  return { catalog: catalogModel.getValue(), journeys: journeyTexts(), ...inputTexts() };
}

// ---------------------------------------------------------------------------------------------
// Editors and language

registerJourneyLanguage(monaco, {
  catalog: () => catalog,
  otherJourneyTexts: (uri) => journeyModels.filter((m) => m.uri.toString() !== uri).map((m) => m.getValue()),
  format: async (name, text) => (await client.format({ name, text }))?.text,
});

defineDarkTheme(monaco);

// Hovers and suggestions go in a layer of their own on <body>: each editor's box has
// `contain: strict` (keystroke latency), which would clip them at the column's edge.
const overflowWidgets = h("div", { class: "monaco-editor overflow-widgets" });
document.body.append(overflowWidgets);

const editorOptions: Monaco.editor.IStandaloneEditorConstructionOptions = {
  theme: EDITOR_THEME[preferredScheme()],
  automaticLayout: true,
  minimap: { enabled: false },
  fontSize: 13,
  lineNumbersMinChars: 3,
  scrollBeyondLastLine: false,
  tabSize: 2,
  renderWhitespace: "none",
  fixedOverflowWidgets: true,
  overflowWidgetsDomNode: overflowWidgets,
  padding: { top: 6 },
};

const policyEditor = monaco.editor.create(byId("policy-editor"), { ...editorOptions, model: null });
const inputEditor = monaco.editor.create(byId("input-editor"), { ...editorOptions, model: null, lineNumbers: "off", folding: true });
let tsEditor: Monaco.editor.IStandaloneCodeEditor | undefined;
const tsModel = monaco.editor.createModel("", "typescript", monaco.Uri.parse("inmemory://generated/predicates.ts"));
const viewStates = new Map<string, Monaco.editor.ICodeEditorViewState | null>();

let activeFile = "";
let activeInput: InputPanel = "request";
let activeResult: ResultTab = "decision";

function modelOfFile(name: string): Monaco.editor.ITextModel | undefined {
  return name === CATALOG_FILE ? catalogModel : journeyModels.find((m) => nameOf(m) === name);
}

function showFile(name: string): void {
  const model = modelOfFile(name);
  if (!model) return;
  if (activeFile && policyEditor.getModel()) viewStates.set(activeFile, policyEditor.saveViewState());
  activeFile = name;
  policyEditor.setModel(model);
  const vs = viewStates.get(name);
  if (vs) policyEditor.restoreViewState(vs);
  renderFileTabs(true);
}

function showInput(panel: InputPanel): void {
  if (inputEditor.getModel()) viewStates.set(`input:${activeInput}`, inputEditor.saveViewState());
  activeInput = panel;
  inputEditor.setModel(inputModels.get(panel)!);
  const vs = viewStates.get(`input:${panel}`);
  if (vs) inputEditor.restoreViewState(vs);
  byId("input-help").replaceChildren(...richText(INPUT_PANELS.find((p) => p.id === panel)!.help));
  renderInputTabs();
  renderInputErrors();
}

/** A text changed: check again. */
function changed(): void {
  edits++;
  client.check();
}

/** Replaces everything on the page with a state (an example or a share link). */
function loadState(state: PlaygroundState, open?: string): void {
  edits++;
  lastRun = undefined;
  lastRunSources = undefined;
  tests = { running: false };
  for (const m of journeyModels) m.dispose();
  catalogModel?.dispose();
  // Markers outlive their models: none of the previous state's may stay behind.
  monaco.editor.removeAllMarkers(MARKER_OWNER);
  viewStates.clear();
  journeyModels = state.journeys.map((j) => monaco.editor.createModel(j.text, JOURNEY_LANGUAGE, fileUri(j.name)));
  catalogModel = monaco.editor.createModel(state.catalog, "yaml", fileUri(CATALOG_FILE));
  for (const p of INPUT_PANELS) {
    inputModels.get(p.id)?.dispose();
    inputModels.set(p.id, monaco.editor.createModel(state[p.id], "json", inputUri(p.id)));
  }
  for (const m of [...journeyModels, catalogModel, ...inputModels.values()]) m.onDidChangeContent(changed);
  activeFile = "";
  showFile(open && modelOfFile(open) ? open : journeyModels[0] ? nameOf(journeyModels[0]) : CATALOG_FILE);
  showInput("request");
  renderResults();
  renderDownloads();
  client.check();
}

// ---------------------------------------------------------------------------------------------
// Tabs

function tab(label: string, active: boolean, onclick: () => void, extra: Record<string, string> = {}, ...after: (Node | string | null)[]): HTMLElement {
  return h(
    "button",
    { type: "button", role: "tab", class: active ? "tab active" : "tab", "aria-selected": String(active), onclick, ...extra },
    label,
    ...after,
  );
}

function countBadge(markers: readonly Marker[]): HTMLElement | null {
  const errors = markers.filter((m) => m.severity === "error").length;
  const warnings = markers.filter((m) => m.severity === "warning").length;
  if (errors) return h("span", { class: "badge error" }, errors);
  if (warnings) return h("span", { class: "badge warning" }, warnings);
  return null;
}

/** Redraws the file tabs; `reveal` scrolls the active one into view (which forces a layout: not on every check). */
function renderFileTabs(reveal = false): void {
  const tabs = [...journeyModels.map(nameOf), CATALOG_FILE].map((name) =>
    tab(
      name,
      name === activeFile,
      () => showFile(name),
      { "data-file": name },
      countBadge(lastCheck?.markers.filter((m) => m.file === name) ?? []),
      name !== CATALOG_FILE && journeyModels.length > 1
        ? h("span", { class: "close", title: `Remove ${name}`, onclick: (e: Event) => (e.stopPropagation(), removeFile(name)) }, "×")
        : null,
    ),
  );
  byId("file-tabs").replaceChildren(...tabs, h("button", { type: "button", class: "tab add", title: "Add a journey file", onclick: addFile }, "+"));
  if (reveal) byId("file-tabs").querySelector(".tab.active")?.scrollIntoView({ block: "nearest", inline: "nearest" });
}

function addFile(): void {
  let n = 1;
  while (modelOfFile(`untitled-${n}.journey`)) n++;
  const name = `untitled-${n}.journey`;
  const model = monaco.editor.createModel(
    `# ${name}\n\njourney new_journey {\n  purpose \n  on      \n  when    true\n  do      \n}\n`,
    JOURNEY_LANGUAGE,
    fileUri(name),
  );
  model.onDidChangeContent(changed);
  journeyModels.push(model);
  showFile(name);
  changed();
}

function removeFile(name: string): void {
  const model = modelOfFile(name);
  if (!model || model === catalogModel) return;
  journeyModels = journeyModels.filter((m) => m !== model);
  monaco.editor.setModelMarkers(model, MARKER_OWNER, []);
  model.dispose();
  if (activeFile === name) {
    activeFile = "";
    showFile(journeyModels[0] ? nameOf(journeyModels[0]) : CATALOG_FILE);
  } else renderFileTabs();
  changed();
}

function renderInputTabs(): void {
  byId("input-tabs").replaceChildren(
    ...INPUT_PANELS.map((p) =>
      tab(
        p.label,
        p.id === activeInput,
        () => showInput(p.id),
        { "data-panel": p.id },
        countBadge(lastCheck?.inputMarkers.filter((m) => m.file === p.id) ?? []),
      ),
    ),
  );
}

function testsBadge(): HTMLElement | null {
  if (tests.running) return h("span", { class: "spinner small" });
  const s = tests.response?.report?.summary;
  if (!s) return null;
  return h("span", { class: `badge ${s.failed ? "error" : "ok"}` }, s.failed ? s.failed : "✓");
}

function renderResultTabs(): void {
  byId("result-tabs").replaceChildren(
    ...RESULT_TABS.map((t) =>
      tab(
        t.label,
        t.id === activeResult,
        () => {
          activeResult = t.id;
          renderResultTabs();
          renderResults();
        },
        { "data-result": t.id },
        t.id === "tests" ? testsBadge() : null,
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Diagnostics

let lastCheck: CheckResponse | undefined;
/** For the browser tests and curious users: every check's worker time. */
const checkTimes: number[] = [];

function toMonacoMarker(m: Marker): Monaco.editor.IMarkerData {
  return {
    severity: m.severity === "error" ? monaco.MarkerSeverity.Error : m.severity === "warning" ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Info,
    message: m.hint ? `${m.message}\nhelp: ${m.hint}` : m.message,
    code: m.code,
    source: "kairos",
    startLineNumber: m.line,
    startColumn: m.column,
    endLineNumber: m.endLine,
    endColumn: m.endColumn,
  };
}

/** What each model shows now, so that a check changing nothing touches no editor. */
const shownMarkers = new WeakMap<Monaco.editor.ITextModel, string>();

/** Shows `markers` on `model`; says whether they differ from what it showed. */
function setMarkers(model: Monaco.editor.ITextModel, markers: readonly Marker[]): boolean {
  const key = JSON.stringify(markers);
  if (shownMarkers.get(model) === key) return false;
  shownMarkers.set(model, key);
  monaco.editor.setModelMarkers(model, MARKER_OWNER, markers.map(toMonacoMarker));
  return true;
}

/** Shows a check's markers; says which of the two sets (policy files, input panels) changed. */
function applyMarkers(markers: readonly Marker[], inputMarkers: readonly Marker[]): { policy: boolean; inputs: boolean } {
  const byFile = new Map<string, Marker[]>();
  for (const m of markers) {
    const list = byFile.get(m.file);
    if (list) list.push(m);
    else byFile.set(m.file, [m]);
  }
  let policy = false;
  let inputs = false;
  for (const model of [...journeyModels, catalogModel]) policy = setMarkers(model, byFile.get(nameOf(model)) ?? []) || policy;
  for (const [panel, model] of inputModels)
    inputs =
      setMarkers(
        model,
        inputMarkers.filter((m) => m.file === panel),
      ) || inputs;
  return { policy, inputs };
}

function onCheck(res: CheckResponse): void {
  const prev = lastCheck;
  lastCheck = res;
  checkTimes.push(res.ms);
  if (checkTimes.length > 500) checkTimes.splice(0, checkTimes.length - 500);
  if (res.catalog) catalog = res.catalog;
  // Markers first (what the author waits for); the lists and tabs only when something changed.
  const changed = applyMarkers(res.markers, res.inputMarkers);
  if (!prev || changed.policy) {
    renderProblems();
    renderFileTabs();
  }
  if (!prev || changed.inputs) {
    renderInputTabs();
    renderInputErrors();
  }
  renderStatus();
  document.dispatchEvent(new CustomEvent("kairos:checked", { detail: { ms: res.ms } }));
}

function reveal(file: string, line: number, column: number): void {
  if (!modelOfFile(file)) return;
  showFile(file);
  policyEditor.revealPositionInCenter({ lineNumber: line, column });
  policyEditor.setPosition({ lineNumber: line, column });
  policyEditor.focus();
}

function renderProblems(): void {
  const markers = lastCheck?.markers ?? [];
  const list = byId("problems");
  byId("problem-count").textContent = markers.length ? String(markers.length) : "";
  if (markers.length === 0) {
    list.replaceChildren(h("li", { class: "ok" }, "✓ No problems in the policy set"));
    return;
  }
  list.replaceChildren(
    ...markers.map((m) =>
      h(
        "li",
        { class: `problem ${m.severity}`, "data-code": m.code, onclick: () => reveal(m.file, m.line, m.column) },
        h("span", { class: "sev" }, m.severity === "error" ? "✗" : m.severity === "warning" ? "⚠" : "ℹ"),
        h("span", { class: "msg" }, ...richText(m.message), m.hint ? h("span", { class: "hint" }, " — ", ...richText(m.hint)) : null),
        h("span", { class: "loc" }, `${m.file}:${m.line}:${m.column}`, " ", h("span", { class: "code" }, m.code)),
      ),
    ),
  );
}

function renderInputErrors(): void {
  const markers = lastCheck?.inputMarkers ?? [];
  const label = (p: string) => INPUT_PANELS.find((x) => x.id === p)?.label ?? p;
  byId("input-errors").replaceChildren(
    ...markers.map((m) =>
      h(
        "li",
        {
          class: m.file === activeInput ? "here" : "",
          "data-panel": m.file,
          onclick: () => (
            showInput(m.file as InputPanel),
            inputEditor.revealPositionInCenter({ lineNumber: m.line, column: m.column }),
            inputEditor.setPosition({ lineNumber: m.line, column: m.column }),
            inputEditor.focus()
          ),
        },
        h("span", { class: "sev" }, "✗"),
        h("strong", {}, label(m.file)),
        ` ${m.line}:${m.column} `,
        ...richText(m.message),
        m.hint ? h("span", { class: "hint" }, " — ", ...richText(m.hint)) : null,
      ),
    ),
  );
}

function renderStatus(): void {
  const el = byId("status");
  if (!lastCheck) {
    el.replaceChildren(h("span", { class: "spinner" }), " checking…");
    return;
  }
  const all = [...lastCheck.markers, ...lastCheck.inputMarkers];
  const errors = all.filter((m) => m.severity === "error").length;
  const warnings = all.filter((m) => m.severity === "warning").length;
  const parts = [errors ? `${errors} error${errors === 1 ? "" : "s"}` : "", warnings ? `${warnings} warning${warnings === 1 ? "" : "s"}` : ""].filter(Boolean);
  el.className = `status ${errors ? "bad" : warnings ? "warn" : "good"}`;
  el.replaceChildren(parts.length ? `✗ ${parts.join(", ")}` : "✓ No problems", h("span", { class: "muted" }, ` · checked in ${Math.round(lastCheck.ms)} ms`));
}

// ---------------------------------------------------------------------------------------------
// Results

let lastRun: RunResponse | undefined;
/** The sources the last run compiled (test blocks blanked when they had errors): the artifact's. */
let lastRunSources: { catalog: NamedText; journeys: readonly NamedText[] } | undefined;
let running = false;
let tests: { running: boolean; response?: TestsResponse } = { running: false };

function parsedContext(): Record<string, Record<string, unknown>> | undefined {
  try {
    return JSON.parse(inputModels.get("context")!.getValue()) as Record<string, Record<string, unknown>>;
  } catch {
    return undefined;
  }
}

function renderResults(): void {
  renderResultTabs();
  renderResult(byId("result-body"), activeResult, lastRun, running, {
    context: parsedContext(),
    reveal,
    tests,
    showTypeScript(host, text) {
      if (tsModel.getValue() !== text) tsModel.setValue(text);
      const box = h("div", { class: "editor ts" });
      host.append(box);
      tsEditor?.dispose();
      tsEditor = monaco.editor.create(box, { ...editorOptions, model: tsModel, readOnly: true, lineNumbers: "on", folding: true });
    },
  });
}

/** Markers of the last check that lie inside one of `blocks`. */
function markersIn(blocks: readonly BlankedBlock[]): Marker[] {
  return (lastCheck?.markers ?? []).filter((m) => blocks.some((b) => b.file === m.file && m.line >= b.startLine && m.line <= b.endLine));
}

async function run(): Promise<void> {
  if (running) return;
  running = true;
  if (activeResult === "typescript" || activeResult === "tests") activeResult = "decision";
  renderResults();
  renderDownloads();
  let journeys: readonly NamedText[] = journeyTexts();
  const catalogText = { name: CATALOG_FILE, text: catalogModel.getValue() };
  // An error inside a test block must not stop the decision: the run goes without the test
  // blocks (blanked, so every position stays), and their problems stay on the editor.
  let blocks: readonly BlankedBlock[] = [];
  if (lastCheck?.markers.some((m) => m.severity === "error")) {
    try {
      const stripped = await tools.withoutTests(journeys);
      if (markersIn(stripped.blocks).some((m) => m.severity === "error")) ({ journeys, blocks } = stripped);
    } catch (e) {
      showBanner(`The tools worker hit a bug: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const res = await client.run({ catalog: catalogText, journeys, inputs: inputTexts(), opaBundleUrl: OPA_BUNDLE_URL });
  running = false;
  if (res) {
    lastRun = res;
    lastRunSources = { catalog: catalogText, journeys };
    applyMarkers([...res.markers, ...markersIn(blocks)], res.inputMarkers);
  }
  renderResults();
  renderDownloads();
  document.dispatchEvent(new CustomEvent("kairos:ran", { detail: { outcome: res?.decision?.outcome, problem: res?.problem } }));
  if (res?.decision) void runTests();
}

/** After a run: the policy set's tests against the same compiled engine, in the background. */
async function runTests(): Promise<void> {
  tests = { running: true };
  renderResultTabs();
  if (activeResult === "tests") renderResults();
  const response = await client.tests({
    catalog: { name: CATALOG_FILE, text: catalogModel.getValue() },
    journeys: journeyTexts(),
    opaBundleUrl: OPA_BUNDLE_URL,
  });
  tests = { running: false, ...(response ? { response } : {}) };
  renderResultTabs();
  if (activeResult === "tests") renderResults();
}

// ---------------------------------------------------------------------------------------------
// Header: examples, buttons, share links, banner

function showBanner(text: string): void {
  byId("banner-text").replaceChildren(...richText(text));
  byId("banner").hidden = false;
}

function toast(content: Node | string): void {
  const el = h("div", { class: "toast", role: "status" }, content);
  document.body.append(el);
  setTimeout(() => el.remove(), 4000);
}

async function share(): Promise<void> {
  const fragment = encodeState(currentState());
  history.replaceState(null, "", fragment);
  const url = location.href;
  try {
    await navigator.clipboard.writeText(url);
    toast(`Link copied (${Math.ceil(url.length / 1024)} KB). Anyone who opens it sees this exact state.`);
  } catch {
    toast(
      h(
        "span",
        {},
        "Copy this link: ",
        h("input", { class: "link", value: url, readonly: true, onfocus: (e: Event) => (e.target as HTMLInputElement).select() }),
      ),
    );
  }
}

async function formatActive(): Promise<void> {
  const model = modelOfFile(activeFile);
  if (!model || model === catalogModel) {
    toast("Format works on journey files; open one first.");
    return;
  }
  const res = await client.format({ name: activeFile, text: model.getValue() });
  if (!res) return;
  if (res.text === undefined) {
    toast("This file has syntax errors; fix them to format it.");
    return;
  }
  if (res.text !== model.getValue()) {
    policyEditor.pushUndoStop();
    model.pushEditOperations([], [{ range: model.getFullModelRange(), text: res.text }], () => null);
    policyEditor.pushUndoStop();
  }
}

/** The state a page load starts from: a share link's, else the default example. */
function initialState(): PlaygroundState {
  if (!location.hash || location.hash === "#") return DEFAULT_EXAMPLE.state;
  const decoded = decodeState(location.hash);
  if (decoded.ok) return decoded.state;
  showBanner(`${decoded.error}. Showing the default example instead.`);
  history.replaceState(null, "", location.pathname + location.search);
  return DEFAULT_EXAMPLE.state;
}

const examples = byId<HTMLSelectElement>("examples");
examples.replaceChildren(h("option", { value: "", disabled: true }, "Choose an example…"), ...EXAMPLES.map((e) => h("option", { value: e.id }, e.label)));
examples.addEventListener("change", () => {
  const ex = EXAMPLES.find((e) => e.id === examples.value);
  if (ex) {
    history.replaceState(null, "", location.pathname + location.search);
    loadState(ex.state, ex.open);
  }
});
byId("btn-check").addEventListener("click", () => {
  client.check();
  byId("problems").scrollTop = 0;
});
byId("btn-format").addEventListener("click", () => void formatActive());
byId("btn-run").addEventListener("click", () => void run());
byId("btn-share").addEventListener("click", () => void share());
byId("banner-close").addEventListener("click", () => (byId("banner").hidden = true));
// Inside an editor Monaco owns the keyboard, so Run is bound there too.
for (const editor of [policyEditor, inputEditor]) editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => void run());
window.addEventListener("keydown", (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
    e.preventDefault();
    void run();
  }
});
window.addEventListener("hashchange", () => {
  if (!location.hash.startsWith("#v")) return;
  const decoded = decodeState(location.hash);
  if (decoded.ok) loadState(decoded.state);
  else showBanner(`${decoded.error}. The page keeps what it had.`);
});

// ---------------------------------------------------------------------------------------------
// Downloads: the artifact (as `kairos compile` writes it, packed), the decision, the rationale

/** Saves `data` as a file named `name` (the browser's download). */
function save(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = h("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function renderDownloads(): void {
  const d = lastRun?.decision;
  const ready = !running && d !== undefined;
  for (const id of ["dl-artifact", "dl-decision", "dl-rationale"]) byId<HTMLButtonElement>(id).disabled = !ready;
  byId<HTMLButtonElement>("dl-rationale").disabled = !ready || !lastRun?.legal;
}

async function downloadArtifact(): Promise<void> {
  const sources = lastRunSources;
  if (!sources || !lastRun?.decision) return;
  const button = byId<HTMLButtonElement>("dl-artifact");
  button.disabled = true;
  try {
    const archive = await tools.artifact(sources.catalog, sources.journeys, OPA_BUNDLE_URL);
    if (archive.bytes && archive.hash) save(`kairos-artifact-${archive.hash.slice(0, 12)}.tar.gz`, archive.bytes as BlobPart, "application/gzip");
    else toast(archive.problem ?? "the artifact could not be built");
  } catch (e) {
    showBanner(`The tools worker hit a bug: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    renderDownloads();
  }
}

byId("dl-artifact").addEventListener("click", () => void downloadArtifact());
byId("dl-decision").addEventListener("click", () => {
  const d = lastRun?.decision;
  if (d) save(`decision-${d.decision_id}.json`, JSON.stringify(d, null, 2) + "\n", "application/json");
});
byId("dl-rationale").addEventListener("click", () => {
  const d = lastRun?.decision;
  if (d && lastRun?.legal) save(`rationale-${d.decision_id}.html`, lastRun.legal, "text/html");
});

// ---------------------------------------------------------------------------------------------
// Keyboard shortcuts help, resizable columns, colour scheme

const shortcuts = byId<HTMLDialogElement>("shortcuts");
byId("btn-help").addEventListener("click", () => shortcuts.showModal());
byId("shortcuts-close").addEventListener("click", () => shortcuts.close());
window.addEventListener("keydown", (e) => {
  const t = e.target as HTMLElement | null;
  const typing = t?.closest("input, textarea, select, [contenteditable], .monaco-editor");
  if (e.key === "?" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey && !shortcuts.open) {
    e.preventDefault();
    shortcuts.showModal();
  }
});

const columnWidths = installSplitters(byId("columns"), [...document.querySelectorAll<HTMLElement>(".splitter")]);

followScheme((scheme) => {
  document.documentElement.dataset.scheme = scheme;
  monaco.editor.setTheme(EDITOR_THEME[scheme]);
});

const tools = new ToolsClient();
// Which texts the shown markers are of: every change and load bumps `edits`; a check takes a
// snapshot (`sent`) and, checks never overlapping, its answer is of the last snapshot taken.
let edits = 0;
let sent = -1;
let checked = -1;
document.addEventListener("kairos:checked", () => (checked = sent));
const client = new CompilerClient(
  () => {
    sent = edits;
    return { catalog: { name: CATALOG_FILE, text: catalogModel.getValue() }, journeys: journeyTexts(), inputs: inputTexts() };
  },
  onCheck,
  (message) => showBanner(`The compiler worker hit a bug: ${message.split("\n")[0]}`),
);

const initial = initialState();
examples.value = initial === DEFAULT_EXAMPLE.state ? DEFAULT_EXAMPLE.id : "";
loadState(initial, initial === DEFAULT_EXAMPLE.state ? DEFAULT_EXAMPLE.open : undefined);
renderStatus();

/** Hooks for the browser tests (and for poking around from the console). */
declare global {
  interface Window {
    kairosPlayground: {
      readonly monaco: typeof monaco;
      readonly policyEditor: Monaco.editor.IStandaloneCodeEditor;
      readonly inputEditor: Monaco.editor.IStandaloneCodeEditor;
      model(file: string): Monaco.editor.ITextModel | undefined;
      inputModel(panel: InputPanel): Monaco.editor.ITextModel | undefined;
      state(): PlaygroundState;
      readonly checkTimes: readonly number[];
      showFile(name: string): void;
      showInput(panel: InputPanel): void;
      /** Whether the markers shown are those of the texts shown (no edit since the last check). */
      upToDate(): boolean;
      /** The three columns' shares of the width (the splitters move them). */
      columnWidths(): readonly number[];
    };
  }
}
window.kairosPlayground = {
  monaco,
  policyEditor,
  inputEditor,
  model: modelOfFile,
  inputModel: (p) => inputModels.get(p),
  state: currentState,
  checkTimes,
  showFile,
  showInput,
  columnWidths,
  upToDate: () => checked === edits,
};
