/** Full fine-tuning: every parameter is trained in the precision's parameter dtype. */
import { FLOAT_BYTES, STORAGE } from '../../dtypes.ts';
import { ScenarioError } from '../../scenario.ts';
import { weightsTerm } from '../../memory/weights.ts';
import { groupsOf, type MethodSpec } from './spec.ts';

export const fullFineTuning: MethodSpec = {
  id: 'full',
  validate({ scenario, precision }) {
    const wd = scenario.weightsDtype;
    if (wd !== null && STORAGE[wd].blockBytes !== FLOAT_BYTES[precision.param]) {
      throw new ScenarioError(
        `weightsDtype: full training keeps parameters in ${precision.param} with precision ${scenario.precision}; drop --weights-dtype or change --precision`,
        'weightsDtype',
      );
    }
  },
  weightTerms: ({ spec, scenario, precision }) => [weightsTerm(spec, scenario.weightsDtype ?? precision.param, precision.param)],
  // A frozen vision tower (and projector) keeps its weights and trains nothing.
  trainedGroups: ({ spec, scenario, precision }) => {
    const groups = groupsOf(spec, FLOAT_BYTES[precision.param]);
    return scenario.freezeVision && spec.visionTower ? groups.filter((_g, i) => spec.tensors[i]!.role !== 'vision') : groups;
  },
  headGroups: ({ spec, precision }) => [
    { name: 'lm_head', tensorNumel: spec.vocab * spec.hidden, count: 1, elements: spec.vocab * spec.hidden, bytes: FLOAT_BYTES[precision.param] },
  ],
  adapterRank: () => null,
};
