/** LoRA trainable parameters against PEFT (0.21, on transformers 5.17: measured on the meta device for every fixture). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readModelConfig } from '../../../../src/core/index.ts';
import { loraExpertParamsPerLayer, loraMergedExpertsTerm, loraParams } from '../../../../src/core/memory/lora.ts';
import { LLAMA_32_1B, LLAMA_3_8B } from '../../helpers/specs.ts';

test('LoRA: r=16 on q,k,v,o,gate,up,down of Llama-3.2-1B = 11,272,192 trainable (PEFT, measured)', () => {
  assert.equal(loraParams(LLAMA_32_1B, 16), 11_272_192);
  // Llama-3-8B r=16: measured 41,943,040
  assert.equal(loraParams(LLAMA_3_8B, 16), 41_943_040);
});

test('PEFT all-linear: the adapter parameters equal PEFT\'s on the meta device for every fixture config it builds (lora-counts.jsonl)', () => {
  const root = path.join(import.meta.dirname, '..', '..', '..', 'fixtures');
  const lines = readFileSync(path.join(root, 'measured', 'lora-counts.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { file: string; trainable_params?: number; error?: string });
  let checked = 0;
  for (const r of lines) {
    if (r.error) continue; // PEFT refused (Mamba out_proj) or transformers 5.17 lacks the family
    const spec = readModelConfig(JSON.parse(readFileSync(path.join(root, 'configs', r.file), 'utf8')));
    assert.equal(loraParams(spec, 16), r.trainable_params, r.file);
    checked++;
  }
  assert.ok(checked >= 60, `${checked} configs`);
});

test('PEFT\'s wrapper on fused experts by hand (Mixtral: E 8, H 4096, I 14336, r 16): gate_up A [2rE, H], B [2I, 2rE]; down A [rE, I], B [H, rE]', () => {
  const mixtral = readModelConfig(JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', '..', 'fixtures', 'configs', 'mixtral-8x7b-v0.1.json'), 'utf8')));
  const r = 16, E = 8, H = 4096, I = 14336;
  assert.equal(loraExpertParamsPerLayer(mixtral, r), 2 * r * E * H + 2 * I * 2 * r * E + r * E * I + H * r * E);
  assert.equal(loraExpertParamsPerLayer(mixtral, r, 'q_proj,v_proj'), 0);
});

test('PEFT\'s wrapper on fused experts keeps each MoE layer\'s merged expert weights (Mixtral: 8 × 3 × 4096 × 14336 bf16 per layer); checkpointing keeps one', () => {
  const mixtral = readModelConfig(JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', '..', 'fixtures', 'configs', 'mixtral-8x7b-v0.1.json'), 'utf8')));
  const perLayer = 8 * 3 * 4096 * 14336 * 2;
  assert.equal(loraMergedExpertsTerm(mixtral, 16, null, 2, false)!.bytes, 32 * perLayer);
  assert.equal(loraMergedExpertsTerm(mixtral, 16, null, 2, true)!.bytes, perLayer);
  assert.equal(loraMergedExpertsTerm(mixtral, 16, 'q_proj,v_proj', 2, false), null);
});
