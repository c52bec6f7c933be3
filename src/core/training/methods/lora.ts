/**
 * LoRA: the base model frozen in its storage dtype (16-bit, or LLM.int8 with --weights-dtype int8), fp32 adapters
 * of rank r on the target linear layers (all-linear, or --lora-targets) trained, and --lora-modules-to-save trained
 * in full.
 */
import { ScenarioError } from '../../scenario.ts';
import { FLOAT_BYTES } from '../../dtypes.ts';
import { weightsTerm } from '../../memory/weights.ts';
import { bnbWeightsTerm, int8KeptInputsTerm } from '../../memory/quantized.ts';
import { moeLayerCount } from '../../memory/activations.ts';
import { LORA_ADAPTER_BYTES, linearModuleNames, loraAdaptersTerm, loraExpertParamsPerLayer, loraGroupParams, loraMergedExpertsTerm, loraTargets, parseTargets } from '../../memory/lora.ts';
import type { ModelSpec, Term } from '../../types.ts';
import type { TrainedGroup } from '../optimizers/spec.ts';
import type { MethodContext, MethodSpec } from './spec.ts';
import { makeTerm } from '../../memory/term.ts';

export function rank({ scenario }: MethodContext): number {
  if (scenario.loraRank === null) throw new Error('the LoRA method needs a rank');
  return scenario.loraRank;
}

/** Checks --lora-targets and --lora-modules-to-save against the model's modules. */
export function validateLoraTargets(ctx: MethodContext): void {
  const names = parseTargets(ctx.scenario.loraTargets);
  const refused = ctx.spec.loraIncompatible ?? NO_MODULES;
  if (names !== null) {
    const bad = names.filter((n) => refused.includes(n));
    if (bad.length) throw new ScenarioError(`loraTargets: PEFT refuses LoRA on ${bad.map((n) => `"${n}"`).join(', ')} of Mamba-based models (${ctx.spec.modelType}); leave ${bad.length > 1 ? 'them' : 'it'} out`, 'loraTargets');
    const known = linearModuleNames(ctx.spec);
    const unknown = names.filter((n) => !known.includes(n));
    if (unknown.length) throw new ScenarioError(`loraTargets: the model has no linear module ${unknown.map((n) => `"${n}"`).join(', ')} (it has: ${known.join(', ')}, or all-linear)`, 'loraTargets');
  }
  for (const m of saveModules(ctx)) {
    if (saveGroups(ctx.spec, m).length === 0) throw new ScenarioError(`loraModulesToSave: the model has no module "${m}"`, 'loraModulesToSave');
  }
}

function saveModules(ctx: MethodContext): readonly string[] {
  const list = ctx.scenario.loraModulesToSave;
  return list ? list.split(',').map((s) => s.trim()).filter(Boolean) : NO_MODULES;
}

const NO_MODULES: readonly string[] = [];

function saveGroups(spec: ModelSpec, module: string) {
  return spec.tensors.filter((t) => t.module === module || t.name === `${module}.weight` || t.name.includes(`.${module}.`) || t.name.startsWith(`${module}.`));
}

/** peft modules_to_save: a trainable copy of each named module, beside the frozen original. */
export function modulesToSaveGroups(ctx: MethodContext, bytes: number): TrainedGroup[] {
  const out: TrainedGroup[] = [];
  for (const m of saveModules(ctx)) {
    for (const t of saveGroups(ctx.spec, m)) {
      const g: TrainedGroup = { name: `${t.name} (modules_to_save)`, tensorNumel: t.numel, count: t.count, elements: t.numel * t.count, bytes };
      if (t.shape) g.shape = t.shape;
      out.push(g);
    }
  }
  return out;
}

export function modulesToSaveTerm(groups: readonly TrainedGroup[]): Term | null {
  if (groups.length === 0) return null;
  const params = groups.reduce((s, g) => s + g.elements, 0);
  const bytes = groups[0]!.bytes;
  return makeTerm(
    {
      id: 'modules_to_save',
      label: 'Trained module copies (modules_to_save)',
      formula: 'params * bytes_per_param',
      inputs: { params, bytes_per_param: bytes },
      source: 'peft ModulesToSaveWrapper: a trainable copy beside the frozen original',
      note: groups.map((g) => g.name.replace(' (modules_to_save)', '')).join(', '),
    },
    params * bytes,
  );
}

export function adapterGroups(ctx: MethodContext): TrainedGroup[] {
  const groups = loraTargets(ctx.spec, ctx.scenario.loraTargets, !ctx.scenario.freezeVision).map((t) => {
    const elements = loraGroupParams(t, rank(ctx));
    return { name: `${t.name} (LoRA A, B)`, tensorNumel: elements / t.count, count: t.count, elements, bytes: LORA_ADAPTER_BYTES };
  });
  const perLayer = loraExpertParamsPerLayer(ctx.spec, rank(ctx), ctx.scenario.loraTargets);
  if (perLayer > 0) {
    const layers = moeLayerCount(ctx.spec);
    groups.push({ name: 'mlp.experts (LoRA on the fused experts, PEFT ParamWrapper)', tensorNumel: perLayer, count: layers, elements: perLayer * layers, bytes: LORA_ADAPTER_BYTES });
  }
  return groups;
}

/** The adapters and any modules_to_save beside a frozen `base`, whose other parameters are `otherBytes` each. */
export function withAdapters(ctx: MethodContext, base: Term, otherBytes: number): Term[] {
  const terms = [base, loraAdaptersTerm(ctx.spec, rank(ctx), 'training', ctx.scenario.loraTargets, !ctx.scenario.freezeVision)];
  const saved = modulesToSaveTerm(modulesToSaveGroups(ctx, otherBytes));
  if (saved) terms.push(saved);
  return terms;
}

/** What an adapter method trains: the adapters and the modules_to_save copies. */
export function adapterTrainedGroups(ctx: MethodContext, otherBytes: number): TrainedGroup[] {
  const groups = adapterGroups(ctx);
  for (const g of modulesToSaveGroups(ctx, otherBytes)) groups.push(g);
  return groups;
}

/** The trained part of lm_head: a modules_to_save copy of it (or of the tied embedding), else nothing. */
export function adapterHeadGroups(ctx: MethodContext, otherBytes: number): TrainedGroup[] {
  const head = modulesToSaveGroups(ctx, otherBytes).filter((g) => /lm_head|embed/.test(g.name));
  return head.length ? head : [{ name: 'lm_head', tensorNumel: 0, count: 1, elements: 0, bytes: LORA_ADAPTER_BYTES }];
}

/** Bytes of the parameters that are not quantized: fp32 after prepare_model_for_kbit_training, else 16-bit. */
function otherBytes(ctx: MethodContext): number {
  return ctx.scenario.weightsDtype === 'int8' && ctx.scenario.prepareKbit ? 4 : FLOAT_BYTES[ctx.precision.param];
}

export const lora: MethodSpec = {
  id: 'lora',
  trainsOnQuantizedBase: ({ scenario }) => scenario.weightsDtype === 'int8',
  // LLM.int8 keeps each base linear layer's input for its backward even under checkpointing (measured: +1.8 GiB);
  // PEFT's wrapper on fused experts keeps each MoE layer's merged expert weights.
  extraSavedTerms: (ctx, tokens, computeBytes) => {
    const { spec, scenario } = ctx;
    const terms = scenario.weightsDtype === 'int8' && scenario.gradCheckpointing ? [int8KeptInputsTerm(spec, tokens, computeBytes)] : [];
    const merged = loraMergedExpertsTerm(spec, rank(ctx), scenario.loraTargets, computeBytes, scenario.gradCheckpointing);
    if (merged) terms.push(merged);
    return terms;
  },
  validate: validateLoraTargets,
  weightTerms(ctx) {
    if (ctx.spec.moe) {
      ctx.warnings.push(
        loraExpertParamsPerLayer(ctx.spec, rank(ctx), ctx.scenario.loraTargets) > 0
          ? "PEFT's all-linear wraps the fused experts: their adapters, gradients and optimizer states and the merged expert weights it keeps per layer are counted; the experts' per-token adapter activations are not modelled yet"
          : 'LoRA leaves the routed experts frozen without adapters here (as PEFT\'s all-linear does for this model, or the targets named)',
      );
    }
    if (ctx.spec.loraIncompatible && parseTargets(ctx.scenario.loraTargets) === null)
      ctx.warnings.push(`PEFT's all-linear raises on ${ctx.spec.modelType} (${ctx.spec.loraIncompatible.join(', ')} of the Mamba mixers takes no LoRA): estimated without adapters there; name the targets in your training config`);
    const base =
      ctx.scenario.weightsDtype === 'int8'
        ? bnbWeightsTerm(ctx.spec, 'int8', false, otherBytes(ctx), 'Base weights (frozen, LLM.int8)')
        : weightsTerm(ctx.spec, ctx.scenario.weightsDtype ?? ctx.precision.param, ctx.precision.param, 'Base weights (frozen)');
    return withAdapters(ctx, base, otherBytes(ctx));
  },
  trainedGroups: (ctx) => adapterTrainedGroups(ctx, otherBytes(ctx)),
  headGroups: (ctx) => adapterHeadGroups(ctx, otherBytes(ctx)),
  adapterRank: rank,
  activationBytes: (ctx) => (ctx.scenario.weightsDtype === 'int8' && ctx.scenario.prepareKbit ? 4 : null),
};
