/** LoRA trainable parameters against PEFT. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loraParams } from '../../../../src/core/memory/lora.ts';
import { LLAMA_32_1B, LLAMA_3_8B } from '../../helpers/specs.ts';

test('LoRA: r=16 on q,k,v,o,gate,up,down of Llama-3.2-1B = 11,272,192 trainable (PEFT, measured)', () => {
  assert.equal(loraParams(LLAMA_32_1B, 16), 11_272_192);
  // Llama-3-8B r=16: measured 41,943,040
  assert.equal(loraParams(LLAMA_3_8B, 16), 41_943_040);
});
