/**
 * Hybrid models (Mamba-2, Mamba-1, Gated DeltaNet) trained on an H200 (test/fixtures/measured/hybrid-saved-h200.jsonl,
 * scripts/calibrate/measure_hybrid.py: bf16 AdamW, three steps, with and without gradient checkpointing): every peak
 * within ±5%. Peaks are taken over the process's baseline plus the 32 MiB cuBLAS workspace the estimate counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { estimate } from '../../src/core/index.ts';
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
  .filter((r) => r.kind === 'train' && r.status === 'ok' && r.images === 0);

test('the hybrid fixture has a trained Mamba-2, Mamba-1 and Gated DeltaNet model, with and without checkpointing', () => {
  assert.deepEqual([...new Set(records.map((r) => r.model))].sort(), ['falcon-h1-tiny-90m', 'jamba-1.5-mini', 'nemotron-3-nano-30b-a3b', 'qwen3-next-80b-a3b-instruct']);
  assert.equal(records.length, 8);
});

for (const r of records) {
  test(`${r.model} b${r.batch} s${r.seq}${r.gc ? ' gc' : ''}: training peak within ±5%`, () => {
    const e = estimate(r.config, { mode: 'training', batch: r.batch, seq: r.seq, precision: 'bf16', optimizer: 'adamw', gradCheckpointing: r.gc });
    const measured = r.peak_alloc_bytes - r.baseline_alloc_bytes + WORKSPACE;
    const err = e.memory.peak_bytes / measured - 1;
    assert.ok(Math.abs(err) <= 0.05, `${e.memory.peak_bytes} vs measured ${measured}: ${(err * 100).toFixed(2)}% (${e.memory.peak_phase})`);
  });
}
