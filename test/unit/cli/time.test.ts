/** The CLI's time flags and solves: --json carries roofline and time, bad efficiencies are one clear line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run } from '../../../src/cli/main.ts';

const LLAMA = join(import.meta.dirname, '..', '..', 'fixtures', 'measured', 'configs', 'llama-3.2-1b.json');

type Figures = Record<string, number | undefined> & { note?: string; ops?: { bound: string }[] };
const json = (s: string) => JSON.parse(s) as { roofline: Figures; time: Figures };
const solved = (s: string) => JSON.parse(s) as Record<string, number>;

function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = run(args, (s) => void (out += s), (s) => void (err += s));
  return { code, out, err };
}

test('--decode picks the decode implementation; --compiled is --decode compiled', () => {
  const step = (...flags: string[]) => {
    const r = cli('estimate', LLAMA, '--batch', '8', '--seq', '1024', '--new-tokens', '128', '--gpu', 'h200-141gb', ...flags, '--json');
    assert.equal(r.code, 0, r.err);
    return json(r.out).time.decode_step_s!;
  };
  const [eager, graphs, compiled] = [step(), step('--decode', 'cuda-graphs'), step('--decode', 'compiled')];
  assert.ok(eager > graphs && graphs > compiled, `${eager} > ${graphs} > ${compiled}`);
  assert.equal(step('--compiled'), compiled);
  assert.equal(step('--compiled', '--decode', 'compiled'), compiled);
  const bad = cli('estimate', LLAMA, '--decode', 'jit', '--json');
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /--decode must be one of eager, cuda-graphs, compiled/);
  const both = cli('estimate', LLAMA, '--gpu', 'h200-141gb', '--compiled', '--decode', 'eager', '--json');
  assert.notEqual(both.code, 0);
  assert.match(both.err, /contradicts --decode eager/);
});

test('estimate --json carries roofline and time; fields that do not apply are absent', () => {
  const r = cli('estimate', LLAMA, '--batch', '8', '--seq', '1024', '--new-tokens', '128', '--gpu', 'h200-141gb', '--compiled', '--json');
  assert.equal(r.code, 0, r.err);
  const j = json(r.out);
  for (const k of ['prefill_s', 'ttft_s', 'decode_step_s']) assert.ok(j.roofline[k]! > 0 && j.time[k]! >= j.roofline[k]!, k);
  assert.ok(j.time.tokens_per_s! > 0 && j.time.tokens_per_s! <= j.roofline.tokens_per_s!);
  assert.equal(j.time.train_step_s, undefined);
  assert.ok(j.roofline.ops!.length > 10 && j.roofline.ops!.every((o) => o.bound === 'compute' || o.bound === 'memory'));
  assert.match(j.time.note!, /calibrated/);
});

test('training with --dataset-tokens gives time per epoch; --mfu changes expected time, not the roofline', () => {
  const a = json(cli('estimate', LLAMA, '--mode', 'training', '--batch', '4', '--seq', '2048', '--gpu', 'h100-sxm-80gb', '--dataset-tokens', '1000000000', '--json').out);
  const b = json(cli('estimate', LLAMA, '--mode', 'training', '--batch', '4', '--seq', '2048', '--gpu', 'h100-sxm-80gb', '--mfu', '0.2', '--json').out);
  assert.ok(a.time.epoch_s! > 0 && b.time.epoch_s === undefined);
  assert.ok(b.time.train_step_s! > a.time.train_step_s!);
  assert.equal(a.roofline.train_step_s, b.roofline.train_step_s);
});

test('an efficiency outside (0, 1] is one clear line', () => {
  for (const [flag, v] of [['--mfu', '0'], ['--mfu', '1.2'], ['--bandwidth-efficiency', 'x']]) {
    const r = cli('estimate', LLAMA, flag, v);
    assert.equal(r.code, 2);
    assert.match(r.err, /must be a number in \(0, 1\]/);
    assert.equal(r.err.trim().split('\n').length, 1);
  }
});

test('without --gpu the table says why there is no time', () => {
  const r = cli('estimate', LLAMA);
  assert.match(r.out, /time {4}not computed: no GPU chosen/);
});

test('solve --for concurrency and --for throughput', () => {
  const c = solved(cli('solve', LLAMA, '--gpu', 'h100-sxm-80gb', '--seq', '2048', '--new-tokens', '256', '--for', 'concurrency', '--json').out);
  assert.ok(c.largest > 1);
  const t = solved(cli('solve', LLAMA, '--gpu', 'h100-sxm-80gb', '--seq', '2048', '--new-tokens', '256', '--compiled', '--for', 'throughput', '--json').out);
  assert.ok(t.batch >= 1 && t.batch <= t.largest && t.tokens_per_s > 0);
});

const LLAMA8B = join(import.meta.dirname, '..', '..', 'fixtures', 'measured', 'configs', 'llama-3.1-8b.json');

test('solve --for gpus: the fewest GPUs that fit a training setup at its ZeRO stage, in under 50 ms', () => {
  const args = ['solve', LLAMA8B, '--mode', 'training', '--batch', '1', '--seq', '4096', '--grad-checkpointing', '--gpu', 'rtx-4090', '--for', 'gpus', '--json'];
  const r = cli(...args, '--zero', '3');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { gpus: number; dp: number; device_bytes: number; strategy: string; time: string };
  assert.equal(j.gpus, 4);
  assert.equal(j.dp, 4);
  assert.equal(j.strategy, 'FSDP2 full shard');
  assert.ok(j.device_bytes <= 24564 * 2 ** 20 && /s\/step/.test(j.time));
  // One fewer does not fit; the answer is the estimate's own fit.
  const three = json(cli('estimate', LLAMA8B, '--mode', 'training', '--batch', '1', '--seq', '4096', '--grad-checkpointing', '--gpu', 'rtx-4090', '--zero', '3', '--gpus', '3', '--json').out) as unknown as { memory: { fits: boolean } };
  assert.equal(three.memory.fits, false);
  // DDP replicates every state: no number of GPUs fits, and the line says why (exit 1).
  const ddp = cli(...args.filter((a) => a !== '--json'), '--zero', '0');
  assert.equal(ddp.code, 1);
  assert.match(ddp.out, /ZeRO stage 0 replicates every state/);
  // tp 2: the world is a multiple of 2.
  const tp = JSON.parse(cli(...args, '--zero', '3', '--tp', '2').out) as { gpus: number; dp: number };
  assert.equal(tp.gpus % 2, 0);
  assert.equal(tp.gpus, tp.dp * 2);
  cli(...args, '--zero', '3');
  const t0 = performance.now();
  cli(...args, '--zero', '3');
  assert.ok(performance.now() - t0 < 50, `${performance.now() - t0} ms`);
});
