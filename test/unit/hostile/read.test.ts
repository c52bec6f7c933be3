/**
 * Issue 12, reading files: regular files only (a symlink to /dev/zero, a named pipe, a directory are refused at once),
 * a bounded read with the one limit the CLI and the extension share, symlinks resolved and checked against roots, a
 * message naming the file and the limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAX_FILE_BYTES } from '../../../src/parsers/index.ts';
import { FileReadError, readBoundedText } from '../../../src/shared/read-file.ts';
import { MAX_CONFIG_BYTES } from '../../../src/cli/read-config.ts';
import { run } from '../../../src/cli/main.ts';
import { largeAxolotl } from '../../hostile/generate.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'llmfp-read-'));
const cli = (...args: string[]) => {
  let out = '';
  let err = '';
  const code = run(args, (s) => void (out += s), (s) => void (err += s));
  return { code, out, err };
};
const within = <T>(ms: number, fn: () => T): T => {
  const t0 = Date.now();
  const r = fn();
  assert.ok(Date.now() - t0 < ms, `took ${Date.now() - t0} ms`);
  return r;
};

test('one limit for the CLI and the extension', () => {
  assert.equal(MAX_CONFIG_BYTES, MAX_FILE_BYTES);
});

test('a config.json linked to /dev/zero is refused at once, naming the file', { skip: process.platform === 'win32' }, () => {
  const f = path.join(tmp, 'zero', 'config.json');
  mkdirSync(path.dirname(f));
  symlinkSync('/dev/zero', f);
  const r = within(1000, () => cli('estimate', f));
  assert.equal(r.code, 2);
  assert.match(r.err, /config\.json: a device, not a regular file/);
  assert.equal(r.err.trim().split('\n').length, 1);
  const y = path.join(tmp, 'zero', 'train.yaml');
  symlinkSync('/dev/zero', y);
  assert.equal(within(1000, () => cli('estimate', y)).code, 2);
});

test('a named pipe is refused without blocking', { skip: process.platform === 'win32' }, () => {
  const f = path.join(tmp, 'pipe.yaml');
  execFileSync('mkfifo', [f]);
  const r = within(1000, () => cli('estimate', f));
  assert.equal(r.code, 2);
  assert.match(r.err, /pipe\.yaml: a named pipe, not a regular file/);
  assert.throws(() => readBoundedText(f), (e: unknown) => e instanceof FileReadError && e.reason === 'not-regular');
});

test('a file over the limit: one line naming the file and the limit (size read, not stat)', () => {
  const f = path.join(tmp, 'big.yaml');
  writeFileSync(f, largeAxolotl(MAX_FILE_BYTES + 10));
  const r = cli('estimate', f);
  assert.equal(r.code, 2);
  assert.equal(r.err, `error: ${f}: larger than 256 KiB, the limit for a file LLM Footprint reads; not read\n`);
  assert.throws(() => readBoundedText('/proc/self/status', { limit: 10 }), /larger than 10 bytes/);
});

test('symlinks are resolved and checked against the roots', { skip: process.platform === 'win32' }, () => {
  const ws = path.join(tmp, 'ws');
  mkdirSync(ws);
  const outside = path.join(tmp, 'secret.json');
  writeFileSync(outside, '{"model_type": "llama"}');
  symlinkSync(outside, path.join(ws, 'config.json'));
  writeFileSync(path.join(ws, 'inside.json'), '{}');
  assert.throws(() => readBoundedText(path.join(ws, 'config.json'), { roots: [ws] }), (e: unknown) => e instanceof FileReadError && e.reason === 'outside');
  assert.equal(readBoundedText(path.join(ws, 'inside.json'), { roots: [ws] }), '{}');
  assert.equal(readBoundedText(path.join(ws, 'config.json')), '{"model_type": "llama"}');
});
