/** bitsandbytes NF4 storage: codes packed two per byte, each tensor rounded up to a whole byte. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimate } from '../../../../src/core/index.ts';
import { evaluateFormula } from '../../../../src/core/formula.ts';

// One layer, hidden 3, intermediate 5: q/k/v/o are 3×3 (9 elements, odd), gate/up/down 5×3 (15, odd).
const TINY = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 3,
  intermediate_size: 5,
  num_hidden_layers: 1,
  num_attention_heads: 1,
  num_key_value_heads: 1,
  vocab_size: 7,
  max_position_embeddings: 64,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
};

test('NF4 weights of odd-sized tensors: ceil(numel / 2) code bytes per tensor, and the formula equals the bytes', () => {
  const e = estimate(TINY, { mode: 'inference', batch: 1, seq: 1, weightsDtype: 'nf4' });
  const w = e.memory.terms.find((t) => t.id === 'weights')!;
  const packed = 4 * Math.ceil(9 / 2) + 3 * Math.ceil(15 / 2); // 20 + 24
  assert.equal(w.inputs.packed_code_bytes, 44);
  assert.equal(packed, 44);
  // 7 tensors of one 64-element block each; double quantization (the inference default): 1-byte absmax + one fp32
  // constant per 256 blocks, per tensor. Embedding 21 + lm_head 21 + three norms of 3 stay in other_bytes.
  const other = 21 + 21 + 3 * 3;
  assert.equal(w.inputs.other_params, other);
  assert.equal(w.bytes, packed + 7 * 1 + 7 * 4 + other * w.inputs.other_bytes!);
  assert.equal(evaluateFormula(w.formula, w.inputs), w.bytes);
});
