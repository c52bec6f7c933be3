/** torch.optim.SGD: no state, or one momentum_buffer per parameter with momentum. */
import { elementwiseOptimizer } from './spec.ts';

export const sgd = elementwiseOptimizer({ id: 'sgd', label: 'SGD (no state)', source: 'torch.optim.SGD', statesPerParam: 0, temporariesPerParam: 0 });

export const sgdMomentum = elementwiseOptimizer({
  id: 'sgd-momentum',
  label: 'SGD with momentum (momentum_buffer)',
  source: 'torch.optim.SGD',
  statesPerParam: 1,
  temporariesPerParam: 0,
});
