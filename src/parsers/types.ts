/**
 * Shared shapes of the workspace-file parsers. Pure TypeScript: no `vscode`, no I/O.
 * Positions are 0-based (line, character), like VS Code's `Position`, so the extension maps them 1:1.
 */
import type { ScenarioInput } from '../core/scenario.ts';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

/** A problem found while reading a file: malformed syntax, an unsupported key, a value we could not use. */
export interface ParseIssue {
  message: string;
  severity: Severity;
  range: Range;
  /** The config key the issue is about, when there is one. */
  key?: string;
  /** A diagnostic code for code actions (default: a parse issue). */
  code?: string;
}

/** Every parser returns this; none throws. `value` is null when nothing usable could be read. */
export interface ParseResult<T> {
  value: T | null;
  errors: ParseIssue[];
}

/** Where a key and its value sit in the file. */
export interface KeyLocation {
  /** Key as written in the file (`micro_batch_size`, `--max-model-len`, `rope_scaling.factor`). */
  key: string;
  keyRange: Range;
  valueRange: Range;
  /** The raw value as parsed (number, string, boolean, object …). */
  value: unknown;
}

export type FileKind = 'model-config' | 'axolotl' | 'llamafactory' | 'vllm' | 'deepspeed' | 'accelerate';

export type WorkloadKind = Exclude<FileKind, 'model-config'>;

/** A value written as "auto" (DeepSpeed): resolved later from the training file or the flags. */
export interface AutoField {
  field: keyof ScenarioInput;
  loc: KeyLocation;
}

/** Another file a workload names (axolotl/LLaMA-Factory `deepspeed:`, accelerate `deepspeed_config_file`). */
export interface FileReference {
  /** The path as written. */
  path: string;
  loc: KeyLocation;
}

/** A model's config.json (Hugging Face `config.json`). */
export interface ModelConfigFile {
  kind: 'model-config';
  /** The parsed JSON object, handed to the engine's readModelConfig. */
  config: Record<string, unknown>;
  /** Top-level and nested keys by dotted path (`text_config.hidden_size`). */
  keys: KeyLocation[];
}

/**
 * Maps a scenario field to the key in the file that set it, so diagnostics and quick fixes can point at it.
 * Keys that a field could be written under but are absent are not listed.
 */
export type FieldLocations = Partial<Record<keyof ScenarioInput, KeyLocation>>;

/** A training YAML (axolotl or LLaMA-Factory), a `vllm serve` command, a DeepSpeed JSON or an accelerate config. */
export interface WorkloadFile {
  kind: WorkloadKind;
  /** base_model / model_name_or_path / the vllm model argument, as written. */
  model: string | null;
  modelLocation: KeyLocation | null;
  scenario: ScenarioInput;
  fields: FieldLocations;
  keys: KeyLocation[];
  /** Extra settings we read but that are not scenario fields (optimizer name as written, epochs, lora targets …). */
  extras: Record<string, unknown>;
  /** Fields written as "auto" (DeepSpeed), left out of `scenario` until resolved. */
  autos?: AutoField[];
  /** A DeepSpeed JSON this file names; its settings are merged in by the caller, which reads files. */
  deepspeed?: FileReference;
  /** A training file joined with the DeepSpeed JSON it names: its own values, which resolve the JSON's "auto" keys. */
  inherited?: { label: string; scenario: ScenarioInput; fields: FieldLocations };
}

export type ParsedFile = ModelConfigFile | WorkloadFile;

/**
 * The one size limit for a file LLM Footprint reads, in the CLI and the extension alike: 256 KiB, far above any real
 * model config.json, training YAML or serving script (a few KB), and small enough that parsing a file of this size
 * stays a short step on the editor's thread.
 */
export const MAX_FILE_BYTES = 256 * 1024;

/**
 * The extension parses a YAML of at most this size while you edit: `yaml` takes ~1 ms per KiB of YAML (≈ 300 ms at
 * the 256 KiB limit, one synchronous step on the extension host), so 16 KiB keeps a parse (≈ 8 ms) and the update around it under 50 ms even on a loaded machine. Real
 * axolotl, LLaMA-Factory and accelerate configs are a few KiB; a larger one gets a diagnostic pointing to the CLI,
 * which reads YAML up to MAX_FILE_BYTES.
 */
export const MAX_EDITOR_YAML_BYTES = 16 * 1024;

/** "256 KiB": the limit as messages say it. */
export const MAX_FILE_LABEL = `${MAX_FILE_BYTES / 1024} KiB`;

export const ZERO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
