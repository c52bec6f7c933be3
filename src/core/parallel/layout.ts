/**
 * How the world is divided: GPUs = data × tensor × pipeline × context parallel; experts are divided over `ep` ranks
 * carved from the data-parallel ones. Checked once, with errors that name the key.
 */
import type { ModelSpec } from '../types.ts';
import { ScenarioError, type Scenario } from '../scenario.ts';
import type { ParallelLayout } from '../report.ts';

function strategyName(sc: Scenario, dp: number): string {
  if (sc.runtime === 'vllm') return sc.tp > 1 || sc.pp > 1 ? 'vLLM tensor/pipeline parallel' : 'vLLM data parallel replicas';
  if (sc.runtime === 'deepspeed') return `DeepSpeed ZeRO-${sc.zero}`;
  if (dp === 1 && sc.zero === 0) return 'model parallel';
  const fsdp = sc.offloadParams === 'cpu' ? 'FSDP2 full shard + CPUOffloadPolicy' : 'FSDP2 full shard';
  return ['DDP', 'DDP + ZeroRedundancyOptimizer', 'FSDP2 (reshard_after_forward=False)', fsdp][sc.zero]!;
}

function check(ok: boolean, key: string, message: string): void {
  if (!ok) throw new ScenarioError(`${key}: ${message}`, key);
}

/** Offload rules: parameters only at stage 3; NVMe only through DeepSpeed; FSDP2 offloads everything together. */
function checkOffload(sc: Scenario): void {
  if (sc.mode !== 'training') {
    check(sc.offloadOptimizer === 'none' && sc.offloadParams === 'none', 'offloadOptimizer', 'offloading applies to training');
    return;
  }
  check(sc.offloadParams === 'none' || sc.zero === 3, 'offloadParams', `offloading parameters needs ZeRO stage 3 (stage is ${sc.zero})`);
  check(sc.offloadOptimizer === 'none' || sc.zero >= 1 || sc.runtime === 'deepspeed', 'offloadOptimizer', 'offloading the optimizer needs ZeRO stage 1 or more in the pytorch runtime');
  if (sc.runtime === 'pytorch') {
    check(sc.offloadOptimizer !== 'nvme' && sc.offloadParams !== 'nvme', 'offloadOptimizer', 'NVMe offload is DeepSpeed ZeRO-Infinity: use runtime deepspeed');
    check(
      sc.offloadParams === sc.offloadOptimizer,
      'offloadParams',
      'FSDP2 CPUOffloadPolicy moves parameters, gradients and optimizer states together: offload both to cpu (or use runtime deepspeed)',
    );
  }
}

export function parallelLayout(spec: ModelSpec, sc: Scenario): ParallelLayout {
  const modelParallel = sc.tp * sc.pp * sc.cp;
  check(sc.gpus % modelParallel === 0, 'gpus', `${sc.gpus} GPUs are not a multiple of tp × pp × cp = ${modelParallel}`);
  const dp = sc.gpus / modelParallel;
  check(sc.pp <= spec.layers, 'pp', `${sc.pp} pipeline stages for ${spec.layers} layers`);
  check(spec.heads % sc.tp === 0, 'tp', `${spec.heads} attention heads do not divide over ${sc.tp} tensor-parallel ranks`);
  if (sc.ep > 1) {
    check(spec.moe !== null, 'ep', 'expert parallelism needs a mixture-of-experts model');
    check(spec.moe === null || spec.moe.experts % sc.ep === 0, 'ep', `${spec.moe?.experts} experts do not divide over ${sc.ep} ranks`);
    check(dp % sc.ep === 0, 'ep', `expert-parallel size ${sc.ep} must divide the data-parallel size ${dp}`);
  }
  check(sc.mode === 'training' || sc.cp === 1, 'cp', 'context parallelism applies to training');
  check(sc.zero === 0 || sc.mode === 'training', 'zero', 'ZeRO applies to training');
  check(sc.runtime !== 'vllm' || sc.mode === 'inference', 'runtime', 'vllm serves models; training needs the pytorch or deepspeed runtime');
  checkOffload(sc);
  return {
    gpus: sc.gpus,
    nodes: Math.ceil(sc.gpus / sc.gpusPerNode),
    gpus_per_node: Math.min(sc.gpus, sc.gpusPerNode),
    dp,
    tp: sc.tp,
    pp: sc.pp,
    ep: sc.ep,
    cp: sc.cp,
    zero: sc.zero,
    offload_optimizer: sc.offloadOptimizer,
    offload_params: sc.offloadParams,
    strategy: strategyName(sc, dp),
  };
}

/** Whether the scenario runs on more than one GPU or moves anything off the GPU. */
export function isDistributed(sc: Scenario): boolean {
  return sc.gpus > 1 || sc.zero > 0 || sc.offloadOptimizer !== 'none' || sc.offloadParams !== 'none' || sc.runtime === 'deepspeed';
}
