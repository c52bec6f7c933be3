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
import { placeTerm } from '../parallel/placement.ts';
import { SINGLE_GPU_TRAINING, type TrainingPlan } from '../parallel/plans.ts';
import { gatheredParamsTerm, gradientBucketsTerm, masterWeightsTerm, nvmeStagingTerm } from '../memory/distributed.ts';
import { gradientsTerm, largestGroup, layerwiseGradientTerm, optimizerStatesTerm, optimizerTempsTerm, pagedStatesTerm } from '../memory/optimizer.ts';
import { cceLogitsTerm, ligerLogitsTerm } from '../memory/fused-loss.ts';
import { checkpointedActivationsTerm, mixerTemporariesTerm, recomputedLayerTerm, savedActivationsTerm, savedInventory, visionActivationsTerm } from '../memory/activations.ts';
import { trainingLogitsTerm } from '../memory/logits.ts';
import { autocastCopyTerms } from '../memory/autocast.ts';
import { attentionBackwardTerm, usesMathAttention } from '../memory/attention.ts';
import { kvBytesPerToken } from '../memory/kv-cache.ts';
import { kvLayerGroups } from '../kv/specs.ts';
import type { OpContext } from '../ops/layer.ts';
import { OPTIMIZER_SPECS, type OptimizerSpec, type TrainedGroup } from './optimizers/index.ts';
import { trainedElements, type OptimizerContext } from './optimizers/spec.ts';
import { methodFor, type MethodContext, type MethodSpec } from './methods/index.ts';

type TrainingSlot =
  | 'weights'
  | 'gathered_params'
  | 'master_weights'
  | 'gradient_buckets'
  | 'offload_buffers'
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
  | 'mixer_temporaries'
  | 'cuda_workspace'
  | 'layerwise_gradient';

/**
 * When each term is alive. With gradient accumulation the previous micro-batches' gradients are live through the
 * whole step; checkpointing adds the recompute of one layer; SDPA's math kernel adds its backward, one layer at a time.
 */
export const TRAINING_PHASES: readonly PhaseRule<TrainingSlot>[] = [
  {
    name: 'forward (loss)',
    live: ['weights', 'gathered_params', 'master_weights', 'optimizer_states', 'optimizer_states_paged', 'accumulated_gradients', 'gradient_buckets', 'offload_buffers', 'activations', 'autocast_forward', 'logits_forward', 'cuda_workspace'],
  },
  {
    name: 'backward (loss)',
    live: ['weights', 'gathered_params', 'master_weights', 'optimizer_states', 'optimizer_states_paged', 'accumulated_gradients', 'gradient_buckets', 'offload_buffers', 'activations', 'autocast_backward', 'logits_backward', 'cuda_workspace'],
  },
  {
    name: 'backward (recompute)',
    live: ['weights', 'gathered_params', 'master_weights', 'optimizer_states', 'optimizer_states_paged', 'gradients', 'gradient_buckets', 'offload_buffers', 'activations', 'activations_recompute', 'autocast_recompute', 'cuda_workspace'],
    requires: ['activations_recompute'],
  },
  {
    name: 'backward (attention)',
    live: ['weights', 'gathered_params', 'master_weights', 'optimizer_states', 'optimizer_states_paged', 'gradient_buckets', 'offload_buffers', 'activations', 'activations_recompute', 'head_gradients', 'attention_backward', 'cuda_workspace'],
    requires: ['attention_backward'],
  },
  {
    // One Mamba layer's backward in transformers' PyTorch path: its scan's temporaries over everything saved.
    name: 'backward (Mamba scan)',
    live: ['weights', 'gathered_params', 'master_weights', 'optimizer_states', 'optimizer_states_paged', 'gradient_buckets', 'offload_buffers', 'activations', 'activations_recompute', 'head_gradients', 'mixer_temporaries', 'cuda_workspace'],
    requires: ['mixer_temporaries'],
  },
  {
    // Layer-wise updates: each parameter's step runs in backward as soon as its gradient is complete.
    name: 'backward (layer-wise step)',
    live: ['weights', 'optimizer_states', 'optimizer_states_paged', 'activations', 'layerwise_gradient', 'optimizer_temporaries', 'cuda_workspace'],
    requires: ['layerwise_gradient'],
  },
  {
    name: 'optimizer step',
    live: ['weights', 'master_weights', 'gradients', 'gradient_buckets', 'optimizer_states', 'optimizer_states_paged', 'optimizer_temporaries', 'cuda_workspace'],
    unless: ['layerwise_gradient'],
  },
];

const PERSISTENT: ReadonlySet<Term['id']> = new Set(['weights', 'lora_adapters', 'optimizer_states', 'master_weights', 'gradient_buckets']);

/** Where a rank sits: its placement plan, its pipeline stage and what sequence parallelism divides. */
export interface TrainingRank {
  plan: TrainingPlan;
  /** The first stage holds the embedding; the last the final norm, lm_head and the loss. */
  first: boolean;
  last: boolean;
  /** Micro-batches whose activations the stage holds at once (1F1B: pipeline size − stage index). */
  microBatchesInFlight: number;
  /** Tensor-parallel ranks sequence parallelism divides the norms' tensors over (1 without it). */
  sequenceShards: number;
}

export const SINGLE_GPU_RANK: TrainingRank = { plan: SINGLE_GPU_TRAINING, first: true, last: true, microBatchesInFlight: 1, sequenceShards: 1 };

function validateTraining(method: MethodSpec, ctx: MethodContext): void {
  const { scenario } = ctx;
  const quantizedBase = method.trainsOnQuantizedBase?.(ctx) ?? false;
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
  if (scenario.layerwiseUpdate && scenario.gpus > 1) {
    throw new ScenarioError("layerwiseUpdate: layer-wise updates run on one GPU (GaLore's per-layer weight updates do not support DDP, ZeRO or FSDP)", 'layerwiseUpdate');
  }
}

/**
 * The step's temporaries: the optimizer spec's, on the GPU. DeepSpeed's fused Adam allocates none; torch.optim on CPU
 * tensors (FSDP2 CPU offload) runs its single-tensor path, whose temporaries are one parameter's at a time.
 */
function stepTemporaries(optimizer: OptimizerSpec, groups: readonly TrainedGroup[], plan: TrainingPlan, octx: OptimizerContext): Term | null {
  if (plan.fp32Master) return null;
  const placement = plan.placement.optimizer;
  if (placement.device === 'gpu') return placeTerm(optimizerTempsTerm(optimizer, groups, octx), placement);
  const largest = groups.reduce((a, g) => (g.tensorNumel > a.tensorNumel ? g : a), groups[0]!);
  const oneTensor = [{ ...largest, count: 1, elements: Math.ceil(largest.tensorNumel / placement.over) }];
  return placeTerm(optimizerTempsTerm(optimizer, oneTensor, octx), { over: 1, device: placement.device });
}

/** Weights, gradients and optimizer states of the method's trained groups, each placed by the plan. */
function modelStateSlots(method: MethodSpec, ctx: MethodContext, plan: TrainingPlan, slots: Slots<TrainingSlot>): number {
  const optimizer = OPTIMIZER_SPECS[ctx.scenario.optimizer];
  const groups = method.trainedGroups(ctx);
  const trainable = trainedElements(groups);
  // DeepSpeed keeps the optimizer side in fp32 beside 16-bit parameters and gradients.
  const optimizerGroups = plan.fp32Master ? groups.map((g) => ({ ...g, bytes: 4 })) : groups;
  const p = plan.placement;
  const octx: OptimizerContext = { scenario: ctx.scenario, hidden: ctx.spec.hidden };
  optimizer.validate?.(groups, octx);
  // Paged states live in CUDA unified memory: outside the allocator's peak (where 'unified'), unless offloaded.
  slots.optimizer_states_paged = optimizer.pagedStates
    ? placeTerm(pagedStatesTerm(optimizer, optimizerGroups, octx), { over: p.optimizer.over, device: p.optimizer.device === 'gpu' ? 'unified' : p.optimizer.device })
    : null;
  slots.weights = method.weightTerms(ctx).map((t) => placeTerm(t, p.params));
  slots.master_weights = plan.fp32Master ? placeTerm(masterWeightsTerm(trainable), p.optimizer) : null;
  slots.gradient_buckets = gradientBucketsTerm(ctx.scenario, plan, trainable, groups[0]?.bytes ?? 0);
  slots.offload_buffers = nvmeStagingTerm(plan, trainable);
  slots.optimizer_states = placeTerm(optimizerStatesTerm(optimizer, optimizerGroups, octx), p.optimizer);
  if (ctx.scenario.layerwiseUpdate) {
    // One parameter's gradient at a time, and its optimizer's temporaries (a per-parameter optimizer each).
    const one = largestGroup(groups);
    const gradient = placeTerm(layerwiseGradientTerm(one), p.grads);
    slots.gradients = gradient;
    slots.head_gradients = gradient;
    slots.layerwise_gradient = gradient;
    slots.optimizer_temporaries = stepTemporaries(optimizer, optimizer.perParameter ? groups : [one], plan, octx);
    return trainable;
  }
  const gradients = plan.keeps16BitGradients ? placeTerm(gradientsTerm(groups), p.grads) : null;
  const accumulating = ctx.scenario.gradAccumulation > 1;
  slots.gradients = gradients;
  slots.accumulated_gradients = accumulating ? gradients : null;
  slots.head_gradients = accumulating ? gradients : placeTerm(gradientsTerm(method.headGroups(ctx)), p.grads);
  slots.optimizer_temporaries = stepTemporaries(optimizer, groups, plan, octx);
  return trainable;
}

/** The loss's tensors: the full logits (standard), or those of a fused loss. */
function lossTerms(spec: ModelSpec, sc: Scenario, tokens: number, computeBytes: number): { forward: Term; backward: Term } {
  if (sc.loss === 'cce') return { forward: cceLogitsTerm(tokens, spec.hidden, computeBytes, 'forward'), backward: cceLogitsTerm(tokens, spec.hidden, computeBytes, 'backward') };
  if (sc.loss === 'liger-flce') {
    const t = ligerLogitsTerm(tokens, spec.vocab, spec.hidden, computeBytes);
    return { forward: t, backward: t };
  }
  return {
    forward: trainingLogitsTerm(tokens, spec.vocab, computeBytes, 'forward', spec.logitSoftcap),
    backward: trainingLogitsTerm(tokens, spec.vocab, computeBytes, 'backward', spec.logitSoftcap),
  };
}

/** Saved activations (or checkpoints and one recomputed layer), the logits and autocast's weight copies. */
function activationSlots(spec: ModelSpec, sc: Scenario, ops: OpContext, rank: TrainingRank, slots: Slots<TrainingSlot>, extraSaved: readonly Term[]): void {
  const tokens = sc.batch * sc.seq;
  // A pipeline stage holds the activations of every micro-batch in flight; only the last stage has the loss.
  const heldTokens = tokens * rank.microBatchesInFlight;
  const inventory = savedInventory(spec, ops, rank.last);
  const gc = sc.gradCheckpointing;
  const copies = ops.autocast ? autocastCopyTerms(spec, ops.computeBytes, gc) : null;
  const residualBytes = ops.residualBytes / rank.sequenceShards;
  const saved = gc ? checkpointedActivationsTerm(spec, inventory, heldTokens, residualBytes) : savedActivationsTerm(inventory, heldTokens);
  // Activation offloading (axolotl activation_offloading) keeps what autograd saves in host memory and brings one
  // layer's back for its backward: the layer's tensors are on the GPU as a recomputed layer's are.
  const activations = sc.activationOffload ? placeTerm(saved, { over: 1, device: 'cpu' }) : saved;
  slots.activations = extraSaved.length > 0 ? [activations, ...extraSaved] : activations;
  slots.activations_recompute = gc || sc.activationOffload ? recomputedLayerTerm(inventory, tokens) : null;
  slots.autocast_forward = copies?.forward ?? null;
  slots.autocast_backward = copies?.backward ?? null;
  slots.autocast_recompute = copies?.recompute ?? null;
  const loss = rank.last ? lossTerms(spec, sc, tokens, ops.computeBytes) : null;
  slots.logits_forward = loss?.forward ?? null;
  slots.logits_backward = loss?.backward ?? null;
}

/** Mamba and linear-attention layers are estimated as transformers' PyTorch paths run them: say so. */
function warnRecurrentActivations(spec: ModelSpec, warnings: string[]): void {
  let recurrent = 0;
  for (const g of kvLayerGroups(spec)) if (g.kind === 'mamba' || g.kind === 'linear') recurrent += g.layers;
  if (recurrent > 0) {
    warnings.push(`the Mamba / linear-attention mixers of ${recurrent} layers are estimated as transformers runs them without the mamba_ssm, causal-conv1d and flash-linear-attention kernels (measured); with those kernels installed they save and allocate less, so this is an upper bound`);
  }
}

export function training(spec: ModelSpec, sc: Scenario, rt: RuntimeProfile, warnings: string[], rank: TrainingRank = SINGLE_GPU_RANK): Composition {
  const precision = precisionPlan(sc.precision);
  const method = methodFor(sc);
  const ctx: MethodContext = { spec, scenario: sc, precision, warnings };
  validateTraining(method, ctx);
  // Activations follow the method (fp32 after peft's prepare_model_for_kbit_training), else the compute dtype.
  const computeBytes = method.activationBytes?.(ctx) ?? FLOAT_BYTES[precision.compute];
  const autocast = precision.autocast && !rank.plan.castsGatheredParams;
  // fp32 activations send SDPA to its math kernel as fp32 training does.
  const math = usesMathAttention(spec, computeBytes === 4 ? 'fp32' : precision.compute, rt, warnings);
  if (spec.quantization && sc.weightsDtype === null && !method.loadsQuantizedCheckpoints) {
    warnings.push(`the checkpoint is quantized (${spec.quantization.note}); training is estimated with its weights in ${precision.param} (QLoRA-style quantized training is not modelled yet)`);
  }
  warnRecurrentActivations(spec, warnings);
  const slots: Slots<TrainingSlot> = {};
  const trainable = modelStateSlots(method, ctx, rank.plan, slots);
  const ops: OpContext = {
    computeBytes,
    residualBytes: autocast || precision.compute === 'fp32' ? 4 : computeBytes,
    autocast,
    loraRank: method.adapterRank(ctx),
    keepsCache: rt.trainingForwardKeepsCache && !sc.gradCheckpointing,
    contextTokens: sc.seq,
    mathSavedPerScore: math ? rt.mathAttention.saved : 0,
    sequenceShards: rank.sequenceShards,
  };
  const extraSaved = method.extraSavedTerms?.(ctx, sc.batch * sc.seq, computeBytes) ?? [];
  // A trained vision tower (full fine-tuning, not frozen) saves its own activations on the first stage.
  if (sc.images > 0 && spec.visionTower && !sc.freezeVision) {
    if (method.id !== 'full') warnings.push("LoRA's adapters on the vision tower are trained (PEFT's all-linear puts them there; freezeVision leaves the tower out): the tower's saved activations under LoRA are not counted");
    else if (rank.first) extraSaved.push(visionActivationsTerm(spec.visionTower, sc.batch * sc.images, computeBytes, sc.gradCheckpointing));
  }
  activationSlots(spec, sc, ops, rank, slots, extraSaved);
  slots.gathered_params = gatheredParamsTerm(spec, sc, rank.plan, computeBytes);
  slots.attention_backward = math ? attentionBackwardTerm(spec, sc.batch, sc.seq, rt) : null;
  slots.mixer_temporaries = mixerTemporariesTerm(spec, sc.batch * sc.seq);
  slots.cuda_workspace = workspaceTerm(rt, rt.workspaceThreadsTraining);
  return { phases: composePhases(TRAINING_PHASES, slots), persistentIds: PERSISTENT, trainable, kvPerToken: kvBytesPerToken(spec, computeBytes) , reserveBytes: undefined, fits: undefined, serving: undefined };
}
