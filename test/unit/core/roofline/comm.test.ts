/**
 * Multi-GPU time (src/core/roofline/comm.ts) against hand counts: tensor-parallel all-reduces, DDP and ZeRO
 * gradient/parameter traffic, the pipeline bubble, offload over PCIe; and the two measured 2×H200 steps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { estimate, type ScenarioInput } from '../../../../src/core/index.ts';

const ROOT = path.join(import.meta.dirname, '..', '..', '..', '..');
const LLAMA = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/configs/llama-3.2-1b.json'), 'utf8')) as object;
const near = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol * Math.abs(expected), `${what}: ${actual} vs ${expected} (±${tol * 100}%)`);
const base: ScenarioInput = { mode: 'training', batch: 4, seq: 2048, precision: 'bf16', optimizer: 'adamw', gpu: 'h200-141gb' };
const run = (extra: ScenarioInput) => estimate(LLAMA, { ...base, ...extra });
const term = (e: ReturnType<typeof run>, re: RegExp) => e.roofline.comm!.find((t) => re.test(t.name))!;
const NVLINK = 900e9 / 2; // one direction of the H200's NVLink
const PCIE = 128e9 / 2;
const T = 1_235_814_400; // Llama-3.2-1B trainable parameters (tied embedding counted once)
const L = 16, H = 2048;

test('the multi-GPU warning is gone: communication is in the time, each term listed', () => {
  const e = run({ gpus: 2 });
  assert.ok(!e.warnings.some((w) => /not modelled yet/.test(w)));
  assert.ok(e.time.comm!.length > 0 && e.time.note.includes('comm.ts'));
  assert.equal(run({}).time.comm, undefined, 'one GPU: no traffic terms');
});

test('DDP: all-reduce of 2·(N−1)/N of the bf16 gradients, overlapped with backward', () => {
  for (const n of [2, 8]) {
    const e = run({ gpus: n });
    const ar = term(e, /all-reduce \(DDP\)/);
    assert.equal(e.params.trainable, T);
    near(ar.bytes, (2 * (n - 1) / n) * T * 2, 1e-12, `gradient bytes, ${n} GPUs`);
    near(ar.time_s, ar.bytes / NVLINK, 1e-12, 'on one direction of NVLink');
    assert.equal(ar.overlapped, true);
  }
  // Long backward: the all-reduce hides behind it; the step is the one-GPU step.
  near(run({ gpus: 2 }).roofline.train_step_s!, run({}).roofline.train_step_s!, 1e-12, 'hidden behind backward');
  // A tiny backward (1 × 16 tokens): the all-reduce's excess over the backward is added.
  const tiny = { batch: 1, seq: 16 };
  const one = run(tiny).roofline;
  const two = run({ ...tiny, gpus: 2 }).roofline;
  const backward = one.ops.filter((o) => o.phase === 'backward').reduce((s, o) => s + o.time_s, 0);
  near(two.train_step_s! - one.train_step_s!, term(run({ ...tiny, gpus: 2 }), /DDP/).time_s - backward, 1e-9, 'exposed all-reduce');
});

test('ZeRO-2 and ZeRO-3: reduce-scatter of the gradients each micro-batch; ZeRO-3 gathers the parameters twice (1.5× the traffic)', () => {
  const n = 4;
  const z2 = run({ gpus: n, zero: 2, gradAccumulation: 2 });
  const z3 = run({ gpus: n, zero: 3, gradAccumulation: 2 });
  near(term(z2, /reduce-scatter/).bytes, ((n - 1) / n) * T * 2 * 2, 1e-12, 'RS per micro-batch × 2');
  near(term(z2, /all-gather after the step/).bytes, ((n - 1) / n) * T * 2, 1e-12, 'ZeRO-2 AG once');
  near(term(z3, /all-gathers, forward and backward/).bytes, 2 * ((n - 1) / n) * T * 2 * 2, 1e-12, 'ZeRO-3 AG fwd + bwd per micro-batch');
  const perMicro = (e: ReturnType<typeof run>, m: number) => e.roofline.comm!.reduce((s, t) => s + (t.per === 'micro-batch' ? t.bytes / m : t.bytes), 0);
  near(perMicro(run({ gpus: n, zero: 3 }), 1), 1.5 * perMicro(run({ gpus: n, zero: 2 }), 1), 1e-12, 'ZeRO-3 = 1.5 × ZeRO-2');
});

test('tensor parallel: 2 all-reduces per layer forward, 2 backward (2 more recomputed), 2·(tp−1)/tp of b·s·h bf16, not overlapped', () => {
  const tp = 2;
  const e = run({ gpus: tp, tp });
  const ar = term(e, /tensor-parallel/);
  near(ar.bytes, 4 * L * (2 * (tp - 1) / tp) * 4 * 2048 * H * 2, 1e-12, 'bytes');
  assert.equal(ar.overlapped, false);
  near(term(run({ gpus: tp, tp, gradCheckpointing: true }), /tensor-parallel/).bytes, 1.5 * ar.bytes, 1e-12, 'recompute: 6 per layer');
  // The step is the rank's compute plus the all-reduces.
  const compute = e.roofline.ops.reduce((s, o) => s + o.time_s, 0);
  near(e.roofline.train_step_s!, compute + ar.bytes / NVLINK, 1e-9, 'step = compute + all-reduce');
  // Inference (vLLM TP): prefill moves b·s·h per all-reduce, a decode step b·h.
  const inf = estimate(LLAMA, { batch: 2, seq: 1024, newTokens: 8, gpu: 'h200-141gb', gpus: 2, tp: 2, runtime: 'vllm' });
  const [prefill, decode] = [inf.roofline.comm!.find((t) => t.phase === 'prefill')!, inf.roofline.comm!.find((t) => t.phase === 'decode')!];
  near(prefill.bytes, 2 * L * 1 * 2 * 1024 * H * 2, 1e-12, 'prefill all-reduces');
  near(decode.bytes, 2 * L * 1 * 2 * H * 2, 1e-12, 'decode all-reduces');
});

test('pipeline: a step of m micro-batches takes m + pp − 1 micro-batch slots (bubble (pp − 1)/m)', () => {
  const at = (m: number) => run({ gpus: 4, pp: 4, gradAccumulation: m }).roofline;
  const [r8, r16] = [at(8), at(16)];
  assert.equal(r8.pipeline_bubble, 3 / 8);
  const slot = (r16.train_step_s! - r8.train_step_s!) / 8;
  const optimizer = r8.ops.filter((o) => o.phase === 'optimizer').reduce((s, o) => s + o.time_s, 0);
  near(r8.train_step_s!, 11 * slot + optimizer, 1e-9, '(8 + 3) slots + the optimizer step');
  const micro = r8.ops.filter((o) => o.phase !== 'optimizer').reduce((s, o) => s + o.time_s, 0);
  near(slot, micro, 1e-9, 'a slot is one micro-batch of the stage');
});

test('offload over PCIe: optimizer offload moves the gradient shard down and the parameter shard up once per step', () => {
  const n = 2;
  const e = estimate(LLAMA, { ...base, gpus: n, zero: 2, runtime: 'deepspeed', offloadOptimizer: 'cpu' });
  const off = term(e, /offload: gradient shard/);
  near(off.bytes, (T * 2) / n + (T * 2) / n, 1e-12, 'bf16 gradient shard + bf16 parameter shard');
  near(off.time_s, off.bytes / PCIE, 1e-12, 'one direction of PCIe Gen5');
  assert.equal(off.overlapped, false);
  assert.ok(e.time.comm_notes!.some((n) => /CPU optimizer step is not modelled/.test(n)));
  const p = estimate(LLAMA, { ...base, gpus: n, zero: 3, offloadOptimizer: 'cpu', offloadParams: 'cpu' });
  near(term(p, /parameter shard fetched/).bytes, (2 * T * 2) / n + (T * 2) / n, 1e-12, 'parameters fetched twice, gradients down');
});

test('measured on 2×H200 (h200x2-sharded-training.jsonl, steady step): DDP and FSDP full shard within 25%', () => {
  const rows = readFileSync(path.join(ROOT, 'test/fixtures/measured/h200x2-sharded-training.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { strategy: string; batch_per_gpu: number; seq: number; step_s: number[] });
  for (const r of rows) {
    const e = run({ batch: r.batch_per_gpu, seq: r.seq, gradCheckpointing: true, gpus: 2, zero: r.strategy === 'ddp' ? 0 : 3 });
    const measured = r.step_s.at(-1)!;
    assert.ok(e.roofline.train_step_s! <= measured, `${r.strategy}: roofline ${e.roofline.train_step_s} > ${measured}`);
    near(e.time.train_step_s!, measured, 0.25, r.strategy);
  }
});

test('a GPU without links cannot give multi-GPU time: absent with a reason', () => {
  const custom = { id: 'box', name: 'Box', vendor: 'custom' as const, memoryBytes: 80e9, bandwidth: 2e12, flops16: 3e14, source: 'settings' };
  const e = estimate(LLAMA, { ...base, gpu: 'box', gpus: 2 }, { customGpus: [custom] });
  assert.equal(e.time.train_step_s, undefined);
  assert.match(e.time.reason!, /no scale-up link/);
  assert.ok(e.memory.peak_bytes > 0);
});
