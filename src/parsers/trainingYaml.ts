/**
 * axolotl and LLaMA-Factory training YAML → a ScenarioInput, the position of every top-level key, and warnings for
 * keys whose memory effect the engine does not model yet (never silently ignored).
 */
import { isMap, isScalar, type Node as YamlNode } from 'yaml';
import { loadYaml } from './yaml-load.ts';
import { MAX_BATCH, MAX_RANK, MAX_TOKENS, type OptimizerId, type ScenarioInput } from '../core/scenario.ts';
import { lookupOptim } from '../core/training/optim-names.ts';
import { optimizerKey, readAxolotlMethods, readLlamaFactoryMethods } from './methodKeys.ts';
import { positiveInt } from './values.ts';
import {
  MAX_FILE_BYTES,
  ZERO_RANGE,
  type FieldLocations,
  type KeyLocation,
  type ParseIssue,
  type ParseResult,
  type WorkloadFile,
} from './types.ts';
import { notModelledIssue, type NotModelled } from './not-modelled.ts';
import { readTrainingDist } from './training-dist.ts';

export type YamlFlavour = 'axolotl' | 'llamafactory';

const AXOLOTL_MARKERS = ['base_model', 'micro_batch_size', 'sequence_len', 'adapter', 'lora_r', 'datasets', 'num_epochs'];
const LLAMAFACTORY_MARKERS = ['model_name_or_path', 'finetuning_type', 'cutoff_len', 'per_device_train_batch_size', 'stage', 'lora_rank', 'lora_target'];

/** Decides the flavour from the top-level keys; null when neither fits. */
export function detectYamlFlavour(keys: readonly string[]): YamlFlavour | null {
  const set = new Set(keys);
  const a = AXOLOTL_MARKERS.filter((k) => set.has(k)).length;
  const l = LLAMAFACTORY_MARKERS.filter((k) => set.has(k)).length;
  if (a === 0 && l === 0) return null;
  if (set.has('model_name_or_path') && !set.has('base_model')) return 'llamafactory';
  if (set.has('base_model')) return 'axolotl';
  return l > a ? 'llamafactory' : 'axolotl';
}

/** Keys whose memory effect is not modelled yet: a warning each, naming the later work. */
const NOT_MODELLED: Record<string, NotModelled> = {
  use_badam: { what: 'BAdam is', assumes: 'the estimate uses the full optimizer state' },
  use_unsloth: { what: 'Unsloth kernels are', assumes: 'the estimate assumes stock PyTorch/Transformers' },
  unsloth_lora_mlp: { what: 'Unsloth kernels are', assumes: 'the estimate assumes stock PyTorch/Transformers' },
  ref_model: { what: 'A separate reference model (DPO/PPO) is' },
  reward_model: { what: 'A reward model (PPO) is' },
};

/** Optimizer names as written in HF TrainingArguments / axolotl / LLaMA-Factory → the engine's optimizers (null: unknown). */
export function mapOptimizer(name: string): { optimizer: OptimizerId | null; layerwiseUpdate?: boolean } {
  const hf = lookupOptim(name);
  return hf ? { ...hf } : { optimizer: null };
}

interface Entry {
  key: string;
  loc: KeyLocation;
}

export function parseTrainingYaml(text: string, flavourHint?: YamlFlavour): ParseResult<WorkloadFile> {
  if (text.length > MAX_FILE_BYTES) {
    return { value: null, errors: [{ message: `File is larger than ${MAX_FILE_BYTES / 1024} KiB, the limit for a file LLM Footprint reads; skipped.`, severity: 'info', range: ZERO_RANGE }] };
  }
  const errors: ParseIssue[] = [];
  const loaded = loadYaml(text, errors, true);
  if (!loaded) return { value: null, errors };
  const { doc, range } = loaded;
  const root = doc.contents;
  if (!isMap(root)) {
    if (errors.length === 0) errors.push({ message: 'A training config must be a YAML mapping.', severity: 'error', range: ZERO_RANGE });
    return { value: null, errors };
  }
  if (loaded.value === null || typeof loaded.value !== 'object' || Array.isArray(loaded.value)) return { value: null, errors };
  // Values as PyYAML loads them (aliases and `<<` merge keys resolved); positions from the file. A key that comes
  // from a merge sits at its `<<:` line.
  const values = loaded.value as Record<string, unknown>;
  const entries = new Map<string, Entry>();
  const keys: KeyLocation[] = [];
  let mergeAt: KeyLocation | null = null;
  for (const pair of root.items) {
    const k = pair.key as YamlNode | null;
    if (!k?.range) continue;
    // A merge key's node is not a plain scalar in `yaml` 2 (it resolves to the merge marker); its source is `<<`.
    const name = isScalar(k) && typeof k.value !== 'symbol' ? String(k.value) : (k as { source?: string }).source === '<<' || String(k) === '<<' ? '<<' : null;
    if (name === null) continue;
    const v = pair.value as YamlNode | null;
    const valueRange = v && v.range ? range(v.range[0], v.range[1]) : range(k.range[1], k.range[1]);
    const loc: KeyLocation = { key: name, keyRange: range(k.range[0], k.range[1]), valueRange, value: Object.hasOwn(values, name) ? values[name] : null };
    if (name === '<<') {
      mergeAt ??= loc;
      continue;
    }
    keys.push(loc);
    entries.set(name, { key: name, loc });
  }
  for (const name of Object.keys(values)) {
    if (entries.has(name) || !mergeAt) continue;
    const loc: KeyLocation = { key: name, keyRange: mergeAt.keyRange, valueRange: mergeAt.valueRange, value: values[name] };
    keys.push(loc);
    entries.set(name, { key: name, loc });
  }
  const flavour = flavourHint ?? detectYamlFlavour([...entries.keys()]);
  if (!flavour) {
    errors.push({ message: 'Not an axolotl or LLaMA-Factory config (no base_model / model_name_or_path).', severity: 'info', range: ZERO_RANGE });
    return { value: null, errors };
  }
  const out = flavour === 'axolotl' ? readAxolotl(entries, errors) : readLlamaFactory(entries, errors);
  const dist = readTrainingDist((k) => entries.get(k)?.loc, errors);
  Object.assign(out.scenario, dist.scenario);
  Object.assign(out.fields, dist.fields);
  Object.assign(out.extras, dist.extras);
  const more = { ...(dist.deepspeed ? { deepspeed: dist.deepspeed } : {}), ...(dist.autos?.length ? { autos: dist.autos } : {}) };
  for (const [name, later] of Object.entries(NOT_MODELLED)) {
    const e = entries.get(name);
    if (!e || isOff(e.loc.value)) continue;
    errors.push(notModelledIssue(name, name, e.loc.keyRange, later));
  }
  return { value: { kind: flavour, keys, ...out, ...more }, errors };
}

/** false, null, 0, "", "false", "none" mean the feature is off. */
function isOff(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return true;
  if (typeof v === 'string' && /^(false|none|null|no|off)$/i.test(v.trim())) return true;
  return false;
}

function truthy(v: unknown): boolean {
  if (typeof v === 'string') return /^(true|yes|on|auto|1)$/i.test(v.trim());
  return v === true || v === 1;
}


interface Read {
  model: string | null;
  modelLocation: KeyLocation | null;
  scenario: ScenarioInput;
  fields: FieldLocations;
  extras: Record<string, unknown>;
}

function readAxolotl(m: Map<string, Entry>, errors: ParseIssue[]): Read {
  const scenario: ScenarioInput = { mode: 'training' };
  const fields: FieldLocations = {};
  const extras: Record<string, unknown> = {};
  const base = m.get('base_model');
  const model = base && typeof base.loc.value === 'string' ? base.loc.value : null;

  const mb = m.get('micro_batch_size');
  const batch = positiveInt(mb, errors, MAX_BATCH);
  scenario.batch = batch ?? 1;
  if (mb && batch !== undefined) fields.batch = mb.loc;

  // axolotl's schema default for sequence_len is 512.
  const sl = m.get('sequence_len');
  const seq = positiveInt(sl, errors, MAX_TOKENS);
  scenario.seq = seq ?? 512;
  if (sl && seq !== undefined) fields.seq = sl.loc;

  const gc = m.get('gradient_checkpointing');
  scenario.gradCheckpointing = gc ? truthy(gc.loc.value) : false;
  if (gc) fields.gradCheckpointing = gc.loc;

  const adapter = m.get('adapter');
  const adapterName = adapter && typeof adapter.loc.value === 'string' ? adapter.loc.value.toLowerCase() : null;
  if (adapterName === 'lora' || adapterName === 'qlora') {
    const r = m.get('lora_r');
    const rank = positiveInt(r, errors, MAX_RANK) ?? 8;
    scenario.loraRank = rank;
    fields.loraRank = r?.loc ?? adapter!.loc;
    loraTargets(m.get('lora_target_modules'), m.get('lora_target_linear'), extras);
  } else if (adapterName) {
    errors.push({ message: `adapter: ${adapterName} is not modelled yet; estimated as full fine-tuning.`, severity: 'warning', range: adapter!.loc.valueRange, key: 'adapter' });
  }

  precisionFrom(m, scenario, fields, 'axolotl');
  optimizerFrom(m.get('optimizer'), scenario, fields, errors, extras);
  readAxolotlMethods(m, scenario, fields, errors);
  accumulationFrom(m.get('gradient_accumulation_steps'), scenario, fields, errors);
  for (const k of ['num_epochs', 'gradient_accumulation_steps', 'learning_rate', 'sample_packing', 'flash_attention', 'eval_batch_size', 'max_steps']) {
    const e = m.get(k);
    if (e) extras[k] = e.loc.value;
  }
  return { model, modelLocation: base?.loc ?? null, scenario, fields, extras };
}

function readLlamaFactory(m: Map<string, Entry>, errors: ParseIssue[]): Read {
  const scenario: ScenarioInput = { mode: 'training' };
  const fields: FieldLocations = {};
  const extras: Record<string, unknown> = {};
  const base = m.get('model_name_or_path');
  const model = base && typeof base.loc.value === 'string' ? base.loc.value : null;

  const stage = m.get('stage');
  if (stage && typeof stage.loc.value === 'string' && /^(dpo|ppo|kto|rm)$/i.test(stage.loc.value)) {
    errors.push({ message: `stage: ${stage.loc.value} — the extra models and pairs of sequences of this stage are not modelled yet; estimated as SFT.`, severity: 'warning', range: stage.loc.valueRange, key: 'stage' });
  }
  const doTrain = m.get('do_train');
  if (doTrain && isOff(doTrain.loc.value) && m.get('do_predict') && truthy(m.get('do_predict')!.loc.value)) {
    scenario.mode = 'inference';
    fields.mode = doTrain.loc;
  }

  // HF TrainingArguments default per_device_train_batch_size is 8.
  const bs = m.get('per_device_train_batch_size');
  const batch = positiveInt(bs, errors, MAX_BATCH);
  scenario.batch = batch ?? 8;
  if (bs && batch !== undefined) fields.batch = bs.loc;

  // LLaMA-Factory's DataArguments default cutoff_len is 2048.
  const cl = m.get('cutoff_len');
  const seq = positiveInt(cl, errors, MAX_TOKENS);
  scenario.seq = seq ?? 2048;
  if (cl && seq !== undefined) fields.seq = cl.loc;

  const ft = m.get('finetuning_type');
  const ftName = ft && typeof ft.loc.value === 'string' ? ft.loc.value.toLowerCase() : 'lora'; // LLaMA-Factory's default
  if (ftName === 'lora') {
    const r = m.get('lora_rank');
    scenario.loraRank = positiveInt(r, errors, MAX_RANK) ?? 8;
    fields.loraRank = r?.loc ?? ft?.loc;
    if (!fields.loraRank) delete fields.loraRank;
    loraTargets(m.get('lora_target'), undefined, extras);
  } else if (ftName !== 'full') {
    errors.push({ message: `finetuning_type: ${ftName} is not modelled yet; estimated as full fine-tuning.`, severity: 'warning', range: ft!.loc.valueRange, key: 'finetuning_type' });
  }
  // LLaMA-Factory freezes a multimodal model's vision tower unless freeze_vision_tower is false (a text model has none).
  const fv = m.get('freeze_vision_tower');
  scenario.freezeVision = fv ? truthy(fv.loc.value) : true;
  if (fv) fields.freezeVision = fv.loc;
  precisionFrom(m, scenario, fields, 'llamafactory');

  // LLaMA-Factory enables gradient checkpointing unless disable_gradient_checkpointing is true.
  const dgc = m.get('disable_gradient_checkpointing');
  scenario.gradCheckpointing = dgc ? !truthy(dgc.loc.value) : true;
  if (dgc) fields.gradCheckpointing = dgc.loc;

  optimizerFrom(m.get('optim'), scenario, fields, errors, extras);
  readLlamaFactoryMethods(m, scenario, fields, errors);
  accumulationFrom(m.get('gradient_accumulation_steps'), scenario, fields, errors);
  for (const k of ['num_train_epochs', 'gradient_accumulation_steps', 'learning_rate', 'template', 'dataset', 'max_steps', 'packing', 'flash_attn']) {
    const e = m.get(k);
    if (e) extras[k] = e.loc.value;
  }
  return { model, modelLocation: base?.loc ?? null, scenario, fields, extras };
}

/** gradient_accumulation_steps: above 1, gradients stay allocated between micro-batches. */
function accumulationFrom(e: Entry | undefined, s: ScenarioInput, fields: FieldLocations, errors: ParseIssue[]): void {
  if (!e) return;
  const n = positiveInt(e, errors, MAX_RANK);
  if (n === undefined) return;
  s.gradAccumulation = n;
  fields.gradAccumulation = e.loc;
}

function precisionFrom(m: Map<string, Entry>, s: ScenarioInput, fields: FieldLocations, flavour: YamlFlavour): void {
  const bf16 = m.get('bf16');
  const fp16 = m.get('fp16');
  const pure = m.get('pure_bf16');
  const lora = s.loraRank != null;
  if (pure && truthy(pure.loc.value)) {
    s.precision = 'bf16';
    fields.precision = pure.loc;
  } else if (bf16 && truthy(bf16.loc.value)) {
    // axolotl loads the model in bf16 and trains it in bf16; LLaMA-Factory upcasts trainable weights to fp32
    // (full fine-tuning) and trains under bf16 autocast. LoRA keeps a frozen 16-bit base either way.
    s.precision = flavour === 'llamafactory' && !lora ? 'amp-bf16' : 'bf16';
    fields.precision = bf16.loc;
  } else if (fp16 && truthy(fp16.loc.value)) {
    s.precision = lora ? 'fp16' : 'amp-fp16';
    fields.precision = fp16.loc;
  } else {
    s.precision = 'fp32';
    if (bf16) fields.precision = bf16.loc;
    else if (fp16) fields.precision = fp16.loc;
  }
}

function optimizerFrom(e: Entry | undefined, s: ScenarioInput, fields: FieldLocations, errors: ParseIssue[], extras: Record<string, unknown>): void {
  if (!e) {
    // transformers' TrainingArguments default with PyTorch ≥ 2.8 (what both trainers fall back to).
    s.optimizer = 'adamw-fused';
    return;
  }
  extras['optimizer'] = typeof e.loc.value === 'string' ? e.loc.value : JSON.stringify(e.loc.value ?? '');
  optimizerKey(e, s, fields, errors);
}

/** The targets as written, for the hover; the scenario's loraTargets is read in methodKeys.ts. */
function loraTargets(targets: Entry | undefined, allLinear: Entry | undefined, extras: Record<string, unknown>): void {
  if (allLinear && truthy(allLinear.loc.value)) {
    extras['lora_targets'] = 'all-linear';
    return;
  }
  if (!targets) return;
  const v = targets.loc.value;
  extras['lora_targets'] = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter(Boolean) : [];
}
