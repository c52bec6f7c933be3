/** The operator table: one inventory read by the activation model (saved bytes) and the roofline (FLOPs, bytes). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decoderLayerOps, flopsPerToken, headOps, savedByPart, savedBytesPerToken, type OpContext } from '../../../../src/core/ops/layer.ts';
import { LLAMA_32_1B } from '../../helpers/specs.ts';

const BF16: OpContext = { computeBytes: 2, residualBytes: 2, autocast: false, loraRank: null, keepsCache: true, contextTokens: 2048, mathSavedPerScore: 0 };

test('forward FLOPs of a Llama-3.2-1B layer: 2 × its linear weights per token plus 4·heads·d_h·context for attention', () => {
  const h = 2048, q = 2048, kv = 512, i = 8192, heads = 32, dh = 64, ctx = 2048;
  const linearParams = h * (q + 2 * kv) + q * h + 3 * h * i; // q,k,v + o + gate,up,down (hand count)
  const ops = decoderLayerOps(LLAMA_32_1B, BF16, false);
  const attention = 2 * heads * (2 * dh) * ctx; // QKᵀ and AV, 2 FLOPs per multiply-add, full context
  const norms = 2 * 4 * h;
  assert.equal(flopsPerToken(ops), 2 * linearParams + attention + norms);
  assert.equal(ops.find((o) => o.name === 'attention (SDPA)')!.flopsPerToken, attention);
});

test('lm_head FLOPs are 2 · hidden · vocab per token', () => {
  const head = headOps(LLAMA_32_1B, BF16).find((o) => o.name === 'lm_head')!;
  assert.equal(head.flopsPerToken, 2 * 2048 * 128256);
});

test('saved bytes per token of the table equal the inventory lines of the activation note (one inventory)', () => {
  const ops = decoderLayerOps(LLAMA_32_1B, BF16, false);
  const parts = savedByPart(ops);
  assert.equal(Object.values(parts).reduce((a, b) => a + b, 0), savedBytesPerToken(ops));
  assert.deepEqual(Object.keys(parts), ['norms', 'linear inputs', 'attention q,k,v,out', 'MLP']);
  // 20h + 4kv + 8i (Korthikanti-style hand count for a bf16 Llama layer)
  assert.equal(savedBytesPerToken(ops), 20 * 2048 + 4 * 512 + 8 * 8192);
});

test('attention FLOPs grow linearly with the context; saved bytes do not (fused SDPA)', () => {
  const short = decoderLayerOps(LLAMA_32_1B, { ...BF16, contextTokens: 1024 }, false);
  const long = decoderLayerOps(LLAMA_32_1B, { ...BF16, contextTokens: 4096 }, false);
  const attn = (ops: typeof short) => ops.find((o) => o.name === 'attention (SDPA)')!.flopsPerToken;
  assert.equal(attn(long), 4 * attn(short));
  assert.equal(savedBytesPerToken(long), savedBytesPerToken(short));
});
