/**
 * The CLI's inputs beyond config.json: a model directory (its config.json), an axolotl or LLaMA-Factory YAML, or a
 * shell script with `vllm serve`. Workload files are read by the same parsers as the editor; their model is found by
 * the shared resolver (parsers/resolve-model.ts): --model, a local path (relative to the file, then the current
 * directory), the local Hugging Face cache, the bundled catalog.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readBoundedText } from '../shared/read-file.ts';
import { homedir } from 'node:os';
import path from 'node:path';
import { parseDocumentText, resolveModelSync, userHubCache, notFoundMessage, looksLikeDeepSpeed, type FileKind, type ModelResolution, type ModelSource, type SyncReader, type WorkloadFile } from '../parsers/index.ts';
import { joinReferenced, readLaunch } from './dist-input.ts';
import type { ScenarioInput } from '../core/scenario.ts';
import { InputError, lineCol, readConfigFile, readTextFile } from './read-config.ts';

export interface CliInput {
  /** The model's config.json (parsed). */
  config: unknown;
  configPath: string;
  /** What the workload file says (empty for a config.json). */
  scenario: ScenarioInput;
  /** Notes from the workload parser (keys not modelled yet, defaults assumed). */
  notes: string[];
  kind: FileKind;
  /** The workload as read (with a joined DeepSpeed JSON): its "auto" values are resolved once the model is known. */
  workload?: WorkloadFile;
  /** Where a workload's model config came from (absent for a config.json given directly). */
  modelSource?: ModelSource;
}

/** node:fs for the resolver: a missing file is null; a malformed config.json is an InputError with line and column. */
const NODE_READER: SyncReader = {
  config(p) {
    if (!existsSync(p) || statSync(p).isDirectory()) return null;
    const c = readConfigFile(p);
    return c && typeof c === 'object' && !Array.isArray(c) ? (c as Record<string, unknown>) : null;
  },
  text(p) {
    try {
      return readBoundedText(p, { limit: 4096 });
    } catch {
      return null;
    }
  },
  list(p) {
    try {
      return readdirSync(p);
    } catch {
      return null;
    }
  },
};

/** The hub cache of this process's environment. */
export function cliHubCache(env: Record<string, string | undefined> = process.env): string | null {
  return userHubCache(env, homedir);
}

const readText = readTextFile;

/**
 * A workspace file as the project's parsers read it, and its model's config as the shared resolver finds it (a
 * local path next to the file or under `roots`, the Hugging Face cache, the bundled catalog). The CLI and the e2e
 * oracle (scripts/lib/workload.ts) both find a workload's model this way.
 */
export function readWorkloadFile(file: string, text: string, roots: readonly string[]) {
  const doc = parseDocumentText(path.basename(file), text);
  const first = doc.files[0] ?? null;
  const hubCache = cliHubCache();
  const resolved: ModelResolution | null =
    first && first.kind !== 'model-config' && first.model
      ? resolveModelSync({ model: first.model, fileDir: path.dirname(path.resolve(file)).replace(/\\/g, '/'), roots: roots.map((r) => r.replace(/\\/g, '/')), hubCache }, NODE_READER)
      : null;
  return { doc, first, resolved, hubCache, modelConfig: resolved?.source.path ?? null };
}

export function readCliInput(file: string, modelOverride?: string): CliInput {
  if (!existsSync(file)) throw new InputError(`${file}: cannot read (ENOENT)`);
  if (statSync(file).isDirectory()) {
    const cfg = path.join(file, 'config.json');
    if (!existsSync(cfg)) throw new InputError(`${file}: a directory without config.json`);
    return { config: readConfigFile(cfg), configPath: cfg, scenario: {}, notes: [], kind: 'model-config' };
  }
  if (/\.json$/i.test(file)) {
    const config = readConfigFile(file);
    if (!looksLikeDeepSpeed(config)) return { config, configPath: file, scenario: {}, notes: [], kind: 'model-config' };
  }
  const text = readText(file);
  const read = readWorkloadFile(file, text, [process.cwd()]);
  const { doc, first, hubCache } = read;
  let resolved = read.resolved;
  const fatal = doc.errors.find((e) => e.severity === 'error');
  if (fatal) throw new InputError(`${file}:${fatal.range.start.line + 1}:${fatal.range.start.character + 1}: ${fatal.message}`);
  const notes = doc.errors.map((e) => `${path.basename(file)}:${e.range.start.line + 1}: ${e.message}`);
  let w = first && first.kind !== 'model-config' ? joinReferenced(first, file, notes) : null;
  if (!w && doc.kind === null && /\.(sh|bash|zsh)$/i.test(file)) {
    const launch = readLaunch(file, text, notes);
    if (launch) {
      w = launch.w;
      const fileDir = path.dirname(path.resolve(launch.base)).replace(/\\/g, '/');
      resolved = w.model ? resolveModelSync({ model: w.model, fileDir, roots: [process.cwd().replace(/\\/g, '/')], hubCache }, NODE_READER) : null;
    }
  }
  if (!w) {
    throw new InputError(`${file}: not a model config.json, an axolotl or LLaMA-Factory YAML (with base_model / model_name_or_path), a DeepSpeed JSON, an accelerate config, a script with \`vllm serve\` or a training launch line`);
  }
  if (doc.files.length > 1) notes.push(`${path.basename(file)} has ${doc.files.length} vllm commands; the first is estimated`);
  if (modelOverride) {
    const configPath = existsSync(modelOverride) && statSync(modelOverride).isDirectory() ? path.join(modelOverride, 'config.json') : modelOverride;
    return { config: readConfigFile(configPath), configPath, scenario: { ...w.scenario }, notes, kind: w.kind, workload: w };
  }
  if (!w.model) throw new InputError(`${file}: no model named${w.kind === 'deepspeed' || w.kind === 'accelerate' ? ` (a ${w.kind === 'deepspeed' ? 'DeepSpeed JSON' : 'accelerate config'} does not name one)` : ''}; pass --model <config.json>`);
  if (!resolved) throw new InputError(`${file}: ${notFoundMessage(w.model, hubCache)}; pass --model <config.json>`);
  const src = resolved.source;
  if (src.kind !== 'path') notes.push(`model config: ${src.label}${src.catalogSource ? ` — ${src.catalogSource}` : ''}`);
  if (src.warning) notes.push(src.warning);
  return { config: resolved.config, configPath: src.path ?? `${src.label}`, scenario: { ...w.scenario }, notes, kind: w.kind, modelSource: src, workload: w };
}

export { lineCol };
