/** Model weights on the GPU. Quantized formats apply to linear and expert weights only. */
import type { ModelSpec, Term } from '../types.ts';
import type { Scenario, WeightDtype } from '../scenario.ts';
import { STORAGE, isQuantized, storageBytes, type FloatDtype } from '../dtypes.ts';
import { makeTerm } from './term.ts';

export interface WeightSplit {
  /** Parameters of linear layers, experts and routers (what weight quantization applies to). */
  linear: number;
  /** Embeddings, lm_head, norms, biases. */
  other: number;
}

export function splitParams(spec: ModelSpec): WeightSplit {
  let linear = 0;
  for (const t of spec.tensors) {
    if (t.role === 'linear' || t.role === 'expert' || t.role === 'router') linear += t.numel * t.count;
  }
  return { linear, other: spec.params.total - linear };
}

/**
 * Bytes of the weights stored in `dtype`. For quantized dtypes the non-linear parameters (embeddings, lm_head,
 * norms, biases) stay in `otherDtype` (16-bit), as bitsandbytes/GPTQ/AWQ loaders leave them.
 */
export function weightsTerm(spec: ModelSpec, dtype: WeightDtype, otherDtype: FloatDtype, label = 'Weights'): Term {
  if (!isQuantized(dtype)) {
    const b = STORAGE[dtype].blockBytes;
    return makeTerm(
      {
        id: 'weights',
        label,
        formula: 'params * bytes_per_param',
        inputs: { params: spec.params.total, bytes_per_param: b },
        source: 'parameter count from config.json × dtype size',
        note: `${dtype}: ${STORAGE[dtype].layout}`,
      },
      spec.params.total * b,
    );
  }
  const { linear, other } = splitParams(spec);
  const f = STORAGE[dtype];
  const ob = STORAGE[otherDtype].blockBytes;
  return makeTerm(
    {
      id: 'weights',
      label,
      formula: 'ceil(ceil(linear_params / block) * block_bytes) + other_params * other_bytes',
      inputs: { linear_params: linear, block: f.block, block_bytes: f.blockBytes, other_params: other, other_bytes: ob },
      source: f.source,
      note: `${dtype} linear weights (${f.layout}); embeddings, norms and lm_head in ${otherDtype}`,
    },
    storageBytes(linear, dtype) + other * ob,
  );
}

/**
 * Weights dtype for inference: what the user chose, else the checkpoint's own quantization (quantization_config),
 * else, in PyTorch, a float32 checkpoint's fp32 (transformers' dtype="auto"), else the precision's dtype.
 */
export function servingWeightsDtype(spec: ModelSpec, sc: Scenario, fallback: FloatDtype, warnings: string[]): WeightDtype {
  if (sc.weightsDtype !== null) return sc.weightsDtype;
  const q = spec.quantization;
  if (q?.weightsDtype) {
    warnings.push(`weights as ${q.weightsDtype}, from the checkpoint's quantization_config (${q.note})`);
    return q.weightsDtype;
  }
  if (q) warnings.push(`${q.note}; weights assumed in ${fallback}`);
  // transformers loads with dtype="auto": a float32 checkpoint stays 4 B/param in PyTorch inference. vLLM's
  // `--dtype auto` casts float32 checkpoints to 16 bits, which the fallback (the precision's dtype) already is.
  if (!q && sc.runtime !== 'vllm' && spec.configDtype === 'fp32' && fallback !== 'fp32') {
    warnings.push('weights in fp32: the config\'s torch_dtype is float32 and transformers loads it as stored (dtype="auto"); set --weights-dtype to cast');
    return 'fp32';
  }
  return fallback;
}
