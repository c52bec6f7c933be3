/**
 * The CLI's inputs beyond config.json: a model directory (its config.json), an axolotl or LLaMA-Factory YAML, or a
 * shell script with `vllm serve`. Workload files are read by the same parsers as the editor; their model is found
 * as a local path (relative to the file, then the current directory), or given with --model.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDocumentText, modelPathCandidates, type FileKind } from '../parsers/index.ts';
import type { ScenarioInput } from '../core/scenario.ts';
import { InputError, MAX_CONFIG_BYTES, readConfigFile } from './read-config.ts';

export interface CliInput {
  /** The model's config.json (parsed). */
  config: unknown;
  configPath: string;
  /** What the workload file says (empty for a config.json). */
  scenario: ScenarioInput;
  /** Notes from the workload parser (keys not modelled yet, defaults assumed). */
  notes: string[];
  kind: FileKind;
}

function readText(file: string): string {
  const st = statSync(file);
  if (st.size > MAX_CONFIG_BYTES) throw new InputError(`${file}: file is ${(st.size / 2 ** 20).toFixed(1)} MiB; at most ${MAX_CONFIG_BYTES / 2 ** 20} MiB`);
  return readFileSync(file, 'utf8');
}

/**
 * A workspace file as the project's parsers read it, and where its model's config.json would be: the candidate
 * paths in order (next to the file, then each of `roots`) and the first that exists. The CLI and the e2e oracle
 * (scripts/lib/workload.ts) both find a workload's model this way.
 */
export function readWorkloadFile(file: string, text: string, roots: readonly string[]) {
  const doc = parseDocumentText(path.basename(file), text);
  const first = doc.files[0] ?? null;
  const candidates = first && first.kind !== 'model-config' && first.model ? modelPathCandidates(first.model, path.dirname(path.resolve(file)), [...roots]) : [];
  return { doc, first, candidates, modelConfig: candidates.find((p) => existsSync(p)) ?? null };
}

export function readCliInput(file: string, modelOverride?: string): CliInput {
  if (!existsSync(file)) throw new InputError(`${file}: cannot read (ENOENT)`);
  if (statSync(file).isDirectory()) {
    const cfg = path.join(file, 'config.json');
    if (!existsSync(cfg)) throw new InputError(`${file}: a directory without config.json`);
    return { config: readConfigFile(cfg), configPath: cfg, scenario: {}, notes: [], kind: 'model-config' };
  }
  if (/\.json$/i.test(file)) return { config: readConfigFile(file), configPath: file, scenario: {}, notes: [], kind: 'model-config' };

  const { doc, first: w, modelConfig } = readWorkloadFile(file, readText(file), [process.cwd()]);
  const fatal = doc.errors.find((e) => e.severity === 'error');
  if (fatal) throw new InputError(`${file}:${fatal.range.start.line + 1}:${fatal.range.start.character + 1}: ${fatal.message}`);
  if (!w || w.kind === 'model-config') {
    throw new InputError(`${file}: not a model config.json, an axolotl or LLaMA-Factory YAML (with base_model / model_name_or_path), or a script with \`vllm serve\``);
  }
  const notes = doc.errors.map((e) => `${path.basename(file)}:${e.range.start.line + 1}: ${e.message}`);
  if (doc.files.length > 1) notes.push(`${path.basename(file)} has ${doc.files.length} vllm commands; the first is estimated`);
  let configPath: string | undefined;
  if (modelOverride) {
    configPath = existsSync(modelOverride) && statSync(modelOverride).isDirectory() ? path.join(modelOverride, 'config.json') : modelOverride;
  } else if (w.model) {
    configPath = modelConfig ?? undefined;
    if (!configPath) {
      throw new InputError(`${file}: model "${w.model}" is not a local directory with a config.json; pass --model <config.json>`);
    }
  } else {
    throw new InputError(`${file}: no model named; pass --model <config.json>`);
  }
  return { config: readConfigFile(configPath), configPath, scenario: { ...w.scenario }, notes, kind: w.kind };
}
