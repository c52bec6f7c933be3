import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseModelConfig,
  parseTrainingYaml,
  parseVllmScript,
  parseDocumentText,
  detectYamlFlavour,
  tokenize,
  parseSize,
  modelPathCandidates,
  linkOrder,
  isLocalModelPath,
  mapOptimizer,
  LineIndex,
  MAX_FILE_BYTES,
} from '../../../src/parsers/index.ts';

const CONFIG = `{
  "architectures": ["LlamaForCausalLM"],
  // a comment
  "hidden_size": 4096,
  "num_key_value_heads": 8,
  "rope_scaling": { "factor": 8.0, "rope_type": "llama3" },
  "torch_dtype": "bfloat16",
  "model_type": "llama",
}`;

test('model config: values and key/value positions (0-based line, character)', () => {
  const r = parseModelConfig(CONFIG);
  assert.deepEqual(r.errors, []);
  assert.ok(r.value);
  assert.equal(r.value.config['hidden_size'], 4096);
  assert.deepEqual(r.value.config['architectures'], ['LlamaForCausalLM']);
  const kv = r.value.keys.find((k) => k.key === 'num_key_value_heads')!;
  assert.deepEqual(kv.keyRange, { start: { line: 4, character: 2 }, end: { line: 4, character: 23 } });
  assert.deepEqual(kv.valueRange, { start: { line: 4, character: 25 }, end: { line: 4, character: 26 } });
  assert.equal(kv.value, 8);
  const nested = r.value.keys.find((k) => k.key === 'rope_scaling.factor')!;
  assert.equal(nested.value, 8);
  assert.equal(nested.keyRange.start.line, 5);
});

test('model config: malformed JSON gives an error with its line and column, and keeps what it could read', () => {
  const text = '{\n  "model_type": "llama",\n  "hidden_size": 40 96,\n  "num_hidden_layers": 32\n}';
  const r = parseModelConfig(text);
  assert.ok(r.errors.length >= 1);
  const e = r.errors[0]!;
  assert.equal(e.severity, 'error');
  assert.equal(e.range.start.line, 2);
  assert.match(e.message, /line 3, column \d+/);
  assert.equal(r.value?.config['model_type'], 'llama');
});

test('model config: not an object, empty, truncated and huge inputs never throw', () => {
  assert.equal(parseModelConfig('[1,2]').value, null);
  assert.equal(parseModelConfig('').value, null);
  const t = parseModelConfig('{"model_type": "llama", "hidden_size": ');
  assert.ok(t.errors.length > 0);
  const big = parseModelConfig(' '.repeat(MAX_FILE_BYTES + 1));
  assert.equal(big.value, null);
  assert.match(big.errors[0]!.message, /larger than 256 KiB/);
});

const AXOLOTL = `base_model: ./llama-3.1-8b
model_type: LlamaForCausalLM

adapter: lora
lora_r: 16
lora_alpha: 32
lora_target_linear: true

sequence_len: 4096
micro_batch_size: 2
gradient_accumulation_steps: 8
num_epochs: 3
optimizer: adamw_torch_fused
bf16: auto
gradient_checkpointing: true
deepspeed: deepspeed_configs/zero2.json
load_in_4bit: false
`;

test('axolotl: keys map to a scenario with source ranges', () => {
  const r = parseTrainingYaml(AXOLOTL);
  assert.ok(r.value);
  const v = r.value;
  assert.equal(v.kind, 'axolotl');
  assert.equal(v.model, './llama-3.1-8b');
  assert.deepEqual(v.scenario, { mode: 'training', batch: 2, seq: 4096, gradCheckpointing: true, loraRank: 16, precision: 'bf16', optimizer: 'adamw-fused', loraTargets: 'all-linear', gradAccumulation: 8 });
  assert.equal(v.fields.gradAccumulation!.key, 'gradient_accumulation_steps');
  assert.deepEqual(v.fields.batch!.keyRange, { start: { line: 9, character: 0 }, end: { line: 9, character: 16 } });
  assert.deepEqual(v.fields.batch!.valueRange, { start: { line: 9, character: 18 }, end: { line: 9, character: 19 } });
  assert.equal(v.fields.seq!.keyRange.start.line, 8);
  assert.equal(v.fields.loraRank!.key, 'lora_r');
  assert.equal(v.extras['num_epochs'], 3);
  assert.equal(v.extras['lora_targets'], 'all-linear');
  // deepspeed names a JSON the caller reads and joins (the GPU count is said to come from elsewhere); load_in_4bit: false is not warned about
  assert.equal(v.deepspeed?.path, 'deepspeed_configs/zero2.json');
  const ds = r.errors.find((e) => e.key === 'deepspeed')!;
  assert.equal(ds.severity, 'info');
  assert.match(ds.message, /number of GPUs is not in this file/);
  assert.equal(ds.range.start.line, 15);
  assert.ok(!r.errors.some((e) => e.key === 'load_in_4bit'));
});

test('axolotl: qlora, an 8-bit optimizer and a subset of LoRA targets map to the scenario, each at its key', () => {
  const r = parseTrainingYaml('base_model: meta-llama/Llama-3.1-8B\nadapter: qlora\nload_in_4bit: true\nlora_r: 8\nlora_target_modules:\n  - q_proj\n  - v_proj\nlora_modules_to_save: [embed_tokens, lm_head]\noptimizer: paged_adamw_8bit\nplugins:\n  - axolotl.integrations.cut_cross_entropy.CutCrossEntropyPlugin\n');
  const sc = r.value!.scenario;
  assert.equal(sc.qlora, true);
  assert.equal(r.value!.fields.qlora!.key, 'load_in_4bit');
  assert.equal(sc.loraRank, 8);
  assert.equal(sc.optimizer, 'paged-adamw-8bit');
  assert.equal(sc.loraTargets, 'q_proj,v_proj');
  assert.equal(sc.loraModulesToSave, 'embed_tokens,lm_head');
  assert.equal(sc.loss, 'cce');
  assert.equal(r.errors.length, 0, r.errors.map((e) => e.message).join('\n'));
  assert.equal(sc.precision, 'fp32');
  assert.equal(sc.seq, 512); // axolotl's default sequence_len
  assert.equal(sc.batch, 1);
  const g = parseTrainingYaml('base_model: ./m\noptimizer: galore_adamw_8bit_layerwise\noptim_args: rank=64, update_proj_gap=100\noptim_target_modules: [attn, mlp]\n');
  assert.deepEqual([g.value!.scenario.optimizer, g.value!.scenario.layerwiseUpdate, g.value!.scenario.galoreRank, g.value!.scenario.galoreUpdateGap], ['galore-adamw-8bit', true, 64, 100]);
  const bad = parseTrainingYaml('base_model: ./m\noptimizer: adamw_anyprecision\n');
  const e = bad.errors.find((x) => x.key === 'optimizer')!;
  assert.equal(e.severity, 'error');
  assert.match(e.message, /optimizer: unknown optimizer "adamw_anyprecision"/);
  assert.equal(bad.value!.scenario.optimizer, undefined);
});

const LLAMAFACTORY = `### model
model_name_or_path: ../qwen2.5-7b

### method
stage: sft
do_train: true
finetuning_type: lora
lora_rank: 32
lora_target: all

### dataset
dataset: alpaca_en_demo
template: qwen
cutoff_len: 8192

### train
per_device_train_batch_size: 4
gradient_accumulation_steps: 4
learning_rate: 1.0e-4
num_train_epochs: 3.0
bf16: true
quantization_bit: 4
`;

test('LLaMA-Factory: keys, defaults (gradient checkpointing on) and a 4-bit base as QLoRA without prepare_model_for_kbit_training', () => {
  const r = parseTrainingYaml(LLAMAFACTORY);
  assert.ok(r.value);
  const v = r.value;
  assert.equal(v.kind, 'llamafactory');
  assert.equal(v.model, '../qwen2.5-7b');
  assert.deepEqual(v.scenario, {
    mode: 'training',
    batch: 4,
    seq: 8192,
    loraRank: 32,
    precision: 'bf16',
    gradCheckpointing: true,
    optimizer: 'adamw-fused',
    qlora: true,
    prepareKbit: false,
    doubleQuant: true,
    loraTargets: 'all-linear',
    gradAccumulation: 4,
    freezeVision: true, // LLaMA-Factory's default freeze_vision_tower
  });
  assert.equal(v.fields.seq!.key, 'cutoff_len');
  assert.equal(v.fields.seq!.keyRange.start.line, 13);
  assert.equal(v.fields.gradCheckpointing, undefined);
  assert.equal(v.extras['num_train_epochs'], 3);
  assert.equal(v.fields.qlora!.key, 'quantization_bit');
  assert.equal(v.fields.qlora!.keyRange.start.line, 21);
  assert.ok(!r.errors.some((e) => e.key === 'quantization_bit'));
  const g = parseTrainingYaml('model_name_or_path: x/y\nfinetuning_type: full\noptim: adamw_8bit\nuse_galore: true\ngalore_rank: 64\ngalore_layerwise: true\nenable_liger_kernel: true\n');
  const gs = g.value!.scenario;
  assert.deepEqual([gs.optimizer, gs.galoreRank, gs.galoreUpdateGap, gs.layerwiseUpdate, gs.loss], ['galore-adamw-8bit', 64, 200, true, 'liger-flce']);
  const fv = parseTrainingYaml('model_name_or_path: Qwen/Qwen2.5-VL-3B-Instruct\nfinetuning_type: full\nfreeze_vision_tower: false\n');
  assert.equal(fv.value!.scenario.freezeVision, false);
  assert.equal(fv.value!.fields.freezeVision!.key, 'freeze_vision_tower');
  const ap = parseTrainingYaml('model_name_or_path: x/y\nfinetuning_type: full\nuse_apollo: true\napollo_rank: 1\napollo_scale_type: tensor\n');
  assert.equal(ap.value!.scenario.optimizer, 'apollo-mini');
});

test('LLaMA-Factory: full fine-tuning with bf16 is amp-bf16; pure_bf16 is bf16; disable_gradient_checkpointing', () => {
  const a = parseTrainingYaml('model_name_or_path: x/y\nfinetuning_type: full\nbf16: true\ndisable_gradient_checkpointing: true\noptim: sgd\n');
  assert.equal(a.value!.scenario.precision, 'amp-bf16');
  assert.equal(a.value!.scenario.gradCheckpointing, false);
  assert.equal(a.value!.scenario.loraRank, undefined);
  assert.equal(a.value!.scenario.optimizer, 'sgd');
  assert.equal(a.value!.scenario.batch, 8); // HF default
  const b = parseTrainingYaml('model_name_or_path: x/y\nfinetuning_type: full\npure_bf16: true\n');
  assert.equal(b.value!.scenario.precision, 'bf16');
});

test('YAML flavour detection and malformed YAML', () => {
  assert.equal(detectYamlFlavour(['base_model', 'micro_batch_size']), 'axolotl');
  assert.equal(detectYamlFlavour(['model_name_or_path', 'cutoff_len']), 'llamafactory');
  assert.equal(detectYamlFlavour(['name', 'version']), null);
  const r = parseTrainingYaml('base_model: ./m\nmicro_batch_size: [1, 2\nsequence_len: 10\n');
  assert.ok(r.errors.some((e) => e.severity === 'error'));
  const e = r.errors.find((x) => x.severity === 'error')!;
  assert.match(e.message, /YAML syntax error at line \d+, column \d+/);
  const bad = parseTrainingYaml('base_model: ./m\nmicro_batch_size: lots\n');
  assert.match(bad.errors[0]!.message, /micro_batch_size: "lots" is not a whole number from 1 to 1,048,576; ignored/);
  assert.equal(bad.value!.scenario.batch, 1);
  assert.equal(parseTrainingYaml('- a\n- b\n').value, null);
});

test('optimizer names', () => {
  assert.equal(mapOptimizer('adamw_torch').optimizer, 'adamw');
  assert.equal(mapOptimizer('adamw_torch_fused').optimizer, 'adamw-fused');
  assert.equal(mapOptimizer('sgd').optimizer, 'sgd');
  assert.equal(mapOptimizer('adafactor').optimizer, 'adafactor');
  assert.equal(mapOptimizer('adamw_bnb_8bit').optimizer, 'adamw-8bit');
  assert.deepEqual(mapOptimizer('galore_adamw_8bit_layerwise'), { optimizer: 'galore-adamw-8bit', layerwiseUpdate: true });
  assert.equal(mapOptimizer('adamw_anyprecision').optimizer, null);
});

const SERVE = `#!/usr/bin/env bash
set -euo pipefail
MODEL=./qwen2.5-7b
# serve the Qwen
CUDA_VISIBLE_DEVICES=0 vllm serve "$MODEL" \\
  --max-model-len 32768 \\
  --max-num-seqs=64 \\
  --dtype bfloat16 \\
  --kv-cache-dtype fp8_e4m3 \\
  --enable-prefix-caching \\
  --gpu-memory-utilization 0.92 \\
  -tp 2
`;

test('vllm: line continuations, --opt=value, variables, env prefix, positions', () => {
  const r = parseVllmScript(SERVE);
  assert.ok(r.value);
  assert.equal(r.value.length, 1);
  const w = r.value[0]!;
  assert.equal(w.model, './qwen2.5-7b');
  assert.deepEqual(w.scenario, { mode: 'inference', newTokens: 0, runtime: 'vllm', seq: 32768, batch: 64, precision: 'bf16', weightsDtype: 'bf16', kvDtype: 'fp8', gpuMemoryUtilization: 0.92 });
  assert.equal(w.extras['gpuMemoryUtilization'], 0.92);
  assert.equal(w.fields.gpuMemoryUtilization!.keyRange.start.line, 10);
  assert.equal(w.fields.kvDtype!.valueRange.start.line, 8);
  assert.deepEqual(w.fields.seq!.keyRange, { start: { line: 5, character: 2 }, end: { line: 5, character: 17 } });
  assert.deepEqual(w.fields.seq!.valueRange, { start: { line: 5, character: 18 }, end: { line: 5, character: 23 } });
  assert.equal(w.fields.batch!.keyRange.start.line, 6);
  assert.equal(w.modelLocation!.valueRange.start.line, 4);
  const tp = r.errors.find((e) => e.key === '--tensor-parallel-size')!;
  assert.match(tp.message, /not modelled yet/);
  assert.equal(tp.range.start.line, 11);
});

test('vllm: python -m api_server, defaults, several commands, CRLF, sizes', () => {
  const r = parseVllmScript('python -m vllm.entrypoints.openai.api_server --model meta-llama/Llama-3.1-8B --max-model-len 8k\r\nvllm serve Qwen/Qwen2.5-7B && echo done\r\necho vllm\r\n');
  assert.equal(r.value!.length, 2);
  assert.equal(r.value![0]!.model, 'meta-llama/Llama-3.1-8B');
  assert.equal(r.value![0]!.scenario.seq, 8000);
  assert.equal(r.value![1]!.model, 'Qwen/Qwen2.5-7B');
  assert.equal(r.value![1]!.scenario.batch, undefined, 'max_num_seqs is left to the target GPU (vllmEngineDefaults)');
  assert.ok(r.errors.some((e) => /No --max-num-seqs: vLLM's default for the target GPU/.test(e.message)));
  assert.equal(r.value![1]!.scenario.seq, undefined);
  assert.equal(r.value![1]!.extras['maxModelLenFromConfig'], true);
  assert.equal(parseSize('32K'), 32768);
  assert.equal(parseSize('1m'), 1_000_000);
  assert.equal(parseSize('abc'), null);
  const bad = parseVllmScript('vllm serve m --max-model-len lots');
  assert.match(bad.errors[0]!.message, /--max-model-len: "lots" is not a whole number from 1 to 16,777,216; ignored/);
});

test('vllm: the runtime options become scenario fields; unset ones are left to the settings', () => {
  const r = parseVllmScript('vllm serve ./m --max-num-batched-tokens 16K --gpu-memory-utilization=0.85 --max-num-seqs 8\n');
  const w = r.value![0]!;
  assert.equal(w.scenario.runtime, 'vllm');
  assert.equal(w.scenario.maxNumBatchedTokens, 16384);
  assert.equal(w.scenario.gpuMemoryUtilization, 0.85);
  assert.equal(w.extras['maxNumBatchedTokens'], 16384);
  assert.deepEqual(w.fields.maxNumBatchedTokens!.keyRange, { start: { line: 0, character: 15 }, end: { line: 0, character: 39 } });
  const bare = parseVllmScript('vllm serve ./m --max-num-seqs 8\n').value![0]!;
  assert.equal(bare.scenario.gpuMemoryUtilization, undefined, 'left to llmFootprint.defaults.gpuMemoryUtilization');
  assert.equal(bare.scenario.maxNumBatchedTokens, undefined);
  assert.equal(bare.extras['gpuMemoryUtilization'], undefined);
  // no "upper bound / not modelled" note about vLLM's runtime any more: the engine models it
  assert.deepEqual(parseVllmScript('vllm serve ./m --max-num-seqs 8\n').errors, []);
  const bad = parseVllmScript('vllm serve ./m --max-num-seqs 8 --gpu-memory-utilization 1.5 --max-num-batched-tokens x\n');
  assert.deepEqual(bad.errors.map((e) => e.key), ['--gpu-memory-utilization', '--max-num-batched-tokens']);
  assert.equal(bad.value![0]!.scenario.gpuMemoryUtilization, undefined);
});

test('tokenize: quotes, comments and a continuation inside a word', () => {
  const cmds = tokenize(`echo 'a b' "c \\" d" # no\nvl\\\nlm serve x`);
  assert.deepEqual(cmds.map((c) => c.map((t) => t.text)), [['echo', 'a b', 'c " d'], ['vllm', 'serve', 'x']]);
});

test('parseDocumentText dispatches by file name and ignores unrelated files', () => {
  assert.equal(parseDocumentText('/w/config.json', CONFIG).kind, 'model-config');
  assert.equal(parseDocumentText('/w/package.json', '{"name": "x"}').kind, null);
  assert.equal(parseDocumentText('/w/tsconfig.json', '{"compilerOptions": {}').errors.length, 0);
  assert.equal(parseDocumentText('/w/train.yaml', AXOLOTL).kind, 'axolotl');
  assert.equal(parseDocumentText('/w/ci.yml', 'on: push\njobs: {}\n').kind, null);
  assert.equal(parseDocumentText('/w/serve.sh', SERVE).kind, 'vllm');
  assert.equal(parseDocumentText('/w/build.sh', 'make all\n').kind, null);
  // huge files: a message for one that looks like ours, silence for others (tokenizer.json)
  const pad = ' '.repeat(MAX_FILE_BYTES);
  assert.match(parseDocumentText('/w/config.json', `{"model_type": "llama",${pad}}`).errors[0]!.message, /skips files larger than 256 KiB/);
  assert.deepEqual(parseDocumentText('/w/tokenizer.json', `{"version": "1.0",${pad}}`).errors, []);
  assert.deepEqual(parseDocumentText('/w/data.yaml', `rows:${pad}`).errors, []);
});

test('linking a workload to its model config', () => {
  assert.equal(isLocalModelPath('./llama-3.1-8b'), true);
  assert.equal(isLocalModelPath('meta-llama/Llama-3.1-8B'), false);
  assert.equal(isLocalModelPath('/models/llama'), true);
  assert.deepEqual(modelPathCandidates('./llama-3.1-8b', '/ws/examples', ['/ws']), ['/ws/examples/llama-3.1-8b/config.json', '/ws/llama-3.1-8b/config.json']);
  assert.deepEqual(modelPathCandidates('../qwen/config.json', '/ws/a/b', []), ['/ws/a/qwen/config.json']);
  const hub = modelPathCandidates('Qwen/Qwen2.5-7B', '/ws', ['/ws']);
  assert.ok(hub.includes('/ws/qwen2.5-7b/config.json'));
  assert.deepEqual(modelPathCandidates('$MODEL', '/ws', ['/ws']), []);
  // order: link, then a local path before the setting; for a hub id the setting first
  assert.deepEqual(linkOrder({ link: '/ws/x/config.json', model: './m', fileDir: '/ws/t', roots: ['/ws'], setting: 'models/llama' }), [
    '/ws/x/config.json',
    '/ws/t/m/config.json',
    '/ws/m/config.json',
    '/ws/models/llama/config.json',
  ]);
  const hubOrder = linkOrder({ model: 'Qwen/Qwen2.5-7B', fileDir: '/ws', roots: ['/ws'], setting: 'qwen/config.json' });
  assert.equal(hubOrder[0], '/ws/qwen/config.json');
  assert.ok(hubOrder.includes('/ws/qwen2.5-7b/config.json'));
  assert.deepEqual(linkOrder({ model: null, fileDir: '/ws', roots: ['/ws', '/ws2'], setting: 'a' }), ['/ws/a/config.json', '/ws2/a/config.json']);
});

test('LineIndex round-trips offsets', () => {
  const t = 'ab\r\ncd\nef';
  const i = new LineIndex(t);
  assert.deepEqual(i.position(5), { line: 1, character: 1 });
  assert.equal(i.offset({ line: 2, character: 1 }), 8);
});

test('model config: JSON as Python writes it (Infinity, -Infinity, NaN) parses, with positions kept', () => {
  const text = '{\n  "model_type": "nemotron_h",\n  "time_step_limit": [0.0, Infinity],\n  "x": -Infinity, "y": NaN,\n  "note": "NaN and Infinity in a string",\n  // Infinity in a comment\n  "hidden_size": 4096\n}';
  const r = parseModelConfig(text);
  assert.deepEqual(r.errors, []);
  const c = r.value!.config;
  assert.deepEqual(c['time_step_limit'], [0, Infinity]);
  assert.equal(c['x'], -Infinity);
  assert.ok(Number.isNaN(c['y']));
  assert.equal(c['note'], 'NaN and Infinity in a string');
  assert.equal(c['hidden_size'], 4096);
  const x = r.value!.keys.find((k) => k.key === 'x')!;
  assert.deepEqual(x.valueRange, { start: { line: 3, character: 7 }, end: { line: 3, character: 16 } });
  const h = r.value!.keys.find((k) => k.key === 'hidden_size')!;
  assert.deepEqual(h.keyRange.start, { line: 6, character: 2 });
  // Words that merely contain the literals stay errors.
  assert.ok(parseModelConfig('{"a": NaNx}').errors.length > 0);
  assert.ok(parseModelConfig('{"a": Infinityy}').errors.length > 0);
});
