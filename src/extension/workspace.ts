/**
 * Reads and parses workspace files (through vscode.workspace.fs, or the open document's text), links workloads to
 * their model config, and runs the engine. Caches per document version. Thin: the logic is in parsers/ and
 * analysis.ts.
 */
import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { offThreadParser, parsesOffThread, type OffThreadParser } from './parse-off-thread.ts';
import { readModelConfig, type ModelSpec } from '../core/index.ts';
import {
  ZERO_RANGE,
  userHubCache,
  notFoundMessage,
  resolveModelAsync,
  parseDocumentText,
  MAX_EDITOR_YAML_BYTES,
  parseModelConfig,
  dirname,
  type ParsedDocument,
  type ParsedFile,
  type ParseIssue,
  type WorkloadFile,
  type ModelConfigFile,
  type ModelSource,
  type AsyncReader,
  type ReadScope,
  type LaunchLine,
} from '../parsers/index.ts';
import { analyze, buildScenario, type Analysis } from './analysis.ts';
import { joinNamedDeepSpeed, trainingFileNaming, workspaceOpener } from './dist.ts';
import { customGpus, whenCustomGpusReady } from './gpus.ts';
import { readSettings } from './settings.ts';
import { readFileText } from './read.ts';
import type { JoinedDeepSpeed } from './diagnostics.ts';
import { mayLaunch, readLaunchScript } from './launch.ts';

export interface Entry {
  file: ParsedFile;
  /** The model config used (itself for a config.json); null for the bundled catalog. */
  modelUri: vscode.Uri | null;
  /** Where a workload's model config came from (link, local path, Hugging Face cache, bundled catalog). */
  modelSource?: ModelSource | null;
  config: Record<string, unknown> | null;
  analysis: Analysis | null;
  /** Why there is no analysis (no model config found, engine error …), with a position when known. */
  problem: ParseIssue | null;
  /** A launch script's line (torchrun / accelerate launch / deepspeed): the entry estimates the configs it runs. */
  launch?: LaunchLine;
  /** The DeepSpeed JSON a training YAML names, as joined in: the YAML's quick fixes may edit it. */
  deepspeed?: JoinedDeepSpeed;
}

export interface FileState {
  uri: vscode.Uri;
  version: number;
  text: string;
  parsed: ParsedDocument;
  entries: Entry[];
}

const LINKS_KEY = 'llmFootprint.links';

/** A workload with the files it names joined in, and the file whose model it uses. */
interface Joined {
  file: WorkloadFile;
  modelFrom: vscode.Uri;
  problem: ParseIssue | null;
  notes: string[];
  deepspeed?: JoinedDeepSpeed;
}

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
    const parsed = await parseForEditor(uri.path, text);
    if (!parsed.kind && parsed.errors.length === 0) return mayLaunch(uri.path, text) ? this.buildLaunch(uri, version, text) : null;
    const settings = readSettings(uri);
    // A target GPU from llmFootprint.customGpus needs the setting read first (lazily, on activation or a change).
    await whenCustomGpusReady();
    const entries: Entry[] = [];
    for (const file of parsed.files) {
      entries.push(await this.entryFor(uri, file, settings));
    }
    return { uri, version, text, parsed, entries };
  }

  /** A launch script: one entry for its first launch line, estimated as the CLI estimates the script. */
  private async buildLaunch(uri: vscode.Uri, version: number, text: string): Promise<FileState | null> {
    const l = await readLaunchScript(uri.path, text, workspaceOpener(uri));
    if (!l) return null;
    const settings = readSettings(uri);
    await whenCustomGpusReady();
    const parsed: ParsedDocument = { kind: l.file?.kind ?? null, files: l.file ? [l.file] : [], errors: l.errors };
    if (!l.file || !l.modelFrom) {
      if (!l.problem) return { uri, version, text, parsed, entries: [] };
      const file: WorkloadFile = { kind: 'axolotl', model: null, modelLocation: null, scenario: {}, fields: {}, keys: [], extras: {} };
      return { uri, version, text, parsed, entries: [{ file, modelUri: null, config: null, analysis: null, problem: l.problem, launch: l.line }] };
    }
    const joined = { file: l.file, modelFrom: uri.with({ path: l.modelFrom }), problem: l.problem, notes: l.notes };
    const entry = await this.entryFor(uri, l.file, settings, joined);
    return { uri, version, text, parsed, entries: [{ ...entry, launch: l.line }] };
  }

  private async entryFor(uri: vscode.Uri, file: ParsedFile, settings: ReturnType<typeof readSettings>, prejoined?: Joined): Promise<Entry> {
    let modelUri: vscode.Uri | null;
    let notes: string[] = [];
    let cfgFile: ModelConfigFile;
    let modelSource: ModelSource | null = null;
    let deepspeed: JoinedDeepSpeed | undefined;
    if (file.kind === 'model-config') {
      modelUri = uri;
      cfgFile = file;
    } else {
      const joined = prejoined ?? (await this.withDeepSpeed(uri, file, settings.modelConfig));
      deepspeed = joined.deepspeed;
      if (joined.problem) return { file, modelUri: null, config: null, analysis: null, problem: joined.problem };
      file = joined.file;
      notes = joined.notes;
      const found = await this.findModelConfig(joined.modelFrom, file, settings.modelConfig);
      if (!found) {
        const where = file.modelLocation?.valueRange ?? ZERO_RANGE;
        const what = file.model ? `${notFoundMessage(file.model, extensionHubCache())}.` : 'No model is named in this file.';
        return {
          file,
          modelUri: null,
          config: null,
          analysis: null,
          problem: {
            message: `${what} Put the model's config.json in the workspace, set llmFootprint.modelConfig, or run "LLM Footprint: Link Model Config".`,
            severity: 'info',
            range: where,
            key: file.modelLocation?.key,
            code: MODEL_NOT_FOUND,
          },
        };
      }
      modelUri = found.uri;
      cfgFile = found.file;
      modelSource = found.source;
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
      const autoNotes: string[] = [];
      const scenario = buildScenario(settings.defaults, workload, spec, settings.gpu, customGpus(), autoNotes);
      const analysis = analyze(file.kind, cfgFile.config, spec, scenario, customGpus());
      analysis.notes = [...notes, ...autoNotes];
      if (modelSource) {
        analysis.modelSource = sourceLine(modelSource, modelUri);
        if (modelSource.warning) analysis.estimate.warnings.unshift(modelSource.warning);
      }
      return { file, modelUri, modelSource, config: cfgFile.config, analysis, problem: null, ...(deepspeed ? { deepspeed } : {}) };
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

  /**
   * A workload with the DeepSpeed JSON it names joined in; a DeepSpeed JSON without a linked model takes the training
   * YAML next to it that names it (its model and its values for "auto").
   */
  private async withDeepSpeed(uri: vscode.Uri, file: WorkloadFile, setting: string): Promise<Joined> {
    if (file.deepspeed) {
      const j = await joinNamedDeepSpeed(uri, file);
      const deepspeed = j.ds ? { uri: uri.with({ path: j.ds.path }).toString(), text: j.ds.text, file: j.ds.file } : undefined;
      return { file: j.file, modelFrom: uri, problem: j.problem, notes: j.notes.map((n) => n.message), deepspeed };
    }
    if (file.kind === 'deepspeed' && !this.getLink(uri) && !setting.trim()) {
      const t = await trainingFileNaming(uri, file);
      if (t) return { file: t.file, modelFrom: t.uri, problem: null, notes: [`Model and "auto" values from ${vscode.workspace.asRelativePath(t.uri)}, which names this file.`] };
    }
    return { file, modelFrom: uri, problem: null, notes: [] };
  }

  /**
   * Stored quick-pick link, then the shared resolver (parsers/resolve-model.ts): local path in the file → setting →
   * a workspace folder named like the hub model → the Hugging Face cache → the bundled catalog. In an untrusted
   * workspace nothing outside the workspace folders is read except the user's own Hugging Face cache.
   */
  private async findModelConfig(
    uri: vscode.Uri,
    w: WorkloadFile,
    setting: string,
  ): Promise<{ uri: vscode.Uri | null; file: ModelConfigFile; source: ModelSource } | null> {
    const link = this.getLink(uri);
    if (link) {
      const f = await readConfig(link);
      if (f) return { uri: link, file: f, source: { kind: 'link', path: link.path, scope: 'workspace', label: `linked: ${vscode.workspace.asRelativePath(link)}` } };
    }
    const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === uri.scheme);
    const toUri = (p: string, scope: ReadScope) => (scope === 'local' ? vscode.Uri.file(p) : uri.with({ path: p }));
    const parsed = new Map<string, ModelConfigFile>();
    const reader: AsyncReader = {
      async config(p, scope) {
        const f = await readConfig(toUri(p, scope));
        if (f) parsed.set(`${scope}:${p}`, f);
        return f?.config ?? null;
      },
      async text(p, scope) {
        return readFileText(toUri(p, scope), extensionHubCache());
      },
      async list(p, scope) {
        try {
          return (await vscode.workspace.fs.readDirectory(toUri(p, scope))).map(([name]) => name);
        } catch {
          return null;
        }
      },
    };
    const r = await resolveModelAsync(
      { model: w.model, fileDir: dirname(uri.path), roots: roots.map((x) => x.uri.path), setting, hubCache: extensionHubCache(), restricted: !vscode.workspace.isTrusted },
      reader,
    );
    if (!r) return null;
    const s = r.source;
    if (s.path === null) return { uri: null, file: { kind: 'model-config', config: r.config, keys: [] }, source: s };
    const fileUri = toUri(s.path, s.scope);
    return { uri: fileUri, file: parsed.get(`${s.scope}:${s.path}`) ?? { kind: 'model-config', config: r.config, keys: [] }, source: s };
  }
}

/** The diagnostic code of "no model config found": its quick fix links one. */
export const MODEL_NOT_FOUND = 'llm-footprint.modelNotFound';
/** The diagnostic code of "a re-upload matched by name in the bundled catalog" (a warning on the model). */
export const MODEL_MATCHED = 'llm-footprint.modelMatchedByName';

/** The Hugging Face hub cache of the extension host's environment (the user's, never the workspace's). */
export function extensionHubCache(): string | null {
  return userHubCache(process.env, homedir);
}

/** "model: examples/qwen2.5-7b/config.json", "model: Hugging Face cache: Qwen/Qwen3-8B @ 1a2b3c4", "model: bundled catalog: …". */
export function sourceLine(s: ModelSource, uri: vscode.Uri | null): string {
  if (s.kind === 'path' && uri) return vscode.workspace.asRelativePath(uri);
  return s.label;
}

/** Reads and parses a model config; null when missing, too large, or not a model config. */
export async function readConfig(uri: vscode.Uri): Promise<ModelConfigFile | null> {
  try {
    const text = await readFileText(uri, extensionHubCache());
    if (text === null) return null;
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

let yamlWorker: OffThreadParser | null = null;

/**
 * A document parsed for the editor: on the host, except a YAML over MAX_EDITOR_YAML_BYTES, which a worker thread
 * parses (the host stays free); if the worker fails, the document gets the size message instead.
 */
async function parseForEditor(fileName: string, text: string): Promise<ParsedDocument> {
  if (!parsesOffThread(fileName, text)) return parseDocumentText(fileName, text, { yamlLimit: MAX_EDITOR_YAML_BYTES });
  try {
    yamlWorker ??= offThreadParser();
    return await yamlWorker.parse(fileName, text);
  } catch {
    return parseDocumentText(fileName, text, { yamlLimit: MAX_EDITOR_YAML_BYTES });
  }
}

/** Stops the YAML worker (extension deactivation). */
export function disposeYamlWorker(): void {
  yamlWorker?.dispose();
  yamlWorker = null;
}
