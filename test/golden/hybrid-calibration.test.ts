/**
 * Hybrid models (Mamba-2, Mamba-1, Gated DeltaNet) and multimodal models trained on images, on an H200
 * (test/fixtures/measured/hybrid-saved-h200.jsonl, scripts/calibrate/measure_hybrid.py: bf16 AdamW, three steps; the
 * hybrids with and without gradient checkpointing, the multimodal ones with the vision tower trained and frozen):
 * every peak within ±5%. Peaks are taken over the process's baseline plus the 32 MiB cuBLAS workspace the estimate
 * counts. A multimodal run's sequence held the image tokens; the scenario's seq is the text around them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { estimate, readModelConfig } from '../../src/core/index.ts';
import { FIXTURES } from './calibration.ts';

interface TrainRecord {
  kind: string;
  status: string;
  model: string;
  config: unknown;
  batch: number;
  seq: number;
  images: number;
  freeze_vision: boolean;
  gc: boolean;
  baseline_alloc_bytes: number;
  peak_alloc_bytes: number;
}

const WORKSPACE = 32 * 1024 * 1024;
const records = readFileSync(join(FIXTURES, 'hybrid-saved-h200.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as TrainRecord)
  .filter((r) => r.kind === 'train' && r.status === 'ok');

test('the fixture has trained Mamba-2, Mamba-1, Gated DeltaNet and multimodal models (tower trained and frozen)', () => {
  assert.deepEqual([...new Set(records.map((r) => r.model))].sort(), ['falcon-h1-tiny-90m', 'gemma-3-4b-it', 'jamba-1.5-mini', 'llava-1.5-7b-hf', 'nemotron-3-nano-30b-a3b', 'qwen2.5-vl-3b-instruct', 'qwen3-next-80b-a3b-instruct']);
  assert.equal(records.length, 14);
});

for (const r of records) {
  const what = r.images ? ` ${r.images} image${r.freeze_vision ? ', tower frozen' : ', tower trained'}` : r.gc ? ' gc' : '';
  test(`${r.model} b${r.batch} s${r.seq}${what}: training peak within ±5%`, () => {
    const text = r.seq - r.images * (readModelConfig(r.config).imageTokens?.perImage ?? 0);
    const e = estimate(r.config, { mode: 'training', batch: r.batch, seq: text, precision: 'bf16', optimizer: 'adamw', gradCheckpointing: r.gc, images: r.images, freezeVision: r.freeze_vision });
    const measured = r.peak_alloc_bytes - r.baseline_alloc_bytes + WORKSPACE;
    const err = e.memory.peak_bytes / measured - 1;
    assert.ok(Math.abs(err) <= 0.05, `${e.memory.peak_bytes} vs measured ${measured}: ${(err * 100).toFixed(2)}% (${e.memory.peak_phase})`);
  });
}

/** hybrid-extra-h200.jsonl: multimodal training with checkpointing, and no-grad prefill of the hybrids (4,096 tokens). */
const extra = readFileSync(join(FIXTURES, 'hybrid-extra-h200.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as TrainRecord & { status: string })
  .filter((r) => r.status === 'ok');

test('the extra fixture has two checkpointed multimodal runs and four hybrid prefills', () => {
  assert.deepEqual(extra.map((r) => `${r.kind} ${r.model}`), [
    'train gemma-3-4b-it',
    'train qwen2.5-vl-3b-instruct',
    'prefill nemotron-3-nano-30b-a3b',
    'prefill falcon-h1-tiny-90m',
    'prefill jamba-1.5-mini',
    'prefill qwen3-next-80b-a3b-instruct',
  ]);
});

for (const r of extra) {
  const tol = 0.05;
  test(`${r.kind} ${r.model} b${r.batch} s${r.seq}${r.gc ? ' gc' : ''}: peak within ±${tol * 100}%`, () => {
    const text = r.seq - (r.images ?? 0) * (readModelConfig(r.config).imageTokens?.perImage ?? 0);
    const sc =
      r.kind === 'train'
        ? ({ mode: 'training', batch: r.batch, seq: text, precision: 'bf16', optimizer: 'adamw', gradCheckpointing: r.gc, images: r.images } as const)
        : ({ mode: 'inference', batch: r.batch, seq: r.seq, precision: 'bf16', weightsDtype: 'bf16' } as const);
    const e = estimate(r.config, sc);
    const measured = r.peak_alloc_bytes - r.baseline_alloc_bytes + WORKSPACE;
    const err = e.memory.peak_bytes / measured - 1;
    assert.ok(Math.abs(err) <= tol, `${e.memory.peak_bytes} vs measured ${measured}: ${(err * 100).toFixed(2)}% (${e.memory.peak_phase})`);
  });
}

/**
 * hybrid-lora-h200.jsonl and moe-lora-h200.jsonl: PEFT LoRA r16, target_modules="all-linear". Jamba-1.5-Mini, and the
 * MoE models whose fused experts PEFT wraps (Mixtral, Qwen3-MoE, Qwen3-Next: the merged expert weights it keeps per
 * layer): peaks within ±5% and the trained parameters exact. (PEFT raises on all-linear for Nemotron-H and Falcon-H1 —
 * out_proj of their Mamba mixers — which the estimate says.)
 */
const loraRuns = readFileSync(join(FIXTURES, 'hybrid-lora-h200.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as TrainRecord & { status: string; lora_r: number; trainable_params: number; error?: string });

test('LoRA all-linear on the hybrids: PEFT raised on the Mamba out_proj of Nemotron-H and Falcon-H1', () => {
  const failed = loraRuns.filter((r) => r.status === 'error').map((r) => r.model);
  assert.deepEqual(failed, ['nemotron-3-nano-30b-a3b', 'falcon-h1-tiny-90m']);
  for (const r of loraRuns.filter((x) => x.status === 'error')) assert.match(r.error!, /out_proj/);
});

const moeLoraRuns = readFileSync(join(FIXTURES, 'moe-lora-h200.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as TrainRecord & { status: string; lora_r: number; trainable_params: number });
const trainedWithLora = [...loraRuns, ...moeLoraRuns].filter((r) => r.kind === 'train' && r.status === 'ok');

test('LoRA runs: Jamba, and Mixtral, Qwen3-MoE and Qwen3-Next with PEFT wrapping their experts', () => {
  assert.deepEqual([...new Set(trainedWithLora.map((r) => r.model))].sort(), ['jamba-1.5-mini', 'mixtral-8x7b-v0.1', 'qwen3-30b-a3b', 'qwen3-next-80b-a3b-instruct']);
});

for (const r of trainedWithLora) {
  test(`${r.model} LoRA r${r.lora_r} all-linear b${r.batch} s${r.seq}: trained parameters exact, peak within ±5%`, () => {
    const e = estimate(r.config, { mode: 'training', batch: r.batch, seq: r.seq, precision: 'bf16', optimizer: 'adamw', loraRank: r.lora_r });
    assert.equal(e.params.trainable, r.trainable_params);
    const measured = r.peak_alloc_bytes - r.baseline_alloc_bytes + WORKSPACE;
    const err = e.memory.peak_bytes / measured - 1;
    assert.ok(Math.abs(err) <= 0.05, `${e.memory.peak_bytes} vs measured ${measured}: ${(err * 100).toFixed(2)}%`);
  });
}

/**
 * moe-lora-gc-h200.jsonl: the same LoRA on Mixtral and Qwen3-MoE with gradient checkpointing. The estimate keeps one
 * layer's merged expert weights (the layer rebuilt in backward); measured, Mixtral holds more (−9.6%) and Qwen3-MoE less
 * (+15.4%): how long PEFT's merged weights live under checkpointing is not modelled exactly — an open gap, held here.
 */
for (const l of readFileSync(join(FIXTURES, 'moe-lora-gc-h200.jsonl'), 'utf8').split('\n').filter(Boolean)) {
  const r = JSON.parse(l) as TrainRecord & { lora_r: number; trainable_params: number };
  test(`${r.model} LoRA r${r.lora_r} all-linear with checkpointing: trained parameters exact, peak within ±20% (open gap)`, () => {
    const e = estimate(r.config, { mode: 'training', batch: r.batch, seq: r.seq, precision: 'bf16', optimizer: 'adamw', loraRank: r.lora_r, gradCheckpointing: true });
    assert.equal(e.params.trainable, r.trainable_params);
    const measured = r.peak_alloc_bytes - r.baseline_alloc_bytes + WORKSPACE;
    const err = e.memory.peak_bytes / measured - 1;
    assert.ok(Math.abs(err) <= 0.2, `${e.memory.peak_bytes} vs measured ${measured}: ${(err * 100).toFixed(2)}%`);
  });
}
