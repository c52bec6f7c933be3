/** The composed estimate: phases, the peak, fit, refused combinations and step-level terms. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateSpec } from '../../../src/core/estimate.ts';
import { parseScenario } from '../../../src/core/scenario.ts';
import { LLAMA_32_1B, LLAMA_3_70B, LLAMA_3_8B } from '../helpers/specs.ts';

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

test('fp32 training materializes attention scores and adds a backward-attention phase', () => {
  const e = estimateSpec(LLAMA_32_1B, parseScenario({ mode: 'training', batch: 2, seq: 1024, precision: 'fp32' }));
  const p = e.memory.phases.find((x) => x.phase === 'backward (attention)');
  assert.ok(p);
  assert.ok(e.warnings.some((w) => /math kernel/.test(w)));
  const bf16 = estimateSpec(LLAMA_32_1B, parseScenario({ mode: 'training', batch: 2, seq: 1024, precision: 'bf16' }));
  assert.ok(!bf16.memory.phases.some((x) => x.phase === 'backward (attention)'));
});

test('MoE generation gathers each sequence\'s top-k expert weights at a decode step (Mixtral: 8 × 2 × 3·4096·14336 × 2 B)', async () => {
  const { readFileSync } = await import('node:fs');
  const { readModelConfig } = await import('../../../src/core/model/index.ts');
  const cfg: unknown = JSON.parse(readFileSync(new URL('../../fixtures/configs/mixtral-8x7b-v0.1.json', import.meta.url), 'utf8'));
  const e = estimateSpec(readModelConfig(cfg), parseScenario({ batch: 8, seq: 128, newTokens: 16 }));
  const decode = e.memory.phases.find((p) => p.phase === 'decode');
  assert.ok(decode);
  const prefillOnly = estimateSpec(readModelConfig(cfg), parseScenario({ batch: 8, seq: 128 }));
  assert.ok(!prefillOnly.memory.phases.some((p) => p.phase === 'decode'));
  assert.equal(e.memory.peak_phase, 'decode');
  assert.equal(e.memory.terms.find((t) => t.id === 'moe_expert_gather')!.bytes, 8 * 2 * 3 * 4096 * 14336 * 2);
});

test('gradient accumulation keeps the gradients live through the next micro-batch (measured +1 gradient set)', () => {
  const one = estimateSpec(LLAMA_32_1B, parseScenario({ mode: 'training', batch: 2, seq: 1024 }));
  const four = estimateSpec(LLAMA_32_1B, parseScenario({ mode: 'training', batch: 2, seq: 1024, gradAccumulation: 4 }));
  assert.equal(four.memory.peak_phase, 'backward (loss)');
  assert.equal(four.memory.peak_bytes - one.memory.peak_bytes, LLAMA_32_1B.params.total * 2);
  assert.ok(four.memory.terms.some((t) => t.id === 'gradients'));
});
