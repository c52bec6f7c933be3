// Compares estimates/s of this checkout with another built checkout (e.g. a worktree of an older commit) on the
// workloads both bundle, each read by its own checkout's reader (older readers may not know newer fields).
// Best of 4 alternating rounds, so both see the same machine load.
// Usage: node --import tsx scripts/bench-compare.mjs <other-checkout> [example ...]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from './lib/tools.mjs';

const require = createRequire(import.meta.url);
const other = process.argv[2];
if (!other) {
  console.error('usage: node --import tsx scripts/bench-compare.mjs <other-checkout> [example ...]');
  process.exit(2);
}
const DEFAULT_EXAMPLES = ['axolotl-lora.yaml', 'llama-3.1-8b/config.json', 'llamafactory-sft.yaml', 'qwen2.5-7b/config.json', 'serve-vllm.sh'];
const examples = process.argv.length > 3 ? process.argv.slice(3) : DEFAULT_EXAMPLES;

async function workloads(root) {
  const reader = await import(path.join(root, 'scripts/lib/workload.ts'));
  return examples.map((file) => {
    const p = path.join(root, 'examples', file);
    if (file.endsWith('.json')) return { config: JSON.parse(readFileSync(p, 'utf8')), scenario: {} };
    const w = reader.readWorkload(p, path.join(root, 'examples'));
    return { config: JSON.parse(readFileSync(w.modelConfig, 'utf8')), scenario: w.scenario ?? {} };
  });
}

function estimatesPerSecond(lib, ws) {
  let n = 0;
  let seconds = 0;
  for (const w of ws) {
    for (let i = 0; i < 3000; i++) lib.estimate(w.config, w.scenario);
    const t0 = performance.now();
    let k = 0;
    while (performance.now() - t0 < 400) {
      lib.estimate(w.config, w.scenario);
      k++;
    }
    n += k;
    seconds += (performance.now() - t0) / 1000;
  }
  return n / seconds;
}

const sides = {
  this: { lib: require(path.join(ROOT, 'dist/lib.js')), ws: await workloads(ROOT), best: 0 },
  other: { lib: require(path.resolve(other, 'dist/lib.js')), ws: await workloads(path.resolve(other)), best: 0 },
};
for (let round = 0; round < 4; round++) {
  for (const side of Object.values(sides)) side.best = Math.max(side.best, estimatesPerSecond(side.lib, side.ws));
}
console.log(`examples: ${examples.join(', ')}`);
console.log(`this checkout:  ${Math.round(sides.this.best).toLocaleString('en-US')} estimates/s`);
console.log(`${other}:  ${Math.round(sides.other.best).toLocaleString('en-US')} estimates/s`);
