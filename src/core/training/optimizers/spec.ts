/**
 * What an optimizer costs, as data: the state it keeps per trained tensor group and the temporaries its step
 * allocates. One spec per optimizer (this folder); the training composer never branches on an optimizer's name.
 */
import type { OptimizerId } from '../../scenario.ts';

/**
 * A group of identical trained tensors (`count` tensors of `tensorNumel` elements, `elements` in all), each element
 * stored in `bytes` (the parameter dtype, or fp32 adapters). Per-tensor sizes matter to block-wise optimizers.
 */
export interface TrainedGroup {
  name: string;
  tensorNumel: number;
  count: number;
  elements: number;
  bytes: number;
}

/** Bytes with the mathjs formula and inputs that give them (the formula over the inputs equals `bytes`; tested). */
export interface Cost {
  bytes: number;
  formula: string;
  inputs: Record<string, number>;
}

export interface OptimizerSpec {
  id: OptimizerId;
  /** What the states are, shown beside the number. */
  label: string;
  source: string;
  temporariesSource: string;
  states(groups: readonly TrainedGroup[]): Cost;
  stepTemporaries(groups: readonly TrainedGroup[]): Cost;
}

export function trainedElements(groups: readonly TrainedGroup[]): number {
  let n = 0;
  for (const g of groups) n += g.elements;
  return n;
}

/** The element size shared by every trained group (full fine-tuning: the parameter dtype; LoRA: fp32 adapters). */
export function uniformBytes(groups: readonly TrainedGroup[]): number {
  const bytes = groups[0]?.bytes ?? 0;
  if (groups.some((g) => g.bytes !== bytes)) throw new Error('trained groups of mixed element sizes need a per-group optimizer formula');
  return bytes;
}

interface ElementwiseInit {
  id: OptimizerId;
  label: string;
  source: string;
  /** Parameter-sized state tensors per trained tensor (AdamW: exp_avg and exp_avg_sq). */
  statesPerParam: number;
  /** Parameter-sized buffers the step allocates at once over all parameters (foreach implementations). */
  temporariesPerParam: number;
  temporariesSource?: string;
}

/** An optimizer whose states and step temporaries are whole parameter-sized tensors in the parameter dtype. */
export function elementwiseOptimizer(init: ElementwiseInit): OptimizerSpec {
  return {
    id: init.id,
    label: init.label,
    source: init.source,
    temporariesSource: init.temporariesSource ?? 'torch.optim foreach implementation (_foreach_sqrt of exp_avg_sq)',
    states(groups) {
      const elements = trainedElements(groups);
      const bytes = uniformBytes(groups);
      return {
        bytes: elements * init.statesPerParam * bytes,
        formula: 'trainable_params * states_per_param * state_bytes',
        inputs: { trainable_params: elements, states_per_param: init.statesPerParam, state_bytes: bytes },
      };
    },
    stepTemporaries(groups) {
      const elements = trainedElements(groups);
      const bytes = uniformBytes(groups);
      return {
        bytes: elements * init.temporariesPerParam * bytes,
        formula: 'trainable_params * temporaries_per_param * state_bytes',
        inputs: { trainable_params: elements, temporaries_per_param: init.temporariesPerParam, state_bytes: bytes },
      };
    },
  };
}
