/**
 * accelerate config YAML (`accelerate config` writes it; `accelerate launch --config_file` reads it) → a training
 * scenario: the world (num_processes, num_machines), mixed precision, and how it is sharded (DDP, FSDP 1/2 with its
 * sharding strategy and CPU offload, DeepSpeed with its deepspeed_config or the JSON it names).
 */
import type { ScenarioInput } from '../core/scenario.ts';
import { KeyReader, shown } from './deepspeedJson.ts';
import { parseYamlTree } from './yaml-tree.ts';
import type { FieldLocations, FileReference, ParseIssue, ParseResult, WorkloadFile } from './types.ts';

const TYPES = ['NO', 'MULTI_GPU', 'FSDP', 'DEEPSPEED', 'MULTI_CPU', 'MULTI_NPU', 'MULTI_XPU', 'MULTI_MLU', 'MULTI_SDAA', 'MULTI_MUSA', 'MULTI_HPU', 'XLA', 'MEGATRON_LM'];
/** FSDP1 sharding strategies (names, or the numbers older accelerate wrote) → the ZeRO stage they equal per GPU. */
const STRATEGIES: Record<string, 0 | 2 | 3> = { FULL_SHARD: 3, SHARD_GRAD_OP: 2, NO_SHARD: 0, HYBRID_SHARD: 3, _HYBRID_SHARD_ZERO2: 2, '1': 3, '2': 2, '3': 0, '4': 3, '5': 2 };

export function looksLikeAccelerate(text: string): boolean {
  return /^distributed_type\s*:/m.test(text);
}

interface Out {
  scenario: ScenarioInput;
  fields: FieldLocations;
  deepspeed?: FileReference;
}

export function parseAccelerateYaml(text: string): ParseResult<WorkloadFile> {
  const errors: ParseIssue[] = [];
  const tree = parseYamlTree(text, errors);
  if (!tree) return { value: null, errors };
  const r = new KeyReader(tree.root, tree.keys, errors);
  const out: Out = { scenario: { mode: 'training' }, fields: {} };
  const type = readType(r);
  readWorld(r, out, type);
  readMixedPrecision(r, out, type);
  if (type === 'FSDP') readFsdp(r, out);
  if (type === 'DEEPSPEED') readDeepSpeedSection(r, out);
  if (type === 'MEGATRON_LM') r.warn('distributed_type', 'Megatron-LM through accelerate is not modelled yet; estimated as data parallel');
  if (errors.some((e) => e.severity === 'error')) return { value: null, errors };
  const value: WorkloadFile = { kind: 'accelerate', model: null, modelLocation: null, scenario: out.scenario, fields: out.fields, keys: tree.keys, extras: { distributed_type: type } };
  if (out.deepspeed) value.deepspeed = out.deepspeed;
  return { value, errors };
}

function readType(r: KeyReader): string {
  const v = r.value('distributed_type');
  const t = typeof v === 'string' ? v.trim().toUpperCase() : '';
  if (TYPES.includes(t)) return t;
  r.error('distributed_type', `${shown(v)} is not one of NO, MULTI_GPU, FSDP, DEEPSPEED (or another accelerate distributed type)`);
  return 'NO';
}

function readWorld(r: KeyReader, out: Out, type: string): void {
  const n = r.int('num_processes', 1, false);
  const machines = r.int('num_machines', 1, false);
  if (typeof n === 'number') {
    out.scenario.gpus = type === 'NO' ? 1 : n;
    out.fields.gpus = r.loc('num_processes');
  }
  if (typeof n === 'number' && typeof machines === 'number') {
    if (n % machines !== 0) r.error('num_machines', `${machines} machines do not divide num_processes ${n}`);
    else if (n / machines <= 64) {
      out.scenario.gpusPerNode = n / machines;
      out.fields.gpusPerNode = r.loc('num_machines');
    }
  }
}

function readMixedPrecision(r: KeyReader, out: Out, type: string): void {
  const v = r.value('mixed_precision');
  if (v === undefined || v === null) return;
  const m = typeof v === 'string' ? v.toLowerCase() : '';
  if (!['no', 'fp16', 'bf16', 'fp8'].includes(m)) {
    r.error('mixed_precision', `${shown(v)} is not no, fp16, bf16 or fp8`);
    return;
  }
  if (m === 'fp8') r.warn('mixed_precision', 'fp8 training is not modelled yet; estimated as bf16');
  const half = m === 'fp16' ? 'fp16' : 'bf16';
  // DeepSpeed keeps 16-bit parameters; DDP and FSDP keep fp32 parameters and compute under autocast.
  out.scenario.precision = m === 'no' ? 'fp32' : type === 'DEEPSPEED' ? half : half === 'fp16' ? 'amp-fp16' : 'amp-bf16';
  out.fields.precision = r.loc('mixed_precision');
}

function readFsdp(r: KeyReader, out: Out): void {
  const version = r.value('fsdp_config.fsdp_version') ?? 1;
  if (version !== 1 && version !== 2) r.error('fsdp_config.fsdp_version', `${shown(version)} is not 1 or 2`);
  const reshard = r.bool('fsdp_config.fsdp_reshard_after_forward', false);
  const strat = r.value('fsdp_config.fsdp_sharding_strategy');
  out.scenario.zero = 3;
  if (version === 2 && reshard !== undefined) {
    out.scenario.zero = reshard ? 3 : 2;
    out.fields.zero = r.loc('fsdp_config.fsdp_reshard_after_forward');
  } else if (strat !== undefined && strat !== null) {
    const name = typeof strat === 'string' || typeof strat === 'number' ? String(strat).trim().toUpperCase() : '';
    const z = STRATEGIES[name];
    if (z === undefined) r.error('fsdp_config.fsdp_sharding_strategy', `${shown(strat)} is not FULL_SHARD, SHARD_GRAD_OP, NO_SHARD or HYBRID_SHARD`);
    else {
      out.scenario.zero = z;
      out.fields.zero = r.loc('fsdp_config.fsdp_sharding_strategy');
      if (/HYBRID|^[45]$/.test(name) && (out.scenario.gpusPerNode ?? 8) < (out.scenario.gpus ?? 1)) {
        r.warn('fsdp_config.fsdp_sharding_strategy', 'hybrid sharding (within a node, replicated across nodes) is estimated as sharding over every GPU; per-GPU states are higher', 'info');
      }
    }
  }
  const offload = r.bool('fsdp_config.fsdp_offload_params', false);
  if (offload) {
    // FSDP's CPU offload moves parameters, gradients and optimizer states together.
    out.scenario.offloadParams = 'cpu';
    out.scenario.offloadOptimizer = 'cpu';
    out.fields.offloadParams = out.fields.offloadOptimizer = r.loc('fsdp_config.fsdp_offload_params');
  }
  const ckpt = r.bool('fsdp_config.fsdp_activation_checkpointing', false);
  if (ckpt !== undefined) {
    out.scenario.gradCheckpointing = ckpt === true;
    out.fields.gradCheckpointing = r.loc('fsdp_config.fsdp_activation_checkpointing');
  }
}

function readDeepSpeedSection(r: KeyReader, out: Out): void {
  out.scenario.runtime = 'deepspeed';
  const file = r.value('deepspeed_config.deepspeed_config_file');
  if (typeof file === 'string' && file.trim()) {
    out.deepspeed = { path: file.trim(), loc: r.loc('deepspeed_config.deepspeed_config_file') };
    return;
  }
  const stage = r.value('deepspeed_config.zero_stage');
  if (stage !== undefined && stage !== 0 && stage !== 1 && stage !== 2 && stage !== 3) r.error('deepspeed_config.zero_stage', `${shown(stage)} is not 0, 1, 2 or 3`);
  else if (stage !== undefined) {
    out.scenario.zero = stage;
    out.fields.zero = r.loc('deepspeed_config.zero_stage');
  }
  for (const [key, field, min] of [['offload_optimizer_device', 'offloadOptimizer', 1], ['offload_param_device', 'offloadParams', 3]] as const) {
    const path = `deepspeed_config.${key}`;
    const v = r.value(path);
    if (v === undefined || v === null) continue;
    const d = typeof v === 'string' ? v.toLowerCase() : '';
    if (!['none', 'cpu', 'nvme'].includes(d)) r.error(path, `${shown(v)} is not cpu, nvme or none`);
    else if (d !== 'none' && (out.scenario.zero ?? 0) < min) r.error(path, `offloading ${min === 3 ? 'parameters' : 'the optimizer'} needs ZeRO stage ${min === 3 ? '3' : '1, 2 or 3'} (zero_stage is ${out.scenario.zero ?? 0})`);
    else {
      out.scenario[field] = d as 'none' | 'cpu' | 'nvme';
      out.fields[field] = r.loc(path);
    }
  }
  const ga = r.int('deepspeed_config.gradient_accumulation_steps', 1, false);
  if (typeof ga === 'number') {
    out.scenario.gradAccumulation = ga;
    out.fields.gradAccumulation = r.loc('deepspeed_config.gradient_accumulation_steps');
  }
}
