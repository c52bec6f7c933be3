/**
 * Roofline and expected time of a scenario on a GPU. Each operator takes max(FLOPs / peak, bytes / bandwidth)
 * (Williams et al., "Roofline", CACM 2009; per operator as in LLM-Viewer, arXiv 2402.16363):
 * - `roofline`: the bound at 100% of the catalog's numbers, no overheads — no run can be faster;
 * - `time`: the same with efficiencies (MFU on compute-bound operators, bandwidth efficiency on memory-bound ones)
 *   and the runtime's host overhead, calibrated on measured timings (calibration.ts says which).
 * A figure that cannot be computed is absent, never zero, and `reason` says why.
 */
import type { ModelSpec } from '../types.ts';
import type { Scenario } from '../scenario.ts';
import type { RuntimeProfile } from '../runtime.ts';
import { peakFlops, type ComputeDtype, type Gpu } from './hardware.ts';
import { scenarioCosts, type ScenarioCosts } from './phases.ts';
import { REPEAT_KV_OP, type OpCost } from './cost.ts';
import { CALIBRATION, hostOverhead, repeatKvBandwidth, type Calibration } from './calibration.ts';
import { commPlan, stepWithComm, type CommPlan, type CommTerm, type RankTraffic } from './comm.ts';

export interface RooflineOp extends OpCost {
  /** FLOPs per byte moved. */
  intensity: number;
  bound: 'compute' | 'memory';
  /** Seconds at the roof (100%). */
  time_s: number;
}

export interface TimeFigures {
  /** Prefill of the whole batch (the prompt's forward pass). */
  prefill_s?: number;
  /** Time to first token: the batch's prefill (vLLM: one request's prefill on an idle server). */
  ttft_s?: number;
  /** One decode step of the whole batch, at the average context over the generated tokens. */
  decode_step_s?: number;
  /** Prefill plus every generated token. */
  generate_s?: number;
  /** Decode: sequences per step / step time; training: tokens per optimizer step / step time. */
  tokens_per_s?: number;
  /** One optimizer step: gradAccumulation × (forward + backward [+ recompute]) + the optimizer's memory traffic. */
  train_step_s?: number;
  /** Training: datasetTokens / tokens_per_s. */
  epoch_s?: number;
  /** Multi-GPU: each kind of traffic one rank moves (comm.ts), at the catalog's link bandwidth. */
  comm?: CommTerm[];
  /** Pipeline: idle share of a step, (pp − 1) / micro-batches. */
  pipeline_bubble?: number;
  /** What the multi-GPU terms assume or leave out. */
  comm_notes?: string[];
}

export interface RooflineReport extends TimeFigures {
  gpu: string | null;
  compute_dtype: ComputeDtype;
  /** Dense FLOP/s and bytes/s used; the ridge is where an operator turns compute-bound. */
  peak_flops: number;
  bandwidth: number;
  ridge_intensity: number;
  ops: RooflineOp[];
  reason?: string;
}

export interface TimeReport extends TimeFigures {
  mfu: number;
  bandwidth_efficiency: number;
  note: string;
  reason?: string;
}

/** The dtype the matmuls run in: fp8 weights on a chip with fp8 tensor cores, else the precision's compute dtype. */
export function computeDtype(sc: Scenario, gpu: Gpu | null): ComputeDtype {
  if (sc.precision === 'fp32') return 'fp32';
  if (sc.mode === 'inference' && sc.weightsDtype === 'fp8' && gpu && peakFlops(gpu, 'fp8') > 0) return 'fp8';
  return 'bf16';
}

/** Why no time can be computed on this GPU, or null. */
function missingReason(gpu: Gpu | null, dtype: ComputeDtype): string | null {
  if (!gpu) return 'no GPU chosen: time needs --gpu (a catalog id or a custom GPU)';
  if (!(gpu.bandwidth > 0)) return `GPU "${gpu.id}" has no memory bandwidth: add "bandwidth" (e.g. "864 GB/s") to its customGpus entry`;
  if (!(peakFlops(gpu, dtype) > 0)) return `GPU "${gpu.id}" has no ${dtype} FLOP/s in the catalog${gpu.vendor === 'custom' ? ' (add "flops16" to its customGpus entry)' : ''}`;
  return null;
}

function opTime(o: OpCost, flops: number, bw: number): number {
  return Math.max(o.flops / flops, o.bytes / bw);
}

/**
 * FLOP/s and bytes/s a pass runs at; `fp32Flops`: the rate of fp32 matmuls without tensor cores; `copyBw`: the
 * repeat_kv copy's bytes/s (its kernels differ from the rest).
 */
interface Rates {
  flops: number;
  fp32Flops: number;
  bw: number;
  copyBw: number;
}

function sumTime(ops: readonly OpCost[] | undefined, r: Rates): number | undefined {
  if (!ops) return undefined;
  let s = 0;
  for (const o of ops) s += opTime(o, o.fp32 ? r.fp32Flops : r.flops, o.name === REPEAT_KV_OP ? r.copyBw : r.bw);
  return s;
}

/** The figures of one scenario at the given rates; `overhead` adds the runtime's host time (expected time only). */
function phaseComm(plan: CommPlan | null, phase: 'prefill' | 'decode'): number {
  return plan ? plan.terms.filter((t) => t.phase === phase).reduce((s, t) => s + t.time_s, 0) : 0;
}

function figures(spec: ModelSpec, sc: Scenario, costs: ScenarioCosts, rates: Rates, rt: RuntimeProfile | null, cal: Calibration = CALIBRATION, plan: CommPlan | null = null): TimeFigures {
  const f: TimeFigures = {};
  const host = rt ? hostOverhead(rt, sc, spec.layers, cal) : { prefill: 0, decodeAdd: 0, decodeFloor: 0, train: 0 };
  const prefillDevice = sumTime(costs.prefill, rates);
  const decodeDevice = sumTime(costs.decode, rates);
  const prefill = prefillDevice === undefined ? undefined : prefillDevice + phaseComm(plan, 'prefill');
  const decode = decodeDevice === undefined ? undefined : decodeDevice + phaseComm(plan, 'decode');
  if (prefill !== undefined) {
    f.prefill_s = Math.max(prefill, host.prefill);
    f.ttft_s = costs.firstToken ? Math.max(sumTime(costs.firstToken, rates)!, host.prefill) : f.prefill_s;
    if (decode === undefined) f.tokens_per_s = (sc.batch * sc.seq) / f.prefill_s;
  }
  if (decode !== undefined) {
    f.decode_step_s = Math.max(decode + host.decodeAdd, host.decodeFloor);
    f.tokens_per_s = sc.batch / f.decode_step_s;
    f.generate_s = f.prefill_s! + sc.newTokens * f.decode_step_s;
  }
  if (costs.micro) {
    const micro = sumTime(costs.micro, rates)! + host.train;
    const optimizer = sumTime(costs.optimizer, rates)!;
    if (plan) {
      const backward = sumTime(costs.micro.filter((o) => o.phase === 'backward'), rates)!;
      f.train_step_s = stepWithComm(plan, micro, backward, optimizer, sc.gradAccumulation);
    } else f.train_step_s = sc.gradAccumulation * micro + optimizer;
    f.tokens_per_s = (sc.batch * sc.seq * sc.gradAccumulation) / f.train_step_s;
    if (sc.datasetTokens !== null) f.epoch_s = sc.datasetTokens / f.tokens_per_s;
  }
  if (plan) {
    f.comm = plan.terms;
    if (plan.pipeline_bubble > 0) f.pipeline_bubble = plan.pipeline_bubble;
    if (plan.notes.length) f.comm_notes = plan.notes;
  }
  return f;
}

function roofOps(costs: ScenarioCosts, r: Rates): RooflineOp[] {
  const all = [...(costs.prefill ?? []), ...(costs.decode ?? []), ...(costs.micro ?? []), ...(costs.optimizer ?? [])];
  return all.map((o) => {
    const flops = o.fp32 ? r.fp32Flops : r.flops;
    const intensity = o.bytes > 0 ? o.flops / o.bytes : Infinity;
    return { phase: o.phase, name: o.name, flops: o.flops, bytes: o.bytes, intensity, bound: intensity >= flops / r.bw ? 'compute' : 'memory', time_s: opTime(o, flops, r.bw) };
  });
}

/** Efficiencies in force: the scenario's, else the calibrated defaults for the mode. */
export function efficiencies(sc: Scenario, cal: Calibration = CALIBRATION): { mfu: number; bw: number } {
  const d = sc.mode === 'training' ? cal.training : cal.inference;
  return { mfu: sc.mfu ?? d.mfu, bw: sc.bandwidthEfficiency ?? d.bandwidthEfficiency };
}

/**
 * Roofline and expected time of one rank. `traffic` (multi-GPU or offload): the rank's layout, its own model and
 * trainable count, for the communication terms of comm.ts; the links run at the catalog's bandwidth in both reports
 * (no measured link efficiency yet).
 */
export function timeReports(spec: ModelSpec, sc: Scenario, rt: RuntimeProfile, gpu: Gpu | null, trainable: number, cal: Calibration = CALIBRATION, traffic?: RankTraffic): { roofline: RooflineReport; time: TimeReport } {
  const dtype = computeDtype(sc, gpu);
  const eff = efficiencies(sc, cal);
  const note = `${sc.mfu === null ? 'MFU' : '--mfu'} ${eff.mfu}, ${sc.bandwidthEfficiency === null ? 'bandwidth efficiency' : '--bandwidth-efficiency'} ${eff.bw}; ${cal.note}${traffic ? '; multi-GPU traffic at the catalog link bandwidth (comm.ts: TP all-reduces, pipeline bubble and offload transfers on the critical path, data-parallel reduction overlapped with backward)' : ''}`;
  const planned = traffic && gpu ? commPlan(traffic, sc, gpu) : null;
  const reason = missingReason(gpu, dtype) ?? (planned && 'reason' in planned ? planned.reason : null);
  const plan = planned && !('reason' in planned) ? planned : null;
  if (reason || !gpu) {
    const why = reason ?? 'no GPU';
    return { roofline: { gpu: gpu?.id ?? null, compute_dtype: dtype, peak_flops: 0, bandwidth: 0, ridge_intensity: 0, ops: [], reason: why }, time: { mfu: eff.mfu, bandwidth_efficiency: eff.bw, note, reason: why } };
  }
  const peak = peakFlops(gpu, dtype);
  // fp32 matmuls (PEFT's adapters) at the catalog's fp32 rate; a GPU without one in the catalog: the compute dtype's.
  const fp32 = peakFlops(gpu, 'fp32') > 0 ? peakFlops(gpu, 'fp32') : peak;
  const costs = scenarioCosts(spec, sc, rt, trainable);
  const roof: Rates = { flops: peak, fp32Flops: fp32, bw: gpu.bandwidth, copyBw: gpu.bandwidth };
  // The repeat_kv copy at its measured share of the bandwidth, unless --bandwidth-efficiency sets every memory-bound operator.
  const copyEff = sc.bandwidthEfficiency ?? repeatKvBandwidth(sc, cal) ?? eff.bw;
  const expected: Rates = { flops: peak * eff.mfu, fp32Flops: fp32 * eff.mfu, bw: gpu.bandwidth * eff.bw, copyBw: gpu.bandwidth * copyEff };
  const roofline: RooflineReport = { gpu: gpu.id, compute_dtype: dtype, peak_flops: peak, bandwidth: gpu.bandwidth, ridge_intensity: peak / gpu.bandwidth, ops: roofOps(costs, roof), ...figures(spec, sc, costs, roof, null, cal, plan) };
  const time: TimeReport = { mfu: eff.mfu, bandwidth_efficiency: eff.bw, note, ...figures(spec, sc, costs, expected, rt, cal, plan) };
  return { roofline, time };
}
