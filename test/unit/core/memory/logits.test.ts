/** The logits term at the loss and with soft-capping. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainingLogitsTerm, inferenceLogitsTerm } from '../../../../src/core/memory/logits.ts';

test('logits: 8,192 tokens × 128,256 vocab = 12,608,077,824 B at the loss backward (12 B/element)', () => {
  assert.equal(trainingLogitsTerm(8192, 128256, 2, 'backward').bytes, 12_608_077_824);
  assert.equal(trainingLogitsTerm(10, 100, 2, 'forward').bytes, 10 * 100 * 10);
  assert.equal(trainingLogitsTerm(10, 100, 4, 'forward').bytes, 10 * 100 * 8);
  assert.equal(inferenceLogitsTerm(4, 128256, 2, true, 2048).bytes, 4 * (128256 * 6 + 2048 * 2));
});

test('logit soft-capping keeps one more logit-sized tensor (tanh output)', () => {
  assert.equal(trainingLogitsTerm(100, 1000, 2, 'backward', true).bytes, 100 * 1000 * 14);
  assert.equal(trainingLogitsTerm(100, 1000, 2, 'forward', true).bytes, 100 * 1000 * 12);
});
