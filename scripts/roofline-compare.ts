/** Measured vs roofline vs expected time for every timing fixture: `npx tsx scripts/roofline-compare.ts [timing-*.jsonl]`. */
import { estimate } from '../src/core/index.ts';
import { allTimings, label, measuredFigure, modelConfig, timings } from '../test/unit/helpers/timings.ts';

const rows = process.argv[2] ? timings(process.argv[2].split('/').pop()!) : allTimings();
console.log('row'.padEnd(64), 'measured ms  roof/meas  expected/meas');
for (const r of rows) {
  const e = estimate(modelConfig(r), { ...r.scenario, gpu: r.gpu });
  const roof = measuredFigure(r.kind, e.roofline)!;
  const exp = measuredFigure(r.kind, e.time)!;
  console.log(`${label(r).padEnd(64)} ${(r.seconds * 1e3).toFixed(2).padStart(10)}  ${(roof / r.seconds).toFixed(3).padStart(9)}  ${(exp / r.seconds).toFixed(3).padStart(13)}`);
}
