/** The hardware catalog: every number has its source; the ids and memory sizes that estimates pin stay as they were. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CATALOG, COMPUTE_DTYPES } from '../../../../src/core/roofline/catalog.ts';
import { GPUS, findGpu, peakFlops } from '../../../../src/core/roofline/hardware.ts';

test('no catalog entry lacks a source for any number it gives', () => {
  for (const g of CATALOG) {
    assert.ok(g.sources.memory.trim().length > 10, `${g.id}: memory source`);
    assert.ok(g.sources.bandwidth.trim().length > 10, `${g.id}: bandwidth source`);
    assert.ok(g.sources.flops.trim().length > 10, `${g.id}: flops source`);
    if (g.scaleUp !== undefined || g.hostLink !== undefined) assert.ok((g.sources.links ?? '').trim().length > 10, `${g.id}: links source`);
    assert.ok(g.memoryBytes > 0 && g.bandwidth > 0, g.id);
    for (const [d, v] of Object.entries(g.flops)) {
      assert.ok((COMPUTE_DTYPES as readonly string[]).includes(d), `${g.id}: ${d}`);
      assert.ok(v > 1e12 && v < 1e17, `${g.id}: ${d} = ${v}`);
    }
  }
});

test('ids are unique and the issue-10 list is in the catalog', () => {
  assert.equal(new Set(GPUS.map((g) => g.id)).size, GPUS.length);
  for (const id of ['h100-nvl-94gb', 'h20-96gb', 'gb200-186gb', 'a100-pcie-80gb', 'a10-24gb', 'rtx-a5000-24gb', 'rtx-a4000-16gb', 'rtx-6000-ada-48gb', 'l40-48gb', 'mi250x-128gb', 'mi325x-256gb', 'mi355x-288gb', 'tpu-v5e', 'tpu-v5p', 'tpu-v6e', 'gaudi3-128gb', 'apple-m2-max-96gb', 'apple-m2-ultra-192gb', 'apple-m3-max-128gb', 'apple-m3-ultra-512gb', 'apple-m4-max-128gb']) {
    assert.ok(findGpu(id), id);
  }
});

test('the ids and memory sizes estimates were pinned with are unchanged', () => {
  const MiB = 2 ** 20;
  const pinned: [string, number][] = [
    ['h100-sxm-80gb', 81559 * MiB], ['h100-pcie-80gb', 81559 * MiB], ['h200-141gb', 143771 * MiB], ['b200-180gb', 180e9], ['a100-sxm-80gb', 81920 * MiB],
    ['a100-sxm-40gb', 40960 * MiB], ['l40s-48gb', 46068 * MiB], ['a6000-48gb', 49140 * MiB], ['l4-24gb', 23034 * MiB], ['a10g-24gb', 23028 * MiB],
    ['rtx-5090', 32607 * MiB], ['rtx-4090', 24564 * MiB], ['rtx-3090', 24576 * MiB], ['v100-sxm-32gb', 32768 * MiB], ['t4-16gb', 15360 * MiB], ['mi300x-192gb', 192e9],
  ];
  assert.deepEqual(GPUS.slice(0, pinned.length).map((g) => [g.id, g.memoryBytes]), pinned);
});

test('peak rates: the dtype asked, the 16-bit rate of a custom GPU, 0 where the chip has no such path', () => {
  const h100 = findGpu('h100-sxm-80gb')!;
  assert.equal(peakFlops(h100, 'bf16'), 989.5e12);
  assert.equal(peakFlops(h100, 'fp8'), 1979e12);
  assert.equal(peakFlops(h100, 'fp4'), 0);
  assert.equal(peakFlops(findGpu('a100-sxm-80gb')!, 'fp8'), 0);
  assert.equal(peakFlops({ id: 'x', name: 'x', vendor: 'custom', memoryBytes: 1e9, bandwidth: 1e12, flops16: 1e14, source: 's' }, 'bf16'), 1e14);
});
