/**
 * QLoRA (Dettmers et al., arXiv 2305.14314): the base linear layers in bitsandbytes NF4 (double quantization unless
 * --no-double-quant), bf16 compute, fp32 LoRA adapters (peft) on the targets (all-linear by default). peft's
 * prepare_model_for_kbit_training, which TRL and axolotl call, casts every parameter that is not quantized
 * (embeddings, lm_head, norms) to fp32: the hidden states then flow in fp32 (the 4-bit matmuls cast their input to
 * bf16 and their output back), so activations and logits are fp32. --no-prepare-kbit keeps them 16-bit
 * (LLaMA-Factory). Measured: test/fixtures/measured/methods-h200.jsonl.
 */
import { ScenarioError } from '../../scenario.ts';
import { FLOAT_BYTES } from '../../dtypes.ts';
import { bnbWeightsTerm } from '../../memory/quantized.ts';
import { adapterHeadGroups, adapterTrainedGroups, rank, validateLoraTargets, withAdapters } from './lora.ts';
import type { MethodContext, MethodSpec } from './spec.ts';

function otherBytes(ctx: MethodContext): number {
  return ctx.scenario.prepareKbit ? 4 : FLOAT_BYTES[ctx.precision.param];
}

export const qlora: MethodSpec = {
  id: 'qlora',
  trainsOnQuantizedBase: ({ scenario }) => scenario.weightsDtype === null || scenario.weightsDtype === 'nf4',
  loadsQuantizedCheckpoints: true,
  validate(ctx) {
    const sc = ctx.scenario;
    if (sc.loraRank === null) throw new ScenarioError('qlora: QLoRA needs a LoRA rank (--lora-rank R)', 'loraRank');
    if (sc.weightsDtype !== null && sc.weightsDtype !== 'nf4') {
      throw new ScenarioError(`weightsDtype: QLoRA stores the base in nf4, not ${sc.weightsDtype}; drop --weights-dtype (or use --weights-dtype int8 without --qlora for an 8-bit base)`, 'weightsDtype');
    }
    if (ctx.precision.autocast || ctx.precision.param === 'fp32') {
      throw new ScenarioError(`precision: QLoRA computes in bf16 or fp16 (bnb_4bit_compute_dtype), not ${sc.precision}`, 'precision');
    }
    validateLoraTargets(ctx);
  },
  weightTerms(ctx) {
    if (ctx.spec.moe) ctx.warnings.push('QLoRA on fused expert tensors is not modelled: experts are counted as not quantized');
    const dq = ctx.scenario.doubleQuant ?? true;
    return withAdapters(ctx, bnbWeightsTerm(ctx.spec, 'nf4', dq, otherBytes(ctx), 'Base weights (frozen, NF4)'), otherBytes(ctx));
  },
  trainedGroups: (ctx) => adapterTrainedGroups(ctx, otherBytes(ctx)),
  headGroups: (ctx) => adapterHeadGroups(ctx, otherBytes(ctx)),
  adapterRank: rank,
  activationBytes: (ctx) => (ctx.scenario.prepareKbit ? 4 : null),
};
