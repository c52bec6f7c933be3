/** The KV cache term against hand-computed and published values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kvBytesPerToken, kvCacheTerm } from '../../../../src/core/memory/kv-cache.ts';
import { RUNTIMES } from '../../../../src/core/runtime.ts';
import { LLAMA_2_7B, LLAMA_3_70B, LLAMA_3_8B, MISTRAL_7B, llamaLike } from '../../helpers/specs.ts';
import type { ModelSpec } from '../../../../src/core/types.ts';

const KiB = 1024;
const GiB = 2 ** 30;
const pytorch = RUNTIMES.pytorch;

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
