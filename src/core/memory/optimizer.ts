/**
 * Gradients, optimizer states and the step's temporaries of the trained tensor groups. What each optimizer keeps is
 * its spec's business (training/optimizers/); these terms only label and place the bytes.
 */
import type { Term } from '../types.ts';
import { makeTerm } from './term.ts';
import { trainedElements, uniformBytes } from '../training/optimizers/spec.ts';
import type { OptimizerSpec, TrainedGroup } from '../training/optimizers/index.ts';

export function optimizerStatesTerm(optimizer: OptimizerSpec, groups: readonly TrainedGroup[]): Term {
  const cost = optimizer.states(groups);
  return makeTerm(
    { id: 'optimizer_states', label: 'Optimizer states', formula: cost.formula, inputs: cost.inputs, source: optimizer.source, note: optimizer.label },
    cost.bytes,
  );
}

export function optimizerTempsTerm(optimizer: OptimizerSpec, groups: readonly TrainedGroup[]): Term {
  const cost = optimizer.stepTemporaries(groups);
  return makeTerm(
    { id: 'optimizer_temporaries', label: 'Optimizer step temporaries', formula: cost.formula, inputs: cost.inputs, source: optimizer.temporariesSource },
    cost.bytes,
  );
}

/** One gradient per trained element, in the trained dtype. */
export function gradientsTerm(groups: readonly TrainedGroup[]): Term {
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
