// The editor's multi-GPU builders: a DeepSpeed JSON's CodeLens, hovers on stage/offload/bucket/world keys (each a
// re-run of the engine), diagnostics and quick fixes re-estimated before they are offered; equal to the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatBytes, formatSeconds, readModelConfig } from '../../../src/core/index.ts';
import { parseDocumentText, parseModelConfig, joinDeepSpeed, type WorkloadFile } from '../../../src/parsers/index.ts';
import { analyze, buildScenario, rerun, type Analysis } from '../../../src/extension/analysis.ts';
import { codeLensTitle, hoverMarkdown } from '../../../src/extension/text.ts';
import { modelStatesBytes } from '../../../src/extension/text-dist.ts';
import { applyEdits, fitDiagnostics, DOES_NOT_FIT } from '../../../src/extension/diagnostics.ts';
import { run } from '../../../src/cli/main.ts';
import type { Estimate } from '../../../src/core/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const EX = path.join(ROOT, 'examples');
const read = (p: string) => readFileSync(path.join(EX, p), 'utf8');
const GPU = 'h100-sxm-80gb';
const MODEL = parseModelConfig(read('llama-3.1-8b/config.json')).value!.config;
const SPEC = readModelConfig(MODEL);

function analysisOf(rel: string, text: string, defaults = {}, join?: WorkloadFile): { a: Analysis; w: WorkloadFile; notes: string[] } {
  let w = parseDocumentText(rel, text).files[0] as WorkloadFile;
  if (join) w = { ...joinDeepSpeed(join, w, 'axolotl-zero3.yaml', rel).file, kind: w.kind, keys: w.keys, fields: w.fields };
  const notes: string[] = [];
  return { a: analyze(w.kind, MODEL, SPEC, buildScenario(defaults, w, SPEC, GPU, [], notes)), w, notes };
}

function cli(...args: string[]): Estimate {
  let out = '';
  let err = '';
  const code = run([...args, '--json'], (s) => void (out += s), (s) => void (err += s));
  assert.equal(code, 0, err);
  return JSON.parse(out) as Estimate;
}

test('DeepSpeed JSON next to the axolotl YAML that names it: scenario and CodeLens equal the CLI on the YAML', () => {
  const yaml = parseDocumentText('axolotl-zero3.yaml', read('axolotl-zero3.yaml')).files[0] as WorkloadFile;
  const { a, notes } = analysisOf('ds_zero3_offload.json', read('ds_zero3_offload.json'), { gpus: 8 }, yaml);
  const c = cli('estimate', path.join(EX, 'axolotl-zero3.yaml'), '--gpus', '8', '--gpu', GPU);
  assert.deepEqual(a.scenario, c.scenario);
  assert.equal(a.estimate.memory.peak_bytes, c.memory.peak_bytes);
  assert.ok(notes.includes('train_micro_batch_size_per_gpu: "auto" → 1 (micro_batch_size in axolotl-zero3.yaml)'), notes.join('\n'));
  const host = c.memory.host_bytes ? ` · host ${formatBytes(c.memory.host_bytes)}` : '';
  const time = c.time.train_step_s === undefined ? '' : ` · ≈ ${formatSeconds(c.time.train_step_s)}/step`;
  assert.ok(codeLensTitle(a).startsWith(`≈ ${formatBytes(c.memory.peak_bytes)} per GPU × 8${host} · fits H100 80GB${time}`), codeLensTitle(a));
});

test('with every settings default present (as VS Code gives them), bucket "auto" values still come from the model', () => {
  const yaml = parseDocumentText('axolotl-zero3.yaml', read('axolotl-zero3.yaml')).files[0] as WorkloadFile;
  const defaults = { mode: 'inference' as const, batch: 1, gpus: 1, reduceBucketSize: 500_000_000, prefetchBucketSize: 50_000_000, paramPersistenceThreshold: 100_000 };
  const { a } = analysisOf('ds_zero3_offload.json', read('ds_zero3_offload.json'), defaults, yaml);
  const c = cli('estimate', path.join(EX, 'axolotl-zero3.yaml'), '--gpu', GPU);
  assert.deepEqual(a.scenario, c.scenario);
});

test('DeepSpeed JSON alone: autos from the settings defaults; runtime stays deepspeed', () => {
  const { a, notes } = analysisOf('ds.json', read('ds_zero3_offload.json'), { batch: 2, precision: 'bf16', gpus: 4, mode: 'inference', runtime: 'pytorch' });
  assert.equal(a.scenario.runtime, 'deepspeed');
  assert.equal(a.scenario.mode, 'training');
  assert.equal(a.scenario.batch, 2);
  assert.ok(notes.includes('train_micro_batch_size_per_gpu: "auto" → 2 (llmFootprint.defaults.batch)'), notes.join('\n'));
});

test('hover on zero_optimization.stage: model states at stage 0 → this stage, from re-runs', () => {
  const { a } = analysisOf('ds.json', read('ds_zero3_offload.json'), { gpus: 8, precision: 'bf16' });
  const md = hoverMarkdown('zero_optimization.stage', a)!;
  const z0 = rerun(a, { zero: 0, offloadParams: 'none', offloadOptimizer: 'none' })!;
  assert.ok(md.includes(`model states ${formatBytes(modelStatesBytes(z0))} → ${formatBytes(modelStatesBytes(a.estimate))} per GPU on 8 GPUs`), md);
  assert.ok(modelStatesBytes(z0) > 4 * modelStatesBytes(a.estimate));
  assert.match(md, /stage 0 [\d.]+ GiB, stage 1 [\d.]+ GiB, stage 2 [\d.]+ GiB/);
  assert.match(hoverMarkdown('zero_optimization.offload_optimizer.device', a)!, /Optimizer states offloaded to cpu: [\d.]+ GiB per GPU, host [\d.]+ GiB per node; on the GPU: /);
  assert.match(hoverMarkdown('zero_optimization.stage3_max_live_parameters', a)!, /1,000,000,000 elements; at 500,000,000: /);
  // LLaMA-Factory's own `stage: sft` is not a ZeRO stage.
  assert.equal(hoverMarkdown('stage', a), null);
});

test('hover on accelerate num_processes: per GPU at half and twice the GPUs', () => {
  const text = 'distributed_type: FSDP\nfsdp_config:\n  fsdp_sharding_strategy: FULL_SHARD\nmixed_precision: bf16\nnum_processes: 8\n';
  const { a } = analysisOf('accelerate.yaml', text);
  const md = hoverMarkdown('num_processes', a)!;
  const four = rerun(a, { gpus: 4 })!;
  assert.ok(md.includes(`4 GPUs: ${formatBytes(four.memory.peak_bytes)}`), md);
});

test('diagnostics: a DeepSpeed JSON that does not fit offers re-estimated fixes on its own keys', () => {
  const text = '{\n  "train_micro_batch_size_per_gpu": 1,\n  "bf16": { "enabled": true },\n  "zero_optimization": {\n    "stage": 1\n  }\n}\n';
  const { a, w } = analysisOf('ds.json', text, { gpus: 2, seq: 2048 });
  assert.equal(a.fits, false);
  const [d] = fitDiagnostics(w, a, text);
  assert.ok(d);
  assert.equal(d.code, DOES_NOT_FIT);
  assert.equal(d.key, 'zero_optimization.stage');
  assert.deepEqual(d.range.start, { line: 4, character: 4 });
  assert.ok(d.fixes.length >= 2, JSON.stringify(d.fixes.map((f) => f.title)));
  for (const f of d.fixes) {
    const edited = applyEdits(text, f.edits);
    const again = analysisOf('ds.json', edited, { gpus: 2, seq: 2048 }).a;
    assert.equal(again.estimate.memory.peak_bytes, f.peakBytes, f.title);
    assert.ok(f.peakBytes < a.estimate.memory.peak_bytes);
  }
  assert.ok(d.fixes.some((f) => /Raise the ZeRO stage to 3/.test(f.title)));
  assert.ok(d.fixes.some((f) => /Offload the optimizer to the CPU/.test(f.title)));
});

test('diagnostics: host RAM that does not fit is a warning with fixes', () => {
  const text = '{\n  "zero_optimization": {\n    "stage": 3,\n    "offload_optimizer": { "device": "cpu" },\n    "offload_param": { "device": "cpu" }\n  }\n}\n';
  const { a, w } = analysisOf('ds.json', text, { gpus: 8, hostMemory: 2 ** 30 });
  assert.equal(a.estimate.memory.host_fits, false);
  const d = fitDiagnostics(w, a, text).find((x) => /host RAM does not fit/.test(x.message));
  assert.ok(d);
  assert.equal(d.key, 'zero_optimization.offload_optimizer.device');
});

test('bad DeepSpeed values are diagnostics at the key, and no estimate', () => {
  const doc = parseDocumentText('ds.json', '{\n  "zero_optimization": { "stage": 2, "offload_param": { "device": "cpu" } }\n}');
  assert.equal(doc.kind, 'deepspeed');
  assert.equal(doc.files.length, 0);
  assert.equal(doc.errors[0]!.key, 'zero_optimization.offload_param.device');
  assert.equal(doc.errors[0]!.severity, 'error');
});

test('diagnostics: a training YAML joined with its DeepSpeed JSON offers the JSON fixes as edits to the JSON, each re-estimated', () => {
  const yaml = 'base_model: ./llama-3.1-8b\nsequence_len: 4096\nmicro_batch_size: 1\nbf16: true\ngradient_checkpointing: true\noptimizer: adamw_torch\ndeepspeed: ds.json\n';
  const ds = '{\n  "train_micro_batch_size_per_gpu": "auto",\n  "bf16": { "enabled": "auto" },\n  "zero_optimization": {\n    "stage": 1\n  }\n}\n';
  const joinedAnalysis = (dsText: string) => {
    const t = parseDocumentText('train.yaml', yaml).files[0] as WorkloadFile;
    const d = parseDocumentText('ds.json', dsText).files[0] as WorkloadFile;
    const w = joinDeepSpeed(t, d, 'train.yaml', 'ds.json').file;
    return { w, d, a: analyze(w.kind, MODEL, SPEC, buildScenario({ gpus: 2 }, w, SPEC, GPU)) };
  };
  const { w, d, a } = joinedAnalysis(ds);
  assert.equal(a.scenario.zero, 1);
  assert.equal(a.fits, false);
  const uri = 'file:///ws/ds.json';
  const [diag] = fitDiagnostics(w, a, yaml, 0, true, { uri, text: ds, file: d });
  assert.ok(diag);
  const onJson = diag.fixes.filter((f) => f.uri === uri);
  assert.ok(onJson.some((f) => /^Raise the ZeRO stage to 3 in ds\.json/.test(f.title)), JSON.stringify(diag.fixes.map((f) => f.title)));
  assert.ok(onJson.some((f) => /^Offload the optimizer to the CPU in ds\.json/.test(f.title)), JSON.stringify(onJson.map((f) => f.title)));
  for (const f of onJson) {
    const again = joinedAnalysis(applyEdits(ds, f.edits)).a;
    assert.equal(again.estimate.memory.peak_bytes, f.peakBytes, f.title);
    assert.ok(f.peakBytes < a.estimate.memory.peak_bytes, f.title);
  }
  // The YAML's own fixes still edit the YAML.
  assert.ok(diag.fixes.some((f) => f.uri === undefined));
  // Without the joined JSON at hand, no edit points at it.
  assert.ok(fitDiagnostics(w, a, yaml).every((x) => x.fixes.every((f) => f.uri === undefined)));
});
