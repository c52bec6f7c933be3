/**
 * Optimizer states and the step's temporaries, for torch.optim with the default foreach implementation.
 * AdamW: exp_avg + exp_avg_sq in the parameter dtype (ZeRO §3.1 counts them as 2 × 4 B with fp32 params);
 * the foreach step allocates sqrt(exp_avg_sq) for every parameter at once (one more parameter-sized buffer).
 */
import type { Term } from '../types.ts';
import type { Scenario } from '../scenario.ts';
import { makeTerm } from './term.ts';

interface OptimizerInfo {
  states: number;
  temporaries: number;
  label: string;
  source: string;
}

export const OPTIMIZER_INFO: Record<Scenario['optimizer'], OptimizerInfo> = {
  adamw: {
    states: 2,
    temporaries: 1,
    label: 'AdamW (exp_avg, exp_avg_sq)',
    source: 'ZeRO §3.1 (arXiv 1910.02054); torch.optim._multi_tensor_adamw: 2.00 B/param extra in bf16 measured by scripts/calibrate/probe_optimizer.py',
  },
  'adamw-fused': {
    states: 2,
    temporaries: 0,
    label: 'AdamW, fused kernel (exp_avg, exp_avg_sq; no step temporaries)',
    source: 'ZeRO §3.1 (arXiv 1910.02054); torch.optim.AdamW(fused=True): 0 extra bytes measured by scripts/calibrate/probe_optimizer.py',
  },
  sgd: { states: 0, temporaries: 0, label: 'SGD (no state)', source: 'torch.optim.SGD' },
  'sgd-momentum': { states: 1, temporaries: 0, label: 'SGD with momentum (momentum_buffer)', source: 'torch.optim.SGD' },
};

export function optimizerStatesTerm(opt: Scenario['optimizer'], trainable: number, stateBytes: number): Term {
  const info = OPTIMIZER_INFO[opt];
  return makeTerm(
    {
      id: 'optimizer_states',
      label: 'Optimizer states',
      formula: 'trainable_params * states_per_param * state_bytes',
      inputs: { trainable_params: trainable, states_per_param: info.states, state_bytes: stateBytes },
      source: info.source,
      note: info.label,
    },
    trainable * info.states * stateBytes,
  );
}

export function optimizerTempsTerm(opt: Scenario['optimizer'], trainable: number, stateBytes: number): Term {
  const info = OPTIMIZER_INFO[opt];
  return makeTerm(
    {
      id: 'optimizer_temporaries',
      label: 'Optimizer step temporaries',
      formula: 'trainable_params * temporaries_per_param * state_bytes',
      inputs: { trainable_params: trainable, temporaries_per_param: info.temporaries, state_bytes: stateBytes },
      source: 'torch.optim foreach implementation (_foreach_sqrt of exp_avg_sq)',
    },
    trainable * info.temporaries * stateBytes,
  );
}

export function gradientsTerm(trainable: number, gradBytes: number): Term {
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
