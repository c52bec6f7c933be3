/** The webview's controls for issue 8's fields: a nullable switch is a three-way select; string fields stay text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCENARIO_FIELDS } from '../../../src/core/index.ts';
import { coerce, controlsFor } from '../../../webview-ui/model.ts';

const field = (key: string) => SCENARIO_FIELDS.find((f) => f.key === key)!;

test('double quantization: default (the stack decides), on, off — never shown as off while it is on', () => {
  const c = controlsFor('training').find((x) => x.field.key === 'doubleQuant')!;
  assert.deepEqual(c.options, [['', 'default'], ['true', 'on'], ['false', 'off']]);
  assert.equal(coerce(field('doubleQuant'), ''), null);
  assert.equal(coerce(field('doubleQuant'), 'true'), true);
  assert.equal(coerce(field('doubleQuant'), 'false'), false);
});

test('the methods fields appear in training controls; empty LoRA targets mean all-linear (null), not ""', () => {
  const keys = controlsFor('training').map((c) => c.field.key);
  for (const k of ['galoreRank', 'galoreUpdateGap', 'apolloRank', 'layerwiseUpdate', 'qlora', 'prepareKbit', 'loraTargets', 'loraModulesToSave', 'loss']) assert.ok(keys.includes(k as never), k);
  assert.equal(coerce(field('loraTargets'), ''), null);
  assert.equal(coerce(field('loraTargets'), 'q_proj,v_proj'), 'q_proj,v_proj');
  assert.equal(coerce(field('apolloRank'), ''), null);
  assert.ok(controlsFor('inference').some((c) => c.field.key === 'kvGroupSize'));
});
