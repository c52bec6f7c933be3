/** Phases as data: rows of live slots, kept when their conditions hold. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composePhases, type PhaseRule } from '../../../src/core/phases.ts';
import { makeTerm } from '../../../src/core/memory/term.ts';
import { TRAINING_PHASES } from '../../../src/core/training/compose.ts';
import { INFERENCE_PHASES } from '../../../src/core/inference.ts';

const term = (id: 'weights' | 'activations' | 'logits', bytes: number) => makeTerm({ id, label: id, formula: 'b', inputs: { b: bytes }, source: 'test' }, bytes);

test('a phase lists its slots in order, skips empty ones, and is dropped when a required slot is empty', () => {
  type S = 'w' | 'a' | 'l' | 'x';
  const rules: PhaseRule<S>[] = [
    { name: 'one', live: ['w', 'x', 'a'] },
    { name: 'two', live: ['w', 'l'], requires: ['x'] },
    { name: 'three', live: ['l', 'w'], unless: ['x'] },
  ];
  const phases = composePhases(rules, { w: [term('weights', 1)], a: term('activations', 2), l: term('logits', 3), x: null });
  assert.deepEqual(
    phases.map((p) => [p.name, p.terms.map((t) => t.bytes)]),
    [
      ['one', [1, 2]],
      ['three', [3, 1]],
    ],
  );
});

test('the training table: every step ends with the optimizer step; recompute and math-attention phases are conditional', () => {
  assert.equal(TRAINING_PHASES.at(-1)!.name, 'optimizer step');
  assert.deepEqual(TRAINING_PHASES.find((r) => r.name === 'backward (recompute)')!.requires, ['activations_recompute']);
  assert.deepEqual(TRAINING_PHASES.find((r) => r.name === 'backward (attention)')!.requires, ['attention_backward']);
  for (const r of TRAINING_PHASES) assert.ok(r.live.includes('weights') && r.live.includes('cuda_workspace'), r.name);
});

test('the inference table: scoring (no prefill cache) names its logits phase "logits"; decode needs a decode cache', () => {
  assert.deepEqual(INFERENCE_PHASES.find((r) => r.name === 'logits')!.unless, ['kv_prefill']);
  assert.deepEqual(INFERENCE_PHASES.find((r) => r.name === 'decode')!.requires, ['kv_decode']);
});
