/**
 * A checkpoint's own quantization (config.json `quantization_config`): what the weights are stored in when the
 * user does not say otherwise. AWQ/GPTQ 4- and 8-bit, bitsandbytes 4-bit (NF4/FP4) and 8-bit, FP8 checkpoints.
 */
import type { QuantizationSpec } from '../types.ts';
import { isObject } from './read.ts';

export function readQuantization(config: Record<string, unknown>): QuantizationSpec | null {
  const q = isObject(config.quantization_config) ? config.quantization_config : isObject(config.text_config) && isObject(config.text_config.quantization_config) ? config.text_config.quantization_config : null;
  if (!q) return null;
  const method = typeof q.quant_method === 'string' ? q.quant_method.toLowerCase() : 'unknown';
  const bits = typeof q.bits === 'number' ? q.bits : typeof q.w_bit === 'number' ? q.w_bit : null;
  const group = typeof q.group_size === 'number' ? q.group_size : typeof q.q_group_size === 'number' ? q.q_group_size : null;
  if (method === 'awq' || method.startsWith('gptq')) {
    if (bits === 4) return { method, weightsDtype: 'int4', note: `${method.toUpperCase()} 4-bit${group ? `, group ${group}` : ''}` };
    if (bits === 8) return { method, weightsDtype: 'int8', note: `${method.toUpperCase()} 8-bit` };
    return { method, weightsDtype: null, note: `${method.toUpperCase()} with ${bits ?? 'unknown'} bits is not modelled` };
  }
  if (method === 'bitsandbytes') {
    if (q.load_in_4bit === true) {
      const note = `bitsandbytes 4-bit (${typeof q.bnb_4bit_quant_type === 'string' ? q.bnb_4bit_quant_type : 'fp4'})`;
      return { method, weightsDtype: 'nf4', doubleQuant: q.bnb_4bit_use_double_quant === true, note };
    }
    if (q.load_in_8bit === true) return { method, weightsDtype: 'int8', note: 'bitsandbytes 8-bit' };
  }
  if (method === 'fp8' || method === 'fbgemm_fp8' || method === 'finegrained_fp8') return { method, weightsDtype: 'fp8', note: 'FP8 weights' };
  if (method === 'compressed-tensors') {
    const text = JSON.stringify(q).toLowerCase();
    if (/"type":\s*"float"/.test(text) && /"num_bits":\s*8/.test(text)) return { method, weightsDtype: 'fp8', note: 'compressed-tensors FP8' };
    if (/"num_bits":\s*4/.test(text)) return { method, weightsDtype: 'int4', note: 'compressed-tensors 4-bit' };
    if (/"num_bits":\s*8/.test(text)) return { method, weightsDtype: 'int8', note: 'compressed-tensors 8-bit' };
  }
  if (method === 'mxfp4') return { method, weightsDtype: 'int4', note: 'MXFP4 (4-bit with a scale per 32), estimated as group-wise 4-bit' };
  return { method, weightsDtype: null, note: `quantization_config "${method}" is not recognised` };
}
