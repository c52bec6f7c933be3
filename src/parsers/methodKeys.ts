/**
 * The keys of issue 8's methods in axolotl and LLaMA-Factory YAMLs → the scenario, each with its location (for
 * hovers and diagnostics): quantized bases (QLoRA, 8-bit), LoRA targets and modules to save, GaLore / APOLLO and
 * their hyper-parameters, fused losses. Nothing is silently costed as something else: what is not modelled is named.
 */
import { lookupOptim, parseOptimArgs } from '../core/training/optim-names.ts';
import type { FieldLocations, KeyLocation, ParseIssue } from './types.ts';
import { positiveInt } from './values.ts';
import { MAX_RANK, MAX_TOKENS, type ScenarioInput } from '../core/scenario.ts';

export interface MethodEntry {
  key: string;
  loc: KeyLocation;
}

type Entries = Map<string, MethodEntry>;

function on(v: unknown): boolean {
  if (typeof v === 'string') return /^(true|yes|on|1)$/i.test(v.trim());
  return v === true || v === 1;
}


function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String).map((s) => s.trim()).filter(Boolean);
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  return [];
}

/** HF optim name → the scenario's optimizer (and layer-wise flag); an unknown name is an error at the key. */
export function optimizerKey(e: MethodEntry, s: ScenarioInput, fields: FieldLocations, errors: ParseIssue[]): void {
  const name = (typeof e.loc.value === 'string' ? e.loc.value : JSON.stringify(e.loc.value ?? '')).trim();
  const hf = lookupOptim(name);
  fields.optimizer = e.loc;
  if (!hf) {
    errors.push({
      message: `${e.key}: unknown optimizer "${name}" (known: adamw_torch, adamw_torch_fused, adamw_bnb_8bit, adamw_8bit, paged_adamw_8bit, paged_adamw_32bit, adafactor, lion_32bit, lion_8bit, galore_adamw[_8bit|_adafactor][_layerwise], apollo_adamw[_layerwise], sgd)`,
      severity: 'error',
      range: e.loc.valueRange,
      key: e.key,
    });
    return;
  }
  s.optimizer = hf.optimizer;
  if (hf.layerwiseUpdate) {
    s.layerwiseUpdate = true;
    fields.layerwiseUpdate = e.loc;
  }
}

/** optim_args ("rank=64, update_proj_gap=100, scale_type=tensor" or a mapping) for GaLore / APOLLO. */
function optimArgs(e: MethodEntry | undefined, s: ScenarioInput, fields: FieldLocations): void {
  if (!e) return;
  const v = e.loc.value;
  const args = typeof v === 'string' ? parseOptimArgs(v) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.toLowerCase(), String(x)])) : {};
  const rank = args['rank'] !== undefined ? Number(args['rank']) : undefined;
  const gap = args['update_proj_gap'] !== undefined ? Number(args['update_proj_gap']) : undefined;
  const isGalore = typeof s.optimizer === 'string' && s.optimizer.startsWith('galore');
  const isApollo = s.optimizer === 'apollo';
  if (rank && Number.isInteger(rank) && rank > 0) {
    if (isGalore) {
      s.galoreRank = rank;
      fields.galoreRank = e.loc;
    }
    if (isApollo) {
      s.apolloRank = rank;
      fields.apolloRank = e.loc;
    }
  }
  if (gap && Number.isInteger(gap) && gap > 0 && isGalore) {
    s.galoreUpdateGap = gap;
    fields.galoreUpdateGap = e.loc;
  }
  if (isApollo && args['scale_type'] === 'tensor' && rank === 1) s.optimizer = 'apollo-mini';
}

function targets(e: MethodEntry | undefined, s: ScenarioInput, fields: FieldLocations): void {
  if (!e) return;
  const names = list(e.loc.value);
  if (names.length === 0) return;
  s.loraTargets = names.length === 1 && /^all(-linear)?$/i.test(names[0]!) ? 'all-linear' : names.join(',');
  fields.loraTargets = e.loc;
}

function modulesToSave(e: MethodEntry | undefined, s: ScenarioInput, fields: FieldLocations): void {
  if (!e) return;
  const names = list(e.loc.value);
  if (names.length === 0) return;
  s.loraModulesToSave = names.join(',');
  fields.loraModulesToSave = e.loc;
}

export function readAxolotlMethods(m: Entries, s: ScenarioInput, fields: FieldLocations, errors: ParseIssue[]): void {
  const lora = s.loraRank != null;
  const adapter = m.get('adapter');
  const four = m.get('load_in_4bit');
  const eight = m.get('load_in_8bit');
  const adapterName = adapter && typeof adapter.loc.value === 'string' ? adapter.loc.value.toLowerCase() : null;
  if (lora && (adapterName === 'qlora' || (four && on(four.loc.value)))) {
    s.qlora = true;
    fields.qlora = four && on(four.loc.value) ? four.loc : adapter!.loc;
  } else if (lora && eight && on(eight.loc.value)) {
    s.weightsDtype = 'int8';
    fields.weightsDtype = eight.loc;
  } else if (!lora && ((four && on(four.loc.value)) || (eight && on(eight.loc.value)))) {
    const e = four && on(four.loc.value) ? four : eight!;
    errors.push({ message: `${e.key}: a quantized base needs an adapter (adapter: qlora or lora); full fine-tuning of a quantized model is not modelled.`, severity: 'warning', range: e.loc.keyRange, key: e.key });
  }
  // axolotl calls peft's prepare_model_for_kbit_training for quantized bases (the scenario's default).
  if (lora) {
    if (m.get('lora_target_linear') && on(m.get('lora_target_linear')!.loc.value)) {
      s.loraTargets = 'all-linear';
      fields.loraTargets = m.get('lora_target_linear')!.loc;
    } else targets(m.get('lora_target_modules'), s, fields);
    modulesToSave(m.get('lora_modules_to_save'), s, fields);
  }
  optimArgs(m.get('optim_args'), s, fields);
  const plugins = list(m.get('plugins')?.loc.value);
  const cce = plugins.some((p) => /cut_cross_entropy|CutCrossEntropy/i.test(p)) || (m.get('cut_cross_entropy') && on(m.get('cut_cross_entropy')!.loc.value));
  const flce = m.get('liger_fused_linear_cross_entropy');
  if (cce) {
    s.loss = 'cce';
    fields.loss = (m.get('cut_cross_entropy') ?? m.get('plugins'))!.loc;
  } else if (flce && on(flce.loc.value)) {
    s.loss = 'liger-flce';
    fields.loss = flce.loc;
  }
}

export function readLlamaFactoryMethods(m: Entries, s: ScenarioInput, fields: FieldLocations, errors: ParseIssue[]): void {
  const lora = s.loraRank != null;
  const qb = m.get('quantization_bit');
  const bits = positiveInt(qb, errors, 64);
  const method = m.get('quantization_method');
  const methodName = method && typeof method.loc.value === 'string' ? method.loc.value.toLowerCase() : 'bitsandbytes';
  if (bits !== undefined && qb) {
    if (methodName !== 'bitsandbytes' && methodName !== 'bnb') {
      errors.push({ message: `quantization_method: ${methodName} is not modelled; only bitsandbytes 4/8-bit bases are.`, severity: 'warning', range: method!.loc.valueRange, key: 'quantization_method' });
    } else if (!lora) {
      errors.push({ message: 'quantization_bit: a quantized base needs finetuning_type: lora; full fine-tuning of a quantized model is not modelled.', severity: 'warning', range: qb.loc.keyRange, key: 'quantization_bit' });
    } else if (bits === 4) {
      s.qlora = true;
      fields.qlora = qb.loc;
    } else if (bits === 8) {
      s.weightsDtype = 'int8';
      fields.weightsDtype = qb.loc;
    } else {
      errors.push({ message: `quantization_bit: ${bits}-bit bitsandbytes bases are not modelled (4 and 8 are).`, severity: 'warning', range: qb.loc.valueRange, key: 'quantization_bit' });
    }
    // LLaMA-Factory does not call prepare_model_for_kbit_training: non-quantized parameters stay 16-bit.
    s.prepareKbit = false;
    // ModelArguments.double_quantization defaults to True.
    const dq = m.get('double_quantization');
    s.doubleQuant = dq ? on(dq.loc.value) : true;
    if (dq) fields.doubleQuant = dq.loc;
  }
  if (lora) {
    targets(m.get('lora_target'), s, fields);
    modulesToSave(m.get('additional_target'), s, fields);
  }
  const galore = m.get('use_galore');
  if (galore && on(galore.loc.value)) {
    // LLaMA-Factory picks GaLore's optimizer from `optim`: adamw_8bit → 8-bit, adafactor → Adafactor, else AdamW.
    s.optimizer = s.optimizer === 'adamw-8bit' ? 'galore-adamw-8bit' : s.optimizer === 'adafactor' ? 'galore-adafactor' : 'galore-adamw';
    fields.optimizer = galore.loc;
    // GaLoreArguments defaults: galore_rank 16, galore_update_interval 200.
    const r = m.get('galore_rank');
    s.galoreRank = positiveInt(r, errors, MAX_RANK) ?? 16;
    if (r) fields.galoreRank = r.loc;
    const gap = m.get('galore_update_interval');
    s.galoreUpdateGap = positiveInt(gap, errors, MAX_TOKENS) ?? 200;
    if (gap) fields.galoreUpdateGap = gap.loc;
    const lw = m.get('galore_layerwise');
    if (lw && on(lw.loc.value)) {
      s.layerwiseUpdate = true;
      fields.layerwiseUpdate = lw.loc;
    }
  }
  const apollo = m.get('use_apollo');
  if (apollo && on(apollo.loc.value)) {
    const r = m.get('apollo_rank');
    const rank = positiveInt(r, errors, MAX_RANK) ?? 16; // ApolloArguments default
    const scale = m.get('apollo_scale_type');
    s.optimizer = rank === 1 && scale && typeof scale.loc.value === 'string' && scale.loc.value.toLowerCase() === 'tensor' ? 'apollo-mini' : 'apollo';
    fields.optimizer = apollo.loc;
    s.apolloRank = rank;
    if (r) fields.apolloRank = r.loc;
    const lw = m.get('apollo_layerwise');
    if (lw && on(lw.loc.value)) {
      s.layerwiseUpdate = true;
      fields.layerwiseUpdate = lw.loc;
    }
  }
  const liger = m.get('enable_liger_kernel');
  if (liger && on(liger.loc.value)) {
    s.loss = 'liger-flce';
    fields.loss = liger.loc;
  }
}
