/**
 * Issue 8's methods against real runs on an H200 (test/fixtures/measured/methods-h200.jsonl, made by
 * scripts/calibrate/measure_methods.py): every peak within ±5%, weights and optimizer states within 2%.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimate } from '../../src/core/index.ts';
import { loadMethodCases } from './methods-calibration.ts';

const cases = loadMethodCases();

test('the methods fixture covers every measured method', () => {
  const ids = cases.map((c) => c.id).join('\n');
  for (const want of ['adamw-8bit', 'paged-adamw-8bit', 'paged-adamw', 'lion', 'adafactor', 'galore-adamw', 'galore-adamw layer-wise', 'galore-adamw-8bit layer-wise', 'apollo', 'apollo-mini layer-wise', 'QLoRA r16 dq prepare gc', 'QLoRA r16 dq no-prepare', 'no-dq', 'LoRA on int8', 'nf4 dq prefill', 'int8 prefill']) {
    assert.ok(ids.includes(want), `a measured case for ${want}`);
  }
});

for (const c of cases) {
  test(`${c.id}: peak (and the optimizer step alone) within ±5%, weights and optimizer states within 2%`, () => {
    const e = estimate(c.config, c.scenario);
    const err = (e.memory.peak_bytes - c.peak) / c.peak;
    assert.ok(Math.abs(err) <= 0.05, `peak ${e.memory.peak_bytes} vs measured ${c.peak}: ${(err * 100).toFixed(2)}% (${e.memory.peak_phase})`);
    const w = e.memory.terms.find((t) => t.id === 'weights')!.bytes;
    assert.ok(Math.abs(w - c.weights) / c.weights <= 0.02, `weights ${w} vs measured ${c.weights}`);
    if (c.states !== undefined) {
      const s = e.memory.terms.find((t) => t.id === 'optimizer_states')!.bytes;
      assert.ok(Math.abs(s - c.states) <= Math.max(0.02 * c.states, 1 << 20), `optimizer states ${s} vs measured ${c.states}`);
      const paged = e.memory.terms.find((t) => t.id === 'optimizer_states_paged')?.bytes ?? 0;
      assert.ok(Math.abs(paged - c.pagedStates!) <= 0.02 * Math.max(c.pagedStates!, 1), `paged states ${paged} vs measured ${c.pagedStates}`);
    }
    if (c.stepPeak !== undefined) {
      // The optimizer step alone (its temporaries: Adafactor's fp32 copies, GaLore's and APOLLO's projections, none for
      // bitsandbytes); the phases count GPU terms only, so paged states (unified memory) are not in them.
      const step = e.memory.phases.find((p) => p.phase === 'optimizer step')!;
      const stepErr = (step.bytes - c.stepPeak) / c.stepPeak;
      assert.ok(Math.abs(stepErr) <= 0.05, `optimizer step ${step.bytes} vs measured ${c.stepPeak}: ${(stepErr * 100).toFixed(2)}%`);
    }
  });
}
