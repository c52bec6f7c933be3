/**
 * LLM Footprint's VS Code entry point: registers providers, commands, the status bar GPU picker and the webview
 * serializer. Glue only: parsing is in src/parsers, memory math in src/core, text in text.ts and src/shared.
 */
import * as vscode from 'vscode';
import { looksLikeModelConfig, parseModelConfig } from '../parsers/index.ts';
import { shortGpuName } from '../shared/labels.ts';
import { estimateMarkdown } from '../shared/markdown.ts';
import { isWebviewState, type PanelData, type PanelView } from '../shared/protocol.ts';
import { compareSeeds } from './compare.ts';
import { customGpus, customGpuWarning, findTargetGpu, gpuPickItems, reloadCustomGpus } from './gpus.ts';
import { BreakdownPanel, VIEW_TYPE, insideWorkspace } from './panel.ts';
import { CodeLensProvider, Diagnostics, HoverProvider, QuickFixProvider, SELECTOR } from './providers.ts';
import { SECTION, readSettings } from './settings.ts';
import { WorkspaceModel, disposeYamlWorker, type Entry, type FileState } from './workspace.ts';
import { readFileText } from './read.ts';

let log: vscode.LogOutputChannel | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const wm = new WorkspaceModel(context.workspaceState);
  const diagnostics = new Diagnostics(wm);
  const codeLens = new CodeLensProvider(wm, () => readSettings().codeLens);
  const status = gpuStatusItem();
  const panel = new PanelController(context.extensionUri, wm);
  const refresher = new Refresher(wm, diagnostics, codeLens, panel);
  const loadCustomGpus = customGpuLoader(() => updateGpuStatus(status));
  // A model config edited outside the editor (or a new snapshot) changes the estimates of the files linked to it.
  const watcher = vscode.workspace.createFileSystemWatcher('**/config.json', false, false, false);

  context.subscriptions.push(
    wm,
    diagnostics,
    status,
    vscode.languages.registerHoverProvider(SELECTOR, new HoverProvider(wm)),
    vscode.languages.registerCodeLensProvider(SELECTOR, codeLens),
    vscode.languages.registerCodeActionsProvider(SELECTOR, new QuickFixProvider(diagnostics), { providedCodeActionKinds: QuickFixProvider.kinds }),
    ...registerCommands(wm, panel, refresher),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown) {
        panel.revive(webviewPanel, state);
        return Promise.resolve();
      },
    }),
    watcher,
    watcher.onDidChange(() => refresher.refreshAllSoon()),
    watcher.onDidCreate(() => refresher.refreshAllSoon()),
    watcher.onDidDelete(() => refresher.refreshAllSoon()),
    vscode.workspace.onDidOpenTextDocument((d) => void refresher.refreshDoc(d)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (isOurs(e.document) && e.contentChanges.length) refresher.edited(e.document);
    }),
    vscode.workspace.onDidCloseTextDocument((d) => diagnostics.clear(d.uri)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      if (e.affectsConfiguration(`${SECTION}.customGpus`)) void loadCustomGpus();
      updateGpuStatus(status);
      refresher.refreshAll();
      if (e.affectsConfiguration(`${SECTION}.gpu`)) BreakdownPanel.current?.setGpu(readSettings().gpu);
    }),
    refresher,
  );
  updateGpuStatus(status);
  void loadCustomGpus();
  for (const d of vscode.workspace.textDocuments) void refresher.refreshDoc(d);
}

export function deactivate(): void {
  disposeYamlWorker();
  log?.dispose();
  log = undefined;
}

/** The commands of the palette, the CodeLens and the hovers. */
function registerCommands(wm: WorkspaceModel, panel: PanelController, refresher: Refresher): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('llmFootprint.showBreakdown', (arg?: unknown, index?: unknown) => panel.open(arg, index)),
    vscode.commands.registerCommand('llmFootprint.compare', (arg?: unknown, index?: unknown) => panel.open(arg, index, 'compare')),
    vscode.commands.registerCommand('llmFootprint.compareMethods', (arg?: unknown, index?: unknown) => panel.open(arg, index, 'methods')),
    vscode.commands.registerCommand('llmFootprint.selectGpu', async () => {
      const items = gpuPickItems(readSettings().gpu);
      const chosen = await vscode.window.showQuickPick(items, { placeHolder: 'Target GPU for LLM Footprint estimates' });
      if (chosen) await setGpu(chosen.id);
    }),
    vscode.commands.registerCommand('llmFootprint.copyMarkdown', (arg?: unknown, index?: unknown) => copyMarkdown(wm, arg, index)),
    vscode.commands.registerCommand('llmFootprint.linkModelConfig', async (arg?: unknown) => {
      const doc = await docFor(arg);
      if (!doc) return;
      const uri = await pickModelConfig();
      if (uri) await wm.setLink(doc.uri, uri);
      refresher.refreshAll();
    }),
  ];
}

async function copyMarkdown(wm: WorkspaceModel, arg: unknown, index: unknown): Promise<void> {
  const doc = await docFor(arg);
  const st = doc ? await wm.get(doc) : null;
  const e = pick(st, typeof index === 'number' ? index : 0);
  if (!doc || !e?.analysis) {
    void vscode.window.showWarningMessage('LLM Footprint: open a model config, training YAML or vllm serve script first.');
    return;
  }
  const md = estimateMarkdown(e.analysis.estimate, {
    title: `LLM Footprint: ${vscode.workspace.asRelativePath(doc.uri)}`,
    gpuName: e.analysis.gpu?.name ?? null,
    fits: e.analysis.fits,
  });
  await vscode.env.clipboard.writeText(md);
  void vscode.window.showInformationMessage('LLM Footprint: estimate copied as Markdown.');
}

function gpuStatusItem(): vscode.StatusBarItem {
  const status = vscode.window.createStatusBarItem('llmFootprint.gpu', vscode.StatusBarAlignment.Right, 100);
  status.name = 'LLM Footprint: target GPU';
  status.command = 'llmFootprint.selectGpu';
  return status;
}

function updateGpuStatus(status: vscode.StatusBarItem): void {
  const id = readSettings().gpu;
  const gpu = findTargetGpu(id);
  status.text = `$(server) ${gpu ? shortGpuName(gpu) : id}`;
  status.tooltip = `LLM Footprint target GPU: ${gpu ? gpu.name : `${id} (unknown id)`} — click to change`;
  status.show();
}

/**
 * llmFootprint.customGpus: read lazily (mathjs loads only when the setting has entries); estimates wait for it.
 * Errors are shown once per change of the setting, as a warning that never blocks, and logged.
 */
function customGpuLoader(onLoaded: () => void): () => Promise<void> {
  let shownGpuErrors = '';
  return async () => {
    const r = await reloadCustomGpus(readSettings().customGpus);
    const key = r.errors.join('\n');
    if (r.errors.length) {
      log ??= vscode.window.createOutputChannel('LLM Footprint', { log: true });
      for (const e of r.errors) log.warn(`llmFootprint.customGpus: ${e}`);
    }
    if (key !== shownGpuErrors) {
      shownGpuErrors = key;
      const warning = customGpuWarning(r.errors);
      if (warning) {
        void vscode.window.showWarningMessage(warning, 'Open Settings').then((c) => {
          if (c) void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.customGpus`);
        });
      }
    }
    onLoaded();
  };
}

const isOurs = (doc: vscode.TextDocument) => ['json', 'jsonc', 'yaml', 'shellscript'].includes(doc.languageId);

/** Re-estimates open documents: one at a time after an edit (debounced), or all of them when a model config changes. */
class Refresher implements vscode.Disposable {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private refreshAllTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly wm: WorkspaceModel,
    private readonly diagnostics: Diagnostics,
    private readonly codeLens: CodeLensProvider,
    private readonly panel: PanelController,
  ) {}

  async refreshDoc(doc: vscode.TextDocument): Promise<void> {
    if (!isOurs(doc)) return;
    await this.diagnostics.update(doc);
    await this.panel.reloadIfShowing(doc);
  }

  refreshAll(): void {
    this.wm.invalidate();
    for (const d of vscode.workspace.textDocuments) void this.refreshDoc(d);
  }

  refreshAllSoon(): void {
    clearTimeout(this.refreshAllTimer);
    this.refreshAllTimer = setTimeout(() => this.refreshAll(), readSettings().debounceMs);
  }

  /** An edit: re-estimate after the debounce; a model config edit changes the estimates of the workloads using it. */
  edited(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (doc.languageId === 'json' || doc.languageId === 'jsonc') this.refreshAll();
        else {
          this.codeLens.refresh();
          void this.refreshDoc(doc);
        }
      }, readSettings(doc.uri).debounceMs),
    );
  }

  dispose(): void {
    this.timers.forEach((t) => clearTimeout(t));
    clearTimeout(this.refreshAllTimer);
  }
}

/** The breakdown panel of one file (entry `index` of it): what it is sent, and keeping it current. */
class PanelController {
  private uri: string | null = null;
  private index = 0;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly wm: WorkspaceModel,
  ) {}

  async open(arg: unknown, index: unknown, view?: PanelView): Promise<void> {
    let doc = await docFor(arg);
    let data = doc ? await this.data(doc, typeof index === 'number' ? index : 0, view) : null;
    if (!data) {
      const st = doc ? await this.wm.get(doc) : null;
      const problem = st?.entries.find((e) => e.problem)?.problem;
      if (problem) {
        void vscode.window.showWarningMessage(`LLM Footprint: ${problem.message}`);
        return;
      }
      const uri = await pickModelConfig();
      if (!uri) return;
      doc = await vscode.workspace.openTextDocument(uri);
      data = await this.data(doc, 0, view);
      if (!data) {
        void vscode.window.showWarningMessage('LLM Footprint: could not estimate this model config.');
        return;
      }
    }
    this.uri = doc!.uri.toString();
    this.index = typeof index === 'number' ? index : 0;
    BreakdownPanel.show(this.extensionUri, data, selectGpuFromPanel);
    if (view) BreakdownPanel.current?.setView(view);
  }

  /** A panel restored after a reload; the webview restores its own what-ifs, edits of its file keep reaching it. */
  revive(webviewPanel: vscode.WebviewPanel, state: unknown): void {
    BreakdownPanel.revive(webviewPanel, this.extensionUri, selectGpuFromPanel);
    if (isWebviewState(state) && state.data) this.uri = state.data.source.uri;
  }

  async reloadIfShowing(doc: vscode.TextDocument): Promise<void> {
    if (this.uri !== doc.uri.toString() || !BreakdownPanel.current) return;
    const data = await this.data(doc, this.index);
    if (data) BreakdownPanel.current.load(data);
  }

  private async data(doc: vscode.TextDocument, index: number, view?: PanelView): Promise<PanelData | null> {
    const st = await this.wm.get(doc);
    const e = pick(st, index);
    if (!st || !e || !e.analysis || !e.config) return null;
    const s = e.analysis.scenario;
    return {
      config: e.config,
      scenario: { ...s },
      source: {
        uri: doc.uri.toString(),
        label: vscode.workspace.asRelativePath(doc.uri),
        kind: e.file.kind,
        modelLabel: e.modelUri && e.modelUri.toString() !== doc.uri.toString() ? vscode.workspace.asRelativePath(e.modelUri) : undefined,
      },
      // The engine decides the fit itself (vLLM: --gpu-memory-utilization is in the scenario), so the panel's
      // capacity is the whole GPU.
      notes: [...st.parsed.errors.filter((x) => x.severity !== 'error').map((x) => x.message), ...(e.analysis.notes ?? [])],
      compare: view === 'compare' ? compareSeeds(s) : undefined,
      view,
      // The webview re-estimates with the bundled engine (without mathjs): the user's GPUs go as plain numbers.
      customGpus: customGpus().length ? customGpus().map((g) => ({ ...g })) : undefined,
    };
  }
}

async function docFor(arg?: unknown): Promise<vscode.TextDocument | undefined> {
  if (typeof arg === 'string') {
    try {
      // A command argument (from a hover link, a CodeLens or the palette) opens only an open document or a file of
      // the workspace, never another file on disk.
      const uri = vscode.Uri.parse(arg, true);
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      if (open) return open;
      if (!insideWorkspace(uri)) return undefined;
      return await vscode.workspace.openTextDocument(uri);
    } catch {
      return undefined;
    }
  }
  if (arg instanceof vscode.Uri) return insideWorkspace(arg) || vscode.workspace.textDocuments.some((d) => d.uri.toString() === arg.toString()) ? vscode.workspace.openTextDocument(arg) : undefined;
  return vscode.window.activeTextEditor?.document;
}

/** Entry `index` of a file, else its first entry with an estimate, else its first. */
function pick(st: FileState | null, index: number): Entry | undefined {
  if (!st) return undefined;
  return st.entries[index] ?? st.entries.find((e) => e.analysis) ?? st.entries[0];
}

async function pickModelConfig(): Promise<vscode.Uri | undefined> {
  const files = await vscode.workspace.findFiles('**/*.json', '**/{node_modules,.git,dist}/**', 400);
  const items: (vscode.QuickPickItem & { uri: vscode.Uri })[] = [];
  for (const f of files) {
    if (!/config\.json$/i.test(f.path) && items.length > 50) continue;
    try {
      const text = await readFileText(f);
      if (text === null) continue;
      const r = parseModelConfig(text);
      if (r.value && looksLikeModelConfig(r.value.config)) {
        items.push({ label: vscode.workspace.asRelativePath(f), description: typeof r.value.config['model_type'] === 'string' ? r.value.config['model_type'] : '', uri: f });
      }
    } catch {
      /* unreadable: skip */
    }
  }
  if (!items.length) {
    void vscode.window.showWarningMessage('LLM Footprint: no model config.json (with model_type or architectures) in this workspace.');
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { placeHolder: 'Model config.json to estimate with' }))?.uri;
}

/** The panel's GPU picker: the setting is written in the background; a failure is VS Code's to show. */
function selectGpuFromPanel(id: string): void {
  void setGpu(id);
}

async function setGpu(id: string): Promise<void> {
  if (!findTargetGpu(id)) return;
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(SECTION).update('gpu', id, target);
}
