/**
 * Buffers that sharded and data-parallel training adds beside the states: parameters gathered for compute, the
 * gradient buckets of the reducer, and DeepSpeed's fp32 master copy.
 */
import type { ModelSpec, Term } from '../types.ts';
import type { Scenario } from '../scenario.ts';
import type { TrainingPlan } from '../parallel/plans.ts';
import { isPerLayer } from '../parallel/rank-view.ts';
import { makeTerm } from './term.ts';

/** Parameters outside the decoder layers (embedding, final norm, lm_head: FSDP's root module), and of one average layer. */
export function rootAndLayerParams(spec: ModelSpec): { root: number; layer: number } {
  let root = 0;
  let layers = 0;
  for (const g of spec.tensors) {
    if (isPerLayer(g)) layers += g.numel * g.count;
    else root += g.numel * g.count;
  }
  return { root, layer: Math.ceil(layers / Math.max(1, spec.layers)) };
}

const FSDP_SOURCE = 'FSDP2 fully_shard: the root module stays unsharded from forward to backward, the next layer is prefetched; measured through the fake process group at 2–64 ranks (test/fixtures/measured/fsdp-fake-pg.jsonl)';

function fsdpGathered(spec: ModelSpec, all: boolean, bytes: number): Term {
  const { root, layer } = rootAndLayerParams(spec);
  if (all) {
    return makeTerm(
      {
        id: 'gathered_params',
        label: 'Gathered parameters (every layer)',
        formula: 'params * param_bytes',
        inputs: { params: spec.params.total, param_bytes: bytes },
        source: 'FSDP2 fully_shard(reshard_after_forward=False): every layer stays gathered from its forward to its backward; measured (test/fixtures/measured/fsdp-fake-pg.jsonl)',
        note: 'all parameters unsharded during forward and backward, beside their shards',
      },
      spec.params.total * bytes,
    );
  }
  return makeTerm(
    {
      id: 'gathered_params',
      label: 'Gathered parameters (root + one layer)',
      formula: '(root_params + layer_params) * param_bytes',
      inputs: { root_params: root, layer_params: layer, param_bytes: bytes },
      source: FSDP_SOURCE,
      note: 'embedding, final norm and lm_head unsharded, and the layer being prefetched',
    },
    (root + layer) * bytes,
  );
}

/** DeepSpeed stage 3: parameters under the persistence threshold stay gathered; the live set is bounded by max_live_parameters. */
function deepspeedGathered(spec: ModelSpec, sc: Scenario, bytes: number): Term {
  let persistent = 0;
  for (const g of spec.tensors) if (g.numel < sc.paramPersistenceThreshold) persistent += g.numel * g.count;
  const { layer } = rootAndLayerParams(spec);
  const live = Math.min(sc.maxLiveParameters, layer + sc.prefetchBucketSize);
  return makeTerm(
    {
      id: 'gathered_params',
      label: 'Gathered parameters (persistent + live)',
      formula: '(persistent_params + min(max_live_params, layer_params + prefetch_params)) * param_bytes',
      inputs: { persistent_params: persistent, max_live_params: sc.maxLiveParameters, layer_params: layer, prefetch_params: sc.prefetchBucketSize, param_bytes: bytes },
      source: 'DeepSpeed ZeRO-3: stage3_param_persistence_threshold, stage3_max_live_parameters, stage3_prefetch_bucket_size',
      note: 'parameters below the persistence threshold stay gathered; one layer plus the prefetch bucket in flight',
    },
    (persistent + live) * bytes,
  );
}

export function gatheredParamsTerm(spec: ModelSpec, sc: Scenario, plan: TrainingPlan, bytes: number): Term | null {
  if (plan.gathered === 'none') return null;
  if (plan.gathered === 'deepspeed-working-set') return deepspeedGathered(spec, sc, bytes);
  return fsdpGathered(spec, plan.gathered === 'all', bytes);
}

/** DDP's reducer copies every gradient into flat buckets (gradient_as_bucket_view=False); DeepSpeed keeps a reduce bucket. */
export function gradientBucketsTerm(sc: Scenario, plan: TrainingPlan, trainable: number, gradBytes: number): Term | null {
  if (plan.buckets === 'none' || trainable === 0) return null;
  if (plan.buckets === 'ddp') {
    return makeTerm(
      {
        id: 'gradient_buckets',
        label: 'DDP gradient buckets',
        formula: 'trainable_params * grad_bytes',
        inputs: { trainable_params: trainable, grad_bytes: gradBytes },
        source: 'torch.nn.parallel.DistributedDataParallel reducer buckets; measured on two H200s (../shared/calibration/h200x2-sharded-training.jsonl: rank 1 = one GPU + one gradient-sized copy)',
        note: 'a gradient-sized flat copy for the all-reduce, allocated when the model is wrapped',
      },
      trainable * gradBytes,
    );
  }
  const elements = Math.min(trainable, sc.reduceBucketSize);
  return makeTerm(
    {
      id: 'gradient_buckets',
      label: 'DeepSpeed reduce bucket',
      formula: 'min(trainable_params, reduce_bucket_size) * grad_bytes',
      inputs: { trainable_params: trainable, reduce_bucket_size: sc.reduceBucketSize, grad_bytes: gradBytes },
      source: 'DeepSpeed zero_optimization.reduce_bucket_size (contiguous gradients: the reduction buffer is allocated up front)',
    },
    elements * gradBytes,
  );
}

/** DeepSpeed's mixed precision: an fp32 copy of the trained parameters and an fp32 gradient partition for the step. */
export function masterWeightsTerm(trainable: number): Term {
  return makeTerm(
    {
      id: 'master_weights',
      label: 'fp32 master weights and gradients',
      formula: 'trainable_params * (master_bytes + fp32_grad_bytes)',
      inputs: { trainable_params: trainable, master_bytes: 4, fp32_grad_bytes: 4 },
      source: 'DeepSpeed ZeRO (arXiv 1910.02054 §3.1: fp32 parameters among the K = 12 optimizer bytes); estimate_zero2_model_states_mem_needs counts fp32 gradients too (18 B/param)',
    },
    trainable * 8,
  );
}

/** DeepSpeed's defaults for NVMe offload (zero_optimization.offload_param / offload_optimizer). */
const NVME_PARAM_BUFFERS = { count: 5, elements: 100_000_000, bytes: 2 };
const NVME_OPTIMIZER_BUFFERS = { count: 4, subGroup: 1_000_000_000, bytes: 4 };

/**
 * ZeRO-Infinity stages what moves to and from NVMe through pinned host buffers: `buffer_count` × `buffer_size`
 * 16-bit elements for parameters, and `buffer_count` swap buffers of one optimizer sub-group (fp32, at most
 * `sub_group_size` elements, here the rank's partition) for the optimizer. DeepSpeed's defaults; not measured here.
 */
export function nvmeStagingTerm(plan: TrainingPlan, trainable: number): Term | null {
  const params = plan.placement.params.device === 'nvme' ? NVME_PARAM_BUFFERS.count * NVME_PARAM_BUFFERS.elements * NVME_PARAM_BUFFERS.bytes : 0;
  const o = plan.placement.optimizer;
  const subGroup = Math.min(NVME_OPTIMIZER_BUFFERS.subGroup, Math.ceil(trainable / o.over));
  const optimizer = o.device === 'nvme' ? NVME_OPTIMIZER_BUFFERS.count * subGroup * NVME_OPTIMIZER_BUFFERS.bytes : 0;
  if (params + optimizer === 0) return null;
  return makeTerm(
    {
      id: 'offload_buffers',
      label: 'NVMe staging buffers (pinned host)',
      formula: 'param_buffers + optimizer_buffers',
      inputs: { param_buffers: params, optimizer_buffers: optimizer },
      source: 'DeepSpeed ZeRO-Infinity defaults: offload_param buffer_count 5 × buffer_size 1e8; offload_optimizer buffer_count 4 swap buffers of one sub-group (sub_group_size 1e9)',
      note: 'not measured here (DeepSpeed is not on the GPU machine)',
      where: 'cpu',
    },
    params + optimizer,
  );
}
