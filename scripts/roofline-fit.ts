/**
 * Fits the expected-time calibration (src/core/roofline/calibration.ts) to the measured timings and prints the
 * ratios: `npx tsx scripts/roofline-fit.ts`. Least squares on log(expected / measured), by coordinate descent over
 * grids; training numbers from the training steps, inference numbers from the prefills and decode steps. Efficiencies
 * are capped at what the device limits rows measured (copy ≈ 0.86 of the catalog bandwidth, an 8192² bf16 matmul
 * ≈ 0.76 of the catalog FLOP/s on both GPUs). Two fits: on the H100 rows alone (the H200 rows held out), and on
 * every row (the defaults); each row's ratio is shown under both.
 */
import { estimate, findGpu, parseScenario, readModelConfig, RUNTIMES } from '../src/core/index.ts';
import { CALIBRATION, type Calibration } from '../src/core/roofline/calibration.ts';
import { timeReports } from '../src/core/roofline/time.ts';
import { allTimings, label, measuredFigure, modelConfig, type Timing } from '../test/unit/helpers/timings.ts';

const MAX_BW = 0.86;
const MAX_MFU = 0.76;

interface Row { t: Timing; roof: number; expected: (cal: Calibration) => number }

const rows: Row[] = allTimings().map((t) => {
  const spec = readModelConfig(modelConfig(t));
  const sc = parseScenario({ ...t.scenario, gpu: t.gpu });
  const gpu = findGpu(t.gpu)!;
  const trainable = estimate(spec, sc).params.trainable;
  const at = (cal: Calibration) => timeReports(spec, sc, RUNTIMES[sc.runtime], gpu, trainable, cal);
  return { t, roof: measuredFigure(t.kind, at(CALIBRATION).roofline)!, expected: (cal) => measuredFigure(t.kind, at(cal).time)! };
});

const logErr = (r: Row, cal: Calibration) => Math.log(r.expected(cal) / r.t.seconds);
const cost = (set: Row[], cal: Calibration) => set.reduce((s, r) => s + logErr(r, cal) ** 2, 0);

type Knob = { get: (c: Calibration) => number; set: (c: Calibration, v: number) => Calibration; lo: number; hi: number; step: number };
const knob = (get: Knob['get'], set: Knob['set'], lo: number, hi: number, step: number): Knob => ({ get, set, lo, hi, step });
const TRAIN: Knob[] = [
  knob((c) => c.training.mfu, (c, v) => ({ ...c, training: { ...c.training, mfu: v } }), 0.2, MAX_MFU, 0.01),
  knob((c) => c.training.bandwidthEfficiency, (c, v) => ({ ...c, training: { ...c.training, bandwidthEfficiency: v } }), 0.4, MAX_BW, 0.01),
  knob((c) => c.trainPerLayer_s, (c, v) => ({ ...c, trainPerLayer_s: v }), 0, 4e-3, 0.05e-3),
];
const INFER: Knob[] = [
  knob((c) => c.inference.mfu, (c, v) => ({ ...c, inference: { ...c.inference, mfu: v } }), 0.2, MAX_MFU, 0.01),
  knob((c) => c.inference.bandwidthEfficiency, (c, v) => ({ ...c, inference: { ...c.inference, bandwidthEfficiency: v } }), 0.4, MAX_BW, 0.01),
  knob((c) => c.eagerHostPerLayer_s, (c, v) => ({ ...c, eagerHostPerLayer_s: v }), 0.3e-3, 1.5e-3, 0.01e-3),
  knob((c) => c.graphPerLayer_s['cuda-graphs'], (c, v) => ({ ...c, graphPerLayer_s: { ...c.graphPerLayer_s, 'cuda-graphs': v } }), 0, 0.3e-3, 1e-6),
  knob((c) => c.graphPerLayer_s.compiled, (c, v) => ({ ...c, graphPerLayer_s: { ...c.graphPerLayer_s, compiled: v } }), 0, 0.3e-3, 1e-6),
];

function fit(set: Row[], knobs: Knob[], start: Calibration): Calibration {
  let cal = start;
  for (let pass = 0; pass < 6; pass++) {
    for (const k of knobs) {
      let best = { v: k.get(cal), c: cost(set, cal) };
      for (let v = k.lo; v <= k.hi + 1e-12; v += k.step) {
        const c = cost(set, k.set(cal, v));
        if (c < best.c - 1e-12) best = { v, c };
      }
      cal = k.set(cal, Number(best.v.toPrecision(3)));
    }
  }
  return cal;
}

/** A fixed starting point, so that a fit does not depend on the numbers in force (coordinate descent is path-dependent). */
const START: Calibration = { ...CALIBRATION, training: { mfu: 0.5, bandwidthEfficiency: 0.8 }, inference: { mfu: 0.5, bandwidthEfficiency: 0.8 }, eagerHostPerLayer_s: 0.9e-3, graphPerLayer_s: { 'cuda-graphs': 0.1e-3, compiled: 0.1e-3 }, trainPerLayer_s: 1e-3 };

function fitAll(set: Row[]): Calibration {
  const train = set.filter((r) => r.t.kind === 'train');
  const infer = set.filter((r) => r.t.kind !== 'train');
  return fit(infer, INFER, fit(train, TRAIN, START));
}

const onH100 = fitAll(rows.filter((r) => r.t.gpu === 'h100-sxm-80gb'));
const onAll = fitAll(rows);
const show = (c: Calibration) =>
  `training mfu ${c.training.mfu}, bw ${c.training.bandwidthEfficiency}, ${(c.trainPerLayer_s * 1e3).toFixed(2)} ms/layer; inference mfu ${c.inference.mfu}, bw ${c.inference.bandwidthEfficiency}, eager host ${(c.eagerHostPerLayer_s * 1e3).toFixed(2)} ms/layer, graphs ${(c.graphPerLayer_s['cuda-graphs'] * 1e6).toFixed(0)} / compiled ${(c.graphPerLayer_s.compiled * 1e6).toFixed(0)} µs/layer (repeat_kv copy at ${c.repeatKvBandwidth['cuda-graphs']} / ${c.repeatKvBandwidth.compiled} of the bandwidth, measured)`;
console.log(`fit on H100 rows: ${show(onH100)}`);
console.log(`fit on all rows:  ${show(onAll)}`);
console.log(`in force (calibration.ts): ${show(CALIBRATION)}\n`);
console.log('| row | measured ms | roofline/meas | expected/meas (fit H100) | expected/meas (fit all) | expected/meas (in force) |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const held = r.t.gpu !== 'h100-sxm-80gb' ? ' (held out)' : '';
  const ratio = (c: Calibration) => (r.expected(c) / r.t.seconds).toFixed(2);
  console.log(`| ${label(r.t)} | ${(r.t.seconds * 1e3).toFixed(2)} | ${(r.roof / r.t.seconds).toFixed(2)} | ${ratio(onH100)}${held} | ${ratio(onAll)} | ${ratio(CALIBRATION)} |`);
}
const summary = (name: string, set: Row[], c: Calibration) => {
  const e = set.map((r) => Math.abs(r.expected(c) / r.t.seconds - 1)).sort((a, b) => a - b);
  const within = (x: number) => set.filter((r) => Math.abs(Math.log(r.expected(c) / r.t.seconds)) <= Math.log(1 + x)).length;
  console.log(`${name}: ${set.length} rows, median |error| ${(e[Math.floor(e.length / 2)]! * 100).toFixed(0)}%, worst ratio ${Math.max(...set.map((r) => Math.max(r.expected(c) / r.t.seconds, r.t.seconds / r.expected(c)))).toFixed(2)}×, within ±25%: ${within(0.25)}`);
};
console.log('');
summary('fit H100, H100 rows (in-sample)', rows.filter((r) => r.t.gpu === 'h100-sxm-80gb'), onH100);
summary('fit H100, H200 rows (held out)', rows.filter((r) => r.t.gpu !== 'h100-sxm-80gb'), onH100);
summary('fit all, all rows (in-sample)', rows, onAll);
summary('in force, all rows', rows, CALIBRATION);
