/** Every number of the golden matrix (test/golden/estimates-matrix.ts) stays byte-identical to the snapshot. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GOLDEN_FILE, SCENARIOS, computeMatrix, configNames } from './estimates-matrix.ts';

const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as Record<string, unknown>;
const current = computeMatrix();

test('the golden matrix covers the same cases', () => {
  assert.deepEqual(Object.keys(current).sort(), Object.keys(golden).sort());
  assert.ok(Object.keys(golden).length > 1000);
});

for (const name of configNames()) {
  test(`golden: ${name} × ${Object.keys(SCENARIOS).length} scenarios`, () => {
    for (const sid of Object.keys(SCENARIOS)) {
      const key = `${name} ${sid}`;
      assert.deepEqual(current[key], golden[key], key);
    }
  });
}
