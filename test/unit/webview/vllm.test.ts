// The webview with a vllm script's scenario: the vLLM runtime and its fields survive sanitizing, its controls show,
// the fit is the engine's, and the summary's serving figures (KV pool, max concurrency) come from memory.serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { estimateSpec, findGpu, parseScenario, readModelConfig } from '../../../src/core/index.ts';
import { parseDocumentText, type WorkloadFile } from '../../../src/parsers/index.ts';
import { buildScenario } from '../../../src/extension/analysis.ts';
import { controlsFor, fitOf, sanitizeScenario, sweep } from '../../../webview-ui/model.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const qwen = readModelConfig(JSON.parse(readFileSync(path.join(ROOT, 'examples/qwen2.5-7b/config.json'), 'utf8')));
const w = parseDocumentText('serve-vllm.sh', readFileSync(path.join(ROOT, 'examples/serve-vllm.sh'), 'utf8')).files[0] as WorkloadFile;
// What the extension sends in PanelData.scenario for examples/serve-vllm.sh.
const sent = { ...buildScenario({}, w, qwen, 'h100-sxm-80gb') };

test('the scenario sent for a vllm script keeps runtime vllm and its fields through sanitizing; the vLLM controls show', () => {
  const s = sanitizeScenario(JSON.parse(JSON.stringify(sent)) as Record<string, unknown>);
  assert.equal(s.runtime, 'vllm');
  assert.equal(s.gpuMemoryUtilization, 0.9);
  assert.equal(s.maxNumBatchedTokens, 8192);
  const e = estimateSpec(qwen, parseScenario(s));
  assert.ok(e.memory.serving, 'the webview re-estimates with the vLLM runtime');
  const keys = controlsFor(parseScenario(s).mode, parseScenario(s).runtime).map((c) => c.field.key);
  assert.ok(keys.includes('gpuMemoryUtilization') && keys.includes('maxNumBatchedTokens') && keys.includes('runtime'));
});

test('fitOf: the engine decides the fit for vLLM; the capacity drawn is the whole GPU and the budget is vLLM\'s share', () => {
  const gpu = findGpu('h100-sxm-80gb')!;
  const e = estimateSpec(qwen, parseScenario(sent));
  const f = fitOf(e);
  assert.equal(f.gpu!.id, gpu.id);
  assert.equal(f.bytes, gpu.memoryBytes);
  assert.equal(f.budget, e.memory.serving!.budget_bytes);
  assert.equal(f.budget, Math.floor(gpu.memoryBytes * 0.9));
  assert.equal(f.fits, true);
  const low = estimateSpec(qwen, parseScenario({ ...sent, gpuMemoryUtilization: 0.2 }));
  assert.equal(fitOf(low).fits, false);
  assert.equal(low.memory.serving!.max_concurrency, 0);
  // the PyTorch runtime: device memory against the capacity, as before
  const pt = estimateSpec(qwen, parseScenario({ ...sent, runtime: 'pytorch' }));
  const fp = fitOf(pt);
  assert.equal(fp.budget, null);
  assert.equal(fp.fits, pt.memory.device_bytes <= gpu.memoryBytes);
  // no GPU: nothing to decide
  const none = estimateSpec(qwen, parseScenario({ ...sent, gpu: null }));
  assert.deepEqual(fitOf(none), { gpu: null, bytes: null, budget: null, fits: null });
});

test('sweep for vLLM: the largest batch is the most full-length sequences at once, the largest seq the longest request that fits', () => {
  const sc = parseScenario(sent);
  const cap = findGpu('h100-sxm-80gb')!.memoryBytes;
  const b = sweep(qwen, sc, 'batch', cap);
  const at = (patch: object) => estimateSpec(qwen, parseScenario({ ...sc, ...patch })).memory;
  assert.ok(b.maxFit! >= 31 && b.maxFit! <= 32);
  assert.ok(at({ batch: b.maxFit! }).serving!.max_concurrency >= b.maxFit!);
  assert.ok(at({ batch: b.maxFit! + 1 }).serving!.max_concurrency < b.maxFit! + 1);
  const low = parseScenario({ ...sent, gpuMemoryUtilization: 0.25 });
  const sq = sweep(qwen, low, 'seq', cap);
  assert.ok(sq.maxFit! > 1024);
  assert.equal(at({ ...low, seq: sq.maxFit! }).fits, true);
  assert.equal(at({ ...low, seq: sq.maxFit! + 16 }).fits, false);
});

test('the summary card shows the serving figures with their test ids, and keeps the others', () => {
  const src = readFileSync(path.join(ROOT, 'webview-ui/main.ts'), 'utf8');
  for (const id of ['kv-pool', 'max-concurrency', 'kv-per-request', 'peak-bytes', 'device-bytes', 'fit-status', 'peak-phase', 'params']) {
    assert.ok(src.includes(`'data-testid': '${id}'`), `no data-testid="${id}" in webview-ui/main.ts`);
  }
  assert.match(src, /'data-testid': 'kv-pool', 'data-value': sv\.kv_pool_bytes/);
  assert.match(src, /'data-testid': 'max-concurrency', 'data-value': sv\.max_concurrency/);
});
