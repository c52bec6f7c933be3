/**
 * Issue 12, no synchronous step over 50 ms: `yaml` parses about 1 KiB per ms, so a valid YAML at the 256 KiB limit
 * held the extension host ~300 ms. The editor parses YAML up to MAX_EDITOR_YAML_BYTES (16 KiB) on the host and a larger
 * one on a worker thread (test/unit/extension/parse-off-thread.test.ts); if the worker cannot run, the host's parse with
 * the limit is one info diagnostic instead (the CLI reads up to 256 KiB).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_EDITOR_YAML_BYTES, MAX_FILE_BYTES, parseDocumentText } from '../../../src/parsers/index.ts';
import { largeAxolotl } from '../../hostile/generate.ts';
import { extensionUpdate } from '../../hostile/update.ts';

test('the host\'s fallback for a YAML over the editor\'s limit is one info diagnostic naming both limits; the CLI\'s parse reads it', () => {
  const text = largeAxolotl(MAX_FILE_BYTES - 1024);
  const t0 = performance.now();
  const doc = parseDocumentText('/w/train.yaml', text, { yamlLimit: MAX_EDITOR_YAML_BYTES });
  assert.ok(performance.now() - t0 < 20);
  assert.equal(doc.files.length, 0);
  assert.equal(doc.errors.length, 1);
  assert.equal(doc.errors[0]!.severity, 'info');
  assert.match(doc.errors[0]!.message, /^This YAML is 25[56] KiB; the editor parses YAML over 16 KiB on a worker thread .* llm-footprint estimate train\.yaml \(up to 256 KiB\)\.$/);
  // Without the editor's limit (the CLI) the same file is read.
  assert.equal(parseDocumentText('/w/train.yaml', text).kind, 'axolotl');
  // A YAML that is not ours stays silent, however large.
  assert.deepEqual(parseDocumentText('/w/other.yaml', 'x: 1\n'.repeat(10_000), { yamlLimit: MAX_EDITOR_YAML_BYTES }).errors, []);
});

test('a valid YAML just under the editor\'s limit: one update (parse, analysis, diagnostics) under 50 ms', () => {
  const text = largeAxolotl(MAX_EDITOR_YAML_BYTES - 1024);
  assert.equal(extensionUpdate('train.yaml', text).entries, 1);
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    extensionUpdate('train.yaml', text);
    best = Math.min(best, performance.now() - t0);
  }
  assert.ok(best < 50, `${best.toFixed(1)} ms`);
});

test('a valid YAML at the readers\' limit parsed off the host: the host\'s part of the update (analysis, diagnostics) under 50 ms', () => {
  const text = largeAxolotl(MAX_FILE_BYTES - 1024);
  const parsed = parseDocumentText('train.yaml', text); // what the worker returns
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    assert.equal(extensionUpdate('train.yaml', text, undefined, parsed).entries, 1);
    best = Math.min(best, performance.now() - t0);
  }
  assert.ok(best < 50, `${best.toFixed(1)} ms`);
});
