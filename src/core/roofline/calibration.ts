/**
 * Efficiencies and host overheads for expected time, fitted by `npx tsx scripts/roofline-fit.ts` (least squares on
 * log(expected / measured)) to every measured timing, H100 and H200 together (PyTorch 2.11 + transformers 5.17,
 * random-weight models from test/fixtures/configs): test/fixtures/measured/timing-h100.jsonl (11 rows) and
 * timing-h200.jsonl (26 rows). Efficiencies are capped at the device limits measured on both GPUs (copy 0.86 of the
 * catalog bandwidth, bf16 matmul 0.76 of the catalog FLOP/s). Honesty check, printed by the same script: fitted on
 * the H100 rows alone, the held-out H200 rows come out at median |error| 23%, worst 1.61× (13 of 26 within ±25%);
 * fitted on all rows, median 12%, worst 1.52×, 28 of 37 within ±25% (in-sample). test/unit/core/roofline/roofline.test.ts checks every row within 2×.
 * Change a number here only with a measurement and a re-run of the fit.
 */
import type { Scenario } from '../scenario.ts';
import type { RuntimeProfile } from '../runtime.ts';

export const CALIBRATION: Calibration = {
  training: { mfu: 0.47, bandwidthEfficiency: 0.86 },
  /**
   * Inference bandwidth efficiency 0.53: decode steps at small batch are many short GEMVs, and a short kernel does
   * not reach full bandwidth (scripts/calibrate/probe_decode_kernels.py on H200, Llama-3.2-1B at batch 1: each GEMV
   * takes ≈ 4 µs beyond bytes / bandwidth, the 2 MB k/v projections run at 0.37 TB/s, the whole step's GEMVs at about
   * half the catalog bandwidth); the eager kernels' repeat_kv copy runs at ≈ 1.1 TB/s.
   */
  inference: { mfu: 0.42, bandwidthEfficiency: 0.53 },
  /**
   * Eager PyTorch + transformers: host time per decoder layer of one forward (Python, dispatch, launches). The GPU
   * runs behind the host, so a pass takes the longer of the two. Measured: Llama-3.2-1B eager decode, 13.9 ms per
   * token at batch 1 on the H100 host and 14.9 ms on the H200 host (16 layers) where the device needs under 2 ms.
   */
  eagerHostPerLayer_s: 0.93e-3,
  /**
   * Static cache + CUDA graphs (torch.compile, or a captured eager forward), and vLLM: what a decode step adds per
   * layer beyond the operators' time (about 20 kernels per layer under inductor, 50 eager, each with a floor of a
   * few µs). Fitted on the H200 compiled and graph-replayed steps and the H100 compiled generate() step, which
   * differ (fused kernels vs the eager ones; generate's loop per token): one number cannot follow all three, and
   * the ratios of each are printed by the fit script.
   */
  graphPerLayer_s: 0.083e-3,
  /**
   * Eager training: what one micro-batch (forward + backward) adds per decoder layer beyond the operators' device
   * time (autograd bookkeeping, small elementwise kernels, launch gaps), fitted on the 11 measured training steps.
   */
  trainPerLayer_s: 2.1e-3,
  note: 'defaults calibrated (fitted) on measured PyTorch 2.11 timings on H100 80GB and H200 (training steps, eager prefill, eager, CUDA-graph and compiled decode; test/fixtures/measured/timing-*.jsonl, scripts/roofline-fit.ts)',
};

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

/** The fitted numbers (scripts/roofline-fit.ts fits alternatives of this shape). */
export interface Calibration {
  training: { mfu: number; bandwidthEfficiency: number };
  inference: { mfu: number; bandwidthEfficiency: number };
  eagerHostPerLayer_s: number;
  graphPerLayer_s: number;
  trainPerLayer_s: number;
  note: string;
}

export function hostOverhead(rt: RuntimeProfile, sc: Scenario, layers: number, cal: Calibration = CALIBRATION): HostOverhead {
  const eager = layers * cal.eagerHostPerLayer_s;
  const graph = layers * cal.graphPerLayer_s;
  const train = layers * cal.trainPerLayer_s;
  if (rt.id === 'vllm') return { prefill: graph, decodeAdd: graph, decodeFloor: 0, train };
  if (sc.compiled) return { prefill: eager, decodeAdd: graph, decodeFloor: 0, train };
  return { prefill: eager, decodeAdd: 0, decodeFloor: eager, train };
}
