/**
 * Issue 12: every reproducer the fuzzing campaign (scripts/fuzz.ts, seed 20261129) found is kept under
 * test/fixtures/fuzz/ (the file and `<file>.case.json`: the CLI arguments, the keys it made hostile, what was found)
 * and replayed here through the CLI's run() with the campaign's own invariants: exit 0/1/2, no stack trace or
 * internal error, no NaN, whole non-negative bytes, and no hostile value left unnamed (no silent default).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '../../../src/cli/main.ts';
import { judge, type Case } from '../../hostile/fuzz-judge.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/fuzz');

test('fuzz reproducers: each now holds the campaign\'s invariants', () => {
  const cases = readdirSync(FIXTURES).filter((f) => f.endsWith('.case.json'));
  assert.ok(cases.length > 0, 'no reproducers under test/fixtures/fuzz');
  const dir = mkdtempSync(path.join(tmpdir(), 'llmfp-fuzz-repro-'));
  mkdirSync(path.join(dir, 'model'));
  copyFileSync(path.join(ROOT, 'examples/qwen2.5-7b/config.json'), path.join(dir, 'model/config.json'));
  writeFileSync(path.join(dir, 'ds.json'), JSON.stringify({ train_micro_batch_size_per_gpu: 'auto', zero_optimization: { stage: 3 } }));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    for (const f of cases) {
      const meta = JSON.parse(readFileSync(path.join(FIXTURES, f), 'utf8')) as { file: string; args: string[]; hostile: string[]; found: string };
      const text = readFileSync(path.join(FIXTURES, f.replace(/\.case\.json$/, '')), 'utf8');
      const c: Case = { name: meta.file, text, args: meta.args, hostile: meta.hostile };
      writeFileSync(c.name, text);
      let out = '';
      let err = '';
      const t0 = performance.now();
      const code = run(['estimate', c.name, ...c.args], (s) => void (out += s), (s) => void (err += s));
      assert.equal(judge(c, code, out, err, Math.round(performance.now() - t0)), '', `${f} (found: ${meta.found})\n${out}${err}`);
    }
  } finally {
    process.chdir(cwd);
  }
});
