/** The weights term: dense and quantized storage. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { weightsTerm } from '../../../../src/core/memory/weights.ts';
import { LLAMA_2_7B, LLAMA_32_1B, LLAMA_3_8B } from '../../helpers/specs.ts';

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
