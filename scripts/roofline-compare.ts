/** Measured vs roofline vs expected time for every timing fixture: `npx tsx scripts/roofline-compare.ts [file.jsonl]`. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { estimate, type ScenarioInput, type TimeFigures } from '../src/core/index.ts';

interface Timing { kind: string; gpu: string; config: string; scenario?: ScenarioInput; overrides?: Record<string, unknown>; seconds: number }

const ROOT = path.join(import.meta.dirname, '..');
const file = process.argv[2] ?? path.join(ROOT, 'test/fixtures/measured/timing-h100.jsonl');
const pick = (kind: string, t: TimeFigures) => (kind === 'train' ? t.train_step_s : kind === 'prefill' ? t.prefill_s : t.decode_step_s);
console.log('kind     config               scenario                                  measured ms  roof/meas  expected/meas');
for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
  const r = JSON.parse(line) as Timing;
  if (!r.scenario) continue;
  const config: unknown = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/configs', r.config), 'utf8'));
  const e = estimate({ ...(config as object), ...r.overrides }, { ...r.scenario, gpu: r.gpu });
  const roof = pick(r.kind, e.roofline)!;
  const exp = pick(r.kind, e.time)!;
  const sc = Object.entries(r.scenario).filter(([k]) => k !== 'mode').map(([k, v]) => `${k}=${String(v)}`).join(' ');
  console.log(`${r.kind.padEnd(8)} ${r.config.replace('.json', '').padEnd(20)} ${sc.padEnd(42)} ${(r.seconds * 1e3).toFixed(2).padStart(10)}  ${(roof / r.seconds).toFixed(3).padStart(9)}  ${(exp / r.seconds).toFixed(3).padStart(13)}`);
}
