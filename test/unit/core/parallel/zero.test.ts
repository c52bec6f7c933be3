/**
 * Model states per GPU under ZeRO, against the published figures: the ZeRO paper (arXiv 1910.02054 §5, Fig. 1) and
 * DeepSpeed's documented estimate_zero2/3_model_states_mem_needs examples (docs memory.rst, current code after
 * DeepSpeed PR #5099). We follow DeepSpeed's implementation: 16-bit parameters and gradients, fp32 master weights,
 * fp32 gradient partitions and fp32 Adam states — the paper's K = 12 plus the fp32 gradient partition DeepSpeed
 * keeps for the step (its estimator's 18 = 2 + 16 bytes/param), and in stage 3 no separate 16-bit gradient shard.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateSpec, parseScenario, type Estimate, type ScenarioInput } from '../../../../src/core/index.ts';
import { llamaLike } from '../../helpers/specs.ts';

const MODEL_STATE_IDS = new Set(['weights', 'gradients', 'master_weights', 'optimizer_states']);
/** Parameters, gradients and optimizer side together: the optimizer step less its workspace and buckets. */
function modelStates(e: Estimate): number {
  const step = e.memory.phases.find((p) => p.phase === 'optimizer step')!.bytes;
  const workspace = e.memory.ranks[0]!.terms.find((t) => t.id === 'cuda_workspace')!.bytes;
  const buckets = e.memory.ranks[0]!.terms.find((t) => t.id === 'gradient_buckets')?.bytes ?? 0;
  return step - workspace - buckets;
}
const GiB = 2 ** 30;

/** A Llama-shaped model of about `billions` parameters (for per-parameter accounting only). */
function modelOf(layers: number, hidden: number) {
  return llamaLike({ hidden, layers, heads: hidden / 128, kvHeads: hidden / 128, intermediate: 4 * hidden, vocab: 32000, tied: false });
}

const ds = (zero: 0 | 1 | 2 | 3, gpus: number, extra: ScenarioInput = {}): ScenarioInput => ({
  mode: 'training',
  runtime: 'deepspeed',
  zero,
  gpus,
  batch: 1,
  seq: 128,
  ...extra,
});

test('ZeRO paper Fig. 1 (Ψ = 7.5B, N_d = 64): 120 / 31.4 / 16.6 / 1.9 GB, from DeepSpeed accounting minus its fp32 gradient partition', () => {
  const spec = modelOf(32, 4096);
  const P = spec.params.total;
  const N = 64;
  const paper = [16 * P, 4 * P + (12 * P) / N, 2 * P + (14 * P) / N, (16 * P) / N];
  // DeepSpeed keeps 4 B/param of fp32 gradients beside the paper's K = 12 (sharded with the optimizer from stage 1),
  // and in stage 3 reduces the 16-bit gradients straight into it (no 2 B/param 16-bit shard).
  const extra = [4 * P, (4 * P) / N, (4 * P) / N, (2 * P) / N];
  for (const zero of [0, 1, 2, 3] as const) {
    const e = estimateSpec(spec, parseScenario(ds(zero, N)));
    assert.ok(Math.abs(modelStates(e) - (paper[zero]! + extra[zero]!)) <= 8, `stage ${zero}: ${modelStates(e)} vs ${paper[zero]! + extra[zero]!}`);
  }
  // The paper's own figures, per 7.5B parameters exactly.
  const perParam = (zero: number) => paper[zero]! / P;
  assert.deepEqual([0, 1, 2, 3].map((z) => +((perParam(z) * 7.5e9) / 1e9).toFixed(1)), [120, 31.4, 16.6, 1.9]);
});

test('DeepSpeed estimate_zero2_model_states_mem_needs, t5-3b (2,851M) on 1 node × 8 GPUs: 11.28 GiB per GPU; offloaded 5.31 GiB', () => {
  const P = 2_851_000_000;
  const spec = { ...modelOf(1, 128), params: { total: P, embedding: 0, active: P } };
  spec.tensors = [{ name: 'all.weight', role: 'linear', numel: P, count: 1, shape: [P / 1000, 1000], module: 'x' }];
  const e = estimateSpec(spec, parseScenario(ds(2, 8)));
  assert.equal(+(modelStates(e) / GiB).toFixed(2), 11.28);
  const off = estimateSpec(spec, parseScenario(ds(2, 8, { offloadOptimizer: 'cpu' })));
  const gpu = off.memory.terms.filter((t) => MODEL_STATE_IDS.has(t.id) && t.where === 'gpu').reduce((s, t) => s + t.bytes, 0);
  assert.ok(off.memory.host_bytes > 0, 'the fp32 side is on the host');
  // DeepSpeed's offload figure counts the 16-bit parameters only (2·P); the 16-bit gradient shard 2·P/N stays on the GPU here.
  assert.equal(+((gpu - (2 * P) / 8) / GiB).toFixed(2), 5.31);
});

test('DeepSpeed estimate_zero3_model_states_mem_needs, t5-large (737.67M) on 4 GPUs: 18·P/N of model states per GPU', () => {
  const P = 737_670_000;
  const spec = { ...modelOf(1, 128), params: { total: P, embedding: 0, active: P } };
  spec.tensors = [{ name: 'all.weight', role: 'linear', numel: P, count: 1, shape: [P / 1000, 1000], module: 'x' }];
  const e = estimateSpec(spec, parseScenario(ds(3, 4)));
  // 3,291 MiB in the docs = 4 · largest layer (32.90M) + 18 · P / 4; the model-state part is 18 · P / 4.
  assert.equal(Math.round((modelStates(e) + 4 * 32_900_000) / 2 ** 20), 3291);
});
