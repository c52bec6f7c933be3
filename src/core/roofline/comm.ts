/**
 * Multi-GPU time: the traffic one rank moves per optimizer step beside its own operators, on the catalog's links.
 * - Tensor parallel (Megatron): 2 all-reduces of the layer's output activations per layer in the forward, 2 in the
 *   backward (and 2 more in a checkpointed recompute), on the scale-up link; on the critical path (not overlapped).
 * - Data parallel, per optimizer step: DDP all-reduces the gradients once (2·(N−1)/N of the gradient bytes);
 *   ZeRO-1 adds the all-gather of the updated parameters ((N−1)/N of the parameter bytes; DeepSpeed reduce-scatters
 *   the gradients instead of all-reducing); ZeRO-2 reduce-scatters the gradients of every micro-batch and all-gathers
 *   the parameters after the step; ZeRO-3 / FSDP full shard all-gathers the parameters in every micro-batch's forward
 *   and again in its backward (1.5× ZeRO-2's traffic) and reduce-scatters the gradients. Overlapped: gradient
 *   reduction runs beside the backward pass that produces it and ZeRO-3 gathers are prefetched, so only what exceeds
 *   the micro-batch's compute is added; the post-step all-gather of ZeRO-1/2 is not overlapped.
 * - Pipeline parallel, 1F1B: (pp − 1) idle slots of one micro-batch per step: a step of m micro-batches takes
 *   (m + pp − 1) micro-batch times (a bubble of (pp − 1) / m).
 * - Offload over the host link (PCIe), not overlapped: optimizer offload sends the rank's gradient shard down and
 *   takes the updated 16-bit parameter shard back once per step; parameter offload (ZeRO-3) fetches the parameter
 *   shard in every micro-batch's forward and backward and sends its gradient shard down. The CPU optimizer step and
 *   NVMe bandwidth are not in the catalog and not modelled.
 * Ring collectives: an all-reduce moves 2·(N−1)/N of the bytes per rank, reduce-scatter and all-gather (N−1)/N, each
 * over one direction of the link: half the catalog's both-directions figure. No per-collective latency.
 */
import type { ModelSpec } from '../types.ts';
import type { Scenario } from '../scenario.ts';
import type { ParallelLayout } from '../report.ts';
import type { Gpu } from './hardware.ts';

/** One kind of traffic per optimizer step. */
export interface CommTerm {
  name: string;
  /** Bytes one rank sends per optimizer step (the ring share already applied). */
  bytes: number;
  link: 'scale-up' | 'host';
  /** Bytes/s used: one direction of the link. */
  bandwidth: number;
  /** Seconds per optimizer step at that bandwidth. */
  time_s: number;
  /** Runs beside compute: only what exceeds the compute it overlaps is added. */
  overlapped: boolean;
  /** Paid in every micro-batch (its share of `time_s` each time) or once per optimizer step. */
  per: 'micro-batch' | 'step';
  /** Inference: the pass it belongs to. */
  phase?: 'prefill' | 'decode';
}

export interface CommPlan {
  terms: CommTerm[];
  /** Idle share of a pipelined step: (pp − 1) / micro-batches. */
  pipeline_bubble: number;
  /** Micro-batch slots a step takes on the busiest stage: m + pp − 1 (m without a pipeline). */
  slots: number;
  notes: string[];
}

/** What the communication model needs to know about one rank. */
export interface RankTraffic {
  layout: ParallelLayout;
  /** The rank's own model (its layers, its TP share). */
  spec: ModelSpec;
  /** Trainable elements the rank holds before data-parallel sharding. */
  trainable: number;
  runtime: 'pytorch' | 'deepspeed' | 'vllm';
}

const ring = (n: number) => (n > 1 ? (n - 1) / n : 0);

/** One direction of the scale-up link (PCIe peer traffic where the chip has none), or 0. */
function scaleUpBandwidth(gpu: Gpu): number {
  return (gpu.scaleUp ?? gpu.hostLink ?? 0) / 2;
}

export function commPlan(r: RankTraffic, sc: Scenario, gpu: Gpu): CommPlan | { reason: string } {
  const { layout: l, spec } = r;
  const notes: string[] = [];
  const up = scaleUpBandwidth(gpu);
  const host = (gpu.hostLink ?? 0) / 2;
  const terms: CommTerm[] = [];
  const add = (name: string, bytes: number, link: CommTerm['link'], overlapped: boolean, per: CommTerm['per'], phase?: CommTerm['phase']) => {
    if (bytes <= 0) return;
    const bandwidth = link === 'host' ? host : up;
    terms.push({ name, bytes, link, bandwidth, time_s: bandwidth > 0 ? bytes / bandwidth : Infinity, overlapped, per, ...(phase ? { phase } : {}) });
  };
  const act = sc.precision === 'fp32' ? 4 : 2;
  const training = sc.mode === 'training';
  const m = training ? sc.gradAccumulation : 1;
  if (l.tp > 1) {
    // `sc` is the rank's scenario: its sequence is already the context-parallel share.
    const seq = sc.seq;
    const passes = training ? 4 + (sc.gradCheckpointing ? 2 : 0) : 2;
    const perToken = 2 * ring(l.tp) * spec.hidden * act;
    if (training) add(`tensor-parallel all-reduces (${passes} per layer)`, passes * spec.layers * perToken * sc.batch * seq * m, 'scale-up', false, 'micro-batch');
    else {
      add('tensor-parallel all-reduces (2 per layer)', 2 * spec.layers * perToken * sc.batch * sc.seq, 'scale-up', false, 'step', 'prefill');
      add('tensor-parallel all-reduces (2 per layer)', 2 * spec.layers * perToken * sc.batch, 'scale-up', false, 'step', 'decode');
    }
  }
  if (training && l.dp > 1) {
    const n = l.dp;
    const grad = r.trainable * (sc.precision === 'bf16' || r.runtime === 'deepspeed' ? 2 : sc.precision === 'fp32' ? 4 : 4);
    const param = spec.params.total * act;
    if (l.zero === 0) add('gradient all-reduce (DDP)', 2 * ring(n) * grad, 'scale-up', true, 'step');
    if (l.zero === 1) {
      if (r.runtime === 'deepspeed') add('gradient reduce-scatter (ZeRO-1)', ring(n) * grad, 'scale-up', true, 'step');
      else add('gradient all-reduce (DDP)', 2 * ring(n) * grad, 'scale-up', true, 'step');
      add('parameter all-gather after the step (ZeRO-1)', ring(n) * param, 'scale-up', false, 'step');
    }
    if (l.zero >= 2) add(`gradient reduce-scatter (ZeRO-${l.zero}, every micro-batch)`, ring(n) * grad * m, 'scale-up', true, 'micro-batch');
    if (l.zero === 2) add('parameter all-gather after the step (ZeRO-2)', ring(n) * param, 'scale-up', false, 'step');
    if (l.zero === 3) add('parameter all-gathers, forward and backward (ZeRO-3, every micro-batch)', 2 * ring(n) * param * m, 'scale-up', true, 'micro-batch');
    if (l.cp > 1) notes.push('context parallel: the ring exchange of keys and values is not modelled');
    if (l.nodes > 1) notes.push('data parallel spans nodes: the inter-node network is not in the catalog, the scale-up link is used (time is a lower bound)');
  }
  if (training && (l.offload_optimizer !== 'none' || l.offload_params !== 'none')) {
    const shard = l.zero >= 1 ? l.dp : 1;
    const grad16 = (r.trainable * 2) / (l.zero >= 2 ? l.dp : 1);
    if (l.offload_optimizer !== 'none') add('offload: gradient shard down, updated parameters up (per step)', grad16 + (r.trainable * act) / shard, 'host', false, 'step');
    if (l.offload_params !== 'none') add('offload: parameter shard fetched in forward and backward, gradients down', ((2 * spec.params.total * act) / l.dp + grad16) * m, 'host', false, 'micro-batch');
    notes.push('offload: the CPU optimizer step is not modelled');
    if (l.offload_optimizer === 'nvme' || l.offload_params === 'nvme') notes.push('NVMe bandwidth is not in the catalog: only the PCIe transfers are counted');
  }
  if (terms.some((t) => !Number.isFinite(t.time_s))) return { reason: `GPU "${gpu.id}" has no ${terms.some((t) => t.link === 'host' && !(t.bandwidth > 0)) ? 'host link (PCIe)' : 'scale-up link'} bandwidth in the catalog: multi-GPU time needs it` };
  const slots = training ? m + l.pp - 1 : 1;
  return { terms, pipeline_bubble: training && l.pp > 1 ? (l.pp - 1) / m : 0, slots, notes };
}

/**
 * A training step with its traffic: compute per micro-batch (`micro`, with the overlapped per-micro-batch traffic
 * adding only its excess), `slots` micro-batch times on the busiest pipeline stage, then the optimizer step and the
 * per-step traffic (overlapped terms against one micro-batch's backward, the rest in full).
 */
export function stepWithComm(plan: CommPlan, micro: number, backward: number, optimizer: number, m: number): number {
  let perMicro = micro;
  let perStep = optimizer;
  const overlappedPerMicro = plan.terms.filter((t) => t.per === 'micro-batch' && t.overlapped).reduce((s, t) => s + t.time_s / m, 0);
  perMicro += Math.max(0, overlappedPerMicro - micro);
  for (const t of plan.terms) {
    if (t.per === 'micro-batch' && !t.overlapped) perMicro += t.time_s / m;
    else if (t.per === 'step') perStep += t.overlapped ? Math.max(0, t.time_s - backward) : t.time_s;
  }
  return plan.slots * perMicro + perStep;
}
