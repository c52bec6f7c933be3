/**
 * Large YAML parsed on a worker thread: the same document as the host's parse, the host's event loop free while it
 * runs (no gap over 50 ms), a failed worker rejects (the editor then shows the size message), and which documents go
 * there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { offThreadParser, parsesOffThread } from '../../../src/extension/parse-off-thread.ts';
import { parseDocumentText } from '../../../src/parsers/index.ts';
import { MAX_EDITOR_YAML_BYTES, MAX_FILE_BYTES } from '../../../src/parsers/types.ts';
import { largeAxolotl } from '../../hostile/generate.ts';

const WORKER = path.join(import.meta.dirname, '..', 'helpers', 'parse-worker.mjs');

test('which documents are parsed off the host: YAML over the editor limit and within the readers limit', () => {
  assert.equal(parsesOffThread('train.yaml', 'x'.repeat(MAX_EDITOR_YAML_BYTES)), false);
  assert.equal(parsesOffThread('train.yaml', 'x'.repeat(MAX_EDITOR_YAML_BYTES + 1)), true);
  assert.equal(parsesOffThread('train.yml', 'x'.repeat(MAX_FILE_BYTES + 1)), false);
  assert.equal(parsesOffThread('config.json', 'x'.repeat(MAX_EDITOR_YAML_BYTES + 1)), false);
});

test('a 250 KiB axolotl YAML: the worker gives the host parse, and the host never waits 50 ms meanwhile', async () => {
  const text = largeAxolotl(250 * 1024);
  const parser = offThreadParser(WORKER);
  try {
    await parser.parse('warm.yaml', largeAxolotl(20 * 1024)); // the worker's start and tsx compile are not timed
    let last = performance.now();
    let worst = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 1);
    const off = await parser.parse('train.yaml', text);
    clearInterval(tick);
    const on = parseDocumentText('train.yaml', text);
    assert.deepEqual(off, on);
    assert.equal(off.kind, 'axolotl');
    assert.ok(worst < 50, `the host's event loop waited ${worst.toFixed(1)} ms`);
  } finally {
    parser.dispose();
  }
});

test('a worker that cannot start rejects the parse (the editor falls back to the size message)', async () => {
  const parser = offThreadParser(path.join(import.meta.dirname, 'no-such-worker.js'), [], 5_000);
  await assert.rejects(parser.parse('train.yaml', largeAxolotl(20 * 1024)));
  parser.dispose();
});
