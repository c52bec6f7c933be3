/**
 * Efficiencies and host overheads for expected time, fitted to measured timings (PyTorch 2.11 + transformers 5.17,
 * random-weight models from test/fixtures/configs): test/fixtures/measured/timing-h100.jsonl, whose cases and
 * ratios test/unit/core/roofline/calibration.test.ts checks. Change a number here only with a measurement.
 */
import type { Scenario } from '../scenario.ts';
import type { RuntimeProfile } from '../runtime.ts';

export const CALIBRATION = {
  training: { mfu: 0.4, bandwidthEfficiency: 0.85 },
  inference: { mfu: 0.45, bandwidthEfficiency: 0.85 },
  /**
   * Eager PyTorch + transformers: host time per decoder layer of one forward (Python, dispatch, launches). The GPU
   * runs behind the host, so a pass takes the longer of the two. Measured: Llama-3.2-1B eager decode, 13.9 ms per
   * token at batch 1 and 15.8 ms at batch 16 (16 layers) where the device needs under 1 ms.
   */
  eagerHostPerLayer_s: 0.85e-3,
  /**
   * Static cache + torch.compile (CUDA graphs), and vLLM: what a decode step adds per layer beyond the roofline's
   * bytes (small kernels that cannot reach full bandwidth, the generate loop). Measured: Llama-3.2-1B static-cache
   * decode at batch 1, 2.90 ms per token against 0.86 ms of weight reads at the measured copy bandwidth.
   */
  graphPerLayer_s: 0.127e-3,
  /**
   * Eager training: what one micro-batch (forward + backward) adds per decoder layer beyond the operators' device
   * time (autograd bookkeeping, small elementwise kernels, launch gaps), fitted on the six measured training steps
   * (Qwen2.5-0.5B, Llama-3.2-1B, Llama-3.1-8B LoRA on H100): without it small models came out at 0.54–0.70×.
   */
  trainPerLayer_s: 1.7e-3,
  note: 'defaults calibrated on measured PyTorch 2.11 timings (H100 80GB: training steps, eager prefill, eager and compiled decode; test/fixtures/measured/timing-h100.jsonl)',
} as const;

export interface HostOverhead {
  /** A prefill takes at least this long (eager: the host issuing every kernel). */
  prefill: number;
  /** Added to every decode step (CUDA graphs: per-kernel floors). */
  decodeAdd: number;
  /** A decode step takes at least this long (eager). */
  decodeFloor: number;
  /** Added to every training micro-batch. */
  train: number;
}

export function hostOverhead(rt: RuntimeProfile, sc: Scenario, layers: number): HostOverhead {
  const eager = layers * CALIBRATION.eagerHostPerLayer_s;
  const graph = layers * CALIBRATION.graphPerLayer_s;
  const train = layers * CALIBRATION.trainPerLayer_s;
  if (rt.id === 'vllm') return { prefill: graph, decodeAdd: graph, decodeFloor: 0, train };
  if (sc.compiled) return { prefill: eager, decodeAdd: graph, decodeFloor: 0, train };
  return { prefill: eager, decodeAdd: 0, decodeFloor: eager, train };
}
