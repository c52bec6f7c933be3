/** LoRA adapters (Hu et al., arXiv 2106.09685 §4): r·(in + out) parameters per adapted linear layer, fp32 in PEFT. */
import type { ModelSpec, TensorGroup, Term } from '../types.ts';
import { makeTerm } from './term.ts';

/** PEFT keeps adapters in fp32 whatever the base dtype. */
export const LORA_ADAPTER_BYTES = 4;

/**
 * The tensor groups LoRA adapts: PEFT "all-linear" (every decoder linear layer and router; not lm_head, not fused
 * experts, not the modules PEFT refuses on the model), or the groups whose PEFT module name is in `targets`.
 */
export function loraTargets(spec: ModelSpec, targets: string | null = null): (TensorGroup & { shape: [number, number] })[] {
  const excluded = spec.loraIncompatible;
  const all = spec.tensors.filter(
    (t): t is TensorGroup & { shape: [number, number] } => (t.role === 'linear' || t.role === 'router') && t.shape !== undefined && !(excluded && t.module !== undefined && excluded.includes(t.module)),
  );
  const names = parseTargets(targets);
  if (names === null) return all;
  return all.filter((t) => t.module !== undefined && names.includes(t.module));
}

/** null for all-linear, else the module names. */
export function parseTargets(targets: string | null): string[] | null {
  if (targets === null || targets === 'all-linear') return null;
  const names = targets.split(',').map((s) => s.trim()).filter(Boolean);
  return names.length === 0 || (names.length === 1 && names[0] === 'all-linear') ? null : names;
}

/** The PEFT module names the model's linear layers answer to (q_proj, k_proj, …). */
export function linearModuleNames(spec: ModelSpec): string[] {
  return [...new Set(spec.tensors.filter((t) => (t.role === 'linear' || t.role === 'router') && t.module).map((t) => t.module!))];
}

/** Adapter parameters of one adapted tensor group at rank `rank`. */
export function loraGroupParams(group: TensorGroup & { shape: [number, number] }, rank: number): number {
  return rank * (group.shape[0] + group.shape[1]) * group.count;
}

/** Adapter parameters for LoRA of rank r on every decoder linear layer. */
export function loraParams(spec: ModelSpec, rank: number, targets: string | null = null): number {
  let n = 0;
  for (const t of loraTargets(spec, targets)) n += loraGroupParams(t, rank);
  return n;
}

/** The adapters' weights: trained in fine-tuning, applied unmerged at inference. */
export function loraAdaptersTerm(spec: ModelSpec, rank: number, use: 'training' | 'inference', targets: string | null = null): Term {
  const params = loraParams(spec, rank, targets);
  return makeTerm(
    {
      id: 'lora_adapters',
      label: use === 'training' ? 'LoRA adapters' : 'LoRA adapters (unmerged)',
      formula: 'adapter_params * adapter_bytes',
      inputs: { adapter_params: params, adapter_bytes: LORA_ADAPTER_BYTES },
      source: 'LoRA §4.1 (arXiv 2106.09685): r·(in + out) per adapted layer; PEFT keeps adapters in fp32',
      note: targets === null || parseTargets(targets) === null ? `rank ${rank} on every decoder linear layer` : `rank ${rank} on ${parseTargets(targets)!.join(', ')}`,
    },
    params * LORA_ADAPTER_BYTES,
  );
}
