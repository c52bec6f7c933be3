// The Roofline view's geometry: log-log axes spanning the operators and the ridge, points on the roof.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { estimate } from '../../../src/core/index.ts';
import { attainable, roofGeometry } from '../../../webview-ui/roofline.ts';
import { readJsonObject } from '../helpers/json.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const llama = readJsonObject(path.join(ROOT, 'examples/llama-3.1-8b/config.json'));

test('roof: the bandwidth slope meets the flat peak at the ridge; every operator sits inside the axes', () => {
  const e = estimate(llama, { seq: 4096, newTokens: 128, gpu: 'h100-sxm-80gb' });
  const r = e.roofline;
  const g = roofGeometry(r.ops, r.peak_flops, r.bandwidth, 640, 320);
  const ridgeX = g.sx(r.ridge_intensity);
  assert.match(g.roof, new RegExp(`L${ridgeX.toFixed(1)},${g.sy(r.peak_flops).toFixed(1)}`));
  for (const o of r.ops.filter((x) => x.flops > 0)) {
    const f = attainable(o, r.peak_flops, r.bandwidth);
    assert.ok(f <= r.peak_flops * (1 + 1e-12));
    assert.ok(Math.abs(f - o.flops / o.time_s) <= 1e-6 * f, `${o.phase} ${o.name}: at the roof`);
    const x = g.sx(o.intensity);
    assert.ok(x >= 72 - 1e-9 && x <= 600 + 1e-9, `${o.name} x ${x}`);
  }
  assert.ok(r.ops.some((o) => o.bound === 'memory') && r.ops.some((o) => o.bound === 'compute'), 'decode is memory-bound, prefill compute-bound');
});
