/** Training methods: which groups are trained, how the frozen ones are stored. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { methodFor } from '../../../../src/core/training/methods/index.ts';
import { parseScenario } from '../../../../src/core/scenario.ts';
import { precisionPlan } from '../../../../src/core/dtypes.ts';
import { LLAMA_32_1B, LLAMA_3_8B } from '../../helpers/specs.ts';

const ctx = (input: Parameters<typeof parseScenario>[0], spec = LLAMA_32_1B) => {
  const scenario = parseScenario({ mode: 'training', ...(input as object) });
  return { spec, scenario, precision: precisionPlan(scenario.precision), warnings: [] as string[] };
};
const sum = (gs: readonly { elements: number }[]) => gs.reduce((s, g) => s + g.elements, 0);

test('full fine-tuning trains every tensor group in the parameter dtype: Σ elements = the parameter count', () => {
  const c = ctx({ precision: 'amp-bf16' });
  const groups = methodFor(c.scenario).trainedGroups(c);
  assert.equal(sum(groups), LLAMA_32_1B.params.total);
  assert.ok(groups.every((g) => g.bytes === 4 && g.elements === g.tensorNumel * g.count));
});

test('LoRA trains fp32 adapters only: r·(in + out) per adapted layer (Llama-3-8B r=16: 41,943,040, PEFT measured)', () => {
  const c = ctx({ loraRank: 16 }, LLAMA_3_8B);
  const method = methodFor(c.scenario);
  assert.equal(method.id, 'lora');
  const groups = method.trainedGroups(c);
  assert.equal(sum(groups), 41_943_040);
  assert.ok(groups.every((g) => g.bytes === 4));
  assert.deepEqual(method.weightTerms(c).map((t) => t.id), ['weights', 'lora_adapters']);
  assert.equal(method.adapterRank(c), 16);
});

test('full fine-tuning refuses a weights dtype other than the parameter dtype, naming the key', () => {
  const c = ctx({ weightsDtype: 'fp32', precision: 'bf16' });
  assert.throws(() => methodFor(c.scenario).validate(c), /weightsDtype: full training keeps parameters in bf16/);
});
