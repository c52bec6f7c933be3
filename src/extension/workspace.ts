/**
 * Reads and parses workspace files (through vscode.workspace.fs, or the open document's text), links workloads to
 * their model config, and runs the engine. Caches per document version. Thin: the logic is in parsers/ and
 * analysis.ts.
 */
import * as vscode from 'vscode';
import { readModelConfig, type ModelSpec } from '../core/index.ts';
import {
  MAX_FILE_BYTES,
  ZERO_RANGE,
  linkOrder,
  parseDocumentText,
  parseModelConfig,
  dirname,
  type ParsedDocument,
  type ParsedFile,
  type ParseIssue,
  type WorkloadFile,
  type ModelConfigFile,
} from '../parsers/index.ts';
import { analyze, buildScenario, type Analysis } from './analysis.ts';
import { customGpus, whenCustomGpusReady } from './gpus.ts';
import { readSettings } from './settings.ts';

export interface Entry {
  file: ParsedFile;
  /** The model config used (itself for a config.json). */
  modelUri: vscode.Uri | null;
  config: Record<string, unknown> | null;
  analysis: Analysis | null;
  /** Why there is no analysis (no model config found, engine error …), with a position when known. */
  problem: ParseIssue | null;
}

export interface FileState {
  uri: vscode.Uri;
  version: number;
  text: string;
  parsed: ParsedDocument;
  entries: Entry[];
}

const LINKS_KEY = 'llmFootprint.links';

export class WorkspaceModel implements vscode.Disposable {
  private cache = new Map<string, Promise<FileState | null>>();
  private versions = new Map<string, number>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly memento: vscode.Memento) {}

  dispose(): void {
    this.changed.dispose();
  }

  /** Drops every cached analysis (a model config or a setting changed) and tells listeners. */
  invalidate(): void {
    this.cache.clear();
    this.versions.clear();
    this.changed.fire();
  }

  getLink(uri: vscode.Uri): vscode.Uri | null {
    const links = this.memento.get<Record<string, string>>(LINKS_KEY, {});
    const l = links[uri.toString()];
    return l ? vscode.Uri.parse(l) : null;
  }

  async setLink(uri: vscode.Uri, config: vscode.Uri): Promise<void> {
    const links = { ...this.memento.get<Record<string, string>>(LINKS_KEY, {}), [uri.toString()]: config.toString() };
    await this.memento.update(LINKS_KEY, links);
    this.invalidate();
  }

  async get(doc: vscode.TextDocument): Promise<FileState | null> {
    const key = doc.uri.toString();
    if (this.versions.get(key) === doc.version && this.cache.has(key)) return this.cache.get(key)!;
    const p = this.build(doc.uri, doc.version, doc.getText()).catch(() => null);
    this.cache.set(key, p);
    this.versions.set(key, doc.version);
    return p;
  }

  private async build(uri: vscode.Uri, version: number, text: string): Promise<FileState | null> {
    const parsed = parseDocumentText(uri.path, text);
    if (!parsed.kind && parsed.errors.length === 0) return null;
    const settings = readSettings(uri);
    // A target GPU from llmFootprint.customGpus needs the setting read first (lazily, on activation or a change).
    await whenCustomGpusReady();
    const entries: Entry[] = [];
    for (const file of parsed.files) {
      entries.push(await this.entryFor(uri, file, settings));
    }
    return { uri, version, text, parsed, entries };
  }

  private async entryFor(uri: vscode.Uri, file: ParsedFile, settings: ReturnType<typeof readSettings>): Promise<Entry> {
    let modelUri: vscode.Uri;
    let cfgFile: ModelConfigFile;
    if (file.kind === 'model-config') {
      modelUri = uri;
      cfgFile = file;
    } else {
      const found = await this.findModelConfig(uri, file, settings.modelConfig);
      if (!found) {
        const where = file.modelLocation?.valueRange ?? ZERO_RANGE;
        const what = file.model ? `"${file.model}"` : 'this file';
        return {
          file,
          modelUri: null,
          config: null,
          analysis: null,
          problem: {
            message: `No local config.json found for ${what}. Put the model's config.json in the workspace, set llmFootprint.modelConfig, or run "LLM Footprint: Link Model Config".`,
            severity: 'info',
            range: where,
            key: file.modelLocation?.key,
          },
        };
      }
      modelUri = found.uri;
      cfgFile = found.file;
    }
    let spec: ModelSpec;
    try {
      spec = readModelConfig(cfgFile.config);
    } catch (e) {
      const key = errorKey(e);
      const loc = key && file.kind === 'model-config' ? file.keys.find((k) => k.key === key) : undefined;
      return {
        file,
        modelUri,
        config: cfgFile.config,
        analysis: null,
        problem: { message: `Cannot read the model config: ${(e as Error).message}`, severity: 'error', range: loc?.keyRange ?? ZERO_RANGE, key },
      };
    }
    const workload = file.kind === 'model-config' ? null : file;
    try {
      const scenario = buildScenario(settings.defaults, workload, spec, settings.gpu);
      const analysis = analyze(file.kind, cfgFile.config, spec, scenario, customGpus());
      return { file, modelUri, config: cfgFile.config, analysis, problem: null };
    } catch (e) {
      const key = errorKey(e);
      const loc = key && workload ? workload.fields[key as keyof typeof workload.fields] : undefined;
      return {
        file,
        modelUri,
        config: cfgFile.config,
        analysis: null,
        problem: { message: `Cannot estimate: ${(e as Error).message}`, severity: 'error', range: loc?.valueRange ?? ZERO_RANGE, key },
      };
    }
  }

  /** Stored quick-pick link → local path in the file → setting → a workspace folder named like the hub model. */
  private async findModelConfig(uri: vscode.Uri, w: WorkloadFile, setting: string): Promise<{ uri: vscode.Uri; file: ModelConfigFile } | null> {
    const link = this.getLink(uri);
    const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === uri.scheme);
    const paths = linkOrder({ link: null, model: w.model, fileDir: dirname(uri.path), roots: roots.map((r) => r.uri.path), setting });
    const tries = [...(link ? [link] : []), ...paths.map((p) => uri.with({ path: p }))];
    for (const t of tries) {
      const f = await readConfig(t);
      if (f) return { uri: t, file: f };
    }
    return null;
  }
}

/** Reads and parses a model config; null when missing, too large, or not a model config. */
export async function readConfig(uri: vscode.Uri): Promise<ModelConfigFile | null> {
  try {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    let text: string;
    if (open) text = open.getText();
    else {
      const st = await vscode.workspace.fs.stat(uri);
      if (st.type & vscode.FileType.Directory || st.size > MAX_FILE_BYTES) return null;
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    }
    const r = parseModelConfig(text);
    return r.value;
  } catch {
    return null;
  }
}

/** ConfigError and ScenarioError carry the offending key. */
function errorKey(e: unknown): string | undefined {
  const k = (e as { key?: unknown } | null)?.key;
  return typeof k === 'string' ? k : undefined;
}
