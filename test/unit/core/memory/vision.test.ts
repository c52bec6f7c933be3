/**
 * A trained vision tower's saved tensors: the per-patch, per-layer inventory by hand, and against what autograd kept
 * in three towers on an H200 (SigLIP in Gemma 3, CLIP in LLaVA-1.5, Qwen2.5-VL's; test/fixtures/measured/
 * hybrid-saved-h200.jsonl, made by scripts/calibrate/measure_hybrid.py): each within 3% per image.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModelConfig } from '../../../../src/core/index.ts';
import { visionActivationsTerm, visionSavedPerPatch } from '../../../../src/core/memory/activations.ts';

const MEASURED = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'measured');

test('SigLIP layer by hand: two LayerNorm inputs, two projection inputs, q, k, v, out, and the GELU input and output', () => {
  const v = { layers: 27, hidden: 1152, intermediate: 4304, patchesPerImage: 4096, norm: 'layer', attention: 'separate', mlp: 'plain' } as const;
  assert.equal(visionSavedPerPatch(v, 2), 2 * (2 * 1152) + 2 * (2 * 1152) + 4 * (2 * 1152) + 2 * (2 * 4304));
  // Checkpointed: each layer's input plus one layer rebuilt, per patch.
  assert.equal(visionActivationsTerm(v, 1, 2, true).bytes, 4096 * (27 * 2 * 1152 + visionSavedPerPatch(v, 2)));
  assert.equal(visionActivationsTerm(v, 3, 2, false).bytes, 3 * 4096 * 27 * visionSavedPerPatch(v, 2));
});

test('Qwen2.5-VL layer by hand: RMSNorms (fp32 copy + normed), one rotated qkv (7 hidden-wide tensors), gated MLP', () => {
  const v = { layers: 32, hidden: 1280, intermediate: 3420, patchesPerImage: 1024, norm: 'rms', attention: 'fused-rotary', mlp: 'gated' } as const;
  assert.equal(visionSavedPerPatch(v, 2), 2 * (4 * 1280 + 2 * 1280) + 2 * (2 * 1280) + 7 * (2 * 1280) + 4 * (2 * 3420));
});

interface Saved {
  kind: string;
  model: string;
  config: unknown;
  images: number;
  freeze_vision: boolean;
  saved_bytes: Record<string, number>;
}

test('three towers within 3% of the bytes autograd saved per image; a frozen tower saves nothing', () => {
  const rows = readFileSync(join(MEASURED, 'hybrid-saved-h200.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Saved);
  const seen = new Set<string>();
  for (const r of rows) {
    if (r.kind !== 'saved' || r.images === 0) continue;
    if (r.freeze_vision) {
      assert.equal(r.saved_bytes['vision'] ?? 0, 0, `${r.model}: the frozen tower saved nothing`);
      continue;
    }
    const tower = readModelConfig(r.config).visionTower!;
    const est = visionActivationsTerm(tower, r.images, 2, false).bytes;
    const measured = r.saved_bytes['vision']!;
    assert.ok(Math.abs(est / measured - 1) <= 0.03, `${r.model} × ${r.images}: ${est} vs measured ${measured}`);
    seen.add(r.model);
  }
  assert.deepEqual([...seen].sort(), ['gemma-3-4b-it', 'llava-1.5-7b-hf', 'qwen2.5-vl-3b-instruct']);
});
