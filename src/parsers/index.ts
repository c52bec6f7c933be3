/**
 * Workspace files → parsed configs and workloads. Pure: callers read the files (the extension through
 * vscode.workspace.fs) and pass text; nothing here throws.
 */
import { parseModelConfig, looksLikeModelConfig } from './modelConfig.ts';
import { parseTrainingYaml } from './trainingYaml.ts';
import { parseVllmScript } from './vllm.ts';
import { parseDeepSpeedJson } from './deepspeedJson.ts';
import { looksLikeAccelerate, parseAccelerateYaml } from './accelerateYaml.ts';
import { MAX_FILE_BYTES, ZERO_RANGE, type FileKind, type ParseIssue, type ParsedFile, type WorkloadFile } from './types.ts';

export * from './types.ts';
export { LineIndex, contains } from './positions.ts';
export { parseModelConfig, looksLikeModelConfig } from './modelConfig.ts';
export { parseTrainingYaml, detectYamlFlavour, mapOptimizer } from './trainingYaml.ts';
export { parseVllmScript, tokenize, parseSize } from './vllm.ts';
export { parseDeepSpeedJson, looksLikeDeepSpeed, readDeepSpeed, KeyReader } from './deepspeedJson.ts';
export { parseAccelerateYaml, looksLikeAccelerate } from './accelerateYaml.ts';
export { parseLaunchScript, type LaunchLine } from './launch.ts';
export { launchRoles, firstLaunch, overLaunch } from './launch-join.ts';
export { joinDeepSpeed, resolveAutos, autoSources, fileSource, namedSource, type AutoSource } from './resolve.ts';
export { modelPathCandidates, isLocalModelPath, dirname, joinPath, linkOrder } from './link.ts';

export interface ParsedDocument {
  kind: FileKind | null;
  /** A config.json gives one entry; a YAML gives one workload; a script one workload per `vllm serve`. */
  files: ParsedFile[];
  errors: ParseIssue[];
}

const YAML_EXT = /\.ya?ml$/i;
const DEEPSPEED_KEYS = /"(zero_optimization|train_micro_batch_size_per_gpu|train_batch_size)"\s*:/;
const TRAINING_YAML = /^\s*(base_model|model_name_or_path)\s*:/m;
const SHELL_EXT = /\.(sh|bash|zsh)$/i;

/** Cheap check on the file name (and a peek at the text) before parsing. */
export function guessKind(fileName: string, text?: string): 'json' | 'deepspeed' | 'yaml' | 'shell' | null {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  if (/\.json$/i.test(base)) {
    if (text === undefined || /"(model_type|architectures)"/.test(text.slice(0, 200_000))) return 'json';
    return DEEPSPEED_KEYS.test(text.slice(0, 200_000)) ? 'deepspeed' : null;
  }
  if (YAML_EXT.test(base)) return 'yaml';
  if (SHELL_EXT.test(base)) return text === undefined || /vllm/.test(text) ? 'shell' : null;
  return null;
}

/**
 * Parses one workspace file by its name. Files we do not recognize give `kind: null` and no errors, so
 * opening an unrelated JSON or YAML file never shows a diagnostic.
 */
export function parseDocumentText(fileName: string, text: string, opts: { yamlLimit?: number } = {}): ParsedDocument {
  if (text.length > MAX_FILE_BYTES) {
    // Say so only for a file that looks like ours (a tokenizer.json next to a config.json stays silent).
    const head = text.slice(0, 65536);
    const ours = guessKind(fileName, head) !== null && (!/\.ya?ml$/i.test(fileName) || TRAINING_YAML.test(head) || looksLikeAccelerate(head));
    if (!ours) return { kind: null, files: [], errors: [] };
    return { kind: null, files: [], errors: [{ message: `LLM Footprint skips files larger than ${MAX_FILE_BYTES / 1024} KiB (this one is ${Math.ceil(text.length / 1024)} KiB).`, severity: 'info', range: ZERO_RANGE }] };
  }
  const g = guessKind(fileName, text);
  try {
    if (g === 'json') {
      const r = parseModelConfig(text);
      if (r.value && !looksLikeModelConfig(r.value.config)) return { kind: null, files: [], errors: [] };
      return { kind: 'model-config', files: r.value ? [r.value] : [], errors: r.errors };
    }
    if (g === 'deepspeed') {
      const r = parseDeepSpeedJson(text);
      return { kind: 'deepspeed', files: r.value ? [r.value] : [], errors: r.errors };
    }
    if (g === 'yaml' && opts.yamlLimit !== undefined && text.length > opts.yamlLimit) {
      // The editor's own, lower limit for YAML parsed on the host (a worker parses larger ones; this is its fallback),
      // said only for a YAML of ours.
      const head = text.slice(0, 65536);
      if (!TRAINING_YAML.test(head) && !looksLikeAccelerate(head)) return { kind: null, files: [], errors: [] };
      const message = `This YAML is ${Math.ceil(text.length / 1024)} KiB; the editor parses YAML over ${opts.yamlLimit / 1024} KiB on a worker thread (parsing takes about 1 ms per KiB), which could not run. Estimate it in a terminal: llm-footprint estimate ${fileName.split('/').pop()} (up to ${MAX_FILE_BYTES / 1024} KiB).`;
      return { kind: null, files: [], errors: [{ message, severity: 'info', range: ZERO_RANGE }] };
    }
    if (g === 'yaml' && !TRAINING_YAML.test(text) && looksLikeAccelerate(text)) {
      const r = parseAccelerateYaml(text);
      return { kind: 'accelerate', files: r.value ? [r.value] : [], errors: r.errors };
    }
    if (g === 'yaml') {
      if (!TRAINING_YAML.test(text)) return { kind: null, files: [], errors: [] };
      const r = parseTrainingYaml(text);
      if (!r.value) {
        const syntax = r.errors.filter((e) => e.severity === 'error');
        return { kind: null, files: [], errors: syntax };
      }
      return { kind: r.value.kind, files: [r.value], errors: r.errors };
    }
    if (g === 'shell') {
      const r = parseVllmScript(text);
      const files: WorkloadFile[] = r.value ?? [];
      if (files.length === 0) return { kind: null, files: [], errors: [] };
      return { kind: 'vllm', files, errors: r.errors };
    }
  } catch (e) {
    return { kind: null, files: [], errors: [{ message: `LLM Footprint could not read this file: ${(e as Error).message}`, severity: 'error', range: ZERO_RANGE }] };
  }
  return { kind: null, files: [], errors: [] };
}
export { catalogLookup, catalogIds, nameTokens, type CatalogEntry, type CatalogMatch } from './hub-catalog.ts';
export {
  resolveModelSteps,
  resolveModelSync,
  resolveModelAsync,
  hubCacheDir,
  userHubCache,
  hubId,
  notFoundMessage,
  type ModelResolution,
  type ModelSource,
  type ModelSourceKind,
  type ResolveRequest,
  type ReadScope,
  type SyncReader,
  type AsyncReader,
} from './resolve-model.ts';
