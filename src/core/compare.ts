/**
 * "Which method makes this fit?": one model, batch and sequence, nine training methods side by side, each with its
 * peak per GPU, the terms that differ, and the GPUs of the catalog it fits. Pure arithmetic over estimateSpec.
 */
import type { ModelSpec, TermId } from './types.ts';
import type { Scenario, ScenarioInput } from './scenario.ts';
import { parseScenario } from './scenario.ts';
import { estimateSpec } from './estimate.ts';
import { GPUS } from './roofline/hardware.ts';

export interface MethodPreset {
  id: string;
  label: string;
  scenario: ScenarioInput;
}

/** The methods of the compare view, from the user's scenario (its LoRA rank if any, else 16). */
export function methodPresets(base: Scenario): MethodPreset[] {
  const r = base.loraRank ?? 16;
  const plain = { loraRank: null, qlora: false, layerwiseUpdate: false, weightsDtype: null } as const;
  return [
    { id: 'full-amp', label: 'Full, AMP (fp32 master)', scenario: { ...plain, precision: 'amp-bf16', optimizer: 'adamw' } },
    { id: 'full-bf16', label: 'Full, bf16', scenario: { ...plain, precision: 'bf16', optimizer: 'adamw' } },
    { id: 'adamw-8bit', label: '8-bit AdamW', scenario: { ...plain, precision: 'bf16', optimizer: 'adamw-8bit' } },
    { id: 'lora', label: `LoRA r${r}`, scenario: { ...plain, precision: 'bf16', optimizer: 'adamw', loraRank: r } },
    { id: 'qlora', label: `QLoRA r${r}`, scenario: { ...plain, precision: 'bf16', optimizer: 'adamw', loraRank: r, qlora: true } },
    { id: 'galore', label: `GaLore r${base.galoreRank}`, scenario: { ...plain, precision: 'bf16', optimizer: 'galore-adamw' } },
    { id: 'galore-8bit-lw', label: 'GaLore 8-bit layer-wise', scenario: { ...plain, precision: 'bf16', optimizer: 'galore-adamw-8bit', layerwiseUpdate: true } },
    { id: 'apollo', label: 'APOLLO', scenario: { ...plain, precision: 'bf16', optimizer: 'apollo' } },
    { id: 'apollo-mini', label: 'APOLLO-Mini', scenario: { ...plain, precision: 'bf16', optimizer: 'apollo-mini' } },
  ];
}

export const COMPARE_TERMS: readonly TermId[] = ['weights', 'lora_adapters', 'gradients', 'optimizer_states', 'optimizer_states_paged', 'optimizer_temporaries', 'activations', 'logits'];

export interface MethodColumn {
  id: string;
  label: string;
  scenario: Scenario;
  /** null when the method does not apply to this model (the reason is in `error`). */
  peak_bytes: number | null;
  device_bytes: number | null;
  peak_phase: string | null;
  /** Bytes of each compared term in the peak phase (0 when absent). */
  terms: Partial<Record<TermId, number>>;
  trainable: number;
  /** Catalog GPUs whose memory holds device_bytes. */
  fits: string[];
  error?: string;
}

export function compareMethods(spec: ModelSpec, base: Scenario): MethodColumn[] {
  return methodPresets(base).map((m) => {
    const sc = parseScenario({ ...base, mode: 'training', gpu: null, ...m.scenario });
    try {
      const e = estimateSpec(spec, sc);
      const terms: Partial<Record<TermId, number>> = {};
      for (const id of COMPARE_TERMS) terms[id] = e.memory.terms.filter((t) => t.id === id).reduce((s, t) => s + t.bytes, 0);
      return {
        id: m.id,
        label: m.label,
        scenario: sc,
        peak_bytes: e.memory.peak_bytes,
        device_bytes: e.memory.device_bytes,
        peak_phase: e.memory.peak_phase,
        terms,
        trainable: e.params.trainable,
        fits: GPUS.filter((g) => e.memory.device_bytes <= g.memoryBytes).map((g) => g.id),
      };
    } catch (x) {
      return { id: m.id, label: m.label, scenario: sc, peak_bytes: null, device_bytes: null, peak_phase: null, terms: {}, trainable: 0, fits: [], error: (x as Error).message };
    }
  });
}
