/**
 * The whole model against real PyTorch runs (H100, PyTorch 2.11, transformers 5.17): exact parameter counts,
 * KV cache within 1%, and every measured peak within ±10%.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimate, readModelConfig } from '../../src/core/index.ts';
import { loadCases } from './calibration.ts';

const cases = loadCases();

test('calibration fixtures are present', () => {
  assert.ok(cases.filter((c) => c.kind === 'train').length >= 6);
  assert.ok(cases.filter((c) => c.kind === 'prefill').length >= 4);
});

for (const c of cases) {
  if (c.kind === 'params') {
    test(`${c.id}: exact parameter count`, () => {
      const spec = readModelConfig(c.config);
      assert.equal(spec.params.total, c.params);
      assert.equal(spec.params.embedding, c.embeddingParams);
    });
    continue;
  }
  if (c.kind === 'weights') {
    test(`${c.id}: weights within 1%`, () => {
      const e = estimate(c.config, c.scenario);
      const w = e.memory.terms.find((t) => t.id === 'weights')!;
      const err = (w.bytes - c.weightsBytes!) / c.weightsBytes!;
      assert.ok(Math.abs(err) < 0.01, `weights ${w.bytes} vs measured ${c.weightsBytes} (${(err * 100).toFixed(2)}%)`);
    });
    continue;
  }
  test(`${c.id}: peak within ±10% of the measured ${c.peak}`, () => {
    const e = estimate(c.config, c.scenario);
    const err = (e.memory.peak_bytes - c.peak) / c.peak;
    assert.ok(Math.abs(err) <= 0.1, `estimated ${e.memory.peak_bytes} vs measured ${c.peak}: ${(err * 100).toFixed(2)}% (${e.memory.peak_phase})`);
    if (c.kvBytes !== undefined) {
      const kv = e.memory.terms.find((t) => t.id === 'kv_cache');
      assert.ok(kv, 'a KV cache term');
      const kvErr = (kv.bytes - c.kvBytes) / c.kvBytes;
      assert.ok(Math.abs(kvErr) <= 0.01, `KV ${kv.bytes} vs measured ${c.kvBytes}: ${(kvErr * 100).toFixed(2)}%`);
    }
  });
}
