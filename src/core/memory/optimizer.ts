/**
 * Gradients, optimizer states and the step's temporaries of the trained tensor groups. What each optimizer keeps is
 * its spec's business (training/optimizers/); these terms only label and place the bytes.
 */
import type { Term } from '../types.ts';
import { makeTerm } from './term.ts';
import { perGroupCost, trainedElements, uniformBytes } from '../training/optimizers/spec.ts';
import type { OptimizerContext, OptimizerSpec, TrainedGroup } from '../training/optimizers/index.ts';

export function optimizerStatesTerm(optimizer: OptimizerSpec, groups: readonly TrainedGroup[], ctx?: OptimizerContext): Term {
  const cost = optimizer.states(groups, ctx);
  return makeTerm(
    { id: 'optimizer_states', label: 'Optimizer states', formula: cost.formula, inputs: cost.inputs, source: optimizer.source, note: optimizer.label },
    cost.bytes,
  );
}

export function optimizerTempsTerm(optimizer: OptimizerSpec, groups: readonly TrainedGroup[], ctx?: OptimizerContext): Term {
  const cost = optimizer.stepTemporaries(groups, ctx);
  return makeTerm(
    { id: 'optimizer_temporaries', label: 'Optimizer step temporaries', formula: cost.formula, inputs: cost.inputs, source: optimizer.temporariesSource },
    cost.bytes,
  );
}

/** States in CUDA unified memory (paged optimizers): not in the allocator's peak, in what the device holds. */
export function pagedStatesTerm(optimizer: OptimizerSpec, groups: readonly TrainedGroup[], ctx?: OptimizerContext): Term {
  const cost = optimizer.pagedStates!(groups, ctx);
  return makeTerm(
    {
      id: 'optimizer_states_paged',
      label: 'Optimizer states (paged, unified memory)',
      formula: cost.formula,
      inputs: cost.inputs,
      source: optimizer.source,
      note: 'cudaMallocManaged: outside PyTorch\'s allocator (not in torch.cuda.max_memory_allocated); on the GPU until memory runs short, then paged to CPU RAM',
      where: 'unified',
    },
    cost.bytes,
  );
}

/** The largest trained tensor as a group of one. */
export function largestGroup(groups: readonly TrainedGroup[]): TrainedGroup {
  let best: TrainedGroup | null = null;
  for (const g of groups) if (g.count > 0 && (best === null || g.tensorNumel * g.bytes > best.tensorNumel * best.bytes)) best = g;
  const g = best ?? { name: 'none', tensorNumel: 0, count: 1, elements: 0, bytes: 2 };
  return { ...g, count: 1, elements: g.tensorNumel };
}

/** Layer-wise updates: one parameter's gradient alive at a time (the largest). */
export function layerwiseGradientTerm(one: TrainedGroup): Term {
  return makeTerm(
    {
      id: 'gradients',
      label: 'Gradient (one parameter at a time, layer-wise)',
      formula: 'largest_tensor * grad_bytes',
      inputs: { largest_tensor: one.tensorNumel, grad_bytes: one.bytes },
      source: 'GaLore §4.3 per-layer weight updates (register_post_accumulate_grad_hook): a gradient is freed by its own step',
      note: one.name,
    },
    one.tensorNumel * one.bytes,
  );
}

/** One gradient per trained element, in the trained dtype. */
export function gradientsTerm(groups: readonly TrainedGroup[]): Term {
  if (groups.some((g) => g.bytes !== groups[0]!.bytes)) {
    const c = perGroupCost(groups, 1, 'grads_per_param');
    return makeTerm(
      { id: 'gradients', label: 'Gradients', formula: c.formula, inputs: c.inputs, source: 'one gradient per trainable parameter, in its dtype' },
      c.bytes,
    );
  }
  const trainable = trainedElements(groups);
  const gradBytes = uniformBytes(groups);
  return makeTerm(
    {
      id: 'gradients',
      label: 'Gradients',
      formula: 'trainable_params * grad_bytes',
      inputs: { trainable_params: trainable, grad_bytes: gradBytes },
      source: 'ZeRO §3.1 (arXiv 1910.02054): one gradient per trainable parameter, in the parameter dtype',
    },
    trainable * gradBytes,
  );
}
