// Writes (--write) or checks the golden estimate matrix, test/fixtures/golden/estimates.json.
// A change to it must be a measured fix, named in the commit message.
import { writeFileSync } from 'node:fs';
import { GOLDEN_FILE, computeMatrix } from '../test/golden/estimates-matrix.ts';

const matrix = computeMatrix();
if (process.argv.includes('--write')) {
  const lines = Object.entries(matrix).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  writeFileSync(GOLDEN_FILE, `{\n${lines.join(',\n')}\n}\n`);
  console.log(`wrote ${Object.keys(matrix).length} cases to ${GOLDEN_FILE}`);
} else {
  console.log(`${Object.keys(matrix).length} cases (pass --write to save them)`);
}
