/** One spec per optimizer: states and step temporaries per trained group, hand-computed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OPTIMIZER_SPECS } from '../../../../src/core/training/optimizers/index.ts';
import { OPTIMIZERS } from '../../../../src/core/scenario.ts';
import { evaluateFormula } from '../../../../src/core/formula.ts';
import { parseScenario } from '../../../../src/core/scenario.ts';

const ctx = { scenario: parseScenario({ mode: 'training', galoreRank: 64, apolloRank: 64 }), hidden: 2048 };

const groups = [
  { name: 'q_proj', tensorNumel: 2048 * 2048, count: 16, elements: 2048 * 2048 * 16, bytes: 2 },
  { name: 'norm', tensorNumel: 2048, count: 33, elements: 2048 * 33, bytes: 2 },
];
const P = 2048 * 2048 * 16 + 2048 * 33;

test('every optimizer the scenario names has a spec, and its id matches', () => {
  for (const id of OPTIMIZERS) assert.equal(OPTIMIZER_SPECS[id].id, id);
});

test('AdamW keeps two parameter-sized states; its foreach step one more buffer, the fused step none', () => {
  assert.equal(OPTIMIZER_SPECS.adamw.states(groups).bytes, 2 * 2 * P);
  assert.equal(OPTIMIZER_SPECS.adamw.stepTemporaries(groups).bytes, 2 * P);
  assert.equal(OPTIMIZER_SPECS['adamw-fused'].states(groups).bytes, 2 * 2 * P);
  assert.equal(OPTIMIZER_SPECS['adamw-fused'].stepTemporaries(groups).bytes, 0);
});

test('SGD keeps nothing; with momentum one buffer', () => {
  assert.equal(OPTIMIZER_SPECS.sgd.states(groups).bytes, 0);
  assert.equal(OPTIMIZER_SPECS['sgd-momentum'].states(groups).bytes, 2 * P);
});

test('each cost carries a formula that evaluates to its bytes', () => {
  for (const id of OPTIMIZERS) {
    for (const cost of [OPTIMIZER_SPECS[id].states(groups, ctx), OPTIMIZER_SPECS[id].stepTemporaries(groups, ctx)]) {
      assert.equal(evaluateFormula(cost.formula, cost.inputs), cost.bytes, id);
    }
  }
});

test('groups of mixed element sizes are costed group by group (fp32 adapters beside 16-bit modules_to_save)', () => {
  const mixed = [groups[0]!, { ...groups[1]!, bytes: 4 }];
  const c = OPTIMIZER_SPECS.adamw.states(mixed);
  assert.equal(c.bytes, 2 * (2048 * 2048 * 16 * 2 + 2048 * 33 * 4));
  assert.equal(evaluateFormula(c.formula, c.inputs), c.bytes);
});
