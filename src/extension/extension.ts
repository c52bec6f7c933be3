/**
 * LLM Footprint's VS Code entry point: registers providers, commands, the status bar GPU picker and the webview
 * serializer. Glue only: parsing is in src/parsers, memory math in src/core, text in the pure modules here.
 */
import * as vscode from 'vscode';
import { looksLikeModelConfig, parseModelConfig } from '../parsers/index.ts';
import { shortGpuName } from '../shared/labels.ts';
import { estimateMarkdown } from '../shared/markdown.ts';
import { isWebviewState, type PanelData, type PanelView } from '../shared/protocol.ts';
import { compareSeeds } from './compare.ts';
import { customGpus, customGpuWarning, findTargetGpu, gpuPickItems, reloadCustomGpus } from './gpus.ts';
import { BreakdownPanel, VIEW_TYPE } from './panel.ts';
import { CodeLensProvider, Diagnostics, HoverProvider, QuickFixProvider, SELECTOR } from './providers.ts';
import { SECTION, readSettings } from './settings.ts';
import { WorkspaceModel, type Entry, type FileState } from './workspace.ts';

let log: vscode.LogOutputChannel | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const wm = new WorkspaceModel(context.workspaceState);
  const diagnostics = new Diagnostics(wm);
  const codeLens = new CodeLensProvider(wm, () => readSettings().codeLens);
  const status = vscode.window.createStatusBarItem('llmFootprint.gpu', vscode.StatusBarAlignment.Right, 100);
  status.name = 'LLM Footprint: target GPU';
  status.command = 'llmFootprint.selectGpu';
  let panelUri: string | null = null;
  let panelIndex = 0;

  // llmFootprint.customGpus: read lazily (mathjs loads only when the setting has entries); estimates wait for it.
  // Errors are shown once per change of the setting, as a warning that never blocks, and logged.
  let shownGpuErrors = '';
  const loadCustomGpus = async () => {
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
    updateStatus();
  };

  const updateStatus = () => {
    const id = readSettings().gpu;
    const gpu = findTargetGpu(id);
    status.text = `$(server) ${gpu ? shortGpuName(gpu) : id}`;
    status.tooltip = `LLM Footprint target GPU: ${gpu ? gpu.name : `${id} (unknown id)`} — click to change`;
    status.show();
  };

  const isOurs = (doc: vscode.TextDocument) => ['json', 'jsonc', 'yaml', 'shellscript'].includes(doc.languageId);

  const refreshDoc = async (doc: vscode.TextDocument) => {
    if (!isOurs(doc)) return;
    await diagnostics.update(doc);
    if (panelUri === doc.uri.toString() && BreakdownPanel.current) {
      const data = await panelData(doc, panelIndex);
      if (data) BreakdownPanel.current.load(data);
    }
  };
  const refreshAll = () => {
    wm.invalidate();
    for (const d of vscode.workspace.textDocuments) void refreshDoc(d);
  };
  let refreshAllTimer: ReturnType<typeof setTimeout> | undefined;
  const refreshAllSoon = () => {
    clearTimeout(refreshAllTimer);
    refreshAllTimer = setTimeout(refreshAll, readSettings().debounceMs);
  };

  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const debounced = (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        // A model config edit changes the estimates of the workloads that use it.
        if (doc.languageId === 'json' || doc.languageId === 'jsonc') refreshAll();
        else {
          codeLens.refresh();
          void refreshDoc(doc);
        }
      }, readSettings(doc.uri).debounceMs),
    );
  };

  async function docFor(arg?: unknown): Promise<vscode.TextDocument | undefined> {
    if (typeof arg === 'string') {
      try {
        return await vscode.workspace.openTextDocument(vscode.Uri.parse(arg, true));
      } catch {
        return undefined;
      }
    }
    if (arg instanceof vscode.Uri) return vscode.workspace.openTextDocument(arg);
    return vscode.window.activeTextEditor?.document;
  }

  function pick(st: FileState | null, index: number): Entry | undefined {
    if (!st) return undefined;
    return st.entries[index] ?? st.entries.find((e) => e.analysis) ?? st.entries[0];
  }

  async function panelData(doc: vscode.TextDocument, index: number, view?: PanelView): Promise<PanelData | null> {
    const st = await wm.get(doc);
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
      notes: st.parsed.errors.filter((x) => x.severity !== 'error').map((x) => x.message),
      compare: view === 'compare' ? compareSeeds(s) : undefined,
      view,
      // The webview re-estimates with the bundled engine (without mathjs): the user's GPUs go as plain numbers.
      customGpus: customGpus().length ? customGpus().map((g) => ({ ...g })) : undefined,
    };
  }

  async function pickModelConfig(): Promise<vscode.Uri | undefined> {
    const files = await vscode.workspace.findFiles('**/*.json', '**/{node_modules,.git,dist}/**', 400);
    const items: (vscode.QuickPickItem & { uri: vscode.Uri })[] = [];
    for (const f of files) {
      if (!/config\.json$/i.test(f.path) && items.length > 50) continue;
      try {
        const st = await vscode.workspace.fs.stat(f);
        if (st.size > 2 * 1024 * 1024) continue;
        const r = parseModelConfig(new TextDecoder().decode(await vscode.workspace.fs.readFile(f)));
        if (r.value && looksLikeModelConfig(r.value.config)) {
          items.push({ label: vscode.workspace.asRelativePath(f), description: String(r.value.config['model_type'] ?? ''), uri: f });
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

  async function openPanel(arg: unknown, index: unknown, view?: PanelView): Promise<void> {
    let doc = await docFor(arg);
    let data = doc ? await panelData(doc, typeof index === 'number' ? index : 0, view) : null;
    if (!data) {
      const st = doc ? await wm.get(doc) : null;
      const problem = st?.entries.find((e) => e.problem)?.problem;
      if (problem) {
        void vscode.window.showWarningMessage(`LLM Footprint: ${problem.message}`);
        return;
      }
      const uri = await pickModelConfig();
      if (!uri) return;
      doc = await vscode.workspace.openTextDocument(uri);
      data = await panelData(doc, 0, view);
      if (!data) {
        void vscode.window.showWarningMessage('LLM Footprint: could not estimate this model config.');
        return;
      }
    }
    panelUri = doc!.uri.toString();
    panelIndex = typeof index === 'number' ? index : 0;
    BreakdownPanel.show(context.extensionUri, data, setGpu);
    if (view) BreakdownPanel.current?.setView(view);
  }

  async function setGpu(id: string): Promise<void> {
    if (!findTargetGpu(id)) return;
    const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration(SECTION).update('gpu', id, target);
  }

  // A model config edited outside the editor (or a new snapshot) changes the estimates of the files linked to it.
  const watcher = vscode.workspace.createFileSystemWatcher('**/config.json', false, false, false);

  context.subscriptions.push(
    wm,
    diagnostics,
    status,
    vscode.languages.registerHoverProvider(SELECTOR, new HoverProvider(wm)),
    vscode.languages.registerCodeLensProvider(SELECTOR, codeLens),
    vscode.languages.registerCodeActionsProvider(SELECTOR, new QuickFixProvider(diagnostics), { providedCodeActionKinds: QuickFixProvider.kinds }),
    vscode.commands.registerCommand('llmFootprint.showBreakdown', (arg?: unknown, index?: unknown) => openPanel(arg, index)),
    vscode.commands.registerCommand('llmFootprint.compare', (arg?: unknown, index?: unknown) => openPanel(arg, index, 'compare')),
    vscode.commands.registerCommand('llmFootprint.selectGpu', async () => {
      const items = gpuPickItems(readSettings().gpu);
      const chosen = await vscode.window.showQuickPick(items, { placeHolder: 'Target GPU for LLM Footprint estimates' });
      if (chosen) await setGpu(chosen.id);
    }),
    vscode.commands.registerCommand('llmFootprint.copyMarkdown', async (arg?: unknown, index?: unknown) => {
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
    }),
    vscode.commands.registerCommand('llmFootprint.linkModelConfig', async (arg?: unknown) => {
      const doc = await docFor(arg);
      if (!doc) return;
      const uri = await pickModelConfig();
      if (uri) await wm.setLink(doc.uri, uri);
      refreshAll();
    }),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        BreakdownPanel.revive(panel, context.extensionUri, setGpu);
        // The webview restores its own what-ifs from getState(); edits of its file keep reaching it.
        if (isWebviewState(state) && state.data) panelUri = state.data.source.uri;
      },
    }),
    watcher,
    watcher.onDidChange(refreshAllSoon),
    watcher.onDidCreate(refreshAllSoon),
    watcher.onDidDelete(refreshAllSoon),
    vscode.workspace.onDidOpenTextDocument((d) => void refreshDoc(d)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (isOurs(e.document) && e.contentChanges.length) debounced(e.document);
    }),
    vscode.workspace.onDidCloseTextDocument((d) => diagnostics.clear(d.uri)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      if (e.affectsConfiguration(`${SECTION}.customGpus`)) void loadCustomGpus();
      updateStatus();
      refreshAll();
      if (e.affectsConfiguration(`${SECTION}.gpu`)) BreakdownPanel.current?.setGpu(readSettings().gpu);
    }),
    {
      dispose: () => {
        timers.forEach((t) => clearTimeout(t));
        clearTimeout(refreshAllTimer);
      },
    },
  );
  updateStatus();
  void loadCustomGpus();
  for (const d of vscode.workspace.textDocuments) void refreshDoc(d);
}

export function deactivate(): void {
  log?.dispose();
  log = undefined;
}
