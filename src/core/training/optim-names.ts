/**
 * transformers TrainingArguments.optim names (OptimizerNames in training_args.py; axolotl's `optimizer` and
 * LLaMA-Factory's `optim` take the same names) → the engine's optimizers. A name that is not here is reported,
 * never costed as something else.
 */
import type { OptimizerId } from '../scenario.ts';

export interface HfOptim {
  optimizer: OptimizerId;
  layerwiseUpdate?: boolean;
}

export const HF_OPTIM: Readonly<Record<string, HfOptim>> = {
  adamw_torch: { optimizer: 'adamw' },
  adamw_hf: { optimizer: 'adamw' },
  adamw_torch_fused: { optimizer: 'adamw-fused' },
  adamw_bnb_8bit: { optimizer: 'adamw-8bit' },
  adamw_8bit: { optimizer: 'adamw-8bit' },
  paged_adamw_8bit: { optimizer: 'paged-adamw-8bit' },
  paged_adamw_32bit: { optimizer: 'paged-adamw' },
  adafactor: { optimizer: 'adafactor' },
  lion_32bit: { optimizer: 'lion' },
  lion_8bit: { optimizer: 'lion-8bit' },
  galore_adamw: { optimizer: 'galore-adamw' },
  galore_adamw_8bit: { optimizer: 'galore-adamw-8bit' },
  galore_adafactor: { optimizer: 'galore-adafactor' },
  galore_adamw_layerwise: { optimizer: 'galore-adamw', layerwiseUpdate: true },
  galore_adamw_8bit_layerwise: { optimizer: 'galore-adamw-8bit', layerwiseUpdate: true },
  galore_adafactor_layerwise: { optimizer: 'galore-adafactor', layerwiseUpdate: true },
  apollo_adamw: { optimizer: 'apollo' },
  apollo_adamw_layerwise: { optimizer: 'apollo', layerwiseUpdate: true },
  sgd: { optimizer: 'sgd' },
};

/** Our own ids are accepted too (adamw-8bit, galore-adamw, …), as are HF names in any case. */
export function lookupOptim(name: string): HfOptim | null {
  const n = name.trim().toLowerCase();
  if (n in HF_OPTIM) return HF_OPTIM[n]!;
  return null;
}

/**
 * `optim_args` / `optim_target_modules` hyper-parameters of GaLore and APOLLO ("rank=64, update_proj_gap=100,
 * scale_type=tensor"): rank, update_proj_gap, and APOLLO-Mini when scale_type is tensor with rank 1.
 */
export function parseOptimArgs(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of args.split(',')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    if (k && v !== undefined) out[k.toLowerCase()] = v;
  }
  return out;
}
