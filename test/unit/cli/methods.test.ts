/** The CLI for issue 8: method flags, HF optim names, `compare` (methods in columns, --json), and bad input (exit 2). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { run } from '../../../src/cli/main.ts';
import { compareMethods, parseScenario, readModelConfig, type Scenario } from '../../../src/core/index.ts';
import { readFileSync } from 'node:fs';

const LLAMA = join(import.meta.dirname, '..', '..', 'fixtures', 'configs', 'llama-3.1-8b.json');

interface Column {
  id: string;
  peak_bytes: number;
  terms: Record<string, number>;
  fits: string[];
}

function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = run(args, (s) => void (out += s), (s) => void (err += s));
  return { code, out, err };
}

function bad(args: string[], pattern: RegExp) {
  const r = cli(...args);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, pattern);
  assert.equal(r.err.trim().split('\n').length, 1, 'one line');
}

test('compare --json: nine methods in columns, each with its peak, terms and the GPUs it fits', () => {
  const r = cli('compare', LLAMA, '--batch', '1', '--seq', '2048', '--grad-checkpointing', '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { methods: Column[] };
  assert.deepEqual(
    j.methods.map((m) => m.id),
    ['full-amp', 'full-bf16', 'adamw-8bit', 'lora', 'qlora', 'galore', 'galore-8bit-lw', 'apollo', 'apollo-mini'],
  );
  const by = Object.fromEntries(j.methods.map((m) => [m.id, m])) as Record<string, Column>;
  assert.ok(by['qlora']!.peak_bytes < by['lora']!.peak_bytes && by['lora']!.peak_bytes < by['full-bf16']!.peak_bytes);
  assert.ok(by['adamw-8bit']!.terms['optimizer_states']! < by['full-bf16']!.terms['optimizer_states']! / 1.9);
  assert.ok(by['qlora']!.fits.includes('rtx-4090') && !by['full-bf16']!.fits.includes('rtx-4090'));
  // = the engine's own answer
  const spec = readModelConfig(JSON.parse(readFileSync(LLAMA, 'utf8')) as unknown);
  const cols = compareMethods(spec, parseScenario({ mode: 'training', batch: 1, seq: 2048, gradCheckpointing: true }));
  assert.deepEqual(cols.map((c) => c.peak_bytes), j.methods.map((m) => m.peak_bytes));
});

test('compare of nine methods answers in under 10 ms in-process', () => {
  const spec = readModelConfig(JSON.parse(readFileSync(LLAMA, 'utf8')) as unknown);
  const sc = parseScenario({ mode: 'training', batch: 1, seq: 2048 });
  compareMethods(spec, sc);
  const t = performance.now();
  for (let i = 0; i < 20; i++) compareMethods(spec, sc);
  const ms = (performance.now() - t) / 20;
  assert.ok(ms < 10, `${ms.toFixed(2)} ms`);
});

test('compare prints a table with the methods as columns', () => {
  const r = cli('compare', LLAMA, '--seq', '1024');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /QLoRA r16/);
  assert.match(r.out, /APOLLO-Mini/);
  assert.match(r.out, /fits \(of catalog\)/);
});

test('HF optim names map to our optimizers (with their layer-wise forms)', () => {
  const j = (args: string[]) => JSON.parse(cli('estimate', LLAMA, '--mode', 'training', '--seq', '512', '--json', ...args).out) as { scenario: Scenario };
  assert.equal(j(['--optimizer', 'adamw_bnb_8bit']).scenario.optimizer, 'adamw-8bit');
  const lw = j(['--optimizer', 'galore_adamw_8bit_layerwise']).scenario;
  assert.equal(lw.optimizer, 'galore-adamw-8bit');
  assert.equal(lw.layerwiseUpdate, true);
  assert.equal(j(['--qlora', '--lora-rank', '16', '--no-prepare-kbit', '--no-double-quant']).scenario.doubleQuant, false);
});

test('bad input: one line naming the flag or key, exit 2', () => {
  bad(['estimate', LLAMA, '--mode', 'training', '--optimizer', 'adamw9bit'], /--optimizer: unknown optimizer "adamw9bit"/);
  bad(['estimate', LLAMA, '--mode', 'training', '--qlora'], /qlora: QLoRA needs a LoRA rank/);
  bad(['estimate', LLAMA, '--mode', 'training', '--optimizer', 'galore-adamw', '--galore-rank', '2000'], /galoreRank: rank 2000 is above/);
  bad(['estimate', LLAMA, '--mode', 'training', '--lora-rank', '8', '--lora-targets', 'c_attn'], /loraTargets: the model has no linear module "c_attn"/);
  bad(['estimate', LLAMA, '--runtime', 'vllm', '--kv-dtype', 'int4'], /kvDtype: int4/);
});
