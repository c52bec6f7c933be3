/**
 * DeepSpeed config JSON (`ds_config.json`) → a training scenario on the `deepspeed` runtime, with the position of
 * every key. Values written "auto" (the Hugging Face Trainer fills them) are listed in `autos` and resolved later
 * from the training file or the flags (see resolve.ts). Bad values are errors naming the key; nothing is defaulted
 * silently.
 */
import type { ScenarioInput } from '../core/scenario.ts';
import { parseModelConfig } from './modelConfig.ts';
import { countProblem, shownValue } from './values.ts';
import { ZERO_RANGE, type AutoField, type FieldLocations, type KeyLocation, type ParseIssue, type ParseResult, type WorkloadFile } from './types.ts';

/** What DeepSpeed settings say, wherever they were written (a DeepSpeed JSON or accelerate's deepspeed_config). */
export interface DeepSpeedRead {
  scenario: ScenarioInput;
  fields: FieldLocations;
  autos: AutoField[];
  errors: ParseIssue[];
  extras: Record<string, unknown>;
}

/** Whether a parsed JSON object is a DeepSpeed config (and not a model config). */
export function looksLikeDeepSpeed(obj: unknown): boolean {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return false;
  const o = obj as Record<string, unknown>;
  if (typeof o['model_type'] === 'string' || Array.isArray(o['architectures'])) return false;
  return ['zero_optimization', 'train_micro_batch_size_per_gpu', 'train_batch_size'].some((k) => k in o);
}

/** The text of a value as the user wrote it, for messages. */
export const shown = shownValue;

/** Looks a dotted key up in a parsed object and in the key locations. */
export class KeyReader {
  constructor(
    private readonly root: Record<string, unknown>,
    private readonly keys: readonly KeyLocation[],
    readonly errors: ParseIssue[],
  ) {}
  value(path: string): unknown {
    let cur: unknown = this.root;
    for (const part of path.split('.')) {
      if (!cur || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
      cur = (cur as Record<string, unknown>)[part];
    }
    return cur;
  }
  loc(path: string): KeyLocation {
    return this.keys.find((k) => k.key === path) ?? { key: path, keyRange: ZERO_RANGE, valueRange: ZERO_RANGE, value: this.value(path) };
  }
  error(path: string, message: string): void {
    this.errors.push({ message: `${path}: ${message}`, severity: 'error', range: this.loc(path).keyRange, key: path });
  }
  warn(path: string, message: string, severity: 'warning' | 'info' = 'warning'): void {
    this.errors.push({ message: `${path}: ${message}`, severity, range: this.loc(path).keyRange, key: path });
  }
  /** A whole number ≥ min; "auto" when allowed; an error otherwise. undefined when absent or bad. */
  int(path: string, min: number, auto: boolean): number | 'auto' | undefined {
    const v = this.value(path);
    if (v === undefined || v === null) return undefined;
    if (v === 'auto' && auto) return 'auto';
    const problem = countProblem(path, v, min, 2 ** 40);
    if (problem === null) return v as number;
    if (typeof v === 'number') this.errors.push({ message: problem, severity: 'error', range: this.loc(path).keyRange, key: path });
    else this.error(path, `${shown(v)} is not a number${auto ? ' or "auto"' : ''}`);
    return undefined;
  }
  /** true, false, or "auto" when allowed. */
  bool(path: string, auto: boolean): boolean | 'auto' | undefined {
    const v = this.value(path);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    if (v === 'auto' && auto) return 'auto';
    this.error(path, `${shown(v)} is not true or false${auto ? ' or "auto"' : ''}`);
    return undefined;
  }
}

type Field = keyof ScenarioInput;

/** Numeric keys: scenario field, minimum, and whether the Trainer fills "auto". */
const NUMBERS: [string, Field, number][] = [
  ['train_micro_batch_size_per_gpu', 'batch', 1],
  ['gradient_accumulation_steps', 'gradAccumulation', 1],
  ['zero_optimization.reduce_bucket_size', 'reduceBucketSize', 1],
  ['zero_optimization.allgather_bucket_size', 'allgatherBucketSize', 1],
  ['zero_optimization.stage3_prefetch_bucket_size', 'prefetchBucketSize', 0],
  ['zero_optimization.stage3_max_live_parameters', 'maxLiveParameters', 0],
  ['zero_optimization.stage3_param_persistence_threshold', 'paramPersistenceThreshold', 0],
];

/** Reads the DeepSpeed keys of a parsed config. */
export function readDeepSpeed(r: KeyReader): DeepSpeedRead {
  const out: DeepSpeedRead = { scenario: { mode: 'training', runtime: 'deepspeed' }, fields: {}, autos: [], errors: r.errors, extras: {} };
  const set = (field: Field, path: string, v: number | boolean | string | undefined) => {
    if (v === undefined) return;
    if (v === 'auto') out.autos.push({ field, loc: r.loc(path) });
    else {
      (out.scenario as Record<string, unknown>)[field] = v;
      out.fields[field] = r.loc(path);
    }
  };
  const zo = r.value('zero_optimization');
  if (zo !== undefined && (typeof zo !== 'object' || zo === null || Array.isArray(zo))) r.error('zero_optimization', `${shown(zo)} is not an object`);
  const stage = readStage(r);
  set('zero', 'zero_optimization.stage', stage);
  for (const [path, field, min] of NUMBERS) set(field, path, r.int(path, min, true));
  // An unreadable stage is reported once; the offload checks then assume the stage allows them.
  readOffload(r, stage ?? (r.value('zero_optimization.stage') == null ? 0 : 3), set);
  readPrecision(r, out);
  const tbs = r.int('train_batch_size', 1, true);
  if (typeof tbs === 'number') out.extras['train_batch_size'] = tbs;
  return out;
}

function readStage(r: KeyReader): 0 | 1 | 2 | 3 | undefined {
  const v = r.value('zero_optimization.stage');
  if (v === undefined || v === null) return undefined;
  if (v === 0 || v === 1 || v === 2 || v === 3) return v;
  r.error('zero_optimization.stage', `${shown(v)} is not 0, 1, 2 or 3`);
  return undefined;
}

const DEVICES = ['none', 'cpu', 'nvme'];

function readOffload(r: KeyReader, stage: number, set: (f: Field, path: string, v: string | undefined) => void): void {
  for (const [what, field, minStage] of [['offload_optimizer', 'offloadOptimizer', 1], ['offload_param', 'offloadParams', 3]] as const) {
    const base = `zero_optimization.${what}`;
    const obj = r.value(base);
    if (obj === undefined || obj === null) continue;
    if (typeof obj !== 'object' || Array.isArray(obj)) {
      r.error(base, `${shown(obj)} is not an object like { "device": "cpu" }`);
      continue;
    }
    const path = `${base}.device`;
    const dev = r.value(path) ?? 'none';
    if (typeof dev !== 'string' || !DEVICES.includes(dev.toLowerCase())) {
      r.error(path, `${shown(dev)} is not "cpu", "nvme" or "none"`);
      continue;
    }
    const d = dev.toLowerCase();
    if (d !== 'none' && stage < minStage) {
      r.error(r.value(path) === undefined ? base : path, `offloading ${what === 'offload_param' ? 'parameters' : 'the optimizer'} needs ZeRO stage ${minStage === 3 ? '3' : '1, 2 or 3'} (zero_optimization.stage is ${stage})`);
      continue;
    }
    set(field, r.value(path) === undefined ? base : path, d);
    r.bool(`${base}.pin_memory`, false);
  }
}

/** bf16.enabled / fp16.enabled: DeepSpeed keeps 16-bit parameters and gradients with fp32 master weights (precision bf16/fp16). */
function readPrecision(r: KeyReader, out: DeepSpeedRead): void {
  const bf16 = r.bool('bf16.enabled', true) ?? r.bool('bfloat16.enabled', true);
  const fp16 = r.bool('fp16.enabled', true);
  out.extras['bf16'] = bf16;
  out.extras['fp16'] = fp16;
  const bfPath = r.value('bf16') !== undefined ? 'bf16.enabled' : 'bfloat16.enabled';
  if (bf16 === true && fp16 === true) {
    r.error('fp16.enabled', 'fp16 and bf16 are both enabled; DeepSpeed takes one — set the other to false');
    return;
  }
  if (bf16 === 'auto' || fp16 === 'auto') {
    if (bf16 === 'auto') out.autos.push({ field: 'precision', loc: r.loc(bfPath) });
    if (fp16 === 'auto') out.autos.push({ field: 'precision', loc: r.loc('fp16.enabled') });
    return;
  }
  if (bf16 === undefined && fp16 === undefined) return;
  out.scenario.precision = bf16 === true ? 'bf16' : fp16 === true ? 'fp16' : 'fp32';
  out.fields.precision = r.loc(bf16 === true || fp16 !== true ? bfPath : 'fp16.enabled');
}

/** A DeepSpeed JSON file as a workload (no model of its own: the caller links one). */
export function parseDeepSpeedJson(text: string): ParseResult<WorkloadFile> {
  const parsed = parseModelConfig(text);
  if (!parsed.value) return { value: null, errors: parsed.errors };
  if (parsed.errors.some((e) => e.severity === 'error')) return { value: null, errors: parsed.errors };
  const errors: ParseIssue[] = [...parsed.errors];
  const read = readDeepSpeed(new KeyReader(parsed.value.config, parsed.value.keys, errors));
  if (errors.some((e) => e.severity === 'error')) return { value: null, errors };
  return {
    value: { kind: 'deepspeed', model: null, modelLocation: null, scenario: read.scenario, fields: read.fields, keys: parsed.value.keys, extras: read.extras, autos: read.autos },
    errors,
  };
}
