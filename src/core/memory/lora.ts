/** LoRA adapters (Hu et al., arXiv 2106.09685 §4): r·(in + out) parameters per adapted linear layer. */
import type { ModelSpec } from '../types.ts';

/** Adapter parameters for LoRA of rank r on every decoder linear layer (PEFT "all-linear": not lm_head, not fused expert tensors). */
export function loraParams(spec: ModelSpec, rank: number): number {
  let n = 0;
  for (const t of spec.tensors) {
    if ((t.role === 'linear' || t.role === 'router') && t.shape) n += rank * (t.shape[0] + t.shape[1]) * t.count;
  }
  return n;
}
