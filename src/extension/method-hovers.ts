/**
 * Hovers on the keys of issue 8's methods (quantized bases, GaLore / APOLLO, LoRA targets, fused losses): what the
 * key changes, as "base weights 15.0 → 5.3 GiB" — the estimate without the method, then with it. Pure.
 */
import { formatBytes, type Estimate, type Scenario } from '../core/index.ts';
import { signedBytes } from '../shared/labels.ts';
import { rerun, termBytes, type Analysis, type TermId } from './analysis.ts';

export const METHOD_HOVER_KEYS = [
  'load_in_4bit', 'load_in_8bit', 'quantization_bit', 'double_quantization', 'bnb_4bit_use_double_quant',
  'use_galore', 'galore_rank', 'galore_update_interval', 'galore_layerwise', 'use_apollo', 'apollo_rank', 'apollo_layerwise',
  'optim_args', 'lora_target_modules', 'lora_target_linear', 'lora_target', 'lora_modules_to_save', 'additional_target',
  'plugins', 'cut_cross_entropy', 'liger_fused_linear_cross_entropy', 'enable_liger_kernel',
] as const;

/** "label 15.0 → 5.3 GiB" from the estimate without the method to the one with it. */
function arrow(label: string, ids: TermId | readonly TermId[], without: Estimate | null, withIt: Estimate): string {
  if (!without) return `${label} ${formatBytes(termBytes(withIt, ids))}`;
  return `${label} ${formatBytes(termBytes(without, ids))} → ${formatBytes(termBytes(withIt, ids))}`;
}

function peak(without: Estimate | null, withIt: Estimate): string {
  if (!without) return '';
  const d = withIt.memory.peak_bytes - without.memory.peak_bytes;
  return `; peak ${formatBytes(without.memory.peak_bytes)} → ${formatBytes(withIt.memory.peak_bytes)} (${signedBytes(d)})`;
}

const NO_PROJECTION: Partial<Scenario> = { optimizer: 'adamw', layerwiseUpdate: false };

export function methodContribution(k: string, a: Analysis): string | null {
  const s = a.scenario;
  const e = a.estimate;
  if (s.mode !== 'training') return null;
  switch (k) {
    case 'load_in_4bit':
    case 'load_in_8bit':
    case 'quantization_bit': {
      const quantized = s.qlora || s.weightsDtype === 'int8';
      if (!quantized) return null;
      const base = rerun(a, { qlora: false, weightsDtype: null });
      const what = s.qlora ? `NF4${(s.doubleQuant ?? true) ? ' + double quantization' : ''}` : 'LLM.int8';
      const prep = s.prepareKbit ? "; peft's prepare_model_for_kbit_training keeps embeddings, norms and activations in fp32" : '';
      return `${what} base: ${arrow('base weights', 'weights', base, e)}${peak(base, e)}${prep}.`;
    }
    case 'double_quantization':
    case 'bnb_4bit_use_double_quant': {
      if (!s.qlora) return null;
      const dq = s.doubleQuant ?? true;
      const alt = rerun(a, { doubleQuant: !dq });
      return `Double quantization ${dq ? 'on' : 'off'} (${dq ? '0.5 + 1/64 + 4/16384' : '0.5 + 4/64'} B per NF4 parameter): ${alt ? `${dq ? 'off' : 'on'} would make the base weights ${formatBytes(termBytes(alt, 'weights'))} instead of ${formatBytes(termBytes(e, 'weights'))}` : formatBytes(termBytes(e, 'weights'))}.`;
    }
    case 'use_galore':
    case 'galore_rank':
    case 'galore_update_interval':
    case 'use_apollo':
    case 'apollo_rank':
    case 'optim_args': {
      if (!s.optimizer.startsWith('galore') && !s.optimizer.startsWith('apollo')) return null;
      const full = rerun(a, NO_PROJECTION);
      const rank = s.optimizer.startsWith('galore') ? `rank ${s.galoreRank}, projector refreshed every ${s.galoreUpdateGap} steps` : s.optimizer === 'apollo-mini' ? 'rank 1, tensor-wise scaling' : `rank ${s.apolloRank ?? Math.floor(a.spec.hidden / 4)}`;
      return `${s.optimizer} (${rank}): ${arrow('optimizer states', 'optimizer_states', full, e)}${peak(full, e)}.`;
    }
    case 'galore_layerwise':
    case 'apollo_layerwise': {
      if (!s.layerwiseUpdate) return null;
      const alt = rerun(a, { layerwiseUpdate: false });
      return `Layer-wise updates: each parameter steps inside backward, ${arrow('gradients', 'gradients', alt, e)}${peak(alt, e)}.`;
    }
    case 'lora_target_modules':
    case 'lora_target_linear':
    case 'lora_target': {
      if (s.loraRank === null) return null;
      const all = s.loraTargets === null || s.loraTargets === 'all-linear' ? null : rerun(a, { loraTargets: null });
      return `LoRA on ${s.loraTargets ?? 'all-linear'}: ${arrow('adapters', 'lora_adapters', all, e)}${all ? ' (all-linear → these)' : ''}.`;
    }
    case 'lora_modules_to_save':
    case 'additional_target': {
      if (!s.loraModulesToSave) return null;
      const alt = rerun(a, { loraModulesToSave: null });
      return `${s.loraModulesToSave} trained in full (a copy with gradients and optimizer states): ${formatBytes(termBytes(e, 'modules_to_save'))} of copies${peak(alt, e)}.`;
    }
    case 'plugins':
    case 'cut_cross_entropy':
    case 'liger_fused_linear_cross_entropy':
    case 'enable_liger_kernel': {
      if (s.loss === 'standard') return null;
      const std = rerun(a, { loss: 'standard' });
      return `${s.loss === 'cce' ? 'Cut Cross-Entropy' : 'Liger fused linear cross-entropy'}: the logits never materialize in full — ${arrow('logits', 'logits', std, e)}${peak(std, e)}.`;
    }
    default:
      return null;
  }
}
