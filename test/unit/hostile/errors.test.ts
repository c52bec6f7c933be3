/**
 * Issue 12, errors: every error from a workspace file names the file (the CLI's prefix), the line, the key, the value
 * and the limit — `axolotl.yaml:2: micro_batch_size: 1e+308 is larger than 1,048,576; ignored.` — in each parser and
 * in the CLI's output, never "expected a positive whole number" or a scenario error without its file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDocumentText } from '../../../src/parsers/index.ts';
import { run } from '../../../src/cli/main.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const messages = (name: string, text: string) => parseDocumentText(name, text).errors.map((e) => `${e.range.start.line + 1} ${e.message}`);

test('axolotl: too large, too small, not a number — key, value and limit, at the line', () => {
  const m = messages('axolotl.yaml', 'base_model: ./m\nmicro_batch_size: 1e308\nsequence_len: 0\nadapter: lora\nlora_r: 1.5\ngradient_accumulation_steps: 70000\n');
  assert.deepEqual(m, [
    '2 micro_batch_size: 1e+308 is larger than 1,048,576; ignored.',
    '3 sequence_len: 0 is smaller than 1; ignored.',
    '5 lora_r: 1.5 is not a whole number from 1 to 65,536; ignored.',
    '6 gradient_accumulation_steps: 70000 is larger than 65,536; ignored.',
  ]);
});

test('LLaMA-Factory: batch, cutoff and method keys say the same', () => {
  const m = messages('sft.yaml', 'model_name_or_path: ./m\nper_device_train_batch_size: "lots"\ncutoff_len: 99999999\nuse_galore: true\ngalore_rank: -3\n');
  assert.deepEqual(m, [
    '2 per_device_train_batch_size: "lots" is not a whole number from 1 to 1,048,576; ignored.',
    '3 cutoff_len: 99999999 is larger than 16,777,216; ignored.',
    '5 galore_rank: -3 is smaller than 1; ignored.',
  ]);
});

test('vllm: sizes and parallel sizes with their limits; a bad --tensor-parallel-size is no longer ignored silently', () => {
  const m = messages('serve.sh', 'vllm serve ./m --max-model-len 99999999 --max-num-seqs 1e308 --gpu-memory-utilization 1.5 -tp 0 --pipeline-parallel-size x\n').slice(0, 5);
  assert.deepEqual(m, [
    '1 --max-model-len: 99999999 is larger than 16,777,216; ignored.',
    '1 --max-num-seqs: 1e+308 is not a whole number from 1 to 1,048,576; ignored.',
    '1 --gpu-memory-utilization: 1.5 is not a fraction in (0, 1]; ignored.',
    '1 --tensor-parallel-size: 0 is smaller than 1; ignored.',
    '1 --pipeline-parallel-size: "x" is not a whole number from 1 to 1,024; ignored.',
  ]);
});

test('DeepSpeed JSON and training-file parallel keys: value and limit', () => {
  assert.deepEqual(messages('ds.json', '{\n"train_micro_batch_size_per_gpu": 1e308\n}'), ['2 train_micro_batch_size_per_gpu: 1e+308 is larger than 1,099,511,627,776']);
  assert.deepEqual(messages('axolotl.yaml', 'base_model: ./m\ntensor_parallel_size: 4096\n'), ['2 tensor_parallel_size: 4096 is larger than 1,024']);
});

test('CLI: a file value the engine refuses, and a config.json value, are reported at file:line with the key', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmfp-errors-'));
  mkdirSync(path.join(dir, 'model'));
  const qwen = JSON.parse(readFileSync(path.join(ROOT, 'examples/qwen2.5-7b/config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(path.join(dir, 'model/config.json'), JSON.stringify(qwen));
  const cli = (...args: string[]) => {
    let out = '';
    let err = '';
    const code = run(args, (s) => void (out += s), (s) => void (err += s));
    return { code, out, err };
  };
  const ds = path.join(dir, 'ds.json');
  writeFileSync(ds, '{\n  "train_micro_batch_size_per_gpu": 2000000,\n  "zero_optimization": {"stage": 2}\n}\n');
  const r = cli('estimate', ds, '--model', path.join(dir, 'model'));
  assert.equal(r.code, 2);
  assert.equal(r.err, `error: ${ds}:2: train_micro_batch_size_per_gpu: 2000000 is larger than 1,048,576\n`);
  // The same value from a flag is the flag's error, not the file's.
  assert.doesNotMatch(cli('estimate', ds, '--model', path.join(dir, 'model'), '--batch', '2000000').err, /ds\.json:2/);
  const cfg = path.join(dir, 'config.json');
  writeFileSync(cfg, JSON.stringify({ ...qwen, hidden_size: 1e308 }, null, 2));
  const c = cli('estimate', cfg);
  assert.equal(c.code, 2);
  const line = JSON.stringify({ ...qwen, hidden_size: 1e308 }, null, 2).split('\n').findIndex((l) => l.includes('"hidden_size"')) + 1;
  assert.match(c.err, new RegExp(`config\\.json:${line}: "hidden_size" is too large: 1e\\+308 \\(limit 1048576\\)`));
  const y = path.join(dir, 'axolotl.yaml');
  writeFileSync(y, 'base_model: ./model\nsequence_len: 2048\nmicro_batch_size: 1e308\n');
  const a = cli('estimate', y);
  assert.equal(a.code, 0);
  assert.match(a.out, /note: axolotl\.yaml:3: micro_batch_size: 1e\+308 is larger than 1,048,576; ignored\./);
});
