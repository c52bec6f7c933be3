/** The placement plan: a rank's share of a state term, on its device. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SINGLE_GPU_PLAN, placeTerm } from '../../../../src/core/parallel/placement.ts';
import { makeTerm } from '../../../../src/core/memory/term.ts';
import { evaluateFormula } from '../../../../src/core/formula.ts';

const states = makeTerm({ id: 'optimizer_states', label: 'Optimizer states', formula: 'params * 8', inputs: { params: 7_500_000_001 }, source: 'test' }, 60_000_000_008);

test('the single-GPU plan leaves every state whole on the GPU (the same term)', () => {
  for (const kind of ['params', 'grads', 'optimizer'] as const) assert.equal(placeTerm(states, SINGLE_GPU_PLAN[kind]), states);
});

test('sharding over N ranks keeps ceil(bytes / N) per rank, and the formula says so', () => {
  const shard = placeTerm(states, { over: 64, device: 'gpu' });
  assert.equal(shard.bytes, Math.ceil(60_000_000_008 / 64));
  assert.equal(evaluateFormula(shard.formula, shard.inputs), shard.bytes);
  assert.match(shard.note ?? '', /sharded over 64 ranks/);
});

test('offloading moves the term to the host without changing its bytes', () => {
  const host = placeTerm(states, { over: 1, device: 'cpu' });
  assert.equal(host.where, 'cpu');
  assert.equal(host.bytes, states.bytes);
});
