// The webview's pure logic: controls generated from the scenario schema, value coercion, chart geometry, the
// batch/sequence sweep; and static checks that the webview code keeps to the strict CSP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { estimateSpec, findGpu, parseScenario, readModelConfig, SCENARIO_FIELDS } from '../../../src/core/index.ts';
import { capacityOf, coerce, controlsFor, curveGeometry, sanitizeScenario, stackedSegments, sweep, sweepValues } from '../../../webview-ui/model.ts';
import { readJsonObject } from '../helpers/json.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const llama = readJsonObject(path.join(ROOT, 'examples/llama-3.1-8b/config.json'));
const spec = readModelConfig(llama);
const field = (k: string) => SCENARIO_FIELDS.find((f) => f.key === k)!;

test('controls are generated from SCENARIO_FIELDS for the mode', () => {
  const inf = controlsFor('inference').map((c) => c.field.key);
  const tr = controlsFor('training').map((c) => c.field.key);
  assert.deepEqual(inf, SCENARIO_FIELDS.filter((f) => f.modes.includes('inference') && (!f.runtimes || f.runtimes.includes('pytorch'))).map((f) => f.key));
  const vllm = controlsFor('inference', 'vllm').map((c) => c.field.key);
  assert.ok(vllm.includes('gpuMemoryUtilization') && vllm.includes('maxNumBatchedTokens') && !inf.includes('gpuMemoryUtilization'));
  assert.ok(inf.includes('decode') && !vllm.includes('decode'), 'the decode implementation is a PyTorch control');
  assert.deepEqual(tr, SCENARIO_FIELDS.filter((f) => f.modes.includes('training') && !f.runtimes).map((f) => f.key));
  const ds = controlsFor('training', 'deepspeed').map((c) => c.field.key);
  assert.ok(ds.includes('reduceBucketSize') && !tr.includes('reduceBucketSize'));
  assert.ok(inf.includes('batch') && inf.includes('newTokens') && !inf.includes('optimizer'));
  assert.ok(tr.includes('loraRank') && tr.includes('gradCheckpointing') && !tr.includes('newTokens'));
  const gpu = controlsFor('inference').find((c) => c.field.key === 'gpu')!;
  assert.ok(gpu.options!.some(([id]) => id === 'h100-sxm-80gb'));
  const wd = controlsFor('inference').find((c) => c.field.key === 'weightsDtype')!;
  assert.deepEqual(wd.options![0], ['', 'default']);
});

test('coerce: ints, nullable ints, booleans, enums', () => {
  assert.equal(coerce(field('batch'), '8'), 8);
  assert.throws(() => coerce(field('batch'), '8.5'));
  assert.throws(() => coerce(field('batch'), ''));
  assert.equal(coerce(field('loraRank'), ''), null);
  assert.equal(coerce(field('gradCheckpointing'), true), true);
  assert.equal(coerce(field('weightsDtype'), ''), null);
  assert.equal(coerce(field('precision'), 'fp16'), 'fp16');
});

test('stacked bar: segments add up to the device total, capacity line at the GPU size', () => {
  const e = estimateSpec(spec, parseScenario({ gpu: 'h100-sxm-80gb' }));
  const cap = findGpu('h100-sxm-80gb')!.memoryBytes;
  const { segments, capacityX, scaleMax } = stackedSegments(e, cap, 600);
  assert.equal(scaleMax, cap);
  const bytes = segments.reduce((s, g) => s + g.bytes, 0);
  assert.equal(bytes, e.memory.device_bytes);
  const last = segments[segments.length - 1]!;
  assert.ok(Math.abs(last.x + last.width - (e.memory.device_bytes / cap) * 600) < 1e-6);
  assert.equal(capacityX, 600);
  assert.ok(segments.every((g) => g.color.startsWith('var(--vscode-')));
  // over capacity: the bar spans the width and the capacity line is inside it
  const big = estimateSpec(spec, parseScenario({ mode: 'training', precision: 'amp-bf16', gpu: 'h100-sxm-80gb' }));
  const r = stackedSegments(big, cap, 600);
  assert.ok(r.capacityX! < 600);
});

test('sweep: largest batch that fits is exact (it fits, one more does not)', () => {
  const sc = parseScenario({ mode: 'training', seq: 4096, loraRank: 16, gradCheckpointing: true, gpu: 'h100-sxm-80gb' });
  const { bytes: cap } = capacityOf('h100-sxm-80gb');
  const s = sweep(spec, sc, 'batch', cap);
  assert.ok(s.maxFit && s.maxFit > 1);
  const at = (b: number) => estimateSpec(spec, parseScenario({ ...sc, batch: b })).memory.device_bytes;
  assert.ok(at(s.maxFit) <= cap!);
  assert.ok(at(s.maxFit + 1) > cap!);
  assert.ok(s.points.length >= 4);
  assert.ok(s.points[s.points.length - 1]!.device > cap!, 'the curve goes past the capacity');
  assert.ok(s.points.filter((p) => p.device > cap!).length <= 2, 'and stops soon after it');
  assert.ok(s.points.every((p, i) => i === 0 || p.device >= s.points[i - 1]!.device), 'peak grows with the batch');
  const g = curveGeometry(s, cap, 640, 300);
  assert.match(g.path, /^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/);
  assert.ok(g.capacityY! > 40 && g.capacityY! < 260);
  const seq = sweep(spec, parseScenario({ gpu: 'h100-sxm-80gb' }), 'seq', cap);
  assert.equal(seq.points[seq.points.length - 1]!.x, 131072);
  assert.deepEqual(sweepValues('batch', 3, 8), [1, 2, 3, 4, 8]);
});

test('sanitizeScenario drops keys the schema does not know (old saved state)', () => {
  assert.deepEqual(sanitizeScenario({ batch: 2, bogus: 1 }), { batch: 2 });
});

test('webview code keeps to the strict CSP: no innerHTML, no style attributes, no remote URLs, no eval', () => {
  for (const f of readdirSync(path.join(ROOT, 'webview-ui')).filter((x) => x.endsWith('.ts'))) {
    const src = readFileSync(path.join(ROOT, 'webview-ui', f), 'utf8');
    assert.ok(!/\.innerHTML\s*=|insertAdjacentHTML|outerHTML\s*=/.test(src), `${f} writes HTML strings`);
    assert.ok(!/setAttribute\(\s*['"]style['"]/.test(src), `${f} sets a style attribute`);
    assert.ok(!/\beval\(|new Function\(/.test(src), `${f} evaluates code`);
    assert.ok(!/https?:\/\/(?!www\.w3\.org)/.test(src), `${f} references a remote URL`);
  }
});
