/** LoRA: the base model frozen in its storage dtype, fp32 adapters of rank r on every decoder linear layer trained. */
import { weightsTerm } from '../../memory/weights.ts';
import { LORA_ADAPTER_BYTES, loraAdaptersTerm, loraGroupParams, loraTargets } from '../../memory/lora.ts';
import type { MethodContext, MethodSpec } from './spec.ts';

function rank({ scenario }: MethodContext): number {
  if (scenario.loraRank === null) throw new Error('the LoRA method needs a rank');
  return scenario.loraRank;
}

export const lora: MethodSpec = {
  id: 'lora',
  validate: () => undefined,
  weightTerms(ctx) {
    if (ctx.spec.moe) ctx.warnings.push('LoRA on fused expert tensors is not modelled: experts stay frozen without adapters');
    return [
      weightsTerm(ctx.spec, ctx.scenario.weightsDtype ?? ctx.precision.param, ctx.precision.param, 'Base weights (frozen)'),
      loraAdaptersTerm(ctx.spec, rank(ctx), 'training'),
    ];
  },
  trainedGroups: (ctx) =>
    loraTargets(ctx.spec).map((t) => {
      const elements = loraGroupParams(t, rank(ctx));
      return { name: `${t.name} (LoRA A, B)`, tensorNumel: elements / t.count, count: t.count, elements, bytes: LORA_ADAPTER_BYTES };
    }),
  headGroups: () => [{ name: 'lm_head', tensorNumel: 0, count: 1, elements: 0, bytes: LORA_ADAPTER_BYTES }],
  adapterRank: rank,
};
