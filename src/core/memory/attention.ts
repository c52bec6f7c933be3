/**
 * SDPA's math kernel: where PyTorch falls back to it (fp32 inputs, multi-query Falcon), attention materializes
 * heads × seq² scores; its backward keeps the gradients of the probabilities and scores (fp32), one layer at a time.
 */
import type { ModelSpec, Term } from '../types.ts';
import type { FloatDtype } from '../dtypes.ts';
import type { RuntimeProfile } from '../runtime.ts';
import { makeTerm } from './term.ts';

/** Whether attention materializes heads × seq² scores for this model and compute dtype; warns when it does. */
export function usesMathAttention(spec: ModelSpec, compute: FloatDtype, rt: RuntimeProfile, warnings: string[]): boolean {
  if (rt.mathAttention.inferencePeak === 0) return false; // the runtime has its own attention kernels
  const why = spec.block.sdpaMath ? 'for this model' : compute === 'fp32' && rt.fp32UsesMathAttention ? 'in fp32' : null;
  if (why) warnings.push(`attention runs SDPA's math kernel ${why} in ${rt.label}: heads × seq² scores are materialized`);
  return why !== null;
}

export function attentionBackwardTerm(spec: ModelSpec, batch: number, seq: number, rt: RuntimeProfile): Term {
  const m = rt.mathAttention;
  return makeTerm(
    {
      id: 'attention_backward',
      label: 'Attention backward (math SDPA)',
      formula: 'round(batch * heads * seq * seq * bytes_per_score)',
      inputs: { batch, heads: spec.heads, seq, bytes_per_score: m.backward },
      source: m.source,
    },
    Math.round(batch * spec.heads * seq * seq * m.backward),
  );
}
