/** The CLI contract: flags, --json shape, and bad input as clear messages with a non-zero exit (never a stack trace). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../src/cli/main.ts';
import type { Estimate } from '../../../src/core/index.ts';

/** What `solve --json` prints. */
interface SolveJson {
  axis: 'batch' | 'seq';
  gpu: string;
  largest: number;
  peak_bytes: number | null;
  device_bytes: number | null;
}

const LLAMA = join(import.meta.dirname, '..', '..', 'fixtures', 'measured', 'configs', 'llama-3.2-1b.json');
const dir = mkdtempSync(join(tmpdir(), 'llmfp-cli-'));

function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = run(args, (s) => void (out += s), (s) => void (err += s));
  return { code, out, err };
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function assertCleanError(r: { code: number; err: string }, pattern: RegExp) {
  assert.notEqual(r.code, 0);
  assert.match(r.err, pattern);
  assert.doesNotMatch(r.err, /\n\s+at .+:\d+:\d+/, 'no stack trace');
}

test('estimate --json has the contracted shape', () => {
  const r = cli('estimate', LLAMA, '--mode', 'training', '--batch', '4', '--seq', '2048', '--precision', 'bf16', '--grad-checkpointing', '--gpu', 'h100-sxm-80gb', '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as Estimate;
  assert.equal(j.model.type, 'llama');
  assert.equal(j.params.total, 1_235_814_400);
  assert.equal(j.params.trainable, 1_235_814_400);
  assert.equal(typeof j.params.embedding, 'number');
  for (const k of ['peak_bytes', 'device_bytes', 'host_bytes'] as const) assert.ok(Number.isInteger(j.memory[k]), k);
  assert.equal(j.memory.fits, true);
  assert.ok(Array.isArray(j.warnings));
  const ids = j.memory.terms.map((t: { id: string }) => t.id);
  for (const id of ['weights', 'activations', 'logits', 'optimizer_states']) assert.ok(ids.includes(id), id);
  for (const t of j.memory.terms) {
    assert.ok(['gpu', 'cpu', 'nvme'].includes(t.where));
    assert.equal(typeof t.formula, 'string');
    assert.equal(typeof t.source, 'string');
  }
});

test('fits is null without --gpu; the table names the peak', () => {
  const j = JSON.parse(cli('estimate', LLAMA, '--json').out) as Estimate;
  assert.equal(j.memory.fits, null);
  const t = cli('estimate', LLAMA, '--seq', '4096');
  assert.equal(t.code, 0);
  assert.match(t.out, /peak/);
  assert.match(t.out, /KV cache/);
});

test('--check exits 1 when the setup does not fit', () => {
  const r = cli('estimate', LLAMA, '--mode', 'training', '--batch', '64', '--seq', '8192', '--gpu', 'rtx-4090', '--check');
  assert.equal(r.code, 1);
  assert.match(r.out, /does NOT fit/);
});

test('flags of later capabilities fail with "not supported yet"', () => {
  assertCleanError(cli('estimate', LLAMA, '--fsdp'), /--zero 3.*not supported yet/);
  assertCleanError(cli('estimate', LLAMA, '--optimizer', 'adamw8bit'), /unknown optimizer "adamw8bit".*adamw-8bit/);
  assertCleanError(cli('estimate', LLAMA, '--runtime', 'llama.cpp'), /not supported yet/);
  assertCleanError(cli('estimate', LLAMA, '--mode', 'training', '--weights-dtype', 'int4', '--lora-rank', '8'), /not supported yet/);
});

test('bad flag values are refused with the flag name', () => {
  assertCleanError(cli('estimate', LLAMA, '--batch', '0'), /--batch/);
  assertCleanError(cli('estimate', LLAMA, '--batch', '-3'), /--batch/);
  assertCleanError(cli('estimate', LLAMA, '--batch', 'four'), /--batch must be a whole number/);
  assertCleanError(cli('estimate', LLAMA, '--seq', '1e308'), /--seq/);
  assertCleanError(cli('estimate', LLAMA, '--precision', 'bf17'), /--precision must be one of/);
  assertCleanError(cli('estimate', LLAMA, '--gpu', 'tpu-v9'), /unknown GPU/);
  assertCleanError(cli('estimate', LLAMA, '--no-such-flag'), /unknown option/);
});

test('malformed JSON is reported with its line and column', () => {
  const p = file('bad.json', '{\n  "model_type": "llama",\n  "hidden_size": 4096,,\n}\n');
  assertCleanError(cli('estimate', p), /bad\.json:3:\d+: malformed JSON/);
});

test('a non-object, a missing key, wrong types and absurd sizes name the key', () => {
  assertCleanError(cli('estimate', file('arr.json', '[1, 2, 3]')), /object/);
  const base = { model_type: 'llama', hidden_size: 2048, intermediate_size: 8192, num_hidden_layers: 16, num_attention_heads: 32, vocab_size: 32000 };
  const without = { ...base } as Record<string, unknown>;
  delete without.hidden_size;
  assertCleanError(cli('estimate', file('missing.json', JSON.stringify(without))), /hidden_size/);
  assertCleanError(cli('estimate', file('str.json', JSON.stringify({ ...base, num_hidden_layers: '16' }))), /num_hidden_layers/);
  assertCleanError(cli('estimate', file('neg.json', JSON.stringify({ ...base, vocab_size: -5 }))), /vocab_size/);
  assertCleanError(cli('estimate', file('zero.json', JSON.stringify({ ...base, num_attention_heads: 0 }))), /num_attention_heads/);
  assertCleanError(cli('estimate', file('huge.json', JSON.stringify({ ...base }).replace('2048', '1e308'))), /hidden_size/);
});

test('a missing file and a huge file are clear errors', () => {
  assertCleanError(cli('estimate', join(dir, 'nope.json')), /nope\.json: cannot read/);
  const big = file('big.json', `{"pad": "${'x'.repeat(9 * 1024 * 1024)}"}`);
  assertCleanError(cli('estimate', big), /larger than 256 KiB/);
});

test('gpus lists the catalog', () => {
  const r = cli('gpus');
  assert.equal(r.code, 0);
  assert.match(r.out, /h100-sxm-80gb/);
  assert.match(r.out, /rtx-4090/);
});

const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'examples');

test('a model directory, an axolotl YAML and a vllm script are estimated like the editor does', () => {
  const dirRun = JSON.parse(cli('estimate', join(EXAMPLES, 'llama-3.1-8b'), '--json').out) as Estimate;
  assert.equal(dirRun.model.type, 'llama');
  const yaml = JSON.parse(cli('estimate', join(EXAMPLES, 'axolotl-lora.yaml'), '--json').out) as Estimate;
  assert.equal(yaml.scenario.mode, 'training');
  assert.equal(yaml.scenario.loraRank, 16);
  assert.equal(yaml.scenario.gradCheckpointing, true);
  assert.equal(yaml.params.total, dirRun.params.total, 'the YAML links to ./llama-3.1-8b');
  const flag = JSON.parse(cli('estimate', join(EXAMPLES, 'axolotl-lora.yaml'), '--batch', '1', '--json').out) as Estimate;
  assert.equal(flag.scenario.batch, 1, 'flags override the file');
  assert.equal(flag.scenario.mode, 'training', 'the mode default does not override the file');
  const vllm = JSON.parse(cli('estimate', join(EXAMPLES, 'serve-vllm.sh'), '--gpu', 'h100-sxm-80gb', '--json').out) as Estimate;
  assert.equal(vllm.scenario.runtime, 'vllm');
  assert.equal(vllm.scenario.seq, 32768);
  assert.equal(vllm.scenario.batch, 64);
  assert.ok(vllm.memory.serving && vllm.memory.serving.max_concurrency > 0);
});

test('a workload whose model is neither local, cached nor in the catalog needs --model, and says so', () => {
  const p = file('hub.yaml', 'base_model: acme-internal/secret-model\nmicro_batch_size: 2\nsequence_len: 1024\n');
  assertCleanError(cli('estimate', p), /not a local folder with a config\.json, .*Hugging Face cache.*bundled catalog; pass --model/);
  const r = cli('estimate', p, '--model', LLAMA, '--json');
  assert.equal(r.code, 0, r.err);
  assert.equal((JSON.parse(r.out) as Estimate).scenario.batch, 2);
  assertCleanError(cli('estimate', file('notes.txt', 'hello')), /not a model config/);
});

test('solve finds the largest batch that fits: it fits, one more does not', () => {
  const r = cli('solve', join(EXAMPLES, 'axolotl-lora.yaml'), '--gpu', 'h100-sxm-80gb', '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as SolveJson;
  assert.equal(j.axis, 'batch');
  assert.ok(j.largest >= 1);
  const at = JSON.parse(cli('estimate', join(EXAMPLES, 'axolotl-lora.yaml'), '--gpu', 'h100-sxm-80gb', '--batch', String(j.largest), '--json').out) as Estimate;
  const over = JSON.parse(cli('estimate', join(EXAMPLES, 'axolotl-lora.yaml'), '--gpu', 'h100-sxm-80gb', '--batch', String(j.largest + 1), '--json').out) as Estimate;
  assert.equal(at.memory.fits, true);
  assert.equal(over.memory.fits, false);
  assert.equal(j.device_bytes, at.memory.device_bytes);
});

test('solve needs a GPU, and exits 1 when nothing fits', () => {
  assertCleanError(cli('solve', LLAMA), /--gpu/);
  const r = cli('solve', join(EXAMPLES, 'llamafactory-sft.yaml'), '--gpu', 'rtx-4090');
  assert.equal(r.code, 1);
  assert.match(r.out, /not even batch 1 fits/);
  const seq = JSON.parse(cli('solve', LLAMA, '--for', 'seq', '--gpu', 'rtx-4090', '--json').out) as SolveJson;
  assert.equal(seq.axis, 'seq');
  assert.ok(seq.largest > 1000);
});

test('a config.json with Python-style Infinity/NaN is read; a non-finite value that matters is an error naming its key', () => {
  const base = JSON.parse(readFileSync(LLAMA, 'utf8')) as Record<string, unknown>;
  const ok = file('py-json.json', JSON.stringify(base).replace(/}$/, ', "time_step_limit": [0.0, Infinity], "initializer_range": NaN}'));
  const r = cli('estimate', ok, '--json');
  assert.equal(r.code, 0, r.err);
  const bad = file('py-json-bad.json', JSON.stringify({ ...base, num_hidden_layers: 0 }).replace('"num_hidden_layers":0', '"num_hidden_layers":Infinity'));
  assertCleanError(cli('estimate', bad), /"num_hidden_layers" must be a finite integer, got Infinity/);
});

test('--images N adds a multimodal model\'s image tokens to the sequence; a text-only model refuses it with exit 2', () => {
  const gemma = join(import.meta.dirname, '..', '..', 'fixtures', 'configs', 'gemma-3-4b-it.json');
  const r = cli('estimate', gemma, '--images', '2', '--seq', '1000', '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { scenario: { images: number }; warnings: string[] };
  assert.equal(j.scenario.images, 2);
  assert.ok(j.warnings.some((w) => /add 512 tokens/.test(w)));
  const bad = cli('estimate', LLAMA, '--images', '1');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /images: .* reads no images/);
});
