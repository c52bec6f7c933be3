/**
 * Tensor, sequence, pipeline, context and expert parallelism per GPU, against hand counts on Llama-3-8B's shape
 * (h = 4096, 8 KV heads × 128, MLP 14,336, 32 layers, vocab 128,256) and Mixtral's experts. Activations follow
 * Korthikanti et al. (arXiv 2205.05198 §4) with fused attention: without sequence parallelism the tensors outside
 * attention and the MLP are replicated on every tensor-parallel rank; with it, everything is divided.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { estimateSpec, parseScenario, readModelConfig, type Estimate, type ScenarioInput } from '../../../../src/core/index.ts';
import { rankSpec, stageLayerCounts } from '../../../../src/core/parallel/rank-view.ts';

const h = 4096, kv = 1024, i = 14336, L = 32, V = 128256;
const linearPerLayer = h * h + 2 * h * kv + h * h + 3 * h * i;
const fixture = (name: string) => readModelConfig(JSON.parse(readFileSync(path.join(import.meta.dirname, '../../../fixtures/configs', name), 'utf8')));
const LLAMA_3_8B = fixture('llama-3.1-8b.json');
const term = (e: Estimate, id: string) => e.memory.ranks[0]!.terms.find((t) => t.id === id)?.bytes ?? 0;
const train = (extra: ScenarioInput) => estimateSpec(LLAMA_3_8B, parseScenario({ mode: 'training', batch: 1, seq: 2048, ...extra }));
/** Large enough a batch that the peak is the loss backward, where the activations and logits are alive. */
const trainBig = (extra: ScenarioInput) => train({ batch: 16, ...extra });

test('TP 8: linear layers, embedding and lm_head divided by 8, norms replicated', () => {
  const e = train({ gpus: 8, tp: 8 });
  const perRank = (L * linearPerLayer) / 8 + (2 * V * h) / 8 + (2 * L + 1) * h;
  assert.equal(term(e, 'weights'), 2 * perRank);
  assert.equal(e.parallel?.dp, 1);
});

test('TP 8 activations per layer: 16h replicated + (4h + 4·kv + 8i)/8 per token in bf16; with sequence parallelism all /8', () => {
  const tokens = 16 * 2048;
  const perLayer = 16 * h + (4 * h + 4 * kv + 8 * i) / 8;
  const head = 6 * h + 2 * h; // final norm + lm_head input
  const plain = trainBig({ gpus: 8, tp: 8 });
  assert.equal(term(plain, 'activations'), tokens * (L * perLayer + head));
  const sp = trainBig({ gpus: 8, tp: 8, sequenceParallel: true });
  assert.equal(term(sp, 'activations'), tokens * (L * ((20 * h + 4 * kv + 8 * i) / 8) + (6 * h) / 8 + 2 * h));
});

test('TP 8: vocab-parallel logits hold V/8 per token', () => {
  const e = trainBig({ gpus: 8, tp: 8 });
  assert.equal(term(e, 'logits'), 16 * 2048 * (V / 8) * 12);
});

test('KV heads are replicated when there are fewer than the TP ranks (8 KV heads on 16 ranks: one each)', () => {
  const s = rankSpec(LLAMA_3_8B, { tp: 16, ep: 1 }, { firstLayer: 0, layers: 32, first: true, last: true });
  assert.equal(s.kvHeads, 1);
  assert.equal(s.heads, 2);
});

test('PP 4 (1F1B, 8 micro-batches): stage 0 holds the embedding and 4 micro-batches; the last stage lm_head, the loss and one', () => {
  assert.deepEqual(stageLayerCounts(32, 4), [8, 8, 8, 8]);
  assert.deepEqual(stageLayerCounts(30, 4), [8, 8, 7, 7]);
  const e = trainBig({ gpus: 4, pp: 4, gradAccumulation: 8 });
  const [first, middle, last] = e.memory.ranks;
  assert.equal(e.memory.ranks.length, 3);
  const layerWeights = 2 * 8 * (linearPerLayer + 2 * h);
  assert.equal(first!.terms.find((t) => t.id === 'weights')!.bytes, layerWeights + 2 * V * h);
  assert.equal(middle!.terms.find((t) => t.id === 'weights')!.bytes, layerWeights);
  assert.equal(last!.terms.find((t) => t.id === 'weights')!.bytes, layerWeights + 2 * V * h + 2 * h);
  const acts = (r: typeof first) => r!.terms.find((t) => t.id === 'activations')!.bytes;
  const perLayer = 20 * h + 4 * kv + 8 * i;
  assert.equal(acts(first), 4 * 16 * 2048 * 8 * perLayer);
  assert.equal(acts(middle), 3 * 16 * 2048 * 8 * perLayer);
  assert.ok(!first!.terms.some((t) => t.id === 'logits') && last!.terms.some((t) => t.id === 'logits'));
});

test('CP 2: each rank keeps the activations and logits of half the sequence', () => {
  const one = trainBig({});
  const cp = trainBig({ gpus: 2, cp: 2 });
  assert.equal(term(cp, 'logits'), term(one, 'logits') / 2);
  assert.equal(term(cp, 'activations'), term(one, 'activations') / 2);
});

test('EP 8 on Mixtral: each rank keeps one expert per layer', () => {
  const mixtral = readModelConfig(JSON.parse(readFileSync(path.join(import.meta.dirname, '../../../fixtures/configs/mixtral-8x7b-v0.1.json'), 'utf8')));
  const s = rankSpec(mixtral, { tp: 1, ep: 8 }, { firstLayer: 0, layers: 32, first: true, last: true });
  const experts = (spec: typeof s) => spec.tensors.filter((t) => t.role === 'expert').reduce((n, t) => n + t.numel * t.count, 0);
  assert.equal(experts(s), experts(mixtral) / 8);
});

test('a 64-rank estimate costs what a 2-rank estimate costs (one composition per kind of rank, never per rank)', () => {
  const time = (sc: ScenarioInput) => {
    const t0 = performance.now();
    for (let n = 0; n < 300; n++) train(sc);
    return performance.now() - t0;
  };
  time({ gpus: 2, zero: 3 });
  time({ gpus: 64, zero: 3 });
  const two = Math.min(time({ gpus: 2, zero: 3 }), time({ gpus: 2, zero: 3 }));
  const many = Math.min(time({ gpus: 64, zero: 3, tp: 2, pp: 4 }), time({ gpus: 64, zero: 3, tp: 2, pp: 4 })) / 3;
  assert.ok(many < 2 * two, `64 ranks (3 kinds of rank) ${many.toFixed(1)} ms per kind vs 2 ranks ${two.toFixed(1)} ms for 300 estimates`);
});

test('layouts that cannot run are refused, naming the key', () => {
  assert.throws(() => train({ gpus: 6, tp: 4 }), /gpus: 6 GPUs are not a multiple of tp × pp × cp = 4/);
  assert.throws(() => train({ gpus: 3, tp: 3 }), /tp: 32 attention heads do not divide over 3/);
  assert.throws(() => train({ gpus: 8, ep: 2 }), /ep: expert parallelism needs a mixture-of-experts model/);
  assert.throws(() => train({ gpus: 8, zero: 2, offloadParams: 'cpu' }), /offloadParams: offloading parameters needs ZeRO stage 3/);
  assert.throws(() => train({ gpus: 8, zero: 3, offloadOptimizer: 'nvme', offloadParams: 'nvme' }), /NVMe offload is DeepSpeed ZeRO-Infinity/);
  assert.throws(() => train({ gpus: 8, zero: 3, offloadOptimizer: 'cpu' }), /CPUOffloadPolicy moves parameters, gradients and optimizer states together/);
});

test('ZeRO-3 on 8 GPUs divides the states; the report names every kind of rank and the layout', () => {
  const e = train({ gpus: 8, zero: 3 });
  assert.equal(e.parallel?.strategy, 'FSDP2 full shard');
  assert.equal(e.memory.ranks.length, 1);
  assert.equal(e.memory.ranks[0]!.count, 8);
  assert.equal(term(e, 'optimizer_states'), Math.ceil((LLAMA_3_8B.params.total * 4) / 8));
});

test('offloaded states count on the host, never in the GPU peak or the device total', () => {
  const e = estimateSpec(LLAMA_3_8B, parseScenario({ mode: 'training', runtime: 'deepspeed', zero: 3, offloadOptimizer: 'cpu', offloadParams: 'cpu', batch: 1, seq: 2048, gpu: 'h100-sxm-80gb' }));
  const gpuTerms = e.memory.terms.filter((t) => t.where === 'gpu').reduce((s, t) => s + t.bytes, 0);
  assert.equal(e.memory.peak_bytes, gpuTerms);
  assert.equal(e.memory.device_bytes, e.memory.peak_bytes + e.memory.device_terms.reduce((s, t) => s + t.bytes, 0));
  assert.ok(e.memory.host_bytes > 8 * LLAMA_3_8B.params.total, 'fp32 master, gradients and Adam states on the host');
  assert.equal(e.memory.fits, true);
});
