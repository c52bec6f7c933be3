/**
 * A training step: which terms exist (the method's weights and trained groups, the optimizer's states, the
 * activation inventory, the logits), where the states live (the placement plan) and when each is alive (the phase
 * table). Pure arithmetic; it never branches on an optimizer's or a method's name.
 */
import type { ModelSpec, Term } from '../types.ts';
import { ScenarioError, type Scenario } from '../scenario.ts';
import { FLOAT_BYTES, isQuantized, precisionPlan } from '../dtypes.ts';
import type { RuntimeProfile } from '../runtime.ts';
import { composePhases, workspaceTerm, type Composition, type PhaseRule, type Slots } from '../phases.ts';
import { SINGLE_GPU_PLAN, placeTerm, type PlacementPlan } from '../parallel/placement.ts';
import { gradientsTerm, largestGroup, layerwiseGradientTerm, optimizerStatesTerm, optimizerTempsTerm, pagedStatesTerm } from '../memory/optimizer.ts';
import { cceLogitsTerm, ligerLogitsTerm } from '../memory/fused-loss.ts';
import { int8KeptInputsTerm } from '../memory/quantized.ts';
import { checkpointedActivationsTerm, recomputedLayerTerm, savedActivationsTerm, savedInventory } from '../memory/activations.ts';
import { trainingLogitsTerm } from '../memory/logits.ts';
import { autocastCopyTerms } from '../memory/autocast.ts';
import { attentionBackwardTerm, usesMathAttention } from '../memory/attention.ts';
import { kvBytesPerToken } from '../memory/kv-cache.ts';
import type { OpContext } from '../ops/layer.ts';
import { OPTIMIZER_SPECS } from './optimizers/index.ts';
import { trainedElements, type OptimizerContext } from './optimizers/spec.ts';
import { methodFor, type MethodContext, type MethodSpec } from './methods/index.ts';

type TrainingSlot =
  | 'weights'
  | 'optimizer_states'
  | 'optimizer_states_paged'
  | 'gradients'
  | 'accumulated_gradients'
  | 'head_gradients'
  | 'optimizer_temporaries'
  | 'activations'
  | 'activations_recompute'
  | 'autocast_forward'
  | 'autocast_backward'
  | 'autocast_recompute'
  | 'logits_forward'
  | 'logits_backward'
  | 'attention_backward'
  | 'cuda_workspace'
  | 'layerwise_gradient';

/**
 * When each term is alive. With gradient accumulation the previous micro-batches' gradients are live through the
 * whole step; checkpointing adds the recompute of one layer; SDPA's math kernel adds its backward, one layer at a time.
 */
export const TRAINING_PHASES: readonly PhaseRule<TrainingSlot>[] = [
  { name: 'forward (loss)', live: ['weights', 'optimizer_states', 'optimizer_states_paged', 'accumulated_gradients', 'activations', 'autocast_forward', 'logits_forward', 'cuda_workspace'] },
  { name: 'backward (loss)', live: ['weights', 'optimizer_states', 'optimizer_states_paged', 'accumulated_gradients', 'activations', 'autocast_backward', 'logits_backward', 'cuda_workspace'] },
  {
    name: 'backward (recompute)',
    live: ['weights', 'optimizer_states', 'optimizer_states_paged', 'gradients', 'activations', 'activations_recompute', 'autocast_recompute', 'cuda_workspace'],
    requires: ['activations_recompute'],
  },
  {
    name: 'backward (attention)',
    live: ['weights', 'optimizer_states', 'optimizer_states_paged', 'activations', 'activations_recompute', 'head_gradients', 'attention_backward', 'cuda_workspace'],
    requires: ['attention_backward'],
  },
  {
    // Layer-wise updates: each parameter's step runs in backward as soon as its gradient is complete.
    name: 'backward (layer-wise step)',
    live: ['weights', 'optimizer_states', 'optimizer_states_paged', 'activations', 'layerwise_gradient', 'optimizer_temporaries', 'cuda_workspace'],
    requires: ['layerwise_gradient'],
  },
  { name: 'optimizer step', live: ['weights', 'gradients', 'optimizer_states', 'optimizer_states_paged', 'optimizer_temporaries', 'cuda_workspace'], unless: ['layerwise_gradient'] },
];

const PERSISTENT: ReadonlySet<Term['id']> = new Set(['weights', 'lora_adapters', 'optimizer_states']);

function validateTraining(method: MethodSpec, ctx: MethodContext): void {
  const { scenario } = ctx;
  const quantizedBase = (method.id === 'qlora' && (scenario.weightsDtype === null || scenario.weightsDtype === 'nf4')) || (method.id === 'lora' && scenario.weightsDtype === 'int8');
  if (scenario.weightsDtype !== null && isQuantized(scenario.weightsDtype) && !quantizedBase) {
    throw new ScenarioError(
      `weightsDtype: training with ${scenario.weightsDtype} weights (QLoRA and quantized fine-tuning) is not supported yet`,
      'weightsDtype',
    );
  }
  method.validate(ctx);
  if (scenario.logits === 'all') throw new ScenarioError('logits: applies to inference only', 'logits');
  if (scenario.kvDtype !== 'auto') throw new ScenarioError('kvDtype: applies to inference only', 'kvDtype');
  if (scenario.layerwiseUpdate && scenario.gradAccumulation > 1) {
    throw new ScenarioError('layerwiseUpdate: layer-wise updates step each parameter in backward, so gradients cannot accumulate over micro-batches (gradAccumulation must be 1)', 'layerwiseUpdate');
  }
}

/** Weights, gradients and optimizer states of the method's trained groups, each placed by the plan. */
function modelStateSlots(method: MethodSpec, ctx: MethodContext, plan: PlacementPlan): Slots<TrainingSlot> & { trainable: number } {
  const optimizer = OPTIMIZER_SPECS[ctx.scenario.optimizer];
  const groups = method.trainedGroups(ctx);
  const octx: OptimizerContext = { scenario: ctx.scenario, hidden: ctx.spec.hidden };
  optimizer.validate?.(groups, octx);
  const paged = optimizer.pagedStates ? pagedStatesTerm(optimizer, groups, octx) : null;
  const states = {
    optimizer_states: placeTerm(optimizerStatesTerm(optimizer, groups, octx), plan.optimizer),
    optimizer_states_paged: paged,
    trainable: trainedElements(groups),
  };
  const weights = method.weightTerms(ctx).map((t) => placeTerm(t, plan.params));
  if (ctx.scenario.layerwiseUpdate) {
    // One parameter's gradient at a time, and its optimizer's temporaries (a per-parameter optimizer each).
    const one = largestGroup(groups);
    const gradient = placeTerm(layerwiseGradientTerm(one), plan.grads);
    return {
      ...states,
      weights,
      gradients: gradient,
      head_gradients: gradient,
      layerwise_gradient: gradient,
      optimizer_temporaries: placeTerm(optimizerTempsTerm(optimizer, optimizer.perParameter ? groups : [one], octx), plan.optimizer),
    };
  }
  const gradients = placeTerm(gradientsTerm(groups), plan.grads);
  return {
    ...states,
    weights,
    gradients,
    accumulated_gradients: ctx.scenario.gradAccumulation > 1 ? gradients : null,
    head_gradients: ctx.scenario.gradAccumulation > 1 ? gradients : placeTerm(gradientsTerm(method.headGroups(ctx)), plan.grads),
    optimizer_temporaries: placeTerm(optimizerTempsTerm(optimizer, groups, octx), plan.optimizer),
  };
}

/** The loss's tensors: the full logits (standard), or those of a fused loss. */
function logitsSlots(spec: ModelSpec, sc: Scenario, ops: OpContext): Slots<TrainingSlot> {
  const tokens = sc.batch * sc.seq;
  if (sc.loss === 'cce') {
    return { logits_forward: cceLogitsTerm(tokens, spec.hidden, ops.computeBytes, 'forward'), logits_backward: cceLogitsTerm(tokens, spec.hidden, ops.computeBytes, 'backward') };
  }
  if (sc.loss === 'liger-flce') {
    const t = ligerLogitsTerm(tokens, spec.vocab, spec.hidden, ops.computeBytes);
    return { logits_forward: t, logits_backward: t };
  }
  return {
    logits_forward: trainingLogitsTerm(tokens, spec.vocab, ops.computeBytes, 'forward', spec.logitSoftcap),
    logits_backward: trainingLogitsTerm(tokens, spec.vocab, ops.computeBytes, 'backward', spec.logitSoftcap),
  };
}

/** Saved activations (or checkpoints and one recomputed layer), the logits and autocast's weight copies. */
function activationSlots(spec: ModelSpec, sc: Scenario, ops: OpContext): Slots<TrainingSlot> {
  const tokens = sc.batch * sc.seq;
  const inventory = savedInventory(spec, ops);
  const gc = sc.gradCheckpointing;
  const copies = ops.autocast ? autocastCopyTerms(spec, ops.computeBytes, gc) : null;
  return {
    activations: gc ? checkpointedActivationsTerm(spec, inventory, tokens, ops.residualBytes) : savedActivationsTerm(inventory, tokens),
    activations_recompute: gc ? recomputedLayerTerm(inventory, tokens) : null,
    autocast_forward: copies?.forward ?? null,
    autocast_backward: copies?.backward ?? null,
    autocast_recompute: copies?.recompute ?? null,
    ...logitsSlots(spec, sc, ops),
  };
}

export function training(spec: ModelSpec, sc: Scenario, rt: RuntimeProfile, warnings: string[]): Composition {
  const precision = precisionPlan(sc.precision);
  const method = methodFor(sc);
  const ctx: MethodContext = { spec, scenario: sc, precision, warnings };
  validateTraining(method, ctx);
  const computeBytes = method.activationBytes?.(ctx) ?? FLOAT_BYTES[precision.compute];
  // fp32 activations (prepare_model_for_kbit_training) send SDPA to its math kernel as fp32 training does.
  const math = usesMathAttention(spec, computeBytes === 4 ? 'fp32' : precision.compute, rt, warnings);
  if (spec.quantization && sc.weightsDtype === null && method.id !== 'qlora') {
    warnings.push(`the checkpoint is quantized (${spec.quantization.note}); training is estimated with its weights in ${precision.param} (QLoRA-style quantized training is not modelled yet)`);
  }
  const { trainable, ...states } = modelStateSlots(method, ctx, SINGLE_GPU_PLAN);
  const ops: OpContext = {
    computeBytes,
    residualBytes: precision.autocast || precision.compute === 'fp32' ? 4 : computeBytes,
    autocast: precision.autocast,
    loraRank: method.adapterRank(ctx),
    keepsCache: rt.trainingForwardKeepsCache && !sc.gradCheckpointing,
    contextTokens: sc.seq,
    mathSavedPerScore: math ? rt.mathAttention.saved : 0,
  };
  const acts = activationSlots(spec, sc, ops);
  if (method.id === 'lora' && sc.weightsDtype === 'int8' && sc.gradCheckpointing && acts.activations) {
    acts.activations = [acts.activations as Term, int8KeptInputsTerm(spec, sc.batch * sc.seq, computeBytes)];
  }
  const slots: Slots<TrainingSlot> = {
    ...states,
    ...acts,
    attention_backward: math ? attentionBackwardTerm(spec, sc.batch, sc.seq, rt) : null,
    cuda_workspace: workspaceTerm(rt, rt.workspaceThreadsTraining),
  };
  return { phases: composePhases(TRAINING_PHASES, slots), persistentIds: PERSISTENT, trainable, kvPerToken: kvBytesPerToken(spec, computeBytes) };
}
