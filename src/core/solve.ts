/**
 * Inverse solves over the pure estimate: the largest batch or sequence length that fits a GPU (parse once, estimate
 * many). Relies on memory growing monotonically in batch and sequence length (a property test checks it).
 */
import type { ModelSpec } from './types.ts';
import { parseScenario, type Scenario } from './scenario.ts';
import { estimateSpec, type EstimateOptions } from './estimate.ts';

/**
 * Largest value of `axis` (batch or seq) that fits, the rest of the scenario fixed (parse once, estimate many:
 * doubling, then bisection). null when even 1 does not fit. With the PyTorch runtime "fits" is device memory within
 * `capacityBytes`; with the vLLM runtime it is the engine's rule (one full-length request in the KV pool, so the
 * capacity is not used) and, for the batch, that many full-length sequences in the pool at once.
 */
export function largestFitting(spec: ModelSpec, scenario: Scenario, axis: 'batch' | 'seq', capacityBytes: number, opts: EstimateOptions = {}): number | null {
  const fits = (x: number) => {
    try {
      const e = estimateSpec(spec, parseScenario({ ...scenario, [axis]: x }), opts);
      const sv = e.memory.serving;
      if (scenario.runtime === 'vllm' && sv) return e.memory.fits === true && (axis === 'seq' || sv.max_concurrency >= x);
      return e.memory.device_bytes <= capacityBytes;
    } catch {
      return false;
    }
  };
  if (!fits(1)) return null;
  const cap = axis === 'batch' ? 1 << 20 : 1 << 24;
  let lo = 1;
  let hi = 2;
  while (hi <= cap && fits(hi)) {
    lo = hi;
    hi *= 2;
  }
  if (hi > cap) return lo;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
