/** Hover, CodeLens, code actions and diagnostics: thin translations of the pure builders to VS Code types. */
import * as vscode from 'vscode';
import { contains, type Range as PRange, type KeyLocation } from '../parsers/index.ts';
import { scenarioSummary } from '../shared/scenario-summary.ts';
import { codeLensTitle, hoverMarkdown } from './text.ts';
import { escapeLabel } from '../shared/markdown.ts';
import { DOES_NOT_FIT, HINTED_ENTRIES, configFitDiagnostics, fitDiagnostics, parseIssueDiagnostics, type FitDiagnostic, type QuickFix } from './diagnostics.ts';
import { launchDiagnostics } from './diagnostics-dist.ts';
import { parsesOffThread } from './parse-off-thread.ts';
import { MODEL_NOT_FOUND, MODEL_MATCHED, type WorkspaceModel, type FileState } from './workspace.ts';

export const SELECTOR: vscode.DocumentSelector = [
  { language: 'json' },
  { language: 'jsonc' },
  { language: 'yaml' },
  { language: 'shellscript' },
];

export const toRange = (r: PRange) => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);

const SEVERITY: Record<FitDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function showCommandUri(uri: vscode.Uri, index = 0): string {
  return `command:llmFootprint.showBreakdown?${encodeURIComponent(JSON.stringify([uri.toString(), index]))}`;
}

export class HoverProvider implements vscode.HoverProvider {
  constructor(private readonly model: WorkspaceModel) {}
  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | null> {
    const st = await this.model.get(doc);
    if (!st) return null;
    const p = { line: pos.line, character: pos.character };
    for (let i = 0; i < st.entries.length; i++) {
      const e = st.entries[i]!;
      if (!e.analysis) continue;
      const keys: KeyLocation[] = e.file.keys;
      const hit = keys.find((k) => contains(k.keyRange, p)) ?? keys.find((k) => contains(k.valueRange, p) && typeof k.value !== 'object');
      if (!hit) continue;
      const md = hoverMarkdown(hit.key, e.analysis, showCommandUri(doc.uri, i));
      if (!md) return null;
      // File-derived values in `md` are escaped (text.ts); the Markdown may run only our own command, no HTML.
      const ms = new vscode.MarkdownString(md, true);
      ms.isTrusted = { enabledCommands: ['llmFootprint.showBreakdown'] };
      ms.supportHtml = false;
      return new vscode.Hover(ms, toRange(hit.keyRange));
    }
    return null;
  }
}

export class CodeLensProvider implements vscode.CodeLensProvider {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  constructor(private readonly model: WorkspaceModel, private readonly enabled: () => boolean) {
    model.onDidChange(() => this.emitter.fire());
  }
  refresh(): void {
    this.emitter.fire();
  }
  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!this.enabled()) return [];
    const st = await this.model.get(doc);
    if (!st) return [];
    const lenses: vscode.CodeLens[] = [];
    st.entries.forEach((e, i) => {
      const line = e.launch ? e.launch.launcherRange.start.line : e.file.kind === 'vllm' ? (e.file.keys[0]?.keyRange.start.line ?? 0) : 0;
      const range = new vscode.Range(line, 0, line, 0);
      if (e.analysis) {
        lenses.push(
          new vscode.CodeLens(range, {
            title: codeLensTitle(e.analysis),
            tooltip: `${scenarioSummary(e.analysis.scenario)} — click for the memory breakdown`,
            command: 'llmFootprint.showBreakdown',
            arguments: [doc.uri.toString(), i],
          }),
        );
        if (e.file.kind !== 'model-config' && (e.modelUri || e.analysis.modelSource)) {
          lenses.push(
            new vscode.CodeLens(range, {
              title: `model: ${escapeLabel(e.analysis.modelSource ?? vscode.workspace.asRelativePath(e.modelUri!))}`,
              tooltip: `The model config this estimate uses${e.modelSource?.catalogSource ? ` (${e.modelSource.catalogSource})` : ''}; click to link another`,
              command: 'llmFootprint.linkModelConfig',
              arguments: [doc.uri.toString()],
            }),
          );
        }
      } else if (e.problem) {
        const link = e.file.kind !== 'model-config' && !e.modelUri;
        lenses.push(
          new vscode.CodeLens(range, {
            title: link ? 'LLM Footprint: link a model config…' : `LLM Footprint: ${escapeLabel(e.problem.message.slice(0, 80))}`,
            tooltip: e.problem.message,
            command: link ? 'llmFootprint.linkModelConfig' : '',
            arguments: [doc.uri.toString()],
          }),
        );
      }
    });
    return lenses;
  }
}

/** The most diagnostics shown per file; beyond it, one more says the limit was hit. */
export const MAX_DIAGNOSTICS = 100;

/**
 * Computes and publishes diagnostics from the document's one parse (WorkspaceModel caches it per version, shared
 * with CodeLens and hovers). Quick fixes are not computed here: each re-parses the edited file, so they are computed
 * only when VS Code asks for code actions at a range, for the diagnostics there.
 */
export class Diagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('llm-footprint');
  private fixes = new Map<string, { version: number; items: { range: vscode.Range; fixes: () => QuickFix[] }[] }>();
  constructor(private readonly model: WorkspaceModel) {}

  dispose(): void {
    this.collection.dispose();
  }

  clear(uri: vscode.Uri): void {
    this.collection.delete(uri);
    this.fixes.delete(uri.toString());
  }

  async update(doc: vscode.TextDocument): Promise<void> {
    const st = await this.model.get(doc);
    if (!st) {
      this.clear(doc.uri);
      return;
    }
    const items = computeDiagnostics(st, false);
    const diags: vscode.Diagnostic[] = [];
    const fixes: { range: vscode.Range; fixes: () => QuickFix[] }[] = [];
    for (const d of items) {
      const range = toRange(d.range);
      const diag = new vscode.Diagnostic(range, d.message, SEVERITY[d.severity]);
      diag.source = 'LLM Footprint';
      diag.code = d.code;
      diags.push(diag);
      if (d.code === DOES_NOT_FIT && d.entry !== undefined) {
        const i = d.entry;
        fixes.push({ range, fixes: () => exactFixes(st, i) });
      }
    }
    this.collection.set(doc.uri, diags);
    this.fixes.set(doc.uri.toString(), { version: st.version, items: fixes });
  }

  /** The quick fixes at a range, each estimated by re-parsing the edited file (only the diagnostics there). */
  fixesAt(uri: vscode.Uri, range: vscode.Range): QuickFix[] {
    return (this.fixes.get(uri.toString())?.items ?? []).filter((f) => f.range.intersection(range)).flatMap((f) => f.fixes());
  }
}

/**
 * The exact quick fixes of entry `i` of a file (re-parsing the edited text per fix); a YAML parsed off the host
 * (over MAX_EDITOR_YAML_BYTES) gets its fixes estimated from the changed scenario instead, without a re-parse.
 */
export function exactFixes(st: FileState, i: number): QuickFix[] {
  const e = st.entries[i];
  if (!e?.analysis || e.file.kind === 'model-config') return [];
  if (e.launch) return launchDiagnostics(e.launch, e.analysis, st.text).flatMap((d) => d.fixes);
  return fitDiagnostics(e.file, e.analysis, st.text, i, !parsesOffThread(st.uri.path, st.text), e.deepspeed).flatMap((d) => d.fixes);
}

/**
 * Every diagnostic of a file, at most MAX_DIAGNOSTICS (then one that says the limit was hit). `exact`: quick fixes
 * estimated by re-parsing (tests); the editor passes false and asks `exactFixes` at a range.
 */
export function computeDiagnostics(st: FileState, exact = true): (FitDiagnostic & { entry?: number })[] {
  const all = collectDiagnostics(st, exact);
  if (all.length <= MAX_DIAGNOSTICS) return all;
  return [
    ...all.slice(0, MAX_DIAGNOSTICS),
    { range: all[MAX_DIAGNOSTICS]!.range, message: `${all.length - MAX_DIAGNOSTICS} more LLM Footprint diagnostics not shown (at most ${MAX_DIAGNOSTICS} per file).`, severity: 'info', code: 'llm-footprint.limit', fixes: [] },
  ];
}

function collectDiagnostics(st: FileState, exact: boolean): (FitDiagnostic & { entry?: number })[] {
  const out: (FitDiagnostic & { entry?: number })[] = parseIssueDiagnostics(st.parsed.errors);
  st.entries.forEach((e, i) => {
    if (e.problem) out.push(...parseIssueDiagnostics([e.problem]));
    if (!e.analysis) return;
    const w = e.file.kind === 'model-config' ? null : (e.file);
    if (w?.modelLocation && e.modelSource?.warning) {
      out.push({ range: w.modelLocation.valueRange, message: e.modelSource.warning, severity: 'warning', code: MODEL_MATCHED, key: w.modelLocation.key, fixes: [] });
    }
    if (e.launch) out.push(...launchDiagnostics(e.launch, e.analysis, st.text).map((d) => ({ ...d, entry: i })));
    else if (e.file.kind === 'model-config') out.push(...configFitDiagnostics(e.file, e.analysis));
    else out.push(...fitDiagnostics(e.file, e.analysis, st.text, i, exact, e.deepspeed, exact || i < HINTED_ENTRIES).map((d) => ({ ...d, entry: i })));
  });
  return out;
}

export class QuickFixProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];
  constructor(private readonly diagnostics: Diagnostics) {}
  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range, ctx: vscode.CodeActionContext): vscode.CodeAction[] {
    const link = ctx.diagnostics.filter((d) => d.code === MODEL_NOT_FOUND || d.code === MODEL_MATCHED);
    const linkFix: vscode.CodeAction[] = [];
    if (link.length) {
      const a = new vscode.CodeAction('Link a local config.json for this model…', vscode.CodeActionKind.QuickFix);
      a.command = { command: 'llmFootprint.linkModelConfig', title: 'Link Model Config', arguments: [doc.uri.toString()] };
      a.diagnostics = link;
      a.isPreferred = true;
      linkFix.push(a);
    }
    const ours = ctx.diagnostics.filter((d) => d.code === DOES_NOT_FIT);
    if (!ours.length) return linkFix;
    return [...linkFix, ...this.diagnostics.fixesAt(doc.uri, range).map((f) => {
      const a = new vscode.CodeAction(f.title, vscode.CodeActionKind.QuickFix);
      const edit = new vscode.WorkspaceEdit();
      const target = f.uri ? vscode.Uri.parse(f.uri) : doc.uri;
      for (const e of f.edits) edit.replace(target, toRange(e.range), e.newText);
      a.edit = edit;
      a.diagnostics = ours;
      a.isPreferred = f.preferred ?? false;
      return a;
    })];
  }
}
