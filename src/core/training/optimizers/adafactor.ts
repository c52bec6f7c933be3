/**
 * transformers.optimization.Adafactor as HF Trainer builds it (optim="adafactor": scale_parameter=False,
 * relative_step=False, beta1=None): no first moment; per matrix a factored second moment (one fp32 value per row and
 * per column), per vector a full fp32 second moment. The gradient is upcast to fp32 first, so the states are fp32.
 * The step runs one parameter at a time and allocates, for a 16-bit parameter, fp32 copies of the gradient and the
 * parameter, grad², and the update (4 fp32 tensors of the parameter's size; 2 for fp32 parameters).
 * Measured: llama-3.2-1b states 3.1 MB, step temporaries 3.91 GiB = 4 × 4 B × 262,668,288 (the embedding).
 */
import { largestTensor, sumOver, type Cost, type OptimizerSpec, type TrainedGroup } from './spec.ts';

/** Rows + columns of a matrix, elements of anything else. */
export function factoredElements(g: TrainedGroup): number {
  return g.shape ? g.shape[0] + g.shape[1] : g.tensorNumel;
}

export function adafactorStates(groups: readonly TrainedGroup[]): Cost {
  const matrices = sumOver(groups, (g) => (g.shape ? g.shape[0] + g.shape[1] : 0));
  const vectors = sumOver(groups, (g) => (g.shape ? 0 : g.tensorNumel));
  return {
    bytes: (matrices + vectors) * 4,
    formula: '(matrix_rows_cols + vector_params) * 4',
    inputs: { matrix_rows_cols: matrices, vector_params: vectors },
  };
}

export function adafactorTemporaries(groups: readonly TrainedGroup[]): Cost {
  const largest = largestTensor(groups);
  const sixteen = groups.some((g) => g.tensorNumel === largest && g.bytes < 4);
  const copies = sixteen ? 4 : 2;
  return {
    bytes: largest * copies * 4,
    formula: 'largest_tensor * fp32_copies * 4',
    inputs: { largest_tensor: largest, fp32_copies: copies },
  };
}

export const adafactor: OptimizerSpec = {
  id: 'adafactor',
  label: 'Adafactor (factored fp32 second moment, no first moment)',
  source: 'transformers.optimization.Adafactor (Shazeer & Stern, arXiv 1804.04235); HF Trainer optim="adafactor"; measured in test/fixtures/measured/methods-h200.jsonl',
  temporariesSource: 'Adafactor.step, one parameter at a time: fp32 gradient, fp32 parameter, grad², update',
  states: (groups) => adafactorStates(groups),
  stepTemporaries: (groups) => adafactorTemporaries(groups),
  perParameter: true,
};
