/** The scenario parser: field by field for plain inputs, the same result and the same errors as the whole schema. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseScenario, ScenarioSchema, SCENARIO_FIELDS, ScenarioError } from '../../../src/core/scenario.ts';

const wholeParse = (input: unknown) => {
  const r = ScenarioSchema.safeParse(input);
  return r.success ? { ok: true as const, value: r.data } : { ok: false as const };
};

test('parseScenario equals the whole-schema parse on random partial inputs (values of every field, valid or not)', () => {
  const keys = SCENARIO_FIELDS.map((f) => f.key);
  const value = fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.double({ noNaN: false }), fc.boolean(), fc.constantFrom(null, undefined, 'bf16', 'training', 'vllm', 'adamw', 'cpu', 'h100-sxm-80gb', '', 'nope'));
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom(...keys, 'unknownKey'), value, { maxKeys: 6 }), (input) => {
      const whole = wholeParse(input);
      let fast: unknown;
      let threw: unknown = null;
      try {
        fast = parseScenario(input);
      } catch (e) {
        threw = e;
      }
      if (whole.ok) assert.deepEqual(fast, whole.value);
      else assert.ok(threw instanceof ScenarioError, 'an input the schema refuses is refused');
    }),
    { numRuns: 2000 },
  );
});

test('the first problem is reported with its key', () => {
  assert.throws(() => parseScenario({ batch: 1.5 }), /batch: batch must be a whole number/);
  assert.throws(() => parseScenario({ nope: 1 }), ScenarioError);
});
