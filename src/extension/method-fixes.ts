/**
 * Quick fixes that switch a training YAML to a memory-saving method (QLoRA, 8-bit AdamW, GaLore 8-bit layer-wise,
 * APOLLO-Mini), as edits to the user's own keys (axolotl or LLaMA-Factory spelling). The caller re-estimates each
 * edited file with the engine before it is offered. Pure.
 */
import type { Scenario } from '../core/index.ts';
import type { KeyLocation, WorkloadFile } from '../parsers/types.ts';

export interface MethodFixEdit {
  /** Replace this key's value … */
  replace?: { loc: KeyLocation; value: string }[];
  /** … and append these top-level lines. */
  append?: string[];
}

export interface MethodFix {
  title: string;
  edit: MethodFixEdit;
  patch: Partial<Scenario>;
  blame?: KeyLocation;
}

function setKey(w: WorkloadFile, key: string, value: string, edit: Required<MethodFixEdit>): KeyLocation | undefined {
  const loc = w.keys.find((k) => k.key === key);
  if (loc) edit.replace.push({ loc, value });
  else edit.append.push(`${key}: ${value}`);
  return loc;
}

function unlessSet(w: WorkloadFile, key: string, value: string, edit: Required<MethodFixEdit>): void {
  if (!w.keys.some((k) => k.key === key)) edit.append.push(`${key}: ${value}`);
}

export function methodFixes(w: WorkloadFile, s: Scenario): MethodFix[] {
  if (s.mode !== 'training' || w.kind === 'vllm') return [];
  const axolotl = w.kind === 'axolotl';
  const out: MethodFix[] = [];
  const rank = s.loraRank ?? 16;
  if (!s.qlora) {
    const e: Required<MethodFixEdit> = { replace: [], append: [] };
    let blame: KeyLocation | undefined;
    if (axolotl) {
      blame = setKey(w, 'adapter', 'qlora', e);
      setKey(w, 'load_in_4bit', 'true', e);
      setKey(w, 'load_in_8bit', 'false', e);
      unlessSet(w, 'lora_r', String(rank), e);
      unlessSet(w, 'lora_alpha', String(2 * rank), e);
      if (!w.keys.some((k) => k.key === 'lora_target_modules')) unlessSet(w, 'lora_target_linear', 'true', e);
    } else {
      blame = setKey(w, 'finetuning_type', 'lora', e);
      unlessSet(w, 'lora_rank', String(rank), e);
      unlessSet(w, 'lora_target', 'all', e);
      setKey(w, 'quantization_bit', '4', e);
    }
    if (!w.keys.some((k) => k.key === 'load_in_8bit')) e.append = e.append.filter((l) => !l.startsWith('load_in_8bit'));
    out.push({ title: `Use QLoRA (NF4 base, LoRA rank ${rank})`, edit: e, patch: { qlora: true, loraRank: rank, prepareKbit: axolotl, weightsDtype: null }, blame });
  }
  const full = s.loraRank === null && !s.qlora;
  if (full && (s.optimizer === 'adamw' || s.optimizer === 'adamw-fused')) {
    const e: Required<MethodFixEdit> = { replace: [], append: [] };
    const blame = setKey(w, axolotl ? 'optimizer' : 'optim', axolotl ? 'adamw_bnb_8bit' : 'adamw_8bit', e);
    out.push({ title: 'Use 8-bit AdamW (bitsandbytes)', edit: e, patch: { optimizer: 'adamw-8bit' }, blame });
  }
  if (full && !s.optimizer.startsWith('galore')) {
    const e: Required<MethodFixEdit> = { replace: [], append: [] };
    let blame: KeyLocation | undefined;
    if (axolotl) {
      blame = setKey(w, 'optimizer', 'galore_adamw_8bit_layerwise', e);
      unlessSet(w, 'optim_target_modules', '[attn, mlp]', e);
      unlessSet(w, 'optim_args', '"rank=128, update_proj_gap=200"', e);
    } else {
      blame = setKey(w, 'use_galore', 'true', e);
      setKey(w, 'galore_layerwise', 'true', e);
      setKey(w, 'optim', 'adamw_8bit', e);
      unlessSet(w, 'galore_rank', '128', e);
    }
    // Layer-wise updates step inside backward: gradients cannot accumulate over micro-batches.
    if (s.gradAccumulation > 1) setKey(w, 'gradient_accumulation_steps', '1', e);
    out.push({ title: 'Use GaLore 8-bit with layer-wise updates', edit: e, patch: { optimizer: 'galore-adamw-8bit', layerwiseUpdate: true, galoreRank: 128, gradAccumulation: 1 }, blame });
  }
  if (full && !s.optimizer.startsWith('apollo')) {
    const e: Required<MethodFixEdit> = { replace: [], append: [] };
    let blame: KeyLocation | undefined;
    if (axolotl) {
      blame = setKey(w, 'optimizer', 'apollo_adamw', e);
      unlessSet(w, 'optim_target_modules', '[attn, mlp]', e);
      setKey(w, 'optim_args', '"proj=random, rank=1, scale=128, scale_type=tensor"', e);
    } else {
      blame = setKey(w, 'use_apollo', 'true', e);
      setKey(w, 'apollo_rank', '1', e);
      setKey(w, 'apollo_scale_type', 'tensor', e);
    }
    out.push({ title: 'Use APOLLO-Mini (rank 1)', edit: e, patch: { optimizer: 'apollo-mini' }, blame });
  }
  return out;
}
