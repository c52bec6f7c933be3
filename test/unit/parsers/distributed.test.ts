import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseDeepSpeedJson,
  parseAccelerateYaml,
  parseLaunchScript,
  parseTrainingYaml,
  parseDocumentText,
  joinDeepSpeed,
  resolveAutos,
  autoSources,
  namedSource,
  type WorkloadFile,
} from '../../../src/parsers/index.ts';

const DS = `{
  "train_micro_batch_size_per_gpu": "auto",
  "gradient_accumulation_steps": 4,
  "bf16": { "enabled": "auto" },
  "zero_optimization": {
    "stage": 3,
    "offload_optimizer": { "device": "cpu", "pin_memory": true },
    "offload_param": { "device": "nvme", "nvme_path": "/local_nvme" },
    "reduce_bucket_size": "auto",
    "stage3_prefetch_bucket_size": 50000000,
    "stage3_max_live_parameters": 1e9,
    "stage3_param_persistence_threshold": "auto"
  }
}`;

function ds(text: string): WorkloadFile {
  const r = parseDeepSpeedJson(text);
  assert.ok(r.value, JSON.stringify(r.errors));
  return r.value;
}

function dsError(text: string): string {
  const r = parseDeepSpeedJson(text);
  assert.equal(r.value, null);
  const errs = r.errors.filter((e) => e.severity === 'error');
  assert.equal(errs.length, 1, JSON.stringify(r.errors));
  return errs[0]!.message;
}

test('DeepSpeed JSON: stage, offload devices, buckets, autos, with key positions', () => {
  const w = ds(DS);
  assert.equal(w.kind, 'deepspeed');
  assert.deepEqual(w.scenario, {
    mode: 'training',
    runtime: 'deepspeed',
    zero: 3,
    gradAccumulation: 4,
    prefetchBucketSize: 50_000_000,
    maxLiveParameters: 1_000_000_000,
    offloadOptimizer: 'cpu',
    offloadParams: 'nvme',
  });
  assert.deepEqual(w.fields.zero?.keyRange, { start: { line: 5, character: 4 }, end: { line: 5, character: 11 } });
  assert.equal(w.fields.offloadParams?.key, 'zero_optimization.offload_param.device');
  assert.deepEqual(w.fields.offloadParams?.valueRange.start, { line: 7, character: 33 });
  assert.deepEqual(
    w.autos?.map((a) => [a.field, a.loc.key]),
    [
      ['batch', 'train_micro_batch_size_per_gpu'],
      ['reduceBucketSize', 'zero_optimization.reduce_bucket_size'],
      ['paramPersistenceThreshold', 'zero_optimization.stage3_param_persistence_threshold'],
      ['precision', 'bf16.enabled'],
    ],
  );
  assert.deepEqual(w.autos?.[0]?.loc.keyRange.start, { line: 1, character: 2 });
});

test('DeepSpeed JSON: is recognized by parseDocumentText; a model config is not taken for one', () => {
  assert.equal(parseDocumentText('ds_config.json', DS).kind, 'deepspeed');
  assert.equal(parseDocumentText('config.json', '{"model_type": "llama", "train_batch_size": 1}').kind, 'model-config');
  assert.equal(parseDocumentText('package.json', '{"name": "x"}').kind, null);
});

test('DeepSpeed JSON: explicit precision, fp32 without a section', () => {
  assert.equal(ds('{"zero_optimization": {"stage": 2}, "bf16": {"enabled": true}}').scenario.precision, 'bf16');
  assert.equal(ds('{"zero_optimization": {"stage": 2}, "fp16": {"enabled": true}, "bf16": {"enabled": false}}').scenario.precision, 'fp16');
  assert.equal(ds('{"zero_optimization": {"stage": 2}, "fp16": {"enabled": false}}').scenario.precision, 'fp32');
  assert.equal(ds('{"zero_optimization": {"stage": 2}}').scenario.precision, undefined);
});

test('DeepSpeed JSON: every bad input is one error naming the key, at the key', () => {
  assert.equal(dsError('{"zero_optimization": {"stage": "three"}}'), 'zero_optimization.stage: "three" is not 0, 1, 2 or 3');
  assert.equal(dsError('{"zero_optimization": {"stage": 4}}'), 'zero_optimization.stage: 4 is not 0, 1, 2 or 3');
  assert.equal(dsError('{"zero_optimization": {"stage": 2, "reduce_bucket_size": "5e8"}}'), 'zero_optimization.reduce_bucket_size: "5e8" is not a number or "auto"');
  assert.equal(dsError('{"train_micro_batch_size_per_gpu": 2.5}'), 'train_micro_batch_size_per_gpu: 2.5 is not a whole number from 1 to 1,099,511,627,776');
  assert.equal(
    dsError('{"zero_optimization": {"stage": 2, "offload_param": {"device": "cpu"}}}'),
    'zero_optimization.offload_param.device: offloading parameters needs ZeRO stage 3 (zero_optimization.stage is 2)',
  );
  assert.equal(
    dsError('{"zero_optimization": {"stage": 0, "offload_optimizer": {"device": "cpu"}}}'),
    'zero_optimization.offload_optimizer.device: offloading the optimizer needs ZeRO stage 1, 2 or 3 (zero_optimization.stage is 0)',
  );
  assert.equal(dsError('{"zero_optimization": {"stage": 3, "offload_param": {"device": "gpu"}}}'), 'zero_optimization.offload_param.device: "gpu" is not "cpu", "nvme" or "none"');
  assert.equal(dsError('{"train_batch_size": 8, "fp16": {"enabled": true}, "bf16": {"enabled": true}}'), 'fp16.enabled: fp16 and bf16 are both enabled; DeepSpeed takes one — set the other to false');
  assert.equal(dsError('{"train_batch_size": 8, "bf16": {"enabled": "yes"}}'), 'bf16.enabled: "yes" is not true or false or "auto"');
  assert.equal(dsError('{"zero_optimization": {"stage": 3, "offload_param": {"device": "cpu", "pin_memory": "yes"}}}'), 'zero_optimization.offload_param.pin_memory: "yes" is not true or false');
  const r = parseDeepSpeedJson('{\n  "zero_optimization": {\n    "stage": "three"\n  }\n}');
  assert.deepEqual(r.errors[0]!.range, { start: { line: 2, character: 4 }, end: { line: 2, character: 11 } });
  assert.equal(r.errors[0]!.key, 'zero_optimization.stage');
});

test('DeepSpeed autos: resolved from the flags, then the defaults, each with a note', () => {
  const w = ds(DS);
  const flags = namedSource({ batch: 4, precision: 'bf16' }, (f) => `--${f}`);
  const r = resolveAutos(w, autoSources(w, [flags]), 4096);
  assert.deepEqual(r.scenario, { batch: 4, reduceBucketSize: 4096 * 4096, paramPersistenceThreshold: 40960, precision: 'bf16' });
  assert.deepEqual(r.notes, [
    'train_micro_batch_size_per_gpu: "auto" → 4 (--batch)',
    'zero_optimization.reduce_bucket_size: "auto" → 16,777,216 (hidden_size², as the Hugging Face Trainer fills it)',
    'zero_optimization.stage3_param_persistence_threshold: "auto" → 40,960 (10 × hidden_size, as the Hugging Face Trainer fills it)',
    'bf16.enabled: "auto" → true (bf16 from --precision)',
  ]);
  const none = resolveAutos(w, [], null);
  assert.equal(none.scenario.precision, 'fp32');
  assert.match(none.notes[0]!, /→ 1 \(no training file or flag sets it\)/);
});

test('DeepSpeed: world size from train_batch_size, and a mismatch with --gpus is reported', () => {
  const w = ds('{"train_batch_size": 64, "train_micro_batch_size_per_gpu": 2, "gradient_accumulation_steps": 4, "zero_optimization": {"stage": 1}}');
  const r = resolveAutos(w, [], null);
  assert.equal(r.scenario.gpus, 8);
  assert.match(r.notes[0]!, /^8 GPUs from train_batch_size 64/);
  const m = resolveAutos(w, [namedSource({ gpus: 4 }, () => '--gpus')], null);
  assert.equal(m.scenario.gpus, undefined);
  assert.match(m.notes[0]!, /train_batch_size 64 ≠ 8 per rank × 4 data-parallel ranks \(--gpus\)/);
});

const AXOLOTL = `base_model: ./llama
micro_batch_size: 2
gradient_accumulation_steps: 8
sequence_len: 2048
bf16: true
deepspeed: deepspeed_configs/zero3.json
`;

test('axolotl deepspeed: key is a reference (no "not modelled" warning); joined, its autos come from the YAML', () => {
  const t = parseTrainingYaml(AXOLOTL);
  assert.ok(t.value);
  assert.equal(t.value.deepspeed?.path, 'deepspeed_configs/zero3.json');
  assert.deepEqual(t.value.deepspeed?.loc.keyRange.start, { line: 5, character: 0 });
  assert.ok(!t.errors.some((e) => /not modelled/.test(e.message)), JSON.stringify(t.errors));
  const { file } = joinDeepSpeed(t.value, ds(DS), 'train.yaml', 'zero3.json');
  assert.equal(file.scenario.runtime, 'deepspeed');
  assert.equal(file.scenario.zero, 3);
  assert.equal(file.scenario.seq, 2048);
  const r = resolveAutos(file, autoSources(file, []), 4096);
  assert.equal(r.scenario.batch, 2);
  assert.equal(r.scenario.precision, 'bf16');
  assert.ok(r.notes.includes('train_micro_batch_size_per_gpu: "auto" → 2 (micro_batch_size in train.yaml)'), r.notes.join('\n'));
  assert.ok(r.notes.includes('bf16.enabled: "auto" → true (bf16 from bf16 in train.yaml)'), r.notes.join('\n'));
});

test('join: an explicit DeepSpeed micro-batch that disagrees with the YAML is a warning at the deepspeed: key', () => {
  const t = parseTrainingYaml(AXOLOTL).value!;
  const { file, notes } = joinDeepSpeed(t, ds('{"train_micro_batch_size_per_gpu": 4, "zero_optimization": {"stage": 2}}'), 'train.yaml', 'z2.json');
  assert.equal(file.scenario.batch, 4);
  assert.equal(notes.length, 1);
  assert.match(notes[0]!.message, /z2\.json sets train_micro_batch_size_per_gpu to 4 but micro_batch_size is 2/);
  assert.equal(notes[0]!.range.start.line, 5);
});

test('axolotl FSDP: fsdp list and fsdp_config (FSDP1 and FSDP2)', () => {
  const one = parseTrainingYaml(`base_model: x\nfsdp:\n  - full_shard\n  - auto_wrap\n  - offload\nfsdp_config:\n  fsdp_activation_checkpointing: true\n`).value!;
  assert.equal(one.scenario.zero, 3);
  assert.equal(one.scenario.offloadParams, 'cpu');
  assert.equal(one.scenario.offloadOptimizer, 'cpu');
  assert.equal(one.scenario.gradCheckpointing, true);
  const two = parseTrainingYaml(`base_model: x\nfsdp_version: 2\nfsdp_config:\n  reshard_after_forward: false\n  offload_params: false\n`).value!;
  assert.equal(two.scenario.zero, 2);
  assert.equal(two.scenario.offloadParams, undefined);
  const bad = parseTrainingYaml(`base_model: x\nfsdp_config:\n  fsdp_sharding_strategy: HALF_SHARD\n`);
  assert.ok(bad.errors.some((e) => e.severity === 'error' && e.message === 'fsdp_config.fsdp_sharding_strategy: "HALF_SHARD" is not FULL_SHARD, SHARD_GRAD_OP, NO_SHARD or HYBRID_SHARD'));
});

test('LLaMA-Factory deepspeed: key and an inline DeepSpeed object', () => {
  const lf = parseTrainingYaml(`model_name_or_path: x\ndeepspeed: examples/deepspeed/ds_z3_config.json\n`).value!;
  assert.equal(lf.deepspeed?.path, 'examples/deepspeed/ds_z3_config.json');
  const inline = parseTrainingYaml(`base_model: x\ndeepspeed:\n  zero_optimization:\n    stage: 2\n`);
  assert.equal(inline.value!.scenario.zero, 2);
  assert.equal(inline.value!.scenario.runtime, 'deepspeed');
  const bad = parseTrainingYaml(`base_model: x\ndeepspeed:\n  zero_optimization:\n    stage: three\n`);
  const e = bad.errors.find((x) => x.severity === 'error')!;
  assert.equal(e.message, 'zero_optimization.stage: "three" is not 0, 1, 2 or 3');
  assert.equal(e.range.start.line, 1);
});

const ACCEL = `compute_environment: LOCAL_MACHINE
distributed_type: FSDP
fsdp_config:
  fsdp_sharding_strategy: SHARD_GRAD_OP
  fsdp_offload_params: true
  fsdp_version: 1
mixed_precision: bf16
num_machines: 2
num_processes: 16
`;

test('accelerate YAML: FSDP strategy, offload, world and precision, with nested key positions', () => {
  const r = parseAccelerateYaml(ACCEL);
  assert.ok(r.value, JSON.stringify(r.errors));
  assert.deepEqual(r.value.scenario, { mode: 'training', gpus: 16, gpusPerNode: 8, precision: 'amp-bf16', zero: 2, offloadParams: 'cpu', offloadOptimizer: 'cpu' });
  assert.deepEqual(r.value.fields.zero?.keyRange, { start: { line: 3, character: 2 }, end: { line: 3, character: 24 } });
  assert.equal(parseDocumentText('accelerate.yaml', ACCEL).kind, 'accelerate');
  const fsdp2 = parseAccelerateYaml(`distributed_type: FSDP\nfsdp_config:\n  fsdp_version: 2\n  fsdp_reshard_after_forward: false\nnum_processes: 4\n`).value!;
  assert.equal(fsdp2.scenario.zero, 2);
});

test('accelerate YAML: DeepSpeed section, or the JSON it names', () => {
  const r = parseAccelerateYaml(`distributed_type: DEEPSPEED\ndeepspeed_config:\n  zero_stage: 3\n  offload_optimizer_device: cpu\n  offload_param_device: none\n  gradient_accumulation_steps: 2\nmixed_precision: bf16\nnum_processes: 8\n`).value!;
  assert.deepEqual(r.scenario, { mode: 'training', gpus: 8, precision: 'bf16', runtime: 'deepspeed', zero: 3, offloadOptimizer: 'cpu', offloadParams: 'none', gradAccumulation: 2 });
  const f = parseAccelerateYaml(`distributed_type: DEEPSPEED\ndeepspeed_config:\n  deepspeed_config_file: ds.json\nnum_processes: 8\n`).value!;
  assert.equal(f.deepspeed?.path, 'ds.json');
});

test('accelerate YAML: every bad input is one error naming the key', () => {
  const one = (text: string) => {
    const r = parseAccelerateYaml(text);
    assert.equal(r.value, null);
    const errs = r.errors.filter((e) => e.severity === 'error');
    assert.equal(errs.length, 1, JSON.stringify(r.errors));
    return errs[0]!.message;
  };
  assert.equal(one('distributed_type: MULTI_TPU\n'), 'distributed_type: "MULTI_TPU" is not one of NO, MULTI_GPU, FSDP, DEEPSPEED (or another accelerate distributed type)');
  assert.equal(one('distributed_type: MULTI_GPU\nnum_processes: eight\n'), 'num_processes: "eight" is not a number');
  assert.equal(one('distributed_type: MULTI_GPU\nnum_processes: 8\nnum_machines: 3\n'), 'num_machines: 3 machines do not divide num_processes 8');
  assert.equal(one('distributed_type: MULTI_GPU\nmixed_precision: int4\n'), 'mixed_precision: "int4" is not no, fp16, bf16 or fp8');
  assert.equal(one('distributed_type: FSDP\nfsdp_config:\n  fsdp_sharding_strategy: HALF\n'), 'fsdp_config.fsdp_sharding_strategy: "HALF" is not FULL_SHARD, SHARD_GRAD_OP, NO_SHARD or HYBRID_SHARD');
  assert.equal(one('distributed_type: FSDP\nfsdp_config:\n  fsdp_version: 3\n'), 'fsdp_config.fsdp_version: 3 is not 1 or 2');
  assert.equal(one('distributed_type: DEEPSPEED\ndeepspeed_config:\n  zero_stage: three\n'), 'deepspeed_config.zero_stage: "three" is not 0, 1, 2 or 3');
  assert.equal(
    one('distributed_type: DEEPSPEED\ndeepspeed_config:\n  zero_stage: 2\n  offload_param_device: cpu\n'),
    'deepspeed_config.offload_param_device: offloading parameters needs ZeRO stage 3 (zero_stage is 2)',
  );
  const r = parseAccelerateYaml('distributed_type: DEEPSPEED\ndeepspeed_config:\n  zero_stage: three\n');
  assert.deepEqual(r.errors[0]!.range.start, { line: 2, character: 2 });
});

test('launch lines: torchrun, accelerate launch, deepspeed; GPU counts and the configs they name', () => {
  const r = parseLaunchScript(`#!/bin/bash
torchrun --nproc_per_node 8 --nnodes=2 train.py --deepspeed ds_z3.json
accelerate launch --config_file fsdp.yaml --num_processes 4 -m axolotl.cli.train config.yml
deepspeed --num_gpus=2 src/train.py \\
  --deepspeed ds.json
python -m torch.distributed.run --nproc-per-node $NGPU train.py
`);
  const v = r.value!;
  assert.equal(v.length, 4);
  assert.deepEqual([v[0]!.gpus, v[0]!.gpusPerNode, v[0]!.configs.map((c) => c.path)], [16, 8, ['ds_z3.json']]);
  assert.deepEqual(v[0]!.gpusLocation?.valueRange, { start: { line: 1, character: 26 }, end: { line: 1, character: 27 } });
  assert.deepEqual([v[1]!.launcher, v[1]!.gpus, v[1]!.configs.map((c) => c.path)], ['accelerate', 4, ['fsdp.yaml', 'config.yml']]);
  assert.deepEqual([v[2]!.launcher, v[2]!.gpus, v[2]!.configs.map((c) => c.path)], ['deepspeed', 2, ['ds.json']]);
  assert.equal(v[3]!.gpus, null);
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0]!.message, /--nproc-per-node: "\$NGPU" is not a whole number of GPUs/);
});
