/**
 * Property-based tests (fast-check): memory grows monotonically in batch, sequence length and LoRA rank, is never
 * negative or NaN, and every term's formula, evaluated by mathjs on its inputs, equals the bytes we computed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { estimateSpec } from '../../../src/core/estimate.ts';
import { parseScenario, PRECISIONS, OPTIMIZERS, type ScenarioInput } from '../../../src/core/scenario.ts';
import { evaluateFormula } from '../../../src/core/formula.ts';
import type { Estimate } from '../../../src/core/report.ts';
import { LLAMA_32_1B, LLAMA_3_8B, MISTRAL_7B, LLAMA_2_7B } from '../helpers/specs.ts';

const SPECS = [LLAMA_32_1B, LLAMA_3_8B, MISTRAL_7B, LLAMA_2_7B];

const scenarioArb: fc.Arbitrary<ScenarioInput> = fc.oneof(
  fc.record({
    mode: fc.constant('inference' as const),
    batch: fc.integer({ min: 1, max: 256 }),
    seq: fc.integer({ min: 1, max: 131072 }),
    newTokens: fc.integer({ min: 0, max: 8192 }),
    precision: fc.constantFrom('bf16' as const, 'fp16' as const, 'fp32' as const),
    weightsDtype: fc.constantFrom(null, 'bf16' as const, 'int8' as const, 'int4' as const, 'nf4' as const, 'fp8' as const),
    kvDtype: fc.constantFrom('auto' as const, 'fp8' as const, 'fp16' as const),
  }),
  fc.record({
    mode: fc.constant('inference' as const),
    runtime: fc.constant('vllm' as const),
    batch: fc.integer({ min: 1, max: 256 }),
    seq: fc.integer({ min: 1, max: 131072 }),
    newTokens: fc.integer({ min: 0, max: 8192 }),
    maxNumBatchedTokens: fc.integer({ min: 1, max: 65536 }),
    weightsDtype: fc.constantFrom(null, 'bf16' as const, 'int4' as const, 'fp8' as const),
    kvDtype: fc.constantFrom('auto' as const, 'fp8' as const),
  }),
  fc.record({
    mode: fc.constant('training' as const),
    batch: fc.integer({ min: 1, max: 64 }),
    seq: fc.integer({ min: 1, max: 32768 }),
    precision: fc.constantFrom(...PRECISIONS),
    optimizer: fc.constantFrom(...OPTIMIZERS),
    gradCheckpointing: fc.boolean(),
    loraRank: fc.constantFrom(null, 1, 8, 64, 256),
  }),
);

function allTerms(e: Estimate) {
  return [...e.memory.terms, ...e.memory.device_terms];
}

test('never negative, never NaN, integers; terms sum to the peak', () => {
  fc.assert(
    fc.property(fc.constantFrom(...SPECS), scenarioArb, (spec, s) => {
      const e = estimateSpec(spec, parseScenario(s));
      for (const t of allTerms(e)) {
        assert.ok(Number.isSafeInteger(t.bytes) && t.bytes >= 0, `${t.id}: ${t.bytes}`);
      }
      assert.ok(Number.isSafeInteger(e.memory.peak_bytes) && e.memory.peak_bytes > 0);
      assert.ok(e.memory.device_bytes >= e.memory.peak_bytes);
      // Terms on the GPU sum to the peak (paged optimizer states live in unified memory, outside the allocator's peak).
      assert.equal(e.memory.terms.filter((t) => t.where === 'gpu').reduce((a, t) => a + t.bytes, 0), e.memory.peak_bytes);
    }),
    { numRuns: 300 },
  );
});

test('every formula evaluates (mathjs) to the bytes computed', () => {
  const gpuArb = fc.constantFrom(null, 'h100-sxm-80gb', 'rtx-4090', 'a100-sxm-40gb');
  fc.assert(
    fc.property(fc.constantFrom(...SPECS), scenarioArb, gpuArb, fc.double({ min: 0.05, max: 1, noNaN: true }), (spec, s, gpu, util) => {
      const e = estimateSpec(spec, parseScenario({ ...s, gpu, ...(s.runtime === 'vllm' ? { gpuMemoryUtilization: util } : {}) }));
      for (const t of allTerms(e)) {
        const v = evaluateFormula(t.formula, t.inputs);
        assert.equal(v, t.bytes, `${t.id}: ${t.formula} = ${v}, computed ${t.bytes}`);
      }
    }),
    { numRuns: 300 },
  );
});

function monotone(key: 'batch' | 'seq' | 'loraRank', max: number) {
  return fc.property(fc.constantFrom(...SPECS), scenarioArb, fc.integer({ min: 1, max }), fc.integer({ min: 1, max }), (spec, s, x, y) => {
    if (key === 'loraRank' && (s.mode !== 'training' || s.loraRank === null)) return;
    const [lo, hi] = x <= y ? [x, y] : [y, x];
    const a = estimateSpec(spec, parseScenario({ ...s, [key]: lo }));
    const b = estimateSpec(spec, parseScenario({ ...s, [key]: hi }));
    // Paged optimizers keep the states of tensors past bitsandbytes' paging size in unified memory: a larger LoRA
    // rank can move adapter states out of the GPU's peak, so the peak plus the unified memory is what grows.
    const withUnified = (e: typeof a) => e.memory.peak_bytes + e.memory.terms.filter((t) => t.where === 'unified').reduce((n, t) => n + t.bytes, 0);
    assert.ok(withUnified(a) <= withUnified(b), `${key} ${lo} → ${withUnified(a)}, ${hi} → ${withUnified(b)} (peak + unified memory)`);
    assert.ok(a.memory.device_bytes <= b.memory.device_bytes, `device: ${key} ${lo} → ${a.memory.device_bytes}, ${hi} → ${b.memory.device_bytes}`);
  });
}

test('monotone in batch', () => fc.assert(monotone('batch', 64), { numRuns: 200 }));
test('monotone in sequence length', () => fc.assert(monotone('seq', 32768), { numRuns: 200 }));
test('monotone in LoRA rank', () => fc.assert(monotone('loraRank', 1024), { numRuns: 200 }));
