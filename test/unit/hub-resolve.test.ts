/**
 * Hub names offline (issue 11): the shared resolver's order (local folder → Hugging Face cache → bundled catalog →
 * a re-upload matched by name), the cache layout, the catalog's entries, untrusted workspaces, speed, and the CLI
 * estimating real-looking axolotl / LLaMA-Factory / vllm files that name Hub models, with no --model and no network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModelConfig } from '../../src/core/index.ts';
import {
  catalogIds,
  catalogLookup,
  hubCacheDir,
  hubId,
  resolveModelSync,
  type ResolveRequest,
  type SyncReader,
} from '../../src/parsers/index.ts';
import { CATALOG } from '../../src/parsers/hub-catalog-data.ts';
import { MANIFEST } from '../../scripts/hub-catalog/manifest.ts';
import { run } from '../../src/cli/main.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'llmfp-hub-'));
// Never read the machine's own cache in these tests.
const EMPTY_HOME = join(tmp, 'empty-hf-home');
mkdirSync(EMPTY_HOME, { recursive: true });
process.env.HF_HOME = EMPTY_HOME;
delete process.env.HF_HUB_CACHE;
delete process.env.HUGGINGFACE_HUB_CACHE;

function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = run(args, (s) => void (out += s), (s) => void (err += s));
  return { code, out, err };
}

/** A fake HF cache: hub/models--Org--Name/{refs/main, snapshots/<rev>/config.json}. */
function fakeCache(home: string, repoFolder: string, config: unknown, opts: { rev?: string; refs?: boolean } = {}): string {
  const rev = opts.rev ?? '0123456789abcdef0123456789abcdef01234567';
  const repo = join(home, 'hub', repoFolder);
  mkdirSync(join(repo, 'snapshots', rev), { recursive: true });
  if (opts.refs !== false) {
    mkdirSync(join(repo, 'refs'), { recursive: true });
    writeFileSync(join(repo, 'refs', 'main'), rev);
  }
  writeFileSync(join(repo, 'snapshots', rev, 'config.json'), JSON.stringify(config));
  return join(repo, 'snapshots', rev, 'config.json');
}

/** What the tests read of `estimate --json`. */
interface EstimateJson {
  params: { total: number };
  warnings: string[];
  memory: { peak_bytes: number };
}

/** One line of catalog-param-counts.jsonl (scripts/calibrate/param_counts.py). */
interface CountRecord {
  file: string;
  error?: string;
  params: number;
  vision_params: number;
  input_embedding_params: number;
  tied: boolean;
}

const LLAMA_1B = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/configs/llama-3.2-1b.json'), 'utf8')) as Record<string, unknown>;

test('hubCacheDir: HF_HUB_CACHE, else HF_HOME/hub, else XDG, else ~/.cache/huggingface/hub', () => {
  assert.equal(hubCacheDir({ HF_HUB_CACHE: '/a/hub', HF_HOME: '/b' }, '/home/u'), '/a/hub');
  assert.equal(hubCacheDir({ HF_HOME: '/b/' }, '/home/u'), '/b/hub');
  assert.equal(hubCacheDir({ HF_HOME: '~/hf' }, '/home/u'), '/home/u/hf/hub');
  assert.equal(hubCacheDir({ XDG_CACHE_HOME: '/x' }, '/home/u'), '/x/huggingface/hub');
  assert.equal(hubCacheDir({}, '/home/u'), '/home/u/.cache/huggingface/hub');
  assert.equal(hubCacheDir({}, null), null);
});

test('hubId: org/name only', () => {
  assert.equal(hubId('Qwen/Qwen3-8B'), 'Qwen/Qwen3-8B');
  assert.equal(hubId('https://huggingface.co/Qwen/Qwen3-8B'), 'Qwen/Qwen3-8B');
  for (const m of ['./models/x', '/abs/x', '~/x', 'a/b/c', '$MODEL', 'x', 'C:/x/y']) assert.equal(hubId(m), null, m);
});

test('a model in a fake Hugging Face cache under HF_HOME is found (refs/main, the name without case), and the CLI estimates from it', () => {
  const home = join(tmp, 'hf-home');
  const cfgPath = fakeCache(home, 'models--Acme--Tiny-Llama-1B', LLAMA_1B);
  // a second, stale snapshot that refs/main does not name
  mkdirSync(join(home, 'hub', 'models--Acme--Tiny-Llama-1B', 'snapshots', 'stale'), { recursive: true });
  const hub = hubCacheDir({ HF_HOME: home }, null)!;
  const r = resolveModelSync({ model: 'acme/tiny-llama-1b', fileDir: '/nowhere', roots: [], hubCache: hub }, nodeReader());
  assert.ok(r);
  assert.equal(r.source.kind, 'hf-cache');
  assert.equal(r.source.path, cfgPath.replace(/\\/g, '/'));
  assert.match(r.source.label, /Hugging Face cache: Acme\/Tiny-Llama-1B @ 0123456/);

  const y = join(tmp, 'cache.yaml');
  writeFileSync(y, 'base_model: Acme/Tiny-Llama-1B\nmicro_batch_size: 2\nsequence_len: 512\nbf16: true\n');
  process.env.HF_HOME = home;
  try {
    const out = cli('estimate', y, '--json');
    assert.equal(out.code, 0, out.err);
    const j = JSON.parse(out.out) as EstimateJson;
    assert.equal(j.params.total, 1_235_814_400);
    assert.ok(j.warnings.some((w: string) => /Hugging Face cache: Acme\/Tiny-Llama-1B/.test(w)), j.warnings.join('\n'));
    // HF_HUB_CACHE wins over HF_HOME
    process.env.HF_HUB_CACHE = join(tmp, 'elsewhere');
    assert.notEqual(cli('estimate', y).code, 0);
  } finally {
    process.env.HF_HOME = EMPTY_HOME;
    delete process.env.HF_HUB_CACHE;
  }
});

test('without refs/main the snapshot holding a config.json is used', () => {
  const home = join(tmp, 'hf-norefs');
  fakeCache(home, 'models--acme--norefs', LLAMA_1B, { refs: false, rev: 'abc' });
  const r = resolveModelSync({ model: 'acme/norefs', fileDir: '/x', roots: [], hubCache: `${home}/hub` }, nodeReader());
  assert.equal(r?.source.kind, 'hf-cache');
});

test('order: a local folder wins over the cache, the cache over the catalog', () => {
  const home = join(tmp, 'hf-order');
  const qwen = { ...LLAMA_1B, num_hidden_layers: 2 };
  fakeCache(home, 'models--Qwen--Qwen3-8B', qwen);
  const hub = `${home}/hub`;
  const fromCache = resolveModelSync({ model: 'Qwen/Qwen3-8B', fileDir: '/x', roots: [], hubCache: hub }, nodeReader());
  assert.equal(fromCache?.source.kind, 'hf-cache');
  assert.equal(fromCache?.config.num_hidden_layers, 2);
  const ws = join(tmp, 'ws-order');
  mkdirSync(join(ws, 'Qwen3-8B'), { recursive: true });
  writeFileSync(join(ws, 'Qwen3-8B', 'config.json'), JSON.stringify({ ...LLAMA_1B, num_hidden_layers: 3 }));
  const fromLocal = resolveModelSync({ model: 'Qwen/Qwen3-8B', fileDir: ws, roots: [ws], hubCache: hub }, nodeReader());
  assert.equal(fromLocal?.source.kind, 'path');
  assert.equal(fromLocal?.config.num_hidden_layers, 3);
  const fromCatalog = resolveModelSync({ model: 'Qwen/Qwen3-8B', fileDir: '/x', roots: [], hubCache: join(tmp, 'none') }, nodeReader());
  assert.equal(fromCatalog?.source.kind, 'catalog');
  assert.equal(fromCatalog?.source.catalogId, 'Qwen/Qwen3-8B');
  assert.match(fromCatalog.source.catalogSource!, /^https:\/\/huggingface\.co\/Qwen\/Qwen3-8B\//);
});

test('untrusted: no path outside the workspace folders is read, except the Hugging Face cache', () => {
  const reads: string[] = [];
  const reader: SyncReader = {
    config: (p) => (reads.push(p), null),
    text: (p) => (reads.push(p), null),
    list: (p) => (reads.push(p), p === '/home/u/.cache/huggingface/hub' ? [] : null),
  };
  const req: ResolveRequest = { model: '../../outside/model', fileDir: '/ws/train', roots: ['/ws'], setting: '/etc/other/config.json', hubCache: '/home/u/.cache/huggingface/hub', restricted: true };
  resolveModelSync(req, reader);
  assert.ok(reads.every((p) => p.startsWith('/ws/') || p.startsWith('/home/u/.cache/huggingface/hub')), reads.join('\n'));
  reads.length = 0;
  resolveModelSync({ ...req, model: 'Qwen/Qwen3-8B' }, reader);
  assert.ok(reads.includes('/home/u/.cache/huggingface/hub'), 'the cache is still read');
  assert.ok(reads.every((p) => p.startsWith('/ws/') || p.startsWith('/home/u/.cache/huggingface/hub')), reads.join('\n'));
  reads.length = 0;
  resolveModelSync({ ...req, restricted: false }, reader);
  assert.ok(reads.includes('/etc/other/config.json') && reads.includes('/outside/model/config.json'), 'trusted: the setting and the path are read');
});

test('every catalog id resolves to its entry (without case), and every entry is estimated', () => {
  const ids = catalogIds();
  assert.ok(ids.length >= 150, `${ids.length} ids`);
  for (const id of ids) {
    for (const q of [id, id.toLowerCase(), id.toUpperCase()]) {
      const m = catalogLookup(q);
      assert.ok(m?.exact, q);
      assert.equal(m.id, id);
    }
  }
  for (const e of CATALOG) {
    assert.match(e.source, /^https:\/\/huggingface\.co\//, e.ids[0]);
    assert.ok(readModelConfig(e.config).params.total > 0, e.ids[0]);
    for (const k of ['bos_token_id', 'eos_token_id', 'transformers_version', 'rope_theta', 'initializer_range']) assert.ok(!(k in e.config), `${e.ids[0]}: ${k}`);
  }
});

test('catalog entries read from a fixture keep its parameter count and KV bytes exactly', () => {
  for (const m of MANIFEST) {
    if (!m.from || m.patch) continue;
    const fixture = readModelConfig(JSON.parse(readFileSync(join(ROOT, m.from), 'utf8')));
    const entry = readModelConfig(catalogLookup(m.ids[0]!)!.entry.config);
    assert.deepEqual(entry.params, fixture.params, m.ids[0]);
    assert.equal(entry.maxPositions, fixture.maxPositions, m.ids[0]);
  }
});

test('every catalog entry counts what transformers 5.17 builds from it (catalog-param-counts.jsonl, meta device)', () => {
  const lines = readFileSync(join(ROOT, 'test/fixtures/catalog-param-counts.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as CountRecord);
  let exact = 0;
  for (const m of lines) {
    if (m.error) continue; // int-for-float values the dump wrote (0 for 0.0); these entries are fixture-derived or checked against publishers below
    const id = m.file.replace(/^catalog\//, '').replace(/\.json$/, '').replace('__', '/');
    const s = readModelConfig(catalogLookup(id)!.entry.config);
    if (id.startsWith('mistralai/Mistral-Small-3.2')) {
      // measured before the catalog set tie_word_embeddings false (the checkpoint's own lm_head): tied, one vocab × hidden less
      assert.equal(s.params.total - m.params, s.vocab * s.hidden, id);
      continue;
    }
    assert.equal(s.params.total, m.params, id);
    assert.equal(s.params.embedding, m.input_embedding_params, id);
    assert.equal(s.tiedEmbeddings, m.tied, id);
    exact++;
  }
  assert.ok(exact >= 80, `${exact} entries exact`);
});

test('catalog totals equal the publishers\' counts', () => {
  const expect: Record<string, number> = {
    'meta-llama/Meta-Llama-3-8B': 8_030_261_248,
    'meta-llama/Llama-3.1-70B-Instruct': 70_553_706_496,
    'meta-llama/Llama-3.1-405B': 405_853_388_800,
    'meta-llama/Llama-3.2-3B-Instruct': 3_212_749_824,
    'mistralai/Mistral-7B-Instruct-v0.3': 7_248_023_552,
    'mistralai/Mistral-Nemo-Instruct-2407': 12_247_782_400,
    'Qwen/Qwen2.5-7B-Instruct': 7_615_616_512,
    'Qwen/Qwen2.5-72B-Instruct': 72_706_203_648,
    'Qwen/Qwen3-0.6B': 596_049_920,
    'Qwen/Qwen3-32B': 32_762_123_264,
    'Qwen/Qwen3-235B-A22B': 235_093_634_560,
    'google/gemma-2-9b-it': 9_241_705_984,
    'google/gemma-2-27b-it': 27_227_128_320,
    'microsoft/phi-4': 14_659_507_200,
    'HuggingFaceTB/SmolLM2-1.7B-Instruct': 1_711_376_384,
    'TinyLlama/TinyLlama-1.1B-Chat-v1.0': 1_100_048_384,
    'openai-community/gpt2-xl': 1_557_611_200,
    'mistralai/Mistral-Small-3.1-24B-Instruct-2503': 24_011_361_280,
    'bigcode/starcoder2-3b': 3_030_371_328,
    'llava-hf/llava-1.5-7b-hf': 7_063_427_072,
  };
  for (const [id, n] of Object.entries(expect)) assert.equal(readModelConfig(catalogLookup(id)!.entry.config).params.total, n, id);
});

test('re-uploads and fine-tunes match a catalog name, with a warning naming it; unrelated names do not', () => {
  const cases: [string, string][] = [
    ['casperhansen/llama-3-70b-fp16', 'meta-llama/Meta-Llama-3-70B'],
    ['unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit', 'meta-llama/Llama-3.1-8B-Instruct'],
    ['TheBloke/Mistral-7B-Instruct-v0.2-AWQ', 'mistralai/Mistral-7B-Instruct-v0.2'],
    ['unsloth/Qwen2.5-7B-Instruct-bnb-4bit', 'Qwen/Qwen2.5-7B-Instruct'],
    ['NousResearch/Meta-Llama-3-8B', 'meta-llama/Meta-Llama-3-8B'],
    ['mlx-community/Qwen3-30B-A3B-4bit', 'Qwen/Qwen3-30B-A3B'],
  ];
  for (const [q, id] of cases) {
    const r = resolveModelSync({ model: q, fileDir: '/x', roots: [], hubCache: null }, nodeReader());
    assert.equal(r?.source.kind, 'catalog-match', q);
    assert.equal(r.source.catalogId, id, q);
    assert.ok(r.source.warning?.includes(q) && r.source.warning.includes(id), r.source.warning);
  }
  for (const q of ['acme/gpt2-xxl', 'random/thing-7b', 'acme/llama-3-13b', 'someone/qwen2.5-7b-1m']) assert.equal(catalogLookup(q), null, q);
});

test('speed: resolving from the catalog and from the cache costs under 5 ms', () => {
  const home = join(tmp, 'hf-speed');
  for (let i = 0; i < 50; i++) fakeCache(home, `models--org${i}--model-${i}`, LLAMA_1B);
  fakeCache(home, 'models--Speed--Model', LLAMA_1B);
  const hub = `${home}/hub`;
  const time = (f: () => void) => {
    f();
    const ts: number[] = [];
    for (let i = 0; i < 21; i++) {
      const t = performance.now();
      f();
      ts.push(performance.now() - t);
    }
    return ts.sort((a, b) => a - b)[10]!;
  };
  const cat = time(() => assert.ok(resolveModelSync({ model: 'casperhansen/llama-3-70b-fp16', fileDir: '/x', roots: [], hubCache: hub }, nodeReader())));
  const cache = time(() => assert.equal(resolveModelSync({ model: 'speed/model', fileDir: '/x', roots: [], hubCache: hub }, nodeReader())?.source.kind, 'hf-cache'));
  assert.ok(cat < 5, `catalog ${cat.toFixed(2)} ms`);
  assert.ok(cache < 5, `cache ${cache.toFixed(2)} ms`);
});

test('real-looking axolotl, LLaMA-Factory and vllm files naming Hub models estimate with no --model and no network', () => {
  const dir = join(tmp, 'workloads');
  mkdirSync(dir, { recursive: true });
  const files: [string, string, RegExp, number][] = [
    [
      'llama3-lora.yml',
      [
        'base_model: NousResearch/Meta-Llama-3-8B',
        'model_type: AutoModelForCausalLM',
        'tokenizer_type: AutoTokenizer',
        'load_in_8bit: false',
        'datasets:',
        '  - path: mhenrichsen/alpaca_2k_test',
        '    type: alpaca',
        'val_set_size: 0.05',
        'output_dir: ./outputs/lora-out',
        'sequence_len: 4096',
        'sample_packing: true',
        'adapter: lora',
        'lora_r: 32',
        'lora_alpha: 16',
        'lora_dropout: 0.05',
        'lora_target_linear: true',
        'gradient_accumulation_steps: 4',
        'micro_batch_size: 2',
        'num_epochs: 4',
        'optimizer: adamw_torch_fused',
        'lr_scheduler: cosine',
        'learning_rate: 0.0002',
        'bf16: auto',
        'gradient_checkpointing: true',
        'flash_attention: true',
        '',
      ].join('\n'),
      /Meta-Llama-3-8B \(matched by name\)/,
      8_030_261_248,
    ],
    [
      'qwen2_5_lora_sft.yaml',
      [
        '### model',
        'model_name_or_path: Qwen/Qwen2.5-7B-Instruct',
        'trust_remote_code: true',
        '',
        '### method',
        'stage: sft',
        'do_train: true',
        'finetuning_type: lora',
        'lora_rank: 8',
        'lora_target: all',
        '',
        '### dataset',
        'dataset: identity,alpaca_en_demo',
        'template: qwen',
        'cutoff_len: 2048',
        '',
        '### train',
        'per_device_train_batch_size: 1',
        'gradient_accumulation_steps: 8',
        'learning_rate: 1.0e-4',
        'num_train_epochs: 3.0',
        'bf16: true',
        '',
      ].join('\n'),
      /bundled catalog: Qwen\/Qwen2\.5-7B-Instruct/,
      7_615_616_512,
    ],
    [
      'serve.sh',
      ['#!/usr/bin/env bash', 'vllm serve Qwen/Qwen3-8B \\', '  --max-model-len 32768 \\', '  --gpu-memory-utilization 0.9 \\', '  --max-num-seqs 64', ''].join('\n'),
      /bundled catalog: Qwen\/Qwen3-8B/,
      8_190_735_360,
    ],
  ];
  for (const [name, text, note, params] of files) {
    const p = join(dir, name);
    writeFileSync(p, text);
    const r = cli('estimate', p, '--gpu', 'h100-sxm-80gb', '--json');
    assert.equal(r.code, 0, `${name}: ${r.err}`);
    const j = JSON.parse(r.out) as EstimateJson;
    assert.equal(j.params.total, params, name);
    assert.ok(j.warnings.some((w: string) => note.test(w)), `${name}: ${j.warnings.join('\n')}`);
    assert.ok(j.memory.peak_bytes > 0);
  }
});

function nodeReader(): SyncReader {
  return {
    config: (p) => {
      try {
        return JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
      } catch {
        return null;
      }
    },
    text: (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return null;
      }
    },
    list: (p) => {
      try {
        return readdirSync(p);
      } catch {
        return null;
      }
    },
  };
}
