/** The vLLM runtime: budget, profile run, paged KV pool, maximum concurrency, and its fit rule, by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateSpec } from '../../../src/core/estimate.ts';
import { vllmEngineDefaults } from '../../../src/core/serving.ts';
import { parseScenario } from '../../../src/core/scenario.ts';
import { findGpu } from '../../../src/core/roofline/hardware.ts';
import { RUNTIMES } from '../../../src/core/runtime.ts';
import { inferenceLayerPeak } from '../../../src/core/memory/activations.ts';
import { evaluateFormula } from '../../../src/core/formula.ts';
import { LLAMA_3_8B, LLAMA_3_70B, MISTRAL_7B } from '../helpers/specs.ts';

const vllm = RUNTIMES.vllm;
const KiB = 1024;

test('KV pool = utilization × GPU − weights − profile run − workspace − CUDA context; concurrency = pool / one request', () => {
  const sc = parseScenario({ runtime: 'vllm', batch: 64, seq: 8000, gpu: 'h100-sxm-80gb', gpuMemoryUtilization: 0.9, maxNumBatchedTokens: 8192 });
  const e = estimateSpec(LLAMA_3_8B, sc);
  const gpu = findGpu('h100-sxm-80gb')!;
  const weights = LLAMA_3_8B.params.total * 2;
  const acts = 8192 * inferenceLayerPeak(LLAMA_3_8B, 2, 2, false);
  const sampler = 64 * 128256 * 10;
  const budget = Math.floor(gpu.memoryBytes * 0.9);
  const pool = budget - weights - acts - sampler - vllm.matmulWorkspaceBytes - vllm.cudaContextBytes;
  const perRequest = 8000 * 128 * KiB; // 8000 is a whole number of 16-token blocks
  const sv = e.memory.serving!;
  assert.equal(sv.budget_bytes, budget);
  assert.equal(sv.kv_pool_bytes, pool);
  assert.equal(sv.kv_bytes_per_request, perRequest);
  assert.equal(sv.max_concurrency, Math.floor(pool / perRequest));
  assert.equal(e.memory.fits, true);
  assert.equal(e.memory.device_bytes, budget, 'vLLM holds its whole budget');
  const kv = e.memory.terms.find((t) => t.id === 'kv_cache')!;
  assert.equal(evaluateFormula(kv.formula, kv.inputs), kv.bytes);
});

test('a request is rounded up to whole 16-token blocks', () => {
  const e = estimateSpec(LLAMA_3_8B, parseScenario({ runtime: 'vllm', batch: 1, seq: 1000, gpu: 'h100-sxm-80gb' }));
  assert.equal(e.memory.serving!.kv_bytes_per_request, 1008 * 128 * KiB);
});

test('sliding-window layers keep only the window in vLLM (Mistral: 4096 tokens per request at 32K)', () => {
  const e = estimateSpec(MISTRAL_7B, parseScenario({ runtime: 'vllm', batch: 1, seq: 32768, gpu: 'h100-sxm-80gb' }));
  assert.equal(e.memory.serving!.kv_bytes_per_request, 4096 * 128 * KiB);
});

test('does not fit when one full-length request does not fit the pool', () => {
  const e = estimateSpec(LLAMA_3_70B, parseScenario({ runtime: 'vllm', batch: 1, seq: 4096, gpu: 'h100-sxm-80gb' }));
  assert.equal(e.memory.fits, false);
  assert.equal(e.memory.serving!.kv_pool_bytes, 0);
  assert.equal(e.memory.serving!.max_concurrency, 0);
  assert.ok(e.warnings.some((w) => /cannot hold one/.test(w)));
});

test('fewer full-length requests than max-num-seqs is a warning, not a failure', () => {
  const e = estimateSpec(LLAMA_3_8B, parseScenario({ runtime: 'vllm', batch: 256, seq: 32768, gpu: 'h100-sxm-80gb' }));
  assert.equal(e.memory.fits, true);
  assert.ok(e.memory.serving!.max_concurrency < 256);
  assert.ok(e.warnings.some((w) => /vLLM queues the rest/.test(w)));
});

test('without a GPU the KV cache holds every sequence at full length and nothing is decided', () => {
  const e = estimateSpec(LLAMA_3_8B, parseScenario({ runtime: 'vllm', batch: 4, seq: 4096 }));
  assert.equal(e.memory.fits, null);
  assert.equal(e.memory.serving, null);
  assert.equal(e.memory.terms.find((t) => t.id === 'kv_cache')!.bytes, 4 * 4096 * 128 * KiB);
});

test('the profile run is capped at max-num-batched-tokens', () => {
  const small = estimateSpec(LLAMA_3_8B, parseScenario({ runtime: 'vllm', batch: 64, seq: 8192, maxNumBatchedTokens: 2048, gpu: 'h100-sxm-80gb' }));
  const big = estimateSpec(LLAMA_3_8B, parseScenario({ runtime: 'vllm', batch: 64, seq: 8192, maxNumBatchedTokens: 16384, gpu: 'h100-sxm-80gb' }));
  assert.ok(small.memory.serving!.kv_pool_bytes > big.memory.serving!.kv_pool_bytes);
});

test('vLLM refuses training and full logits with the key', () => {
  assert.throws(() => estimateSpec(LLAMA_3_8B, parseScenario({ runtime: 'vllm', mode: 'training' })), /runtime/);
  assert.throws(() => estimateSpec(LLAMA_3_8B, parseScenario({ runtime: 'vllm', logits: 'all' })), /logits/);
  assert.throws(() => parseScenario({ runtime: 'vllm', gpuMemoryUtilization: 1.5 }), /gpuMemoryUtilization/);
});

test("vLLM's engine defaults follow the GPU: 1024 sequences and 8192 batched tokens on 70 GiB or more (not A100), else 256 and 2048", () => {
  assert.deepEqual(vllmEngineDefaults(findGpu('h100-sxm-80gb')!), { maxNumSeqs: 1024, maxNumBatchedTokens: 8192 });
  assert.deepEqual(vllmEngineDefaults(findGpu('h200-141gb')!), { maxNumSeqs: 1024, maxNumBatchedTokens: 8192 });
  assert.deepEqual(vllmEngineDefaults(findGpu('a100-sxm-80gb')!), { maxNumSeqs: 256, maxNumBatchedTokens: 2048 });
  assert.deepEqual(vllmEngineDefaults(findGpu('l4-24gb')!), { maxNumSeqs: 256, maxNumBatchedTokens: 2048 });
});
