/** A checkpoint's own quantization_config decides the weights' storage in inference unless the user says otherwise. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimate, readModelConfig } from '../../../../src/core/index.ts';
import { readQuantization } from '../../../../src/core/model/quantization.ts';
import { readJsonObject } from '../../helpers/json.ts';

const llama = readJsonObject(new URL('../../../fixtures/measured/configs/llama-3.1-8b.json', import.meta.url));
const awq = { ...llama, quantization_config: { quant_method: 'awq', bits: 4, group_size: 128, version: 'gemm', zero_point: true } };

test('AWQ/GPTQ, bitsandbytes, FP8 and compressed-tensors configs map to a storage dtype', () => {
  assert.equal(readQuantization(awq)!.weightsDtype, 'int4');
  assert.equal(readQuantization({ quantization_config: { quant_method: 'gptq', bits: 8, group_size: 128 } })!.weightsDtype, 'int8');
  assert.equal(readQuantization({ quantization_config: { quant_method: 'bitsandbytes', load_in_4bit: true, bnb_4bit_quant_type: 'nf4' } })!.weightsDtype, 'nf4');
  assert.equal(readQuantization({ quantization_config: { quant_method: 'fp8', activation_scheme: 'dynamic' } })!.weightsDtype, 'fp8');
  assert.equal(
    readQuantization({ quantization_config: { quant_method: 'compressed-tensors', config_groups: { group_0: { weights: { num_bits: 8, type: 'float' } } } } })!.weightsDtype,
    'fp8',
  );
  assert.equal(readQuantization({ quantization_config: { quant_method: 'hqq' } })!.weightsDtype, null);
  assert.equal(readQuantization(llama), null);
});

test('inference stores an AWQ checkpoint in 4-bit and says why; an explicit --weights-dtype wins', () => {
  const spec = readModelConfig(awq);
  const q = estimate(spec, { batch: 1, seq: 1024 });
  const plain = estimate(readModelConfig(llama), { batch: 1, seq: 1024 });
  const w = q.memory.terms.find((t) => t.id === 'weights')!;
  assert.equal(w.inputs.block, 128);
  // 4-bit codes + an fp16 scale and 4-bit zero per 128 on the linear layers; embeddings and lm_head stay 16-bit
  assert.equal(w.bytes, Math.ceil(w.inputs.linear_params! / 128) * 66.5 + w.inputs.other_params! * 2);
  assert.ok(w.bytes < plain.memory.terms.find((t) => t.id === "weights")!.bytes / 2);
  assert.ok(q.warnings.some((x) => /quantization_config \(AWQ 4-bit, group 128\)/.test(x)));
  const forced = estimate(spec, { batch: 1, seq: 1024, weightsDtype: 'bf16' });
  assert.equal(forced.memory.terms.find((t) => t.id === 'weights')!.bytes, plain.memory.terms.find((t) => t.id === 'weights')!.bytes);
});

test('training a quantized checkpoint is estimated in the precision dtype, with a warning', () => {
  const e = estimate(readModelConfig(awq), { mode: 'training', batch: 1, seq: 512, loraRank: 8 });
  assert.ok(e.warnings.some((x) => /quantized.*not modelled yet/.test(x)));
});
