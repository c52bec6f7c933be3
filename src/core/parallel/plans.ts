/**
 * Placement plans per runtime and ZeRO stage: over how many ranks, and on which device, each training state lives,
 * and which buffers the implementation adds. Measured for PyTorch (FSDP2 through the fake process group at 2–64
 * ranks, test/fixtures/measured/fsdp-fake-pg.jsonl; DDP on two H200s); DeepSpeed follows its ZeRO implementation
 * and its documented estimator (16-bit parameters and gradients, fp32 master weights, gradients and Adam states).
 */
import type { ParallelLayout } from '../report.ts';
import type { Where } from '../types.ts';
import type { PlacementPlan } from './placement.ts';

/** The parameters gathered for compute beside their shards: none (not sharded), every layer, or a working set. */
export type GatheredParams = 'none' | 'all' | 'fsdp-working-set' | 'deepspeed-working-set';

export interface TrainingPlan {
  placement: PlacementPlan;
  gathered: GatheredParams;
  /** Gradient communication buffers: DDP's reducer buckets (one gradient-sized copy) or DeepSpeed's buckets. */
  buckets: 'none' | 'ddp' | 'deepspeed';
  /** DeepSpeed's mixed precision: fp32 master weights, fp32 gradient partitions and fp32 optimizer states. */
  fp32Master: boolean;
  /** DeepSpeed stage 3 reduces 16-bit gradients straight into the fp32 partition: no 16-bit gradient copy is kept. */
  keeps16BitGradients: boolean;
  /**
   * FSDP's MixedPrecisionPolicy casts the gathered parameters to the compute dtype: with fp32 parameters (amp-*)
   * the step computes as in pure 16-bit, without autocast's weight cache or an fp32 residual stream (measured).
   */
  castsGatheredParams: boolean;
}

const onDevice = (offload: 'none' | 'cpu' | 'nvme'): Where => (offload === 'none' ? 'gpu' : offload);

/** PyTorch: 0 = DDP, 1 = DDP + ZeroRedundancyOptimizer, 2 = FSDP2 without resharding after forward, 3 = FSDP2 full shard. */
function pytorchPlan(l: ParallelLayout): TrainingPlan {
  const offload = onDevice(l.offload_params);
  const shards = (from: 1 | 2 | 3) => (l.zero >= from ? l.dp : 1);
  return {
    placement: {
      params: { over: l.zero >= 2 ? l.dp : 1, device: offload },
      grads: { over: shards(2), device: offload },
      optimizer: { over: shards(1), device: offload },
    },
    gathered: l.zero === 3 ? 'fsdp-working-set' : l.zero === 2 ? 'all' : 'none',
    buckets: l.zero <= 1 && l.dp > 1 ? 'ddp' : 'none',
    fp32Master: false,
    keeps16BitGradients: true,
    castsGatheredParams: l.zero >= 2,
  };
}

/** DeepSpeed ZeRO: stage 1 shards the fp32 optimizer side, stage 2 the gradients too, stage 3 the parameters. */
function deepspeedPlan(l: ParallelLayout): TrainingPlan {
  const shards = (from: 1 | 2 | 3) => (l.zero >= from ? l.dp : 1);
  return {
    placement: {
      params: { over: shards(3), device: onDevice(l.offload_params) },
      grads: { over: shards(2), device: 'gpu' },
      optimizer: { over: shards(1), device: onDevice(l.offload_optimizer) },
    },
    gathered: l.zero === 3 ? 'deepspeed-working-set' : 'none',
    buckets: 'deepspeed',
    fp32Master: true,
    keeps16BitGradients: l.zero < 3,
    castsGatheredParams: false,
  };
}

export function trainingPlan(runtime: 'pytorch' | 'deepspeed', layout: ParallelLayout): TrainingPlan {
  return runtime === 'deepspeed' ? deepspeedPlan(layout) : pytorchPlan(layout);
}

/** One GPU, everything on it (the measured single-GPU model). */
export const SINGLE_GPU_TRAINING: TrainingPlan = {
  placement: { params: { over: 1, device: 'gpu' }, grads: { over: 1, device: 'gpu' }, optimizer: { over: 1, device: 'gpu' } },
  gathered: 'none',
  buckets: 'none',
  fp32Master: false,
  keeps16BitGradients: true,
  castsGatheredParams: false,
};
