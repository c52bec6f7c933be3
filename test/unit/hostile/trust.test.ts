/**
 * Issue 12, trust and privacy: file-derived text is escaped in hovers and CodeLens, the panel opens only workspace
 * files, and an untrusted workspace reads nothing outside its folders except the user's Hugging Face cache.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readModelConfig } from '../../../src/core/index.ts';
import { parseModelConfig, resolveModelSync, type SyncReader } from '../../../src/parsers/index.ts';
import type { ReadRequest } from '../../../src/parsers/resolve-model.ts';
import { analyze, buildScenario } from '../../../src/extension/analysis.ts';
import { hoverMarkdown } from '../../../src/extension/text.ts';
import { escapeLabel, escapeMarkdown } from '../../../src/shared/markdown.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const QWEN = JSON.parse(readFileSync(path.join(ROOT, 'examples/qwen2.5-7b/config.json'), 'utf8')) as Record<string, unknown>;

const HOSTILE = '![x](https://attacker.example/p.png) [open](command:workbench.action.terminal.new) <img src=https://a.example/i> `code` $(alert)';

/** Markdown constructs that would render as more than text. */
function activeMarkdown(md: string): string[] {
  const found: string[] = [];
  // An unescaped `![`, `](`, `<tag`, or a `command:` link target other than ours.
  if (/(^|[^\\])!\[/.test(md)) found.push('image');
  if (/(^|[^\\])\]\((?!command:llmFootprint\.showBreakdown)/.test(md)) found.push('link');
  if (/(^|[^\\])<[a-z]/i.test(md)) found.push('html');
  return found;
}

test('escapeMarkdown leaves no image, link, HTML or icon; control characters become spaces', () => {
  const e = escapeMarkdown(HOSTILE + '\n\u001b[31m');
  assert.deepEqual(activeMarkdown(e), []);
  assert.ok(!e.includes('\n') && !e.includes('\u001b'));
  assert.ok(!/(^|[^\\])\$\(/.test(e));
  assert.equal(escapeLabel('$(alert) a\u0007b'), '\\$(alert) a b');
});

test('a hostile torch_dtype, model_type and key render as plain text in the hover', () => {
  const cfg = { ...QWEN, torch_dtype: HOSTILE, model_type: HOSTILE };
  const f = parseModelConfig(JSON.stringify(cfg)).value!;
  const spec = readModelConfig(f.config);
  const a = analyze('model-config', f.config, spec, buildScenario({}, null, spec, 'h100-sxm-80gb'));
  for (const key of ['torch_dtype', 'model_type', 'hidden_size']) {
    const md = hoverMarkdown(key, a, 'command:llmFootprint.showBreakdown?%5B%5D');
    if (!md) continue;
    assert.deepEqual(activeMarkdown(md), [], md);
    assert.ok(!md.includes('https://attacker.example/p.png)'), md);
  }
  const md = hoverMarkdown('torch_dtype', a)!;
  assert.ok(md.includes('\\!\\[x\\]\\(https\\://attacker.example/p.png\\)'), md);
});

test('package.json: untrusted workspaces are limited, modelConfig and customGpus restricted; activation is said', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    capabilities: { untrustedWorkspaces: { supported: unknown; restrictedConfigurations: string[] } };
    activationEvents: string[];
  };
  const u = pkg.capabilities.untrustedWorkspaces;
  assert.equal(u.supported, 'limited');
  assert.deepEqual([...u.restrictedConfigurations].sort(), ['llmFootprint.customGpus', 'llmFootprint.modelConfig']);
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  for (const e of pkg.activationEvents.filter((x) => x.startsWith('workspaceContains'))) assert.ok(readme.includes(e), `README names ${e}`);
});

test('untrusted: base_model /abs/path, ../../ and an absolute setting read nothing outside the roots; the HF cache is read', () => {
  const reads: ReadRequest[] = [];
  const reader: SyncReader = {
    config: (p, scope) => (reads.push({ op: 'config', path: p, scope }), null),
    text: (p, scope) => (reads.push({ op: 'text', path: p, scope }), null),
    list: (p, scope) => (reads.push({ op: 'list', path: p, scope }), null),
  };
  const hub = '/home/u/.cache/huggingface/hub';
  for (const model of ['/etc/secret', '/etc/secret/config.json', '../../../etc', './../../x', 'a/../../../../etc', 'org/name']) {
    reads.length = 0;
    resolveModelSync({ model, fileDir: '/ws/train', roots: ['/ws'], setting: '/etc/other', hubCache: hub, restricted: true }, reader);
    for (const r of reads) assert.ok(r.path === '/ws' || r.path.startsWith('/ws/') || r.path.startsWith(hub), `${model}: read ${r.path}`);
  }
});
