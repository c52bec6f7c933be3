// The webview with the user's GPUs (PanelData.customGpus, plain numbers): GPU select options, capacity and fit,
// and the batch/sequence sweep, all with the bundled engine and without mathjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { estimateSpec, parseScenario, readModelConfig, type Gpu } from '../../../src/core/index.ts';
import { capacityOf, controlsFor, fitOf, sweep } from '../../../webview-ui/model.ts';
import { readJsonObject } from '../helpers/json.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const llama = readJsonObject(path.join(ROOT, 'examples/llama-3.1-8b/config.json'));
const spec = readModelConfig(llama);
const A40: Gpu = { id: 'a40-48gb', name: 'NVIDIA A40 48GB', vendor: 'custom', memoryBytes: 48e9, bandwidth: 696e9, flops16: 149.7e12, source: 'llmFootprint.customGpus setting' };
const TINY: Gpu = { id: 'tiny-8gb', name: 'Tiny 8GB', vendor: 'custom', memoryBytes: 8e9, bandwidth: 0, flops16: 0, source: 'llmFootprint.customGpus setting' };

test('GPU select: the catalog, then the user GPUs marked custom', () => {
  const plain = controlsFor('inference').find((c) => c.field.key === 'gpu')!.options!;
  const withCustom = controlsFor('inference', 'pytorch', [A40, TINY]).find((c) => c.field.key === 'gpu')!.options!;
  assert.deepEqual(withCustom.slice(0, plain.length), plain);
  assert.deepEqual(withCustom.slice(plain.length), [
    ['a40-48gb', 'NVIDIA A40 48GB (custom)'],
    ['tiny-8gb', 'Tiny 8GB (custom)'],
  ]);
  const training = controlsFor('training', 'pytorch', [A40]).find((c) => c.field.key === 'gpu')!.options!;
  assert.deepEqual(training.at(-1), ['a40-48gb', 'NVIDIA A40 48GB (custom)']);
  // a GPU that claimed a catalog id (the extension never sends one) is not offered twice
  const shadow = { ...A40, id: 'h100-sxm-80gb' };
  assert.equal(controlsFor('inference', 'pytorch', [shadow]).find((c) => c.field.key === 'gpu')!.options!.length, plain.length);
});

test('capacity and fit: found among the user GPUs, unknown without them', () => {
  assert.deepEqual(capacityOf('a40-48gb', [A40]), { gpu: A40, bytes: 48e9 });
  assert.deepEqual(capacityOf('a40-48gb'), { gpu: null, bytes: null });
  assert.equal(capacityOf('h100-sxm-80gb', [A40]).gpu?.id, 'h100-sxm-80gb');
  const e = estimateSpec(spec, parseScenario({ gpu: 'a40-48gb' }), { customGpus: [A40] });
  const f = fitOf(e, [A40]);
  assert.equal(f.gpu, A40);
  assert.equal(f.bytes, 48e9);
  assert.equal(f.fits, true);
  const small = estimateSpec(spec, parseScenario({ gpu: 'tiny-8gb' }), { customGpus: [TINY] });
  assert.equal(fitOf(small, [TINY]).fits, false);
  // vLLM: the budget is --gpu-memory-utilization × the custom GPU's memory
  const v = estimateSpec(spec, parseScenario({ gpu: 'a40-48gb', runtime: 'vllm', seq: 8192 }), { customGpus: [A40] });
  assert.equal(fitOf(v, [A40]).budget, Math.floor(0.9 * 48e9));
});

test('sweep on a custom GPU: points and the largest batch that fits its memory', () => {
  const sc = parseScenario({ gpu: 'a40-48gb', seq: 2048 });
  const s = sweep(spec, sc, 'batch', 48e9, [A40]);
  assert.ok(s.points.length > 3);
  assert.ok(s.maxFit !== null && s.maxFit >= 1);
  const at = (b: number) => estimateSpec(spec, parseScenario({ ...sc, batch: b }), { customGpus: [A40] }).memory.device_bytes;
  assert.ok(at(s.maxFit) <= 48e9 && at(s.maxFit + 1) > 48e9, 'maxFit is the edge');
  // without the GPUs the engine rejects the id: no points, nothing fits
  const none = sweep(spec, sc, 'batch', 48e9);
  assert.equal(none.points.length, 0);
  assert.equal(none.maxFit, null);
});

test('webview sources import neither mathjs nor the size parser', () => {
  for (const f of ['main.ts', 'model.ts', 'dom.ts', 'csp-setup.ts']) {
    const src = readFileSync(path.join(ROOT, 'webview-ui', f), 'utf8');
    assert.doesNotMatch(src, /from ['"](mathjs|[^'"]*formula\.ts|[^'"]*custom-gpu\.ts|[^'"]*extension\/gpus\.ts)['"]/, f);
  }
});
