/** One KV spec per attention kind: elements per token per layer, and the layers grouped by kind and window. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KV_SPECS, kvLayerGroups } from '../../../../src/core/kv/specs.ts';
import { kvCacheTerm } from '../../../../src/core/memory/kv-cache.ts';
import { RUNTIMES } from '../../../../src/core/runtime.ts';
import { evaluateFormula } from '../../../../src/core/formula.ts';
import { LLAMA_3_8B, MISTRAL_7B } from '../../helpers/specs.ts';

test('full attention: 2 · n_kv · d_h elements per token per layer (Llama-3-8B: 2 · 8 · 128 = 2048)', () => {
  assert.equal(KV_SPECS.full.elementsPerToken(LLAMA_3_8B), 2048);
  assert.deepEqual(kvLayerGroups(LLAMA_3_8B), [{ kind: 'full', layers: 32, window: 0, elementsPerToken: 2048, kvHeads: 8 }]);
});

test('MLA: the latent kv_lora_rank + qk_rope_head_dim (DeepSeek-V3: 512 + 64 = 576)', () => {
  const mla = { ...LLAMA_3_8B, mla: { kvLoraRank: 512, qLoraRank: 1536, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 } };
  assert.equal(KV_SPECS.mla.elementsPerToken(mla), 576);
});

test('sliding window: capped at the window only in a runtime with a rolling buffer; the formula evaluates to the bytes', () => {
  const capped = kvCacheTerm(MISTRAL_7B, 2, 10_000, 2, RUNTIMES.vllm);
  assert.equal(capped.bytes, 2 * 2 * 32 * 2048 * 4096);
  assert.equal(evaluateFormula(capped.formula, capped.inputs), capped.bytes);
  const full = kvCacheTerm(MISTRAL_7B, 2, 10_000, 2, RUNTIMES.pytorch);
  assert.equal(full.bytes, 2 * 2 * 32 * 2048 * 10_000);
  assert.equal(evaluateFormula(full.formula, full.inputs), full.bytes);
});
