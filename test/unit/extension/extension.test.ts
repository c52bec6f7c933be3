// The extension's pure builders (hover, CodeLens, diagnostics, quick fixes, Markdown, HTML/CSP, protocol) against
// the real engine and the examples/ workspace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { estimate, findGpu, formatBytes, largestFitting, readModelConfig, SCENARIO_FIELDS, timeSummary } from '../../../src/core/index.ts';
import { parseDocumentText, parseModelConfig, type WorkloadFile, type ModelConfigFile } from '../../../src/parsers/index.ts';
import { analyze, buildScenario, type Analysis } from '../../../src/extension/analysis.ts';
import { codeLensTitle, hoverMarkdown, isHoverKey, keyContribution } from '../../../src/extension/text.ts';
import { shortGpuName, tokensLabel } from '../../../src/shared/labels.ts';
import { estimateMarkdown, substitute } from '../../../src/shared/markdown.ts';
import { applyEdits, configFitDiagnostics, fitDiagnostics, parseIssueDiagnostics, DOES_NOT_FIT } from '../../../src/extension/diagnostics.ts';
import { compareSeeds } from '../../../src/extension/compare.ts';
import { contentSecurityPolicy, makeNonce, webviewHtml } from '../../../src/extension/html.ts';
import { isHostMessage, isWebviewMessage, isWebviewState } from '../../../src/shared/protocol.ts';
import { readManifest, type JsonObject } from '../helpers/json.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const EX = path.join(ROOT, 'examples');
const read = (p: string) => readFileSync(path.join(EX, p), 'utf8');
const GPU = 'h100-sxm-80gb';

function configAnalysis(rel: string, defaults = {}): { a: Analysis; file: ModelConfigFile } {
  const file = parseModelConfig(read(rel)).value!;
  const spec = readModelConfig(file.config);
  return { a: analyze('model-config', file.config, spec, buildScenario(defaults, null, spec, GPU)), file };
}

function workloadAnalysis(rel: string, modelRel: string, text = read(rel), defaults = {}, gpu: string | null = GPU): { a: Analysis; w: WorkloadFile; text: string } {
  const doc = parseDocumentText(rel, text);
  const w = doc.files[0] as WorkloadFile;
  const cfg = parseModelConfig(read(modelRel)).value!.config;
  const spec = readModelConfig(cfg);
  return { a: analyze(w.kind, cfg, spec, buildScenario(defaults, w, spec, gpu)), w, text };
}

test('CodeLens text: "≈ X peak per GPU · fits H100 80GB", equal to the engine for the default scenario', () => {
  const { a } = configAnalysis('llama-3.1-8b/config.json');
  const cli = estimate(JSON.parse(read('llama-3.1-8b/config.json')), { gpu: GPU });
  assert.equal(a.estimate.memory.peak_bytes, cli.memory.peak_bytes);
  assert.equal(a.fits, cli.memory.fits);
  const t = codeLensTitle(a);
  assert.equal(t, `≈ ${formatBytes(cli.memory.peak_bytes)} peak per GPU · fits H100 80GB · ${timeSummary(cli.time)}`);
  assert.match(t, /^≈ [\d.]+ GiB peak per GPU · fits H100 80GB · TTFT ≈ [\d.]+ m?s · ≈ [\d.]+ ms\/decode step · [\d.]+k? tokens\/s$/);
});

test('CodeLens says "does not fit" with what it needs', () => {
  const { a } = workloadAnalysis('llamafactory-sft.yaml', 'qwen2.5-7b/config.json');
  assert.equal(a.fits, false);
  assert.match(codeLensTitle(a), /^≈ [\d.]+ GiB peak per GPU · does not fit H100 80GB \(needs [\d.]+ GiB\) · ≈ [\d.]+ m?s\/step · [\d.]+k? tokens\/s$/);
});

test('hover on num_key_value_heads: KV cache per token and at full context, total, command link', () => {
  const { a } = configAnalysis('llama-3.1-8b/config.json');
  assert.equal(a.estimate.memory.kv_bytes_per_token, 128 * 1024);
  const md = hoverMarkdown('num_key_value_heads', a, 'command:llmFootprint.showBreakdown?x')!;
  assert.match(md, /KV cache 128 KiB\/token → 16\.0 GiB at 128K context, batch 1/);
  assert.match(md, /\*\*Total:\*\* ≈ [\d.]+ GiB peak per GPU/);
  assert.match(md, /fits H100 80GB/);
  assert.match(md, /\(command:llmFootprint\.showBreakdown\?x\)/);
});

test('hovers on the other model keys are computed by re-running the engine', () => {
  const { a } = configAnalysis('llama-3.1-8b/config.json');
  for (const k of ['hidden_size', 'num_hidden_layers', 'vocab_size', 'max_position_embeddings', 'torch_dtype', 'intermediate_size', 'num_attention_heads']) {
    assert.ok(keyContribution(k, a), `no hover text for ${k}`);
  }
  // one layer less = the per-layer figure
  const cfg = JSON.parse(read('llama-3.1-8b/config.json')) as JsonObject;
  const less = estimate({ ...cfg, num_hidden_layers: 31 }, { gpu: GPU });
  const per = a.estimate.memory.peak_bytes - less.memory.peak_bytes;
  assert.match(keyContribution('num_hidden_layers', a)!, new RegExp(`adds ≈ ${formatBytes(per).replace('.', '\\.')}`));
  assert.match(keyContribution('torch_dtype', a)!, /bf16: 15\.0 GiB for 8\.03 B params/);
  assert.equal(hoverMarkdown('architectures', a), null);
  assert.equal(isHoverKey('rope_scaling.factor'), false);
});

test('hovers on training keys: batch, sequence, LoRA, gradient checkpointing', () => {
  const { a } = workloadAnalysis('axolotl-lora.yaml', 'llama-3.1-8b/config.json');
  const s = a.scenario;
  assert.deepEqual([s.mode, s.batch, s.seq, s.loraRank, s.gradCheckpointing], ['training', 2, 4096, 16, true]);
  const one = estimate(JSON.parse(read('llama-3.1-8b/config.json')), { ...s, batch: 1 });
  const per = a.estimate.memory.peak_bytes - one.memory.peak_bytes;
  assert.match(keyContribution('micro_batch_size', a)!, new RegExp(`each sequence adds ≈ ${formatBytes(per).replace('.', '\\.')}`));
  assert.match(keyContribution('gradient_checkpointing', a)!, /is on: it saves [\d.]+ GiB/);
  assert.match(keyContribution('lora_r', a)!, /LoRA rank 16: 41\.9 M trainable params/);
  assert.match(keyContribution('sequence_len', a)!, /4K tokens per sequence/);
  assert.match(hoverMarkdown('micro_batch_size', a)!, /_training, batch 2, seq 4K, bf16, adamw-fused, grad checkpointing, 4 micro-batches per step, LoRA r=16_/);
  // examples/axolotl-lora.yaml accumulates 4 micro-batches: the LoRA gradients stay allocated between them.
  assert.equal(s.gradAccumulation, 4);
  assert.match(keyContribution('gradient_accumulation_steps', a)!, /4 micro-batches per optimizer step: the gradients \(160 MiB\) stay allocated/);
  assert.match(keyContribution('optimizer', a)!, /adamw-fused state: .*plain SGD/);
});

test('diagnostic: an oversized micro_batch_size is blamed on that key, with a quick fix that fits', () => {
  const text = read('axolotl-lora.yaml').replace('micro_batch_size: 2', 'micro_batch_size: 512');
  const { a, w } = workloadAnalysis('axolotl-lora.yaml', 'llama-3.1-8b/config.json', text);
  assert.equal(a.fits, false);
  const [d, ...rest] = fitDiagnostics(w, a, text);
  assert.equal(rest.length, 0);
  assert.equal(d!.code, DOES_NOT_FIT);
  assert.equal(d!.severity, 'warning');
  assert.equal(d!.key, 'micro_batch_size');
  assert.equal(d!.range.start.line, text.split('\n').findIndex((l) => l.startsWith('micro_batch_size')));
  assert.match(d!.message, /^Does not fit H100 80GB: needs ≈ [\d.]+ TiB of 79\.6 GiB/);
  const best = d!.fixes[0]!;
  assert.equal(best.preferred, true);
  assert.match(best.title, /Set micro_batch_size to \d+ \(the largest that fits\)/);
  // applying the fix gives a file that the parser reads back as fitting
  const fixed = applyEdits(text, best.edits);
  const again = workloadAnalysis('axolotl-lora.yaml', 'llama-3.1-8b/config.json', fixed);
  assert.equal(again.a.fits, true);
  const max = largestFitting(a.spec, a.scenario, 'batch', findGpu(GPU)!.memoryBytes)!;
  assert.equal(again.a.scenario.batch, max);
});

test('diagnostic: full fine-tuning that does not fit is blamed on finetuning_type; the LoRA fix edits the YAML', () => {
  const { a, w, text } = workloadAnalysis('llamafactory-sft.yaml', 'qwen2.5-7b/config.json');
  const [d] = fitDiagnostics(w, a, text);
  assert.equal(d!.key, 'finetuning_type');
  const lora = d!.fixes.find((f) => /^Use LoRA/.test(f.title))!;
  assert.equal(lora.fits, true);
  const fixed = applyEdits(text, lora.edits);
  assert.match(fixed, /^finetuning_type: lora$/m);
  assert.match(fixed, /^lora_rank: 16$/m);
  const again = workloadAnalysis('llamafactory-sft.yaml', 'qwen2.5-7b/config.json', fixed);
  assert.equal(again.a.fits, true);
  assert.equal(again.a.estimate.memory.peak_bytes, lora.peakBytes);
  // nothing else in the file changed
  assert.equal(fixed.split('\n').filter((l) => !text.split('\n').includes(l)).length, 3);
});

test('diagnostic: gradient checkpointing off → the fix turns it on', () => {
  const text = read('axolotl-lora.yaml').replace('gradient_checkpointing: true', 'gradient_checkpointing: false').replace('micro_batch_size: 2', 'micro_batch_size: 8');
  const { a, w } = workloadAnalysis('axolotl-lora.yaml', 'llama-3.1-8b/config.json', text);
  assert.equal(a.fits, false);
  const [d] = fitDiagnostics(w, a, text);
  const gc = d!.fixes.find((f) => /gradient checkpointing/.test(f.title))!;
  assert.ok(gc);
  assert.match(applyEdits(text, gc.edits), /^gradient_checkpointing: true$/m);
});

test('a bare model config that does not fit warns on torch_dtype', () => {
  const cfgText = readFileSync(path.join(ROOT, 'test/fixtures/configs/mixtral-8x7b-v0.1.json'), 'utf8');
  const file = parseModelConfig(cfgText).value!;
  const spec = readModelConfig(file.config);
  const a = analyze('model-config', file.config, spec, buildScenario({}, null, spec, GPU));
  assert.equal(a.fits, false);
  const [d] = configFitDiagnostics(file, a);
  assert.equal(d!.key, 'torch_dtype');
  assert.match(d!.message, /the weights alone/);
  const { a: ok, file: f2 } = configAnalysis('llama-3.1-8b/config.json');
  assert.deepEqual(configFitDiagnostics(f2, ok), []);
});

test('parse issues become diagnostics at their position', () => {
  const doc = parseDocumentText('x/config.json', '{\n  "model_type": "llama",\n  "hidden_size": 40 96\n}');
  const ds = parseIssueDiagnostics(doc.errors);
  assert.ok(ds.length > 0);
  assert.equal(ds[0]!.severity, 'error');
  assert.equal(ds[0]!.range.start.line, 2);
});

test('Markdown export: a row per term with bytes, substituted formula and source', () => {
  const { a } = workloadAnalysis('axolotl-lora.yaml', 'llama-3.1-8b/config.json');
  const md = estimateMarkdown(a.estimate, { title: 'axolotl-lora.yaml', gpuName: 'NVIDIA H100 SXM 80GB', fits: a.fits });
  assert.match(md, /^### axolotl-lora\.yaml/);
  assert.match(md, /\| Term \| Bytes \| Size \| Formula \| Source \|/);
  for (const t of a.estimate.memory.terms) assert.ok(md.includes(`| ${t.bytes} |`), `no row for ${t.id}`);
  assert.match(md, /Target GPU: NVIDIA H100 SXM 80GB — fits/);
  assert.equal(substitute('params * bytes_per_param', { params: 10, bytes_per_param: 2 }), '10 * 2');
  assert.equal(substitute('batch * batch_x', { batch: 3, batch_x: 4 }), '3 * 4');
});

test('labels', () => {
  assert.equal(shortGpuName({ name: 'NVIDIA H100 SXM 80GB' }), 'H100 80GB');
  assert.equal(shortGpuName({ name: 'NVIDIA GeForce RTX 4090 24GB' }), 'RTX 4090 24GB');
  assert.equal(shortGpuName({ name: 'AMD Instinct MI300X 192GB' }), 'MI300X 192GB');
  assert.equal(tokensLabel(131072), '128K');
  assert.equal(tokensLabel(4000), '4,000');
});

test('compare seeds: the file scenario plus what-ifs', () => {
  const { a } = workloadAnalysis('axolotl-lora.yaml', 'llama-3.1-8b/config.json');
  const seeds = compareSeeds(a.scenario);
  assert.equal(seeds.length, 3);
  assert.equal(seeds[1]!.gradCheckpointing, false);
  assert.equal(seeds[2]!.loraRank, null);
});

test('webview HTML: strict CSP with a nonce, no inline styles or remote content', () => {
  const nonce = makeNonce();
  assert.match(nonce, /^[A-Za-z0-9]{32}$/);
  const csp = contentSecurityPolicy('https://x.vscode-cdn.net', nonce);
  assert.equal(csp, `default-src 'none'; script-src 'nonce-${nonce}'; style-src https://x.vscode-cdn.net 'nonce-${nonce}'; img-src https://x.vscode-cdn.net data:; font-src https://x.vscode-cdn.net`);
  const html = webviewHtml({ cspSource: 'https://x.vscode-cdn.net', nonce, scriptUri: 'https://x.vscode-cdn.net/dist/webview.js', styleUri: 'https://x.vscode-cdn.net/media/webview.css' });
  assert.ok(html.includes(`<script nonce="${nonce}" src="https://x.vscode-cdn.net/dist/webview.js">`));
  assert.ok(!/unsafe-inline|unsafe-eval/.test(html));
  assert.ok(!/style="/.test(html));
  assert.ok(!/https?:\/\/(?!x\.vscode-cdn\.net)/.test(html));
});

test('message protocol guards', () => {
  const data = { config: { model_type: 'llama' }, scenario: { batch: 2 }, source: { uri: 'file:///a', label: 'a', kind: 'axolotl' }, notes: [] };
  assert.ok(isHostMessage({ type: 'load', data }));
  assert.ok(isHostMessage({ type: 'setView', view: 'compare' }));
  assert.ok(!isHostMessage({ type: 'load', data: { ...data, notes: [3] } }));
  assert.ok(!isHostMessage({ type: 'setView', view: 'nope' }));
  assert.ok(!isHostMessage({ type: 'eval', code: '1' }));
  assert.ok(isWebviewMessage({ type: 'ready' }));
  assert.ok(isWebviewMessage({ type: 'copyMarkdown', markdown: '# x' }));
  assert.ok(isWebviewMessage({ type: 'selectGpu', gpu: 'h100-sxm-80gb' }));
  assert.ok(!isWebviewMessage({ type: 'copyMarkdown', markdown: 3 }));
  assert.ok(!isWebviewMessage(null));
  assert.ok(!isWebviewMessage({ type: 'runCommand', command: 'x' }));
  assert.ok(isWebviewState({ data, scenario: null, compare: [], view: 'breakdown', curveAxis: 'batch' }));
  assert.ok(!isWebviewState({ data: 3, compare: [], view: 'breakdown' }));
});

test('package.json: commands, a setting per scenario field, lazy activation, untrusted workspaces', () => {
  const pkg = readManifest(path.join(ROOT, 'package.json'));
  const titles = Object.fromEntries(pkg.contributes.commands.map((c) => [c.command, `${c.category}: ${c.title}`]));
  assert.equal(titles['llmFootprint.showBreakdown'], 'LLM Footprint: Show Memory Breakdown');
  assert.equal(titles['llmFootprint.compare'], 'LLM Footprint: Compare Scenarios');
  assert.equal(titles['llmFootprint.selectGpu'], 'LLM Footprint: Select Target GPU');
  assert.equal(titles['llmFootprint.copyMarkdown'], 'LLM Footprint: Copy Estimate as Markdown');
  const props = pkg.contributes.configuration.properties;
  const gpu = props['llmFootprint.gpu']!;
  assert.equal(gpu.default, 'h100-sxm-80gb');
  for (const f of SCENARIO_FIELDS) {
    if (f.key === 'gpu') continue;
    const p = props[`llmFootprint.defaults.${f.key}`];
    assert.ok(p, `no setting llmFootprint.defaults.${f.key}`);
    assert.ok(p.markdownDescription && p.scope, `setting for ${f.key} lacks a description or scope`);
  }
  const gpuIds = gpu.anyOf![0]!.enum!;
  assert.ok(gpuIds.length >= 10);
  for (const id of gpuIds) assert.ok(findGpu(id), id);
  assert.match('my-a40', new RegExp(gpu.anyOf![1]!.pattern!), 'a custom GPU id is accepted');
  assert.ok(!pkg.activationEvents.includes('*'));
  assert.ok(pkg.activationEvents.includes('onLanguage:yaml'));
  assert.ok(pkg.activationEvents.includes('onWebviewPanel:llmFootprint.breakdown'));
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
});

test('the hover on base_model / model_name_or_path / the served model says where the config came from', () => {
  const { a } = workloadAnalysis('axolotl-lora.yaml', 'llama-3.1-8b/config.json');
  assert.doesNotMatch(hoverMarkdown('base_model', a) ?? '', /Config from/);
  a.modelSource = 'bundled catalog: meta-llama/Llama-3.1-8B';
  assert.match(hoverMarkdown('base_model', a)!, /Config from bundled catalog: meta-llama\/Llama-3\.1-8B\./);
  const v = workloadAnalysis('serve-vllm.sh', 'qwen2.5-7b/config.json').a;
  v.modelSource = 'Hugging Face cache: Qwen/Qwen2.5-7B @ 1a2b3c4';
  assert.match(hoverMarkdown('model', v)!, /Config from Hugging Face cache: Qwen\/Qwen2\.5-7B @ 1a2b3c4\./);
  // a "no model config" issue keeps its code, so the quick fix that links a local config.json finds it
  const d = parseIssueDiagnostics([{ message: 'x', severity: 'info', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, code: 'llm-footprint.modelNotFound' }]);
  assert.equal(d[0]!.code, 'llm-footprint.modelNotFound');
});
