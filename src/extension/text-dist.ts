/**
 * Editor text for multi-GPU setups: the CodeLens ("≈ 21.3 GiB per GPU × 8 · host 118 GiB · fits H100 80GB") and what
 * the stage, offload, bucket and world keys of DeepSpeed, accelerate and training files change, each computed by
 * re-running the engine with that one thing changed. Pure: no `vscode`.
 */
import { formatBytes, type Estimate, type Scenario } from '../core/index.ts';
import { shortGpuName } from '../shared/labels.ts';
import { rerun, type Analysis } from './analysis.ts';

/** Parameters, gradients, optimizer states and fp32 master copies held on the GPU: ZeRO's "model states". */
const MODEL_STATES = ['weights', 'gradients', 'optimizer_states', 'master_weights', 'lora_adapters'];

export function modelStatesBytes(e: Estimate): number {
  return e.memory.terms.filter((t) => t.where === 'gpu' && MODEL_STATES.includes(t.id)).reduce((s, t) => s + t.bytes, 0);
}

/** More than one GPU, or anything on the host or NVMe. */
export function isDistributed(e: Estimate): boolean {
  return e.scenario.gpus > 1 || e.memory.host_bytes > 0 || e.memory.nvme_bytes > 0 || e.parallel !== null;
}

/** "host 118 GiB · NVMe 40 GiB" (empty when neither is used). */
export function hostPart(e: Estimate): string {
  const m = e.memory;
  const parts = [];
  if (m.host_bytes > 0) parts.push(`host ${formatBytes(m.host_bytes)}`);
  if (m.nvme_bytes > 0) parts.push(`NVMe ${formatBytes(m.nvme_bytes)}`);
  return parts.join(' · ');
}

/** "≈ 21.3 GiB per GPU × 8 · host 118 GiB · fits H100 80GB" (the e2e test reads this format). */
export function distCodeLensTitle(a: Pick<Analysis, 'estimate' | 'gpu' | 'fits'>): string {
  const e = a.estimate;
  const m = e.memory;
  const host = hostPart(e);
  let t = `≈ ${formatBytes(m.peak_bytes)} per GPU × ${e.scenario.gpus}${host ? ` · ${host}` : ''}`;
  if (a.gpu) t += a.fits ? ` · fits ${shortGpuName(a.gpu)}` : ` · does not fit ${shortGpuName(a.gpu)} (needs ${formatBytes(m.device_bytes)})`;
  if (m.host_fits === false) t += ` · host RAM does not fit (${formatBytes(e.scenario.hostMemory ?? 0)} per node)`;
  return t;
}

const STAGE_KEYS = ['zero_optimization.stage', 'deepspeed_config.zero_stage', 'fsdp_config.fsdp_sharding_strategy', 'fsdp_config.fsdp_reshard_after_forward', 'deepspeed', 'fsdp', 'fsdp_config', 'distributed_type'];
const OPT_KEYS = ['zero_optimization.offload_optimizer', 'zero_optimization.offload_optimizer.device', 'deepspeed_config.offload_optimizer_device'];
const PARAM_KEYS = ['zero_optimization.offload_param', 'zero_optimization.offload_param.device', 'deepspeed_config.offload_param_device', 'fsdp_config.fsdp_offload_params'];
const WORLD_KEYS = ['num_processes', 'num_machines', 'train_batch_size'];
/** The GPU-count options of launch lines (torchrun, accelerate launch, deepspeed). */
const LAUNCH_KEYS = ['--nproc_per_node', '--nproc-per-node', '--num_processes', '--num-processes', '--num_gpus', '--num-gpus'];
const BUCKETS: Record<string, keyof Scenario> = {
  'zero_optimization.reduce_bucket_size': 'reduceBucketSize',
  'zero_optimization.allgather_bucket_size': 'allgatherBucketSize',
  'zero_optimization.stage3_prefetch_bucket_size': 'prefetchBucketSize',
  'zero_optimization.stage3_max_live_parameters': 'maxLiveParameters',
  'zero_optimization.stage3_param_persistence_threshold': 'paramPersistenceThreshold',
};

export function isDistKey(key: string): boolean {
  return [...STAGE_KEYS, ...OPT_KEYS, ...PARAM_KEYS, ...WORLD_KEYS, ...LAUNCH_KEYS, 'train_micro_batch_size_per_gpu'].includes(key) || key in BUCKETS;
}

/** What a multi-GPU key changes; null when the re-runs fail or the key says nothing here. */
export function distContribution(key: string, a: Analysis): string | null {
  if (a.scenario.mode !== 'training') return null;
  if (STAGE_KEYS.includes(key)) return stageText(a);
  if (OPT_KEYS.includes(key)) return offloadText(a, 'offloadOptimizer');
  if (PARAM_KEYS.includes(key)) return offloadText(a, 'offloadParams');
  if (WORLD_KEYS.includes(key) || LAUNCH_KEYS.includes(key)) return worldText(a);
  if (key in BUCKETS) return bucketText(BUCKETS[key]!, a);
  if (key === 'train_micro_batch_size_per_gpu') return batchText(a);
  return null;
}

/** The stage with offloads a stage allows (parameters only at stage 3, the optimizer from stage 1). */
function atStage(s: Scenario, z: 0 | 1 | 2 | 3): Partial<Scenario> {
  return { zero: z, offloadParams: z < 3 ? 'none' : s.offloadParams, offloadOptimizer: z < 1 ? 'none' : s.offloadOptimizer };
}

const gib = (e: Estimate | null) => (e ? formatBytes(e.memory.peak_bytes) : 'invalid');

/** "`stage: 3` — model states 16 → 2.0 GiB per GPU on 8 GPUs; peak per GPU at stage 0 …, 1 …, 2 …". */
function stageText(a: Analysis): string | null {
  const s = a.scenario;
  const zero0 = rerun(a, atStage(s, 0));
  if (!zero0) return null;
  const others = ([0, 1, 2, 3] as const).filter((z) => z !== s.zero).map((z) => `stage ${z} ${gib(rerun(a, atStage(s, z)))}`);
  const what = s.runtime === 'deepspeed' ? 'DeepSpeed ZeRO' : 'ZeRO/FSDP';
  return `\`stage: ${s.zero}\` (${what}) — model states ${formatBytes(modelStatesBytes(zero0))} → ${formatBytes(modelStatesBytes(a.estimate))} per GPU on ${s.gpus} GPU${s.gpus === 1 ? '' : 's'}; peak per GPU ${formatBytes(a.estimate.memory.peak_bytes)} (${others.join(', ')}).`;
}

function offloadText(a: Analysis, field: 'offloadOptimizer' | 'offloadParams'): string | null {
  const s = a.scenario;
  const dev = s[field];
  const alt = dev === 'none' ? 'cpu' : 'none';
  const needs = field === 'offloadParams' && alt !== 'none' && s.zero < 3 ? { zero: 3 as const } : field === 'offloadOptimizer' && alt !== 'none' && s.zero < 1 ? { zero: 1 as const } : {};
  const other = rerun(a, { [field]: alt, ...needs });
  const what = field === 'offloadParams' ? 'Parameters' : 'Optimizer states';
  const here = `${formatBytes(a.estimate.memory.peak_bytes)} per GPU${hostPart(a.estimate) ? `, ${hostPart(a.estimate)} per node` : ''}`;
  const there = other ? `${formatBytes(other.memory.peak_bytes)} per GPU${hostPart(other) ? `, ${hostPart(other)} per node` : ''}` : 'invalid';
  return `${what} ${dev === 'none' ? 'on the GPU' : `offloaded to ${dev}`}: ${here}; ${alt === 'none' ? 'on the GPU' : `offloaded to ${alt}${needs.zero ? ` (with stage ${needs.zero})` : ''}`}: ${there}.`;
}

function worldText(a: Analysis): string | null {
  const s = a.scenario;
  const twice = rerun(a, { gpus: s.gpus * 2 });
  const half = s.gpus > 1 ? rerun(a, { gpus: Math.max(1, Math.floor(s.gpus / 2)) }) : null;
  const alts = [half ? `${Math.floor(s.gpus / 2)} GPUs: ${gib(half)}` : '', twice ? `${s.gpus * 2} GPUs: ${gib(twice)}` : ''].filter(Boolean).join(', ');
  const nodes = Math.ceil(s.gpus / s.gpusPerNode);
  return `${s.gpus} GPU${s.gpus === 1 ? '' : 's'} on ${nodes} node${nodes === 1 ? '' : 's'}: ${formatBytes(a.estimate.memory.peak_bytes)} per GPU${hostPart(a.estimate) ? `, ${hostPart(a.estimate)} per node` : ''}${alts ? `; ${alts}` : ''}.`;
}

function bucketText(field: keyof Scenario, a: Analysis): string | null {
  const n = a.scenario[field] as number;
  const half = Math.floor(n / 2);
  const alt = rerun(a, { [field]: half });
  const d = alt ? alt.memory.peak_bytes - a.estimate.memory.peak_bytes : null;
  const applies = a.scenario.runtime === 'deepspeed' ? '' : ' (read by the DeepSpeed runtime only)';
  return `${n.toLocaleString('en-US')} elements${applies}; at ${half.toLocaleString('en-US')}: ${d === null ? 'invalid' : d === 0 ? 'the peak does not change' : `peak per GPU ${formatBytes(alt!.memory.peak_bytes)} (${d > 0 ? '+' : '−'}${formatBytes(Math.abs(d))})`}.`;
}

function batchText(a: Analysis): string | null {
  const s = a.scenario;
  const alt = rerun(a, { batch: s.batch + 1 });
  if (!alt) return null;
  return `${s.batch} sequence${s.batch === 1 ? '' : 's'} per GPU per micro-step; each more adds ≈ ${formatBytes(alt.memory.peak_bytes - a.estimate.memory.peak_bytes)} per GPU.`;
}
