/**
 * torch.optim.AdamW: exp_avg and exp_avg_sq in the parameter dtype (ZeRO §3.1 counts them as 2 × 4 B with fp32
 * parameters). The default foreach step allocates sqrt(exp_avg_sq) for every parameter at once; fused=True does not.
 */
import { elementwiseOptimizer } from './spec.ts';

export const adamw = elementwiseOptimizer({
  id: 'adamw',
  label: 'AdamW (exp_avg, exp_avg_sq)',
  source: 'ZeRO §3.1 (arXiv 1910.02054); torch.optim._multi_tensor_adamw: 2.00 B/param extra in bf16 measured by scripts/calibrate/probe_optimizer.py',
  statesPerParam: 2,
  temporariesPerParam: 1,
});

export const adamwFused = elementwiseOptimizer({
  id: 'adamw-fused',
  label: 'AdamW, fused kernel (exp_avg, exp_avg_sq; no step temporaries)',
  source: 'ZeRO §3.1 (arXiv 1910.02054); torch.optim.AdamW(fused=True): 0 extra bytes measured by scripts/calibrate/probe_optimizer.py',
  statesPerParam: 2,
  temporariesPerParam: 0,
});
