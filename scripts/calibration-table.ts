// Prints the calibration table (case, measured, estimated, error) as Markdown: `node --import tsx scripts/calibration-table.ts`
import { estimate } from '../src/core/index.ts';
import { loadCases } from '../test/golden/calibration.ts';

const rows = ['| case | measured peak (B) | estimated (B) | error | phase |', '|---|---:|---:|---:|---|'];
let worst = 0;
for (const c of loadCases()) {
  if (c.kind === 'params' || c.kind === 'weights') continue;
  const e = estimate(c.config, c.scenario);
  const err = (e.memory.peak_bytes - c.peak) / c.peak;
  worst = Math.max(worst, Math.abs(err));
  rows.push(`| ${c.id} | ${c.peak.toLocaleString('en-US')} | ${e.memory.peak_bytes.toLocaleString('en-US')} | ${(err * 100).toFixed(2)}% | ${e.memory.peak_phase} |`);
}
console.log(rows.join('\n'));
console.log(`\nworst |error|: ${(worst * 100).toFixed(2)}%`);
