// `vllm serve` scripts in the editor run the engine's vLLM runtime end to end: scenario, CodeLens, hovers,
// diagnostics and quick fixes, against the real engine, examples/serve-vllm.sh and examples/qwen2.5-7b.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { estimate, estimateSpec, formatBytes, formatSeconds, parseScenario, readModelConfig } from '../../../src/core/index.ts';
import { parseDocumentText, parseModelConfig, type WorkloadFile } from '../../../src/parsers/index.ts';
import { largestFitting } from '../../../src/core/index.ts';
import { analyze, buildScenario, profileRunBytes, rerun, type Analysis } from '../../../src/extension/analysis.ts';
import { codeLensTitle, hoverMarkdown, keyContribution } from '../../../src/extension/text.ts';
import { estimateMarkdown } from '../../../src/shared/markdown.ts';
import { scenarioSummary } from '../../../src/shared/scenario-summary.ts';
import { applyEdits, fitDiagnostics, DOES_NOT_FIT, QUEUES } from '../../../src/extension/diagnostics.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const EX = path.join(ROOT, 'examples');
const read = (p: string) => readFileSync(path.join(EX, p), 'utf8');
const GPU = 'h100-sxm-80gb';
const SCRIPT = read('serve-vllm.sh');
const CFG = parseModelConfig(read('qwen2.5-7b/config.json')).value!.config;
const SPEC = readModelConfig(CFG);
const re = (s: string) => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

function vllm(text = SCRIPT, defaults = {}, gpu: string | null = GPU): { a: Analysis; w: WorkloadFile; text: string } {
  const doc = parseDocumentText('serve-vllm.sh', text);
  const w = doc.files[0] as WorkloadFile;
  return { a: analyze('vllm', CFG, SPEC, buildScenario(defaults, w, SPEC, gpu)), w, text };
}

/** The engine on the example's scenario, written out by hand (what the CLI computes with the same flags). */
const byHand = (patch = {}) =>
  estimate(CFG, { runtime: 'vllm', batch: 64, seq: 32768, newTokens: 0, precision: 'bf16', weightsDtype: 'bf16', gpuMemoryUtilization: 0.9, gpu: GPU, ...patch });

test('a vllm script runs the vllm runtime with the script\'s utilization; the fit is the engine\'s', () => {
  const { a } = vllm();
  const s = a.scenario;
  assert.deepEqual([s.runtime, s.mode, s.batch, s.seq, s.newTokens, s.gpuMemoryUtilization, s.maxNumBatchedTokens], ['vllm', 'inference', 64, 32768, 0, 0.9, 8192]);
  const cli = byHand();
  assert.deepEqual(a.estimate.memory, cli.memory);
  assert.equal(a.fits, cli.memory.fits);
  assert.equal(a.fits, true);
  assert.equal(a.estimate.memory.device_bytes, a.estimate.memory.serving!.budget_bytes);
  assert.equal(a.estimate.memory.serving!.max_concurrency, 31);
  assert.ok(!('memoryFraction' in a), 'no extension-side utilization arithmetic');
});

test('--gpu-memory-utilization and --max-num-batched-tokens: the script wins, else the llmFootprint.defaults.* settings', () => {
  const defaults = { gpuMemoryUtilization: 0.5, maxNumBatchedTokens: 2048, runtime: 'pytorch' as const };
  assert.deepEqual([vllm(SCRIPT, defaults).a.scenario.gpuMemoryUtilization, vllm(SCRIPT, defaults).a.scenario.maxNumBatchedTokens, vllm(SCRIPT, defaults).a.scenario.runtime], [0.9, 2048, 'vllm']);
  const bare = SCRIPT.replace(/ *--gpu-memory-utilization 0\.90 \\\n/, '');
  assert.equal(vllm(bare, defaults).a.scenario.gpuMemoryUtilization, 0.5);
  assert.equal(vllm(bare).a.scenario.gpuMemoryUtilization, 0.9, 'the engine default without a setting');
  const batched = SCRIPT.replace('--max-num-seqs 64', '--max-num-seqs 64 --max-num-batched-tokens 16k');
  assert.equal(vllm(batched, defaults).a.scenario.maxNumBatchedTokens, 16000);
  // a training YAML never takes the vllm runtime from the settings
  const yaml = parseDocumentText('axolotl-lora.yaml', read('axolotl-lora.yaml')).files[0] as WorkloadFile;
  const llama = readModelConfig(JSON.parse(read('llama-3.1-8b/config.json')));
  assert.equal(buildScenario({ runtime: 'vllm' }, yaml, llama, GPU).runtime, 'pytorch');
});

test('CodeLens on examples/serve-vllm.sh: full-length requests at once, KV pool, fit at the utilization', () => {
  const { a } = vllm();
  const sv = a.estimate.memory.serving!;
  assert.equal(codeLensTitle(a), `≈ ${sv.max_concurrency} × 32K requests at once · KV pool ${formatBytes(sv.kv_pool_bytes)} · fits H100 80GB at 90% · TTFT at 32K ≈ ${formatSeconds(a.estimate.time.ttft_s!)}`);
  assert.match(codeLensTitle(a), /^≈ 31 × 32K requests at once · KV pool 55\.5 GiB · fits H100 80GB at 90% · TTFT at 32K ≈ [\d.]+ m?s$/);
  assert.equal(scenarioSummary(a.scenario), 'vLLM, max 64 seqs, max len 32K, bf16, 90% of the GPU, 8,192 batched tokens');
});

test('CodeLens when one request does not fit, and without a GPU', () => {
  const { a } = vllm(SCRIPT.replace('0.90', '0.2'));
  assert.equal(a.fits, false);
  assert.ok(codeLensTitle(a).startsWith('≈ 0 × 32K requests at once · does not fit H100 80GB at 20% (one 32K request needs 1.75 GiB, pool 0 B) · TTFT at 32K ≈ '));
  const { a: none } = vllm(SCRIPT, {}, null);
  assert.equal(none.fits, null);
  assert.equal(none.estimate.memory.serving, null);
  const kvAll = none.estimate.memory.terms.find((t) => t.id === 'kv_cache')!.bytes;
  const per = kvAll / 64;
  assert.equal(per, a.estimate.memory.serving!.kv_bytes_per_request);
  assert.equal(codeLensTitle(none), `≈ ${formatBytes(none.estimate.memory.device_bytes - kvAll + per)} for one 32K request (KV 1.75 GiB per request) · no target GPU`);
});

test('hovers on the vLLM options say what each changes, from re-runs of the engine', () => {
  const { a } = vllm(SCRIPT.replace('--max-num-seqs 64', '--max-num-seqs 64 --max-num-batched-tokens 8192 --kv-cache-dtype auto'));
  const sv = a.estimate.memory.serving!;
  const half = rerun(a, { seq: 16384 })!.memory.serving!;
  const len = keyContribution('--max-model-len', a)!;
  assert.equal(len, `KV per 32K request ${formatBytes(sv.kv_bytes_per_request)}; pool ${formatBytes(sv.kv_pool_bytes)} fits ${sv.max_concurrency} at once; at 16K: ${half.max_concurrency} at once.`);
  assert.equal(len, 'KV per 32K request 1.75 GiB; pool 55.5 GiB fits 31 at once; at 16K: 63 at once.');

  const seqs = keyContribution('--max-num-seqs', a)!;
  assert.match(seqs, /^At most 64 sequences per scheduler step: 31 of 64 full-length \(32K\) requests fit at once, vLLM queues the rest\./);
  assert.match(seqs, re(`sampler over 64 rows: ${formatBytes(profileRunBytes(a.estimate))}`));
  assert.match(seqs, re(`at 32: pool ${formatBytes(rerun(a, { batch: 32 })!.memory.serving!.kv_pool_bytes)}, ${rerun(a, { batch: 32 })!.memory.serving!.max_concurrency} at once`));

  const util = keyContribution('--gpu-memory-utilization', a)!;
  const at95 = rerun(a, { gpuMemoryUtilization: 0.95 })!.memory.serving!.max_concurrency;
  assert.match(util, re(`vLLM takes 90% of H100 80GB = ${formatBytes(sv.budget_bytes)}: weights 14.2 GiB, profile run ${formatBytes(profileRunBytes(a.estimate))}, KV pool 55.5 GiB fits 31 at once; at 95%: ${at95} at once.`));
  assert.equal(at95, 33);

  const batched = keyContribution('--max-num-batched-tokens', a)!;
  const b4k = rerun(a, { maxNumBatchedTokens: 4096 })!.memory.serving!;
  assert.match(batched, /^8,192 tokens per scheduler step: vLLM's profile run over them/);
  assert.match(batched, re(`at 4,096: pool ${formatBytes(b4k.kv_pool_bytes)}, ${b4k.max_concurrency} at once.`));
  assert.ok(b4k.kv_pool_bytes > sv.kv_pool_bytes);

  const kv = keyContribution('--kv-cache-dtype', a)!;
  const fp8 = rerun(a, { kvDtype: 'fp8' })!.memory.serving!;
  assert.equal(kv, `KV cache in auto (bf16): 1.75 GiB per 32K request, 31 at once; fp8: ${formatBytes(fp8.kv_bytes_per_request)} per request, ${fp8.max_concurrency} at once.`);
  assert.equal(fp8.max_concurrency, 63);

  const md = hoverMarkdown('--max-model-len', a, 'command:x')!;
  assert.match(md, /\*\*Total:\*\* ≈ 71\.7 GiB on the GPU \(vLLM takes 90% of H100 80GB\): KV pool 55\.5 GiB, 31 × 32K requests at once · fits/);
  assert.match(md, /_vLLM, max 64 seqs, max len 32K/);
  for (const k of ['--max-model-len', '--max-num-seqs', '--gpu-memory-utilization', '--max-num-batched-tokens', '--kv-cache-dtype']) {
    assert.ok(!/upper bound|PyTorch eager/.test(hoverMarkdown(k, a)!), k);
  }
});

test('hovers without a GPU: the KV of one request and of every sequence at full length', () => {
  const { a } = vllm(SCRIPT, {}, null);
  assert.equal(keyContribution('--max-model-len', a), 'KV per 32K request 1.75 GiB; all 64 at full length 112 GiB (no target GPU sizes a pool); at 16K: KV 896 MiB per request.');
  assert.match(keyContribution('--gpu-memory-utilization', a)!, /no target GPU/);
});

test('diagnostics: the example fits; fewer full-length requests than --max-num-seqs is information on --max-num-seqs', () => {
  const { a, w, text } = vllm();
  const ds = fitDiagnostics(w, a, text);
  assert.equal(ds.length, 1);
  const [d] = ds;
  assert.equal(d!.severity, 'info');
  assert.equal(d!.code, QUEUES);
  assert.equal(d!.key, '--max-num-seqs');
  assert.equal(d!.range.start.line, text.split('\n').findIndex((l) => l.includes('--max-num-seqs')));
  assert.equal(d!.message, '31 of 64 sequences fit at once at the full 32K tokens on H100 80GB at 90% (KV pool 55.5 GiB, 1.75 GiB per request); vLLM queues the rest (shorter requests share the pool).');
  assert.ok(!/upper bound|PyTorch eager|not modelled yet/.test(d!.message));
  // 16 sequences all fit at once: nothing to say
  const few = vllm(SCRIPT.replace('--max-num-seqs 64', '--max-num-seqs 16'));
  assert.deepEqual(fitDiagnostics(few.w, few.a, few.text), []);
  // no notes about an upper bound from the parser either
  assert.ok(!parseDocumentText('serve-vllm.sh', SCRIPT).errors.some((e) => /upper bound|PyTorch eager/.test(e.message)));
});

test('diagnostics: one full-length request does not fit → warning on --max-model-len with fixes that make it fit', () => {
  // L4 24GB at 75%: weights 14.2 GiB and the profile run leave less than one 32K request's KV.
  const text = SCRIPT.replace('0.90', '0.75');
  const { a, w } = vllm(text, {}, 'l4-24gb');
  assert.equal(a.fits, false);
  const [d, ...rest] = fitDiagnostics(w, a, text);
  assert.equal(rest.length, 0);
  assert.equal(d!.severity, 'warning');
  assert.equal(d!.code, DOES_NOT_FIT);
  assert.equal(d!.key, '--max-model-len');
  assert.equal(d!.range.start.line, text.split('\n').findIndex((l) => l.includes('--max-model-len')));
  assert.match(d!.message, /^vLLM cannot hold one 32K-token request on L4 24GB at 75%: it needs 1\.75 GiB of KV cache, the pool is [\d.]+ (MiB|GiB) \(budget/);

  // the largest --max-model-len that fits: it fits, 16 tokens (one block) more does not
  const max = largestFitting(a.spec, a.scenario, 'seq', 0)!;
  const seqFix = d!.fixes.find((f) => f.title.startsWith(`Lower --max-model-len to ${max}, the largest that fits`))!;
  assert.ok(seqFix, JSON.stringify(d!.fixes.map((f) => f.title)));
  assert.equal(seqFix.fits, true);
  const fixed = applyEdits(text, seqFix.edits);
  assert.match(fixed, new RegExp(`--max-model-len ${max} \\\\`));
  const again = vllm(fixed, {}, 'l4-24gb');
  assert.equal(again.a.scenario.seq, max);
  assert.equal(again.a.fits, true);
  assert.equal(estimateSpec(SPEC, parseScenario({ ...a.scenario, seq: max + 16 })).memory.fits, false);

  // raising --gpu-memory-utilization to 0.95 fits on the L4
  const util = d!.fixes.find((f) => /Raise --gpu-memory-utilization to 0\.95/.test(f.title))!;
  assert.equal(util.fits, true);
  assert.match(applyEdits(text, util.edits), /--gpu-memory-utilization 0\.95 \\/);
  assert.equal(vllm(applyEdits(text, util.edits), {}, 'l4-24gb').a.fits, true);

  // fp8 KV cache: inserted after the model argument
  const fp8 = d!.fixes.find((f) => /--kv-cache-dtype fp8/.test(f.title))!;
  assert.match(applyEdits(text, fp8.edits), /vllm serve \.\/qwen2\.5-7b --kv-cache-dtype fp8 \\/);
  assert.equal(vllm(applyEdits(text, fp8.edits), {}, 'l4-24gb').a.scenario.kvDtype, 'fp8');
  assert.equal(d!.fixes.filter((f) => f.preferred).length, 1);
  assert.equal(d!.fixes[0]!.preferred, true);
});

test('diagnostics: --gpu-memory-utilization is inserted when the script does not set it, and offered only when it makes it fit', () => {
  const text = SCRIPT.replace(/ *--gpu-memory-utilization 0\.90 \\\n/, '');
  const { a, w } = vllm(text, { gpuMemoryUtilization: 0.7 }, 'l4-24gb');
  assert.equal(a.fits, false);
  const [d] = fitDiagnostics(w, a, text);
  const util = d!.fixes.find((f) => /gpu-memory-utilization/.test(f.title))!;
  assert.match(applyEdits(text, util.edits), /vllm serve \.\/qwen2\.5-7b --gpu-memory-utilization 0\.95 \\/);
  // at 20% on an H100 the weights alone nearly fill the budget; 0.95 fits, so it is offered and preferred
  const low = vllm(SCRIPT.replace('0.90', '0.2'));
  const [dl] = fitDiagnostics(low.w, low.a, low.text);
  assert.match(dl!.fixes[0]!.title, /^Raise --gpu-memory-utilization to 0\.95 \(fits, 33 × 32K at once\)$/);
  // a 7B on a 16 GB GPU: 0.95 does not fit either, so it is not offered
  const tiny = vllm(SCRIPT, {}, 't4-16gb');
  if (tiny.a.fits === false) {
    const [dt] = fitDiagnostics(tiny.w, tiny.a, tiny.text);
    assert.ok(!dt!.fixes.some((f) => /gpu-memory-utilization/.test(f.title)));
  }
});

test('Markdown export of a vllm script carries the serving figures', () => {
  const { a } = vllm();
  const md = estimateMarkdown(a.estimate, { title: 'serve-vllm.sh', gpuName: a.gpu!.name, fits: a.fits });
  assert.match(md, /- Scenario: vLLM, max \d+ seqs, .*90% of the GPU, 8,192 batched tokens/);
  assert.match(md, /- vLLM: budget 71\.7 GiB, KV pool 55\.5 GiB, 1\.75 GiB per 32768-token request, 31 requests at once/);
  assert.match(md, /Target GPU: NVIDIA H100 SXM 80GB — fits/);
});
