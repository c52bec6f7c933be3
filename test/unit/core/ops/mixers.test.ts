/**
 * The recurrent mixers' rows (Mamba-1, Mamba-2, Gated DeltaNet): hand counts from the saved-tensor list of one layer,
 * and every layer of four hybrid models against what autograd saved on an H200 (saved-tensor hook, storage by
 * storage: test/fixtures/measured/hybrid-saved-h200.jsonl) and the per-layer peaks between gradient hooks
 * (hybrid-layers-h200.jsonl). Both made by scripts/calibrate/measure_hybrid.py.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModelConfig } from '../../../../src/core/index.ts';
import { decoderLayerOps, savedBytesPerToken, type OpContext } from '../../../../src/core/ops/layer.ts';
import { gatedDeltaForwardPeakPerToken, gatedDeltaRows, mamba1Rows, mamba2Rows, mixerBackwardPerToken, mixerForwardPeakPerToken } from '../../../../src/core/ops/mixers.ts';
import type { MambaMixerSpec } from '../../../../src/core/types.ts';

const MEASURED = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'measured');
const BF16: OpContext = { computeBytes: 2, residualBytes: 2, autocast: false, loraRank: null, keepsCache: false, contextTokens: 1024, mathSavedPerScore: 0 };
const sum = (r: { projected: number; scan: number; output: number }) => r.projected + r.scan + r.output;

interface Row {
  kind: string;
  model: string;
  config: unknown;
  batch: number;
  seq: number;
  images: number;
  grad?: boolean;
  saved_bytes?: Record<string, number>;
  forward?: Record<string, { peak_over: number }>;
  backward?: { from: string; to: string; peak_over: number }[];
  param_bytes?: Record<string, number>;
}
const rows = (file: string): Row[] => readFileSync(join(MEASURED, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);

// Nemotron-3-Nano's Mamba-2 mixer: 64 heads of 64, state 128, 8 groups, chunk 128; in_proj to 10,304, conv over 6,144.
const NEMOTRON: MambaMixerSpec = { version: 2, inner: 4096, proj: 10304, convDim: 6144, state: 128, heads: 64, groups: 8, chunk: 128, dtRank: 0, gatedNorm: true };

test('Mamba-2 rows by hand (Nemotron-3-Nano, bf16): in_proj out, conv out and dt; the fp32 scan; the gated norm and out_proj input', () => {
  const r = mamba2Rows(NEMOTRON, BF16);
  assert.equal(r.projected, 2 * 10304 + 2 * 6144 + 2 * 2 * 64);
  // 4 inner-wide, 4 head-wide, 3 heads×chunk and 3 heads×state fp32 tensors, two chunk states (64·64·128 / 128 each)
  assert.equal(r.scan, 4 * (4 * 4096 + 4 * 64 + 3 * 64 * 128 + 3 * 64 * 128) + 2 * 4 * 64 * 64);
  assert.equal(r.output, 5 * 4 * 4096 + 4 * 8 + 2 * 4096);
  assert.equal(sum(r), 419232);
});

test('Mamba-1 rows by hand (Jamba-1.5-Mini: inner 8192, state 16, dt rank 256, bf16)', () => {
  const m: MambaMixerSpec = { version: 1, inner: 8192, proj: 16384, convDim: 8192, state: 16, heads: 1, groups: 1, chunk: 1, dtRank: 256, gatedNorm: false };
  const r = mamba1Rows(m, BF16);
  assert.equal(r.projected, 4 * 8192 + 2 * 8192 + 2 * 8192 + (6 * 256 + 4) + 2 * (6 * 16 + 4) + 2 * 256);
  // exp(A·dt) and dt·B·x in fp32 (E × n each), every step's state in bf16 and fp32
  assert.equal(r.scan, 4 * 8192 + 4 * 8192 + 8 * 8192 * 16 + 4 * 16 + 6 * 8192 * 16);
  assert.equal(r.output, 8 * 8192);
});

test('Gated DeltaNet rows by hand (Qwen3-Next: 32 value heads of 128, 16 key heads of 128, chunk 64, bf16)', () => {
  const r = gatedDeltaRows({ keyHeads: 16, valueHeads: 32, keyDim: 128, valueDim: 128, convDim: 8192, chunk: 64 }, BF16);
  assert.equal(r.projected, 2 * 2 * 8192 + 2 * 32 + 8 * 32);
  assert.equal(r.scan, 4 * (7 * 4096 + 4 * 4096 + 5 * 32 * 64 + 6 * 32) + (4 * 32 * 128 * 128) / 64);
  assert.equal(r.output, 12 * 4096 + 4 * 32 + 3 * 2 * 4096);
});

test('every layer of four hybrid models within 2% of the bytes autograd saved (bf16, 1,024 tokens)', () => {
  let layers = 0;
  for (const r of rows('hybrid-saved-h200.jsonl')) {
    if (r.kind !== 'saved' || r.images || r.seq !== 1024) continue;
    const spec = readModelConfig(r.config);
    spec.layerKinds.forEach((l, i) => {
      const measured = r.saved_bytes![`layer${i}`]! / (r.batch * r.seq);
      const est = savedBytesPerToken(decoderLayerOps(spec, BF16, l));
      assert.ok(Math.abs(est / measured - 1) <= 0.02, `${r.model} layer ${i} (${l.attention}): ${est} vs measured ${measured.toFixed(0)} B/token`);
      layers++;
    });
  }
  assert.equal(layers, 5 + 4 + 8 + 4);
});

test("one Mamba layer's backward temporaries and no-grad forward peak against the per-layer measurements", () => {
  const checked: string[] = [];
  for (const r of rows('hybrid-layers-h200.jsonl')) {
    if (r.kind !== 'layers' || r.images || r.seq !== 2048) continue;
    const spec = readModelConfig(r.config);
    const i = spec.layerKinds.findIndex((l) => l.attention === 'mamba' || l.sideMamba);
    if (i < 0) continue;
    const T = r.batch * r.seq;
    if (r.grad) {
      // The layer's backward: from the gradient of its output to that of its input; its weight gradients are part of it.
      const b = r.backward!.find((e) => e.from === `layer${i + 1}:in` || (i === spec.layers - 1 && e.from === `layer${i}:out`))!;
      const measured = (b.peak_over - r.param_bytes![`layer${i}`]!) / T;
      const est = mixerBackwardPerToken(spec.mambaMixer);
      const tol = spec.mambaMixer!.version === 1 ? 0.1 : 0.02; // Mamba-1's coefficient is fitted on this model
      assert.ok(Math.abs(est / measured - 1) <= tol, `${r.model} backward ${est} vs ${measured.toFixed(0)} B/token`);
    } else {
      const measured = r.forward![`layer${i}`]!.peak_over / T;
      const est = mixerForwardPeakPerToken(spec.mambaMixer, 2);
      assert.ok(Math.abs(est / measured - 1) <= 0.02, `${r.model} forward ${est} vs ${measured.toFixed(0)} B/token`);
    }
    checked.push(`${r.model} ${r.grad}`);
  }
  assert.equal(checked.length, 6);
});

test("a Gated DeltaNet layer's no-grad forward peak by hand, and within 2% of a Qwen3-Next prefill's (gdn-probe-h200.json)", () => {
  const g = { keyHeads: 16, valueHeads: 32, keyDim: 128, valueDim: 128, convDim: 8192, chunk: 64 };
  // in_proj_qkvz out, conv out, ten fp32 hv × d tensors, core/z/gate outputs, three chunk matrices, embeddings/residual/norm
  const byHand = 2 * (2 * 2048 + 2 * 4096) + 2 * 8192 + 10 * 4 * 32 * 128 + 3 * 2 * 4096 + 3 * 4 * 32 * 64 + 3 * 2 * 2048;
  assert.equal(gatedDeltaForwardPeakPerToken(g, 2, 2048), byHand);
  const probe = JSON.parse(readFileSync(join(MEASURED, 'gdn-probe-h200.json'), 'utf8')) as { runs: { seq: number; start_alloc_bytes: number; peak_alloc_bytes: number }[] };
  const run = probe.runs.find((r) => r.seq === 4096)!;
  const measured = (run.peak_alloc_bytes - run.start_alloc_bytes) / run.seq;
  assert.ok(Math.abs(byHand / measured - 1) <= 0.02, `${byHand} vs measured ${measured} B/token`);
});
