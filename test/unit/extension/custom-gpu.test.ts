// llmFootprint.customGpus in the extension: the lazy loader (mathjs only when the setting has entries), the target
// GPU lookups, the quick pick and warning text, every estimate and re-run made with the user's GPUs, the typed
// message protocol to the webview, and the bundles (extension: mathjs behind a dynamic import; webview: none).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { findGpu, readModelConfig, type Gpu } from '../../../src/core/index.ts';
import { parseDocumentText, parseModelConfig, type WorkloadFile } from '../../../src/parsers/index.ts';
import { largestFitting } from '../../../src/core/index.ts';
import { analyze, buildScenario, rerun, rerunConfig } from '../../../src/extension/analysis.ts';
import { applyEdits, fitDiagnostics, configFitDiagnostics } from '../../../src/extension/diagnostics.ts';
import { codeLensTitle } from '../../../src/extension/text.ts';
import {
  allGpus,
  customGpus,
  customGpuWarning,
  findTargetGpu,
  gpuPickItems,
  hasCustomGpus,
  parseCustomGpusLazily,
  reloadCustomGpus,
  setCustomGpus,
  whenCustomGpusReady,
} from '../../../src/extension/gpus.ts';
import { isGpu, isHostMessage, isPanelData, isWebviewState, type PanelData } from '../../../src/shared/protocol.ts';
import { readManifest, type JsonObject } from '../helpers/json.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const EX = path.join(ROOT, 'examples');
const read = (p: string) => readFileSync(path.join(EX, p), 'utf8');
const pkg = readManifest(path.join(ROOT, 'package.json'));

const A40: Gpu = { id: 'a40-48gb', name: 'NVIDIA A40 48GB', vendor: 'custom', memoryBytes: 48e9, bandwidth: 696e9, flops16: 149.7e12, source: 'llmFootprint.customGpus setting' };
const TINY: Gpu = { id: 'tiny-8gb', name: 'Tiny 8GB', vendor: 'custom', memoryBytes: 8e9, bandwidth: 0, flops16: 0, source: 'llmFootprint.customGpus setting' };

test('loader: an empty setting parses nothing; entries parse through the lazily imported engine', async () => {
  for (const v of [undefined, null, []]) {
    assert.equal(hasCustomGpus(v), false);
    assert.deepEqual(await parseCustomGpusLazily(v), { gpus: [], errors: [] });
  }
  assert.equal(hasCustomGpus([{}]), true);
  assert.equal(hasCustomGpus({}), true, 'a non-array is parsed, so that it is reported');
  const r = await parseCustomGpusLazily([{ id: 'A40-48GB', name: 'NVIDIA A40 48GB', memory: '48 GB', bandwidth: '696 GB/s', flops16: '149.7 TFLOPS' }, { id: 'bad', memory: '48 GX' }]);
  assert.deepEqual(r.gpus, [A40]);
  assert.deepEqual(r.errors, ['customGpus[1].memory: "48 GX" is not a size like "80 GB" or "24 GiB"']);
  assert.deepEqual((await parseCustomGpusLazily('a40')).errors, ['customGpus: must be an array of GPUs like [{ "id": "a40-48gb", "memory": "48 GB" }], not "a40"']);
});

test('loader: reloadCustomGpus makes the GPUs findable; the newest reload wins; clearing removes them', async () => {
  setCustomGpus([]);
  assert.equal(findTargetGpu('a40-48gb'), undefined);
  const first = reloadCustomGpus([{ id: 'old', memory: '24 GB' }]);
  const second = reloadCustomGpus([{ id: 'a40-48gb', name: 'NVIDIA A40 48GB', memory: '48 GB' }]);
  await Promise.all([first, second]);
  await whenCustomGpusReady();
  assert.deepEqual(
    customGpus().map((g) => g.id),
    ['a40-48gb'],
  );
  assert.equal(findTargetGpu('A40-48GB')?.memoryBytes, 48e9);
  assert.equal(findTargetGpu('h100-sxm-80gb')?.vendor, 'nvidia', 'the catalog stays');
  assert.deepEqual(allGpus().at(-1)?.id, 'a40-48gb');
  await reloadCustomGpus([]);
  assert.deepEqual(customGpus(), []);
  assert.equal(findTargetGpu('a40-48gb'), undefined);
});

test('quick pick: the catalog then the user GPUs, marked custom, with the current target', () => {
  const items = gpuPickItems('a40-48gb', [findGpu('h100-sxm-80gb')!, A40]);
  assert.deepEqual(items[0], { label: 'NVIDIA H100 SXM 80GB', description: '79.6 GiB', detail: undefined, id: 'h100-sxm-80gb' });
  assert.deepEqual(items[1], { label: 'NVIDIA A40 48GB', description: '44.7 GiB · custom (a40-48gb)', detail: 'current target', id: 'a40-48gb' });
});

test('warning: names the entries and fields, at most three, the rest counted', () => {
  assert.equal(customGpuWarning([]), null);
  assert.equal(customGpuWarning(['customGpus[1].memory: "48 GX" is not a size like "80 GB" or "24 GiB"']), 'LLM Footprint: llmFootprint.customGpus: customGpus[1].memory: "48 GX" is not a size like "80 GB" or "24 GiB"');
  const w = customGpuWarning(['customGpus[0].id: a', 'customGpus[1].id: b', 'customGpus[2].id: c', 'customGpus[3].id: d', 'customGpus[4].id: e'])!;
  assert.match(w, /customGpus\[2\]\.id: c \(\+2 more in the Output panel "LLM Footprint"\)$/);
  assert.doesNotMatch(w, /customGpus\[3\]/);
});

test('analysis: a custom target GPU is found, fits against its memory, and every re-run keeps it', () => {
  const cfg = JSON.parse(read('llama-3.1-8b/config.json')) as JsonObject;
  const spec = readModelConfig(cfg);
  const sc = buildScenario({}, null, spec, 'a40-48gb');
  assert.throws(() => analyze('model-config', cfg, spec, sc), /unknown GPU "a40-48gb"/, 'without the setting the id is unknown');
  const a = analyze('model-config', cfg, spec, sc, [A40]);
  assert.equal(a.gpu, A40);
  assert.equal(a.fits, a.estimate.memory.device_bytes <= 48e9);
  assert.equal(a.fits, true);
  assert.match(codeLensTitle(a), /fits A40 48GB/);
  // re-runs (hovers, quick fixes) are made with the same GPUs; without them the engine would reject the id
  assert.ok(rerun(a, { batch: 2 }));
  assert.ok(rerunConfig(a, { num_hidden_layers: 16 }));
  const max = largestFitting(spec, sc, 'batch', 48e9, { customGpus: [A40] });
  assert.ok(max !== null && max > 1);
  assert.equal(largestFitting(spec, sc, 'batch', 48e9), null, 'without the GPUs every estimate fails');
  // a GPU too small for the weights: the config diagnostic names it
  const t = analyze('model-config', cfg, spec, buildScenario({}, null, spec, 'tiny-8gb'), [TINY]);
  assert.equal(t.fits, false);
  const file = parseModelConfig(read('llama-3.1-8b/config.json')).value!;
  const [d] = configFitDiagnostics(file, t);
  assert.match(d!.message, /^Does not fit Tiny 8GB \(7\.45 GiB\)/);
});

test('diagnostic on a custom GPU: the quick fix is sized for it and the fixed file fits it', () => {
  const text = read('axolotl-lora.yaml').replace('micro_batch_size: 2', 'micro_batch_size: 64');
  const doc = parseDocumentText('axolotl-lora.yaml', text);
  const w = doc.files[0] as WorkloadFile;
  const cfg = JSON.parse(read('llama-3.1-8b/config.json')) as JsonObject;
  const spec = readModelConfig(cfg);
  const a = analyze(w.kind, cfg, spec, buildScenario({}, w, spec, 'a40-48gb'), [A40]);
  assert.equal(a.fits, false);
  const [d] = fitDiagnostics(w, a, text);
  assert.match(d!.message, /^Does not fit A40 48GB: needs ≈ .* of 44\.7 GiB/);
  const best = d!.fixes[0]!;
  assert.ok(best.fits, 'the fix was estimated on the custom GPU');
  const fixed = parseDocumentText('axolotl-lora.yaml', applyEdits(text, best.edits)).files[0] as WorkloadFile;
  const again = analyze(fixed.kind, cfg, spec, buildScenario({}, fixed, spec, 'a40-48gb'), [A40]);
  assert.equal(again.fits, true);
});

test('protocol: PanelData carries the custom GPUs as plain numbers, validated', () => {
  const base: PanelData = { config: {}, scenario: {}, source: { uri: 'file:///x/config.json', label: 'config.json', kind: 'model-config' }, notes: [] };
  assert.ok(isPanelData(base));
  assert.ok(isPanelData({ ...base, customGpus: [A40, TINY] }));
  assert.ok(isHostMessage({ type: 'load', data: { ...base, customGpus: [A40] } }));
  assert.ok(isWebviewState({ data: { ...base, customGpus: [A40] }, scenario: null, compare: [], view: 'breakdown', curveAxis: 'batch' }));
  assert.ok(isGpu(A40));
  const bad: unknown[] = [
    'a40',
    [{ ...A40, memoryBytes: '48 GB' }],
    [{ ...A40, memoryBytes: Number.NaN }],
    [{ ...A40, memoryBytes: 0 }],
    [{ ...A40, memoryBytes: 2 ** 50 }],
    [{ ...A40, bandwidth: -1 }],
    [{ ...A40, flops16: Infinity }],
    [{ ...A40, vendor: 'intel' }],
    [{ ...A40, id: '' }],
    [{ ...A40, id: 'x'.repeat(65) }],
    [{ ...A40, name: undefined }],
    [null],
    Array.from({ length: 201 }, () => A40),
  ];
  for (const g of bad) {
    assert.equal(isPanelData({ ...base, customGpus: g }), false, JSON.stringify(g)?.slice(0, 80));
    assert.equal(isHostMessage({ type: 'load', data: { ...base, customGpus: g } }), false);
  }
});

test('package.json: llmFootprint.customGpus is an array of objects with id and memory required and an example', () => {
  const p = pkg.contributes.configuration.properties['llmFootprint.customGpus']!;
  assert.equal(p.type, 'array');
  assert.deepEqual(p.default, []);
  assert.ok(p.items);
  assert.equal(p.items.type, 'object');
  assert.deepEqual(p.items.required, ['id', 'memory']);
  for (const k of ['id', 'name', 'memory', 'bandwidth', 'flops16']) assert.ok(p.items.properties[k], k);
  assert.match(p.markdownDescription ?? '', /"memory": "48 GB"/);
});

async function bundleInputs(entry: string, platform: 'node' | 'browser') {
  const r = await esbuild.build({
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    write: false,
    metafile: true,
    platform,
    format: platform === 'node' ? 'cjs' : 'iife',
    external: ['vscode'],
    logLevel: 'silent',
  });
  return r.metafile.inputs;
}

test('bundles: the extension imports the parser (and mathjs) only dynamically; the webview never', async () => {
  const ext = await bundleInputs('src/extension/extension.ts', 'node');
  const gpus = Object.entries(ext).find(([p]) => p.endsWith('src/extension/gpus.ts'))![1];
  const toParser = gpus.imports.filter((i) => i.path.endsWith('src/core/custom-gpu.ts'));
  assert.ok(toParser.length > 0);
  assert.ok(toParser.every((i) => i.kind === 'dynamic-import'), 'custom-gpu.ts is only imported with import()');
  for (const [p, info] of Object.entries(ext)) {
    if (p.includes('node_modules/mathjs') || p.endsWith('src/core/custom-gpu.ts') || p.endsWith('src/core/formula.ts')) continue;
    for (const i of info.imports) {
      if (i.kind === 'dynamic-import') continue;
      assert.ok(!i.path.endsWith('src/core/custom-gpu.ts') && !i.path.endsWith('src/core/formula.ts') && !/node_modules\/mathjs/.test(i.path), `${p} imports ${i.path} statically`);
    }
  }
  const web = await bundleInputs('webview-ui/main.ts', 'browser');
  const leaked = Object.keys(web).filter((p) => /mathjs|formula\.ts|custom-gpu\.ts/.test(p));
  assert.deepEqual(leaked, [], 'the webview bundle has no mathjs');
});
