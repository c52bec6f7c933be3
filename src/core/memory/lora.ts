/** LoRA adapters (Hu et al., arXiv 2106.09685 §4): r·(in + out) parameters per adapted linear layer, fp32 in PEFT. */
import type { ModelSpec, TensorGroup, Term } from '../types.ts';
import { makeTerm } from './term.ts';

/** PEFT keeps adapters in fp32 whatever the base dtype. */
export const LORA_ADAPTER_BYTES = 4;

/** The tensor groups PEFT "all-linear" adapts: every decoder linear layer and router (not lm_head, not fused experts). */
export function loraTargets(spec: ModelSpec): (TensorGroup & { shape: [number, number] })[] {
  return spec.tensors.filter((t): t is TensorGroup & { shape: [number, number] } => (t.role === 'linear' || t.role === 'router') && t.shape !== undefined);
}

/** Adapter parameters of one adapted tensor group at rank `rank`. */
export function loraGroupParams(group: TensorGroup & { shape: [number, number] }, rank: number): number {
  return rank * (group.shape[0] + group.shape[1]) * group.count;
}

/** Adapter parameters for LoRA of rank r on every decoder linear layer. */
export function loraParams(spec: ModelSpec, rank: number): number {
  let n = 0;
  for (const t of loraTargets(spec)) n += loraGroupParams(t, rank);
  return n;
}

/** The adapters' weights: trained in fine-tuning, applied unmerged at inference. */
export function loraAdaptersTerm(spec: ModelSpec, rank: number, use: 'training' | 'inference'): Term {
  const params = loraParams(spec, rank);
  return makeTerm(
    {
      id: 'lora_adapters',
      label: use === 'training' ? 'LoRA adapters' : 'LoRA adapters (unmerged)',
      formula: 'adapter_params * adapter_bytes',
      inputs: { adapter_params: params, adapter_bytes: LORA_ADAPTER_BYTES },
      source: 'LoRA §4.1 (arXiv 2106.09685): r·(in + out) per adapted layer; PEFT keeps adapters in fp32',
      note: `rank ${rank} on every decoder linear layer`,
    },
    params * LORA_ADAPTER_BYTES,
  );
}
