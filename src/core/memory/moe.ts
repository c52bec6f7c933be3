/** transformers' generate gathers each sequence's top-k experts' weights at every decode step (one MoE layer at a time). */
import type { ModelSpec, Term } from '../types.ts';
import type { RuntimeProfile } from '../runtime.ts';
import { makeTerm } from './term.ts';

export function moeDecodeGatherTerm(spec: ModelSpec, batch: number, weightBytes: number, rt: RuntimeProfile): Term | null {
  const moe = spec.moe;
  if (!moe || !rt.moeDecodeGathersExperts) return null;
  const perExpert = 3 * spec.hidden * moe.expertIntermediate;
  return makeTerm(
    {
      id: 'moe_expert_gather',
      label: 'Gathered expert weights (decode step)',
      formula: 'batch * top_k * expert_params * weight_bytes',
      inputs: { batch, top_k: moe.topK, expert_params: perExpert, weight_bytes: weightBytes },
      source: rt.source + '; measured with scripts/calibrate/probe_moe.py (Mixtral: 0.70 GB at batch 1, 5.65 GB at batch 8)',
      note: "a copy of the top-k experts' gate, up and down weights for every sequence in the step",
    },
    batch * moe.topK * perExpert * weightBytes,
  );
}
