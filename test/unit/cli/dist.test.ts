/** The CLI's multi-GPU inputs: flags for every distributed field, DeepSpeed JSON / accelerate / launch scripts, bad input → exit 2. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../src/cli/main.ts';
import type { Estimate } from '../../../src/core/index.ts';

const LLAMA = join(import.meta.dirname, '..', '..', 'fixtures', 'measured', 'configs', 'llama-3.2-1b.json');
const dir = mkdtempSync(join(tmpdir(), 'llmfp-dist-'));
cpSync(LLAMA, join(dir, 'model', 'config.json'), { recursive: true });

function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = run(args, (s) => void (out += s), (s) => void (err += s));
  return { code, out, err };
}
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const json = (r: { code: number; out: string; err: string }): Estimate => {
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as Estimate;
};

const DS = file('ds.json', '{"train_micro_batch_size_per_gpu": "auto", "bf16": {"enabled": "auto"}, "zero_optimization": {"stage": 3, "offload_optimizer": {"device": "cpu"}, "reduce_bucket_size": "auto"}}');

test('every distributed flag sets its scenario field, echoed by --json', () => {
  const e = json(
    cli('estimate', LLAMA, '--mode', 'training', '--json', '--gpus', '16', '--gpus-per-node', '4', '--zero', '3', '--offload-optimizer', 'nvme', '--offload-params', 'cpu',
      '--tp', '2', '--pp', '2', '--ep', '1', '--cp', '2', '--sequence-parallel', '--pp-micro-batches', '4', '--activation-offload', '--host-memory', '512 GiB',
      '--reduce-bucket-size', '1000', '--allgather-bucket-size', '2000', '--prefetch-bucket-size', '0', '--max-live-parameters', '5', '--param-persistence-threshold', '7', '--runtime', 'deepspeed'),
  );
  const s = e.scenario;
  assert.deepEqual(
    [s.gpus, s.gpusPerNode, s.zero, s.offloadOptimizer, s.offloadParams, s.tp, s.pp, s.ep, s.cp, s.sequenceParallel, s.ppMicroBatches, s.activationOffload, s.hostMemory],
    [16, 4, 3, 'nvme', 'cpu', 2, 2, 1, 2, true, 4, true, 512 * 2 ** 30],
  );
  assert.deepEqual([s.reduceBucketSize, s.allgatherBucketSize, s.prefetchBucketSize, s.maxLiveParameters, s.paramPersistenceThreshold, s.runtime], [1000, 2000, 0, 5, 7, 'deepspeed']);
});

test('bad distributed flags exit 2 with a message naming the flag', () => {
  for (const [args, re] of [
    [['--zero', '4'], /--zero must be between 0 and 3/],
    [['--gpus', 'eight'], /--gpus must be a whole number/],
    [['--offload-optimizer', 'disk'], /--offload-optimizer must be one of none, cpu, nvme/],
    [['--host-memory', 'lots'], /--host-memory must be a size/],
    [['--gpus-per-node', '65'], /GPUs per node must be at most 64/],
  ] as const) {
    const r = cli('estimate', LLAMA, '--mode', 'training', ...args);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, re);
  }
});

test('a DeepSpeed JSON with --model and --gpus: deepspeed runtime, autos resolved from the flags with notes', () => {
  const e = json(cli('estimate', DS, '--model', join(dir, 'model'), '--gpus', '8', '--batch', '2', '--precision', 'bf16', '--json'));
  assert.equal(e.scenario.runtime, 'deepspeed');
  assert.equal(e.scenario.mode, 'training');
  assert.deepEqual([e.scenario.zero, e.scenario.offloadOptimizer, e.scenario.gpus, e.scenario.batch, e.scenario.precision], [3, 'cpu', 8, 2, 'bf16']);
  assert.equal(e.scenario.reduceBucketSize, 2048 * 2048);
  assert.ok(e.warnings.includes('train_micro_batch_size_per_gpu: "auto" → 2 (--batch)'), e.warnings.join('\n'));
  assert.ok(e.warnings.includes('bf16.enabled: "auto" → true (bf16 from --precision)'), e.warnings.join('\n'));
  const text = cli('estimate', DS, '--model', join(dir, 'model'), '--gpus', '8');
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /8 GPUs, DeepSpeed ZeRO-3, optimizer on cpu/);
  assert.match(text.out, /note: reduce_bucket_size|note: zero_optimization\.reduce_bucket_size: "auto" → 4,194,304/);
});

test('a DeepSpeed JSON without --model says so; bad DeepSpeed values exit 2 with file:line:column and the key', () => {
  const r = cli('estimate', DS);
  assert.equal(r.code, 2);
  assert.match(r.err, /a DeepSpeed JSON does not name one\); pass --model/);
  const bad = file('bad.json', '{\n  "zero_optimization": {\n    "stage": "three"\n  }\n}');
  const b = cli('estimate', bad, '--model', LLAMA);
  assert.equal(b.code, 2);
  assert.equal(b.err, `error: ${bad}:3:5: zero_optimization.stage: "three" is not 0, 1, 2 or 3\n`);
  const both = file('both.json', '{"train_batch_size": 8, "fp16": {"enabled": true}, "bf16": {"enabled": true}}');
  assert.match(cli('estimate', both, '--model', LLAMA).err, /fp16\.enabled: fp16 and bf16 are both enabled/);
});

test('a training YAML that names a DeepSpeed JSON picks it up; the YAML resolves its autos', () => {
  const y = file('train.yaml', 'base_model: ./model\nmicro_batch_size: 3\nsequence_len: 1024\nbf16: true\ndeepspeed: ds.json\n');
  const e = json(cli('estimate', y, '--gpus', '4', '--json'));
  assert.deepEqual([e.scenario.runtime, e.scenario.zero, e.scenario.batch, e.scenario.seq, e.scenario.precision, e.scenario.gpus], ['deepspeed', 3, 3, 1024, 'bf16', 4]);
  assert.ok(e.warnings.includes('train_micro_batch_size_per_gpu: "auto" → 3 (micro_batch_size in train.yaml)'), e.warnings.join('\n'));
  const missing = file('missing.yaml', 'base_model: ./model\ndeepspeed: nowhere.json\n');
  const m = cli('estimate', missing);
  assert.equal(m.code, 2);
  assert.match(m.err, /missing\.yaml:2: deepspeed: "nowhere\.json" was not found/);
});

test('an accelerate config and a launch script', () => {
  const acc = file('accel.yaml', 'distributed_type: FSDP\nfsdp_config:\n  fsdp_sharding_strategy: FULL_SHARD\n  fsdp_offload_params: true\nmixed_precision: bf16\nnum_processes: 8\nnum_machines: 1\n');
  const a = json(cli('estimate', acc, '--model', LLAMA, '--json'));
  assert.deepEqual([a.scenario.runtime, a.scenario.zero, a.scenario.gpus, a.scenario.offloadParams, a.scenario.precision], ['pytorch', 3, 8, 'cpu', 'amp-bf16']);
  file('t2.yaml', 'base_model: ./model\nmicro_batch_size: 1\nbf16: true\n');
  const sh = file('launch.sh', '#!/bin/bash\naccelerate launch --config_file accel.yaml --num_processes 16 --num_machines 2 -m axolotl.cli.train t2.yaml\n');
  const l = json(cli('estimate', sh, '--json'));
  assert.deepEqual([l.scenario.gpus, l.scenario.gpusPerNode, l.scenario.zero, l.scenario.precision], [16, 8, 3, 'bf16']);
  assert.ok(l.warnings.some((w) => /16 GPUs from the accelerate line/.test(w)));
  const badAcc = file('bad-accel.yaml', 'distributed_type: FSDP\nnum_processes: eight\n');
  const r = cli('estimate', badAcc, '--model', LLAMA);
  assert.equal(r.code, 2);
  assert.match(r.err, /bad-accel\.yaml:2:1: num_processes: "eight" is not a number/);
});
