/** Every memory term against hand-computed or published values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kvBytesPerToken, kvCacheTerm } from '../../src/core/memory/kv-cache.ts';
import { weightsTerm } from '../../src/core/memory/weights.ts';
import { trainingLogitsTerm, inferenceLogitsTerm } from '../../src/core/memory/logits.ts';
import { gradientsTerm, optimizerStatesTerm, optimizerTempsTerm } from '../../src/core/memory/optimizer.ts';
import { OPTIMIZER_SPECS } from '../../src/core/training/optimizers/index.ts';
import { decoderLayerOps, headOps, savedBytesPerToken } from '../../src/core/ops/layer.ts';
import { loraParams } from '../../src/core/memory/lora.ts';
import { inferenceLayerPeak } from '../../src/core/memory/activations.ts';
import { RUNTIMES } from '../../src/core/runtime.ts';
import { estimateSpec } from '../../src/core/estimate.ts';
import { parseScenario } from '../../src/core/scenario.ts';
import { LLAMA_2_7B, LLAMA_32_1B, LLAMA_3_70B, LLAMA_3_8B, MISTRAL_7B, llamaLike } from './helpers/specs.ts';
import type { ModelSpec } from '../../src/core/types.ts';

const KiB = 1024;
const GiB = 2 ** 30;
const pytorch = RUNTIMES.pytorch!;

test('KV cache per token: Llama-3-8B 128 KiB, Llama-3-70B 320 KiB, Llama-2-7B 512 KiB (bf16)', () => {
  assert.equal(kvBytesPerToken(LLAMA_3_8B, 2), 128 * KiB);
  assert.equal(kvBytesPerToken(LLAMA_3_70B, 2), 320 * KiB);
  assert.equal(kvBytesPerToken(LLAMA_2_7B, 2), 512 * KiB);
});

test('KV cache: Llama-2-7B at 4096 tokens is 2 GiB per sequence', () => {
  assert.equal(kvCacheTerm(LLAMA_2_7B, 1, 4096, 2, pytorch).bytes, 2 * GiB);
  assert.equal(kvCacheTerm(LLAMA_2_7B, 3, 4096, 2, pytorch).bytes, 6 * GiB);
  assert.equal(kvCacheTerm(LLAMA_2_7B, 1, 4096, 1, pytorch).bytes, 1 * GiB, 'fp8 KV halves it');
});

test('KV cache: OPT-13B (40 layers, 5120 hidden, MHA) is 800 KiB per token (vLLM §3)', () => {
  const opt = llamaLike({ hidden: 5120, layers: 40, heads: 40, kvHeads: 40, intermediate: 20480, vocab: 50272, tied: true });
  assert.equal(kvBytesPerToken(opt, 2), 800 * KiB);
});

test('KV cache: sliding window in a runtime with a rolling buffer is 8× smaller at 32K (Mistral §2)', () => {
  const rolling = { ...pytorch, slidingWindowCapsCache: true };
  const full = kvCacheTerm(MISTRAL_7B, 1, 32768, 2, pytorch).bytes;
  const capped = kvCacheTerm(MISTRAL_7B, 1, 32768, 2, rolling).bytes;
  assert.equal(full, 4 * GiB);
  assert.equal(capped, GiB / 2);
  assert.equal(kvCacheTerm(MISTRAL_7B, 1, 1000, 2, rolling).bytes, kvCacheTerm(MISTRAL_7B, 1, 1000, 2, pytorch).bytes, 'below the window nothing is capped');
});

test('KV cache: MLA stores the latent, DeepSeek-V2 (60 layers, 512 + 64) = 69,120 B per token in bf16', () => {
  const base = llamaLike({ hidden: 5120, layers: 60, heads: 128, kvHeads: 128, headDim: 128, intermediate: 12288, vocab: 102400, tied: false });
  const mla: ModelSpec = {
    ...base,
    layerKinds: base.layerKinds.map(() => ({ attention: 'mla' as const, moe: false })),
    mla: { kvLoraRank: 512, qLoraRank: 1536, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 },
  };
  assert.equal(kvBytesPerToken(mla, 2), 69_120);
});

test('weights: bf16 and fp32 are params × 2 and × 4; Llama-3.2-1B bf16 = 2,471,628,800 B', () => {
  assert.equal(weightsTerm(LLAMA_32_1B, 'bf16', 'bf16').bytes, 2_471_628_800);
  assert.equal(weightsTerm(LLAMA_32_1B, 'fp32', 'fp32').bytes, 4_943_257_600);
});

test('weights: nf4 quantizes linear layers only, 0.5625 B/param with fp32 absmax per 64', () => {
  const s = LLAMA_3_8B;
  const embed = 128256 * 4096;
  const norms = 4096 * 65;
  const linear = s.params.total - 2 * embed - norms;
  const w = weightsTerm(s, 'nf4', 'bf16');
  assert.equal(w.bytes, (linear / 64) * 36 + (2 * embed + norms) * 2);
  // ≈ 0.5625 B/param on the linear part
  assert.ok(Math.abs(((linear / 64) * 36) / linear - 0.5625) < 1e-12);
});

test('weights: int8 is 1 B/param on linear layers', () => {
  const embed = 32000 * 4096;
  const w = weightsTerm(LLAMA_2_7B, 'int8', 'fp16');
  const linear = LLAMA_2_7B.params.total - 2 * embed - 4096 * 65;
  assert.equal(w.bytes, linear + (2 * embed + 4096 * 65) * 2);
});

test('logits: 8,192 tokens × 128,256 vocab = 12,608,077,824 B at the loss backward (12 B/element)', () => {
  assert.equal(trainingLogitsTerm(8192, 128256, 2, 'backward').bytes, 12_608_077_824);
  assert.equal(trainingLogitsTerm(10, 100, 2, 'forward').bytes, 10 * 100 * 10);
  assert.equal(trainingLogitsTerm(10, 100, 4, 'forward').bytes, 10 * 100 * 8);
  assert.equal(inferenceLogitsTerm(4, 128256, 2, true, 2048).bytes, 4 * (128256 * 6 + 2048 * 2));
});

/** One trained group of `elements` elements stored in `bytes` each. */
const trained = (elements: number, bytes: number) => [{ name: 'all', tensorNumel: elements, count: 1, elements, bytes }];

test('optimizer: mixed-precision AdamW model states are 16 B/param: 7.5B params → 120 GB (ZeRO Fig. 1)', () => {
  const P = 7.5e9;
  const bytes = 4 * P + gradientsTerm(trained(P, 4)).bytes + optimizerStatesTerm(OPTIMIZER_SPECS['adamw'], trained(P, 4)).bytes;
  assert.equal(bytes, 120e9);
  assert.equal(optimizerStatesTerm(OPTIMIZER_SPECS['sgd'], trained(P, 4)).bytes, 0);
  assert.equal(optimizerStatesTerm(OPTIMIZER_SPECS['sgd-momentum'], trained(1000, 2)).bytes, 2000);
  assert.equal(optimizerTempsTerm(OPTIMIZER_SPECS['adamw'], trained(1000, 4)).bytes, 4000);
});

test('LoRA: r=16 on q,k,v,o,gate,up,down of Llama-3.2-1B = 11,272,192 trainable (PEFT, measured)', () => {
  assert.equal(loraParams(LLAMA_32_1B, 16), 11_272_192);
  // Llama-3-8B r=16: measured 41,943,040
  assert.equal(loraParams(LLAMA_3_8B, 16), 41_943_040);
});

test('activations: Llama-3.2-1B saves 20h + 4·kv + 8i bytes per token per layer in bf16', () => {
  const ctx = { computeBytes: 2, residualBytes: 2, autocast: false, loraRank: null, keepsCache: true, contextTokens: 2048, mathSavedPerScore: 0 };
  const h = 2048, kv = 512, i = 8192;
  assert.equal(savedBytesPerToken(decoderLayerOps(LLAMA_32_1B, ctx, false)), 20 * h + 4 * kv + 8 * i);
  assert.equal(savedBytesPerToken(headOps(LLAMA_32_1B, ctx)), 8 * h);
});

test('activations: under autocast the fp32 residual and per-layer casts give 30h + 8·kv + 8i', () => {
  const ctx = { computeBytes: 2, residualBytes: 4, autocast: true, loraRank: null, keepsCache: true, contextTokens: 2048, mathSavedPerScore: 0 };
  const h = 2048, kv = 512, i = 8192;
  assert.equal(savedBytesPerToken(decoderLayerOps(LLAMA_32_1B, ctx, false)), 30 * h + 8 * kv + 8 * i);
});

test('activations: LoRA on a frozen bf16 base keeps fp32 adapter inputs and no base-layer inputs', () => {
  const ctx = { computeBytes: 2, residualBytes: 2, autocast: false, loraRank: 16, keepsCache: false, contextTokens: 2048, mathSavedPerScore: 0 };
  const h = 2048, kv = 512, i = 8192, q = 2048, r = 16;
  // norms 2·4h; adapter inputs q,k,v 3·4h + gate,up 2·4h + o 4q + down 4i; adapter outputs 7·4r; attention 2(q+k+v+o); MLP 3·2i
  const expected = 8 * h + 12 * h + 8 * h + 4 * q + 4 * i + 7 * 4 * r + 2 * (q + kv + kv + q) + 6 * i;
  assert.equal(savedBytesPerToken(decoderLayerOps(LLAMA_32_1B, ctx, false)), expected);
  assert.equal(savedBytesPerToken(headOps(LLAMA_32_1B, ctx)), 4 * h, 'frozen final norm keeps its fp32 input, frozen lm_head nothing');
});

test('activations: inference peak inside a Llama layer is 8h + 6i bytes per token in bf16', () => {
  assert.equal(inferenceLayerPeak(LLAMA_32_1B, 2, 2, false), 8 * 2048 + 6 * 8192);
});

test('gradient checkpointing keeps one hidden state per layer and adds a recompute phase', () => {
  const e = estimateSpec(LLAMA_32_1B, parseScenario({ mode: 'training', batch: 4, seq: 2048, gradCheckpointing: true }));
  const acts = e.memory.terms.find((t) => t.id === 'activations')!;
  assert.equal(acts.bytes, 8192 * (16 * 2048 * 2 + 8 * 2048));
  assert.ok(e.memory.phases.some((p) => p.phase === 'backward (recompute)'));
});

test('peak is the largest phase and its terms add up to peak_bytes', () => {
  for (const s of [
    { mode: 'training' as const, batch: 1, seq: 128 },
    { mode: 'training' as const, batch: 8, seq: 4096, gradCheckpointing: true },
    { mode: 'inference' as const, batch: 16, seq: 4096, newTokens: 512 },
  ]) {
    const e = estimateSpec(LLAMA_3_8B, parseScenario(s));
    const max = Math.max(...e.memory.phases.map((p) => p.bytes));
    assert.equal(e.memory.peak_bytes, max);
    assert.equal(e.memory.terms.reduce((a, t) => a + t.bytes, 0), e.memory.peak_bytes);
    assert.equal(e.memory.device_bytes, e.memory.peak_bytes + e.memory.device_terms.reduce((a, t) => a + t.bytes, 0));
  }
});

test('small batches of a large model peak at the optimizer step', () => {
  const e = estimateSpec(LLAMA_3_8B, parseScenario({ mode: 'training', batch: 1, seq: 128 }));
  assert.equal(e.memory.peak_phase, 'optimizer step');
  const ids = e.memory.terms.map((t) => t.id);
  for (const id of ['weights', 'gradients', 'optimizer_states', 'optimizer_temporaries'] as const) assert.ok(ids.includes(id), id);
});

test('fits compares the device bytes with the GPU', () => {
  const small = estimateSpec(LLAMA_32_1B, parseScenario({ batch: 1, seq: 512, gpu: 'rtx-4090' }));
  assert.equal(small.memory.fits, true);
  const big = estimateSpec(LLAMA_3_70B, parseScenario({ batch: 1, seq: 512, gpu: 'rtx-4090' }));
  assert.equal(big.memory.fits, false);
  assert.equal(estimateSpec(LLAMA_32_1B, parseScenario({})).memory.fits, null);
  assert.throws(() => estimateSpec(LLAMA_32_1B, parseScenario({ gpu: 'nope-9000' })), /unknown GPU/);
});

test('unsupported combinations are refused with the key, never ignored', () => {
  assert.throws(() => estimateSpec(LLAMA_32_1B, parseScenario({ mode: 'training', weightsDtype: 'int4', loraRank: 8 })), /not supported yet/);
  assert.throws(() => estimateSpec(LLAMA_32_1B, parseScenario({ mode: 'training', weightsDtype: 'nf4' })), /weightsDtype/);
  assert.throws(() => estimateSpec(LLAMA_32_1B, parseScenario({ mode: 'training', weightsDtype: 'fp32', precision: 'bf16' })), /weightsDtype/);
});

test('math SDPA keeps heads × seq fp32 probabilities per token (4 B/score), plus fp32 q, k, v', () => {
  const ctx = { computeBytes: 2, residualBytes: 2, autocast: false, loraRank: null, keepsCache: true, contextTokens: 1024, mathSavedPerScore: 4 };
  const fused = savedBytesPerToken(decoderLayerOps(LLAMA_32_1B, { ...ctx, mathSavedPerScore: 0 }, false));
  assert.equal(savedBytesPerToken(decoderLayerOps(LLAMA_32_1B, ctx, false)) - fused, 4 * 32 * 1024 + 4 * (2048 + 512 + 512));
});

test('fp32 training materializes attention scores and adds a backward-attention phase', () => {
  const e = estimateSpec(LLAMA_32_1B, parseScenario({ mode: 'training', batch: 2, seq: 1024, precision: 'fp32' }));
  const p = e.memory.phases.find((x) => x.phase === 'backward (attention)');
  assert.ok(p);
  assert.ok(e.warnings.some((w) => /math kernel/.test(w)));
  const bf16 = estimateSpec(LLAMA_32_1B, parseScenario({ mode: 'training', batch: 2, seq: 1024, precision: 'bf16' }));
  assert.ok(!bf16.memory.phases.some((x) => x.phase === 'backward (attention)'));
});

test('logit soft-capping keeps one more logit-sized tensor (tanh output)', () => {
  assert.equal(trainingLogitsTerm(100, 1000, 2, 'backward', true).bytes, 100 * 1000 * 14);
  assert.equal(trainingLogitsTerm(100, 1000, 2, 'forward', true).bytes, 100 * 1000 * 12);
});

test('residual dropout saves a 1-byte mask after attention and after the MLP', () => {
  const ctx = { computeBytes: 2, residualBytes: 2, autocast: false, loraRank: null, keepsCache: true, contextTokens: 1024, mathSavedPerScore: 0 };
  const withDrop = { ...LLAMA_32_1B, dropout: { residual: 0.1, embedding: 0.1 } };
  assert.equal(savedBytesPerToken(decoderLayerOps(withDrop, ctx, false)) - savedBytesPerToken(decoderLayerOps(LLAMA_32_1B, ctx, false)), 2 * 2048);
  assert.equal(savedBytesPerToken(headOps(withDrop, ctx)) - savedBytesPerToken(headOps(LLAMA_32_1B, ctx)), 2048);
});

test('MoE generation gathers each sequence\'s top-k expert weights at a decode step (Mixtral: 8 × 2 × 3·4096·14336 × 2 B)', async () => {
  const { readFileSync } = await import('node:fs');
  const { readModelConfig } = await import('../../src/core/model/index.ts');
  const cfg = JSON.parse(readFileSync(new URL('../fixtures/configs/mixtral-8x7b-v0.1.json', import.meta.url), 'utf8'));
  const e = estimateSpec(readModelConfig(cfg), parseScenario({ batch: 8, seq: 128, newTokens: 16 }));
  const decode = e.memory.phases.find((p) => p.phase === 'decode');
  assert.ok(decode);
  const prefillOnly = estimateSpec(readModelConfig(cfg), parseScenario({ batch: 8, seq: 128 }));
  assert.ok(!prefillOnly.memory.phases.some((p) => p.phase === 'decode'));
  assert.equal(e.memory.peak_phase, 'decode');
  assert.equal(e.memory.terms.find((t) => t.id === 'moe_expert_gather')!.bytes, 8 * 2 * 3 * 4096 * 14336 * 2);
});

test('fused AdamW keeps the same states as foreach AdamW but allocates no step temporaries (measured 0 B)', () => {
  assert.equal(optimizerStatesTerm(OPTIMIZER_SPECS['adamw-fused'], trained(1000, 4)).bytes, optimizerStatesTerm(OPTIMIZER_SPECS['adamw'], trained(1000, 4)).bytes);
  assert.equal(optimizerTempsTerm(OPTIMIZER_SPECS['adamw-fused'], trained(1000, 4)).bytes, 0);
  const foreach = estimateSpec(LLAMA_3_8B, parseScenario({ mode: 'training', batch: 1, seq: 128, optimizer: 'adamw' }));
  const fused = estimateSpec(LLAMA_3_8B, parseScenario({ mode: 'training', batch: 1, seq: 128, optimizer: 'adamw-fused' }));
  assert.equal(foreach.memory.peak_bytes - fused.memory.peak_bytes, LLAMA_3_8B.params.total * 2);
});

test('gradient accumulation keeps the gradients live through the next micro-batch (measured +1 gradient set)', () => {
  const one = estimateSpec(LLAMA_32_1B, parseScenario({ mode: 'training', batch: 2, seq: 1024 }));
  const four = estimateSpec(LLAMA_32_1B, parseScenario({ mode: 'training', batch: 2, seq: 1024, gradAccumulation: 4 }));
  assert.equal(four.memory.peak_phase, 'backward (loss)');
  assert.equal(four.memory.peak_bytes - one.memory.peak_bytes, LLAMA_32_1B.params.total * 2);
  assert.ok(four.memory.terms.some((t) => t.id === 'gradients'));
});
