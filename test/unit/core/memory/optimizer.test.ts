/** Gradients, optimizer states and step temporaries against published and measured values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradientsTerm, optimizerStatesTerm, optimizerTempsTerm } from '../../../../src/core/memory/optimizer.ts';
import { OPTIMIZER_SPECS } from '../../../../src/core/training/optimizers/index.ts';
import { estimateSpec } from '../../../../src/core/estimate.ts';
import { parseScenario } from '../../../../src/core/scenario.ts';
import { LLAMA_3_8B } from '../../helpers/specs.ts';

/** One trained group of `elements` elements stored in `bytes` each. */
const trained = (elements: number, bytes: number) => [{ name: 'all', tensorNumel: elements, count: 1, elements, bytes }];

test('optimizer: mixed-precision AdamW model states are 16 B/param: 7.5B params → 120 GB (ZeRO Fig. 1)', () => {
  const P = 7.5e9;
  const bytes = 4 * P + gradientsTerm(trained(P, 4)).bytes + optimizerStatesTerm(OPTIMIZER_SPECS['adamw'], trained(P, 4)).bytes;
  assert.equal(bytes, 120e9);
  assert.equal(optimizerStatesTerm(OPTIMIZER_SPECS['sgd'], trained(P, 4)).bytes, 0);
  assert.equal(optimizerStatesTerm(OPTIMIZER_SPECS['sgd-momentum'], trained(1000, 2)).bytes, 2000);
  assert.equal(optimizerTempsTerm(OPTIMIZER_SPECS['adamw'], trained(1000, 4)).bytes, 4000);
});

test('fused AdamW keeps the same states as foreach AdamW but allocates no step temporaries (measured 0 B)', () => {
  assert.equal(optimizerStatesTerm(OPTIMIZER_SPECS['adamw-fused'], trained(1000, 4)).bytes, optimizerStatesTerm(OPTIMIZER_SPECS['adamw'], trained(1000, 4)).bytes);
  assert.equal(optimizerTempsTerm(OPTIMIZER_SPECS['adamw-fused'], trained(1000, 4)).bytes, 0);
  const foreach = estimateSpec(LLAMA_3_8B, parseScenario({ mode: 'training', batch: 1, seq: 128, optimizer: 'adamw' }));
  const fused = estimateSpec(LLAMA_3_8B, parseScenario({ mode: 'training', batch: 1, seq: 128, optimizer: 'adamw-fused' }));
  assert.equal(foreach.memory.peak_bytes - fused.memory.peak_bytes, LLAMA_3_8B.params.total * 2);
});
