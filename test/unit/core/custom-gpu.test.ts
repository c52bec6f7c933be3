// User-defined GPUs (llmFootprint.customGpus): sizes typed by users, read with the hardened mathjs of formula.ts.
// Hand values: 48 GB = 48e9 B, 46068 MiB = 46068 · 2^20 B, 2 * 24 GiB = 48 · 2^30 B, 696 GB/s = 696e9 B/s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCustomGpus } from '../../../src/core/custom-gpu.ts';
import { parseFlops, parseRate, parseSizeExpression } from '../../../src/core/formula.ts';
import { estimate, estimateSpec, findGpu, parseScenario, readModelConfig } from '../../../src/core/index.ts';

const one = (entry: unknown) => parseCustomGpus([entry]);

test('custom GPU: sizes with decimal and binary units, expressions, and plain byte counts', () => {
  const r = parseCustomGpus([
    { id: 'A40-48GB', name: 'NVIDIA A40 48GB', memory: '48 GB', bandwidth: '696 GB/s', flops16: '149.7 TFLOPS' },
    { id: 'l40-smi', memory: '46068 MiB' },
    { id: 'pair', memory: '2 * 24 GiB' },
    { id: 'bytes', memory: 25769803776 },
    { id: 'bytes-text', memory: '25769803776', bandwidth: 1e12, flops16: 1e14 },
  ]);
  assert.deepEqual(r.errors, []);
  const [a40, l40, pair, bytes, bytesText] = r.gpus;
  assert.deepEqual(a40, {
    id: 'a40-48gb',
    name: 'NVIDIA A40 48GB',
    vendor: 'custom',
    memoryBytes: 48e9,
    bandwidth: 696e9,
    flops16: 149.7e12,
    source: 'llmFootprint.customGpus setting',
  });
  assert.equal(l40!.memoryBytes, 46068 * 2 ** 20);
  assert.equal(l40!.name, 'l40-smi', 'the name defaults to the id');
  assert.equal(l40!.bandwidth, 0, 'bandwidth unknown → 0');
  assert.equal(l40!.flops16, 0);
  assert.equal(pair!.memoryBytes, 48 * 2 ** 30);
  assert.equal(bytes!.memoryBytes, 24 * 2 ** 30);
  assert.equal(bytesText!.memoryBytes, 24 * 2 ** 30);
  assert.equal(bytesText!.bandwidth, 1e12);
  assert.equal(bytesText!.flops16, 1e14);
});

test('formula parsers: sizes, rates and throughputs by hand', () => {
  assert.equal(parseSizeExpression('48 GB'), 48e9);
  assert.equal(parseSizeExpression('48gb'), 48e9);
  assert.equal(parseSizeExpression('80 kb'), 80e3);
  assert.equal(parseSizeExpression('46068 MiB'), 46068 * 1048576);
  assert.equal(parseSizeExpression('(24 GiB) * 2'), 51539607552);
  assert.equal(parseSizeExpression('2^30'), 1073741824);
  assert.equal(parseRate('696 GB/s'), 696e9);
  assert.equal(parseRate('3.35 TB/s'), 3.35e12);
  assert.equal(parseRate('2 * 1.6 TB/s'), 3.2e12);
  assert.equal(parseFlops('149.7 TFLOPS'), 149.7e12);
  assert.equal(parseFlops('989.5 TFLOP/s'), 989.5e12);
  assert.equal(parseFlops('2 * 74.85 TFLOPS'), 149.7e12);
  assert.equal(parseFlops('1 PFLOPS'), 1e15);
  assert.throws(() => parseRate('696 GB'), /not a bandwidth like "696 GB\/s"/);
  assert.throws(() => parseSizeExpression('24 GiB + 1 s'), /not a size/);
  assert.throws(() => parseFlops('TFLOPS'), /not a throughput/);
  assert.throws(() => parseFlops('5 XFLOPS'), /not a throughput/);
});

test('custom GPU: a bad unit names the entry and the field', () => {
  const r = parseCustomGpus([{ id: 'ok', memory: '24 GB' }, { id: 'a40', memory: '48 GX' }]);
  assert.deepEqual(r.errors, ['customGpus[1].memory: "48 GX" is not a size like "80 GB" or "24 GiB"']);
  assert.deepEqual(
    r.gpus.map((g) => g.id),
    ['ok'],
    'the bad entry is left out, the good one kept',
  );
  assert.match(one({ id: 'x', memory: '24 GB', bandwidth: '696 GB' }).errors[0]!, /^customGpus\[0\]\.bandwidth: "696 GB" is not a bandwidth/);
  assert.match(one({ id: 'x', memory: '24 GB', flops16: '100 TOPS' }).errors[0]!, /^customGpus\[0\]\.flops16: "100 TOPS" is not a throughput/);
  assert.match(one({ id: 'x', memory: true }).errors[0]!, /^customGpus\[0\]\.memory: must be a string/);
  assert.match(one({ id: 'x', memory: '' }).errors[0]!, /^customGpus\[0\]\.memory: is empty/);
});

test('custom GPU: missing memory or id, non-objects, unknown fields', () => {
  assert.deepEqual(one({ id: 'a40' }).errors, ['customGpus[0].memory: missing; give the memory the driver reports, like "48 GB", "46068 MiB" or a number of bytes']);
  assert.match(one({ memory: '48 GB' }).errors[0]!, /^customGpus\[0\]\.id: missing/);
  assert.match(one({ id: 'has space', memory: '48 GB' }).errors[0]!, /^customGpus\[0\]\.id: "has space" must be letters/);
  assert.match(one('a40').errors[0]!, /^customGpus\[0\]: must be an object/);
  assert.match(one(null).errors[0]!, /^customGpus\[0\]: must be an object/);
  const extra = one({ id: 'a40', memory: '48 GB', memroy: '1 GB' });
  assert.equal(extra.gpus.length, 1, 'an unknown field is reported, the GPU still defined');
  assert.match(extra.errors[0]!, /^customGpus\[0\]\.memroy: unknown field/);
});

test('custom GPU: ids are lower-cased, unique, and never shadow the catalog', () => {
  const r = parseCustomGpus([
    { id: 'My-GPU', memory: '24 GB' },
    { id: 'my-gpu', memory: '32 GB' },
    { id: 'H100-SXM-80GB', memory: '94 GB' },
  ]);
  assert.deepEqual(
    r.gpus.map((g) => [g.id, g.memoryBytes]),
    [['my-gpu', 24e9]],
  );
  assert.deepEqual(r.errors, ['customGpus[1].id: "my-gpu" is defined twice', 'customGpus[2].id: "h100-sxm-80gb" is a catalog GPU; choose another id']);
  // A later duplicate of an entry that was itself invalid still counts as a duplicate.
  const d = parseCustomGpus([
    { id: 'x', memory: 'bad' },
    { id: 'x', memory: '24 GB' },
  ]);
  assert.equal(d.gpus.length, 0);
  assert.match(d.errors[1]!, /customGpus\[1\]\.id: "x" is defined twice/);
});

test('custom GPU: the setting must be an array; empty or absent is no GPUs and no errors', () => {
  for (const v of [undefined, null, []]) assert.deepEqual(parseCustomGpus(v), { gpus: [], errors: [] });
  for (const v of [{}, 'a40', 42, { id: 'a40', memory: '48 GB' }]) {
    const r = parseCustomGpus(v);
    assert.deepEqual(r.gpus, []);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!, /^customGpus: must be an array/);
  }
});

test('custom GPU: memory must be more than 0 and less than 2^50; huge or non-finite values are errors', () => {
  assert.match(one({ id: 'x', memory: 0 }).errors[0]!, /^customGpus\[0\]\.memory: must be more than 0/);
  assert.match(one({ id: 'x', memory: '-24 GB' }).errors[0]!, /^customGpus\[0\]\.memory: must be more than 0/);
  assert.match(one({ id: 'x', memory: 2 ** 50 }).errors[0]!, /^customGpus\[0\]\.memory: .* 1 PiB/);
  assert.match(one({ id: 'x', memory: '2 PiB' }).errors[0]!, /1 PiB/);
  assert.match(one({ id: 'x', memory: '1e308 * 1e308 GB' }).errors[0]!, /^customGpus\[0\]\.memory: /);
  assert.match(one({ id: 'x', memory: Infinity }).errors[0]!, /not a finite number/);
  assert.match(one({ id: 'x', memory: Number.NaN }).errors[0]!, /not a finite number/);
  assert.match(one({ id: 'x', memory: 48 }).errors[0]!, /less than 1 MiB; a plain number is bytes/);
  assert.equal(one({ id: 'x', memory: 2 ** 50 - 1 }).gpus[0]!.memoryBytes, 2 ** 50 - 1);
  assert.match(one({ id: 'x', memory: '9'.repeat(300) }).errors[0]!, /longer than 200 characters/);
  assert.match(one({ id: 'x', memory: '24 GB', bandwidth: '1e30' }).errors[0]!, /^customGpus\[0\]\.bandwidth: .*out of range/);
});

test('custom GPU: expressions that reach for mathjs machinery are rejected before they run', () => {
  for (const expr of ['import({createUnit: 1})', 'createUnit("foo", "8 GB")', 'evaluate("1")', 'parse("1")', 'x = 24 GB', 'f(x) = x', '"48 GB"', '[24 GB]', 'unit("48 GB")', 'a.b', 'cos(0) GB']) {
    const r = one({ id: 'x', memory: expr });
    assert.deepEqual(r.gpus, [], expr);
    assert.equal(r.errors.length, 1, expr);
    assert.match(r.errors[0]!, /^customGpus\[0\]\.memory: ".*" is not a size like "80 GB" or "24 GiB"$/, expr);
  }
  // Not executed: had createUnit run, "foo" would now be a unit.
  assert.throws(() => parseSizeExpression('1 foo'), /not a size/);
  assert.match(one({ id: 'x', memory: '24 GB', bandwidth: 'import("fs")' }).errors[0]!, /^customGpus\[0\]\.bandwidth: /);
  assert.match(one({ id: 'x', memory: '24 GB', flops16: 'createUnit("x") TFLOPS' }).errors[0]!, /^customGpus\[0\]\.flops16: /);
});

test('custom GPU: never throws, whatever the value', () => {
  const weird: unknown[] = [
    [Symbol.iterator],
    [{ id: 1, memory: {} }],
    [{ id: 'x', memory: [1, 2] }],
    [{ get id() { throw new Error('boom'); } }],
    [Object.create(null)],
    [{ id: 'x', memory: '24 GB', name: 42 }],
  ];
  for (const w of weird) {
    const r = parseCustomGpus(w);
    assert.ok(Array.isArray(r.gpus) && Array.isArray(r.errors));
    assert.ok(r.errors.length > 0);
  }
});

test('custom GPU: estimates and fits use it (estimateSpec with customGpus)', () => {
  const { gpus } = parseCustomGpus([{ id: 'a40-48gb', name: 'NVIDIA A40 48GB', memory: '48 GB' }]);
  const cfg = { model_type: 'llama', hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 128256, torch_dtype: 'bfloat16', max_position_embeddings: 8192 };
  assert.throws(() => estimate(cfg, { gpu: 'a40-48gb' }), /unknown GPU "a40-48gb"/);
  const e = estimateSpec(readModelConfig(cfg), parseScenario({ gpu: 'a40-48gb' }), { customGpus: gpus });
  assert.equal(e.memory.fits, e.memory.device_bytes <= 48e9);
  assert.equal(findGpu('A40-48GB', gpus)?.memoryBytes, 48e9);
});
