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

/**
 * Requests of `seq` + `newTokens` tokens that run at once: vLLM's max concurrency from its KV pool; for the PyTorch
 * runtime, the largest batch that fits (every sequence holds its whole cache). null when not even one fits.
 */
export function maxConcurrency(spec: ModelSpec, scenario: Scenario, capacityBytes: number, opts: EstimateOptions = {}): number | null {
  if (scenario.runtime === 'vllm') {
    try {
      const sv = estimateSpec(spec, scenario, opts).memory.serving;
      return sv && sv.max_concurrency > 0 ? sv.max_concurrency : null;
    } catch {
      return null;
    }
  }
  return largestFitting(spec, scenario, 'batch', capacityBytes, opts);
}

export interface ThroughputBest {
  batch: number;
  tokens_per_s: number;
  /** The step whose throughput this is: a decode step (inference) or an optimizer step (training). */
  step_s: number;
  /** The largest batch that fits. */
  largest: number;
}

/**
 * The batch with the most expected tokens/s among those that fit: powers of two up to the largest fitting batch,
 * and that batch itself (throughput rises with the batch until the step turns compute-bound, and the eager floor
 * can make a smaller batch as fast per token). null when nothing fits or time cannot be computed (no GPU rates).
 */
export function bestThroughputBatch(spec: ModelSpec, scenario: Scenario, capacityBytes: number, opts: EstimateOptions = {}): ThroughputBest | null {
  const largest = largestFitting(spec, scenario, 'batch', capacityBytes, opts);
  if (largest === null) return null;
  const candidates = new Set<number>([largest]);
  for (let b = 1; b < largest; b *= 2) candidates.add(b);
  let best: ThroughputBest | null = null;
  for (const batch of [...candidates].sort((a, b) => a - b)) {
    const t = estimateSpec(spec, parseScenario({ ...scenario, batch }), opts).time;
    const step = t.train_step_s ?? t.decode_step_s ?? t.prefill_s;
    if (t.tokens_per_s === undefined || step === undefined) return null;
    if (!best || t.tokens_per_s > best.tokens_per_s * (1 + 1e-9)) best = { batch, tokens_per_s: t.tokens_per_s, step_s: step, largest };
  }
  return best;
}

export interface FewestGpus {
  /** World size: data-parallel ranks × tp × pp × cp. */
  gpus: number;
  dp: number;
  /** The estimate at that world size (its time is computed on first read). */
  estimate: ReturnType<typeof estimateSpec>;
}

/** Ranks of the world above which the search stops. */
export const MAX_GPUS_SEARCHED = 1 << 16;

/**
 * The fewest GPUs on which a setup fits (every rank's device memory within the scenario's GPU, and host RAM where
 * `hostMemory` is given), the scenario's ZeRO stage, runtime, tp/pp/cp/ep and offload fixed: the world grows in
 * data-parallel ranks (multiples of tp·pp·cp, the data-parallel size a multiple of ep). Sharding (ZeRO ≥ 1) makes a
 * rank's memory fall as ranks are added; without it (DDP, inference replicas) more ranks never help, so only the
 * smallest world is tried. Doubling, then bisection: a few dozen estimates, memory only. null when none fits.
 */
export function fewestGpus(spec: ModelSpec, scenario: Scenario, opts: EstimateOptions = {}): FewestGpus | null {
  const modelParallel = scenario.tp * scenario.pp * scenario.cp;
  const step = scenario.ep;
  const at = (k: number) => {
    try {
      const e = estimateSpec(spec, parseScenario({ ...scenario, gpus: k * step * modelParallel }), opts);
      return e.memory.fits === true && e.memory.host_fits !== false ? e : null;
    } catch {
      return null;
    }
  };
  const found = (k: number, e: ReturnType<typeof estimateSpec>): FewestGpus => ({ gpus: k * step * modelParallel, dp: k * step, estimate: e });
  const first = at(1);
  if (first) return found(1, first);
  if (scenario.mode !== 'training' || scenario.zero === 0) return null;
  const cap = Math.floor(MAX_GPUS_SEARCHED / (step * modelParallel));
  let lo = 1;
  let hi = 2;
  let fit = hi <= cap ? at(hi) : null;
  while (!fit && hi * 2 <= cap) {
    lo = hi;
    hi *= 2;
    fit = at(hi);
  }
  if (!fit) return null;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const e = at(mid);
    if (e) {
      hi = mid;
      fit = e;
    } else lo = mid;
  }
  return found(hi, fit);
}
