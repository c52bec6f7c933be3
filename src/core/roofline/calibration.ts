/**
 * Efficiencies and host overheads for expected time, fitted by `npx tsx scripts/roofline-fit.ts` (least squares on
 * log(expected / measured)) to every measured timing, H100 and H200 together (PyTorch 2.11 + transformers 5.17,
 * random-weight models from test/fixtures/configs): test/fixtures/measured/timing-h100.jsonl (11 rows) and
 * timing-h200.jsonl (26 rows). Efficiencies are capped at the device limits measured on both GPUs (copy 0.86 of the
 * catalog bandwidth, bf16 matmul 0.76 of the catalog FLOP/s). Each decode row is fitted as the implementation it
 * timed (scenario `decode`: eager, cuda-graphs, compiled; test/unit/helpers/timings.ts maps them). Honesty check,
 * printed by the same script: fitted on the H100 rows alone, the held-out H200 rows come out at median |error| 9%,
 * worst 1.60× (17 of 26 within ±25%; the H100 rows hold no cuda-graphs step, so that number stays at the fit's
 * starting 100 µs/layer, and one compiled step timed through generate()); fitted on all rows, median 6%, worst 1.52×,
 * 33 of 37 within ±25% (in-sample). test/unit/core/roofline/roofline.test.ts checks every row within 2×.
 * Change a number here only with a measurement and a re-run of the fit.
 */
import type { DecodeImpl, Scenario } from '../scenario.ts';
import type { RuntimeProfile } from '../runtime.ts';

/** Decode implementations that run as CUDA graphs (no host time per kernel). */
export type GraphDecode = Exclude<DecodeImpl, 'eager'>;

export const CALIBRATION: Calibration = {
  training: { mfu: 0.47, bandwidthEfficiency: 0.86 },
  /**
   * Inference bandwidth efficiency 0.78 of the catalog, with the short kernels' floors counted apart: at small batch
   * a decode step is many short GEMVs, each ≈ 4 µs beyond bytes / bandwidth (scripts/calibrate/probe_decode_kernels.py
   * on H200, Llama-3.2-1B at batch 1: the 2 MB k/v projections at 0.37 TB/s, the step's GEMVs at about half the
   * catalog bandwidth), which graphPerLayer_s takes; the repeat_kv copy has its own share (repeatKvBandwidth).
   */
  inference: { mfu: 0.41, bandwidthEfficiency: 0.78 },
  /**
   * Eager PyTorch + transformers: host time per decoder layer of one forward (Python, dispatch, launches). The GPU
   * runs behind the host, so a pass takes the longer of the two. Measured: Llama-3.2-1B eager decode, 13.9 ms per
   * token at batch 1 on the H100 host and 14.9 ms on the H200 host (16 layers) where the device needs under 2 ms.
   */
  eagerHostPerLayer_s: 0.93e-3,
  /**
   * Static cache + CUDA graphs, and vLLM: what a decode step adds per layer beyond the operators' time, by
   * implementation. 'cuda-graphs' replays the eager kernels (≈ 50 per layer: scripts/calibrate/probe_decode_kernels.py
   * counts 829 kernels in a Llama-3.2-1B step, 16 layers), 'compiled' the fused inductor kernels (325, ≈ 20 per
   * layer); each kernel has a floor of a few µs beyond its bytes / bandwidth. vLLM (torch.compile + CUDA graphs) takes
   * the compiled number. Fitted: 'cuda-graphs' on the H200 graph-replayed steps, 'compiled' on the H200 compiled
   * steps and the H100 compiled generate() step.
   */
  graphPerLayer_s: { 'cuda-graphs': 0.111e-3, compiled: 0.068e-3 },
  /**
   * The repeat_kv copy (static-cache decode, REPEAT_KV_OP) as a share of the catalog bandwidth, measured, not fitted:
   * scripts/calibrate/probe_decode_kernels.py on H200, Llama-3.2-1B, 3.48 GB copied per step at batch 32 (16 layers ×
   * 32 sequences × 664 cached tokens × 2 KiB of K/V × (1 read + 4 copies)): the eager kernel
   * (at::native::elementwise_kernel, non-vectorized) takes 3,167 µs = 1.10 TB/s = 0.23 of 4.8 TB/s (batch 8 at 4K
   * context: 0.24); inductor's fused copy (triton_poi_fused_…_to_copy…) 924 µs = 3.77 TB/s = 0.78.
   */
  repeatKvBandwidth: { 'cuda-graphs': 0.23, compiled: 0.78 },
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
  graphPerLayer_s: Record<GraphDecode, number>;
  repeatKvBandwidth: Record<GraphDecode, number>;
  trainPerLayer_s: number;
  note: string;
}

export function hostOverhead(rt: RuntimeProfile, sc: Scenario, layers: number, cal: Calibration = CALIBRATION): HostOverhead {
  const eager = layers * cal.eagerHostPerLayer_s;
  const train = layers * cal.trainPerLayer_s;
  if (rt.id === 'vllm') {
    const graph = layers * cal.graphPerLayer_s.compiled;
    return { prefill: graph, decodeAdd: graph, decodeFloor: 0, train };
  }
  if (sc.decode !== 'eager') return { prefill: eager, decodeAdd: layers * cal.graphPerLayer_s[sc.decode], decodeFloor: 0, train };
  return { prefill: eager, decodeAdd: 0, decodeFloor: eager, train };
}

/** Share of the catalog bandwidth the repeat_kv copy reaches (static-cache decode), or null where none runs. */
export function repeatKvBandwidth(sc: Scenario, cal: Calibration = CALIBRATION): number | null {
  return sc.decode === 'eager' ? null : cal.repeatKvBandwidth[sc.decode];
}
