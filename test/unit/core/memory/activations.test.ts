/** Activations: the bytes autograd saves per token, and the inference peak inside a layer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decoderLayerOps, headOps, savedBytesPerToken } from '../../../../src/core/ops/layer.ts';
import { inferenceLayerPeak } from '../../../../src/core/memory/activations.ts';
import { LLAMA_32_1B } from '../../helpers/specs.ts';

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

test('math SDPA keeps heads × seq fp32 probabilities per token (4 B/score), plus fp32 q, k, v', () => {
  const ctx = { computeBytes: 2, residualBytes: 2, autocast: false, loraRank: null, keepsCache: true, contextTokens: 1024, mathSavedPerScore: 4 };
  const fused = savedBytesPerToken(decoderLayerOps(LLAMA_32_1B, { ...ctx, mathSavedPerScore: 0 }, false));
  assert.equal(savedBytesPerToken(decoderLayerOps(LLAMA_32_1B, ctx, false)) - fused, 4 * 32 * 1024 + 4 * (2048 + 512 + 512));
});

test('residual dropout saves a 1-byte mask after attention and after the MLP', () => {
  const ctx = { computeBytes: 2, residualBytes: 2, autocast: false, loraRank: null, keepsCache: true, contextTokens: 1024, mathSavedPerScore: 0 };
  const withDrop = { ...LLAMA_32_1B, dropout: { residual: 0.1, embedding: 0.1 } };
  assert.equal(savedBytesPerToken(decoderLayerOps(withDrop, ctx, false)) - savedBytesPerToken(decoderLayerOps(LLAMA_32_1B, ctx, false)), 2 * 2048);
  assert.equal(savedBytesPerToken(headOps(withDrop, ctx)) - savedBytesPerToken(headOps(LLAMA_32_1B, ctx)), 2048);
});
