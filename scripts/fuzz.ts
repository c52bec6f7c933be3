/**
 * Issue 12's fuzzing campaign (not part of `npm test`; a few minutes):
 *   node --import tsx scripts/fuzz.ts [--seed N] [--cli N] [--subprocess N] [--estimates N] [--out DIR]
 * Generates malformed and hostile config.json, axolotl / LLaMA-Factory YAML, vLLM scripts and DeepSpeed JSON from a
 * fixed seed and runs the CLI on them: in-process (`run()` of src/cli/main.ts) for most, as real `node dist/cli.js`
 * subprocesses for some (build first). Then random configs × scenarios straight through `estimate`.
 * Invariants: exit 0, 1 or 2 (never 3), no stack trace, no "internal error", no NaN/Infinity, every `*bytes` in
 * --json output a non-negative safe integer, a run under 2 s, and no silent default: a hostile value of a key the
 * scenario reads is either refused (exit 2) or named in a note. Each failing input is written to --out (default
 * test/fixtures/fuzz/) with the command that failed; test/unit/hostile/fuzz-repro.test.ts replays them.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '../src/cli/main.ts';
import { estimate, ConfigError, ScenarioError } from '../src/core/index.ts';
import { judge, type Case } from '../test/hostile/fuzz-judge.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SEED = arg('seed', 20261129);
const N_CLI = arg('cli', 10_000);
const N_SUB = arg('subprocess', 300);
const N_EST = arg('estimates', 100_000);
const outIdx = process.argv.indexOf('--out');
const OUT = outIdx > 0 ? process.argv[outIdx + 1]! : path.join(ROOT, 'test/fixtures/fuzz');

/** mulberry32: a small seeded PRNG, so a seed replays the same campaign. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = prng(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const chance = (p: number) => rnd() < p;

const QWEN = JSON.parse(readFileSync(path.join(ROOT, 'examples/qwen2.5-7b/config.json'), 'utf8')) as Record<string, unknown>;
const LLAMA = JSON.parse(readFileSync(path.join(ROOT, 'examples/llama-3.1-8b/config.json'), 'utf8')) as Record<string, unknown>;

/** Values as YAML/shell source text: valid, hostile, malformed. `ok` says whether a reader should accept it as a count. */
const GOOD_INTS = ['1', '2', '4', '8', '16', '512', '2048', '4096'];
const BAD_TEXT = [
  '1e308', '-1', '0', '1.5', 'abc', '""', 'null', '~', '[]', '{}', '.nan', '.inf', '-.inf', '9007199254740993',
  '99999999999999999999', '"1e3"', 'true', '"![x](https://example.com/x.png)"', '"\\e[2J"',
  '"[run](command:workbench.action.terminal.new)"', '*undefined_alias', '!!binary aGVsbG8=', '1e-5', '2147483648',
  '1,000', '"\\u0000"', "'__proto__'", '[1, 2', '{a: 1', '"unterminated',
];
/** Spellings a reader may take as a number or refuse with a note: no silent-default check on them. */
const ODD_INTS = ['"  7  "', '+3', '0o17', '&a 3', '0x10', '1_000', '"12"'];
const STRINGS = ['bfloat16', 'float16', 'float32', 'int4', '<img src=x onerror=alert(1)>', '\u001b[31mred\u001b[0m', '__proto__', 'constructor', '![x](https://example.com/x.png) [run](command:workbench.action.terminal.new)', 'x'.repeat(5000), '', '💥', 'auto'];
const GPU_IDS = ['h100-sxm-80gb', 'h200-141gb', 'a100-sxm-40gb', 'rtx-4090', 'nonexistent'];

function yamlValue(): { text: string; ok: boolean } {
  if (chance(0.55)) return { text: pick(GOOD_INTS), ok: true };
  if (chance(0.15)) return { text: pick(ODD_INTS), ok: true };
  return { text: pick(BAD_TEXT), ok: false };
}

/** Random damage to a text: truncation, a byte flip, a duplicated or deleted span, a tab, a NUL. */
function damage(text: string): string {
  const n = int(1, 3);
  let t = text;
  for (let i = 0; i < n; i++) {
    const at = int(0, Math.max(0, t.length - 1));
    switch (int(0, 6)) {
      case 0: t = t.slice(0, at); break;
      case 1: t = t.slice(0, at) + String.fromCharCode(int(0, 255)) + t.slice(at + 1); break;
      case 2: t = t.slice(0, at) + t.slice(at, at + int(1, 40)).repeat(int(2, 20)) + t.slice(at); break;
      case 3: t = t.slice(0, at) + t.slice(at + int(1, 40)); break;
      case 4: t = t.slice(0, at) + '\t' + t.slice(at); break;
      case 5: t = t.slice(0, at) + '\u0000' + t.slice(at); break;
      default: t = t.slice(0, at) + pick(['{', '}', '[', ']', ':', '"', "'", '&x', '*x', '<<: *x', '\n  ', '#', '\\']) + t.slice(at);
    }
  }
  return t;
}


const CONFIG_KEYS = ['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'intermediate_size', 'vocab_size', 'max_position_embeddings', 'torch_dtype', 'model_type', 'head_dim', 'tie_word_embeddings', 'rope_scaling', 'num_experts', 'quantization_config'];
const JSON_VALUES: unknown[] = [0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 2, 'abc', '', null, true, [], {}, { __proto__: null, x: 1 }, 'float32', 'int4', '\u001b[2J', '![x](https://example.com/x.png)', 1, 7, 64, 4096, 1e9];

function configCase(): Case {
  const base: Record<string, unknown> = { ...(chance(0.5) ? QWEN : LLAMA) };
  for (let i = int(1, 4); i > 0; i--) base[pick(CONFIG_KEYS)] = pick(JSON_VALUES);
  let text = JSON.stringify(base, null, chance(0.5) ? 2 : 0);
  if (chance(0.15)) text = text.replace('{', '{"__proto__": {"num_hidden_layers": 1, "model_type": "gpt2"},');
  if (chance(0.1)) text = text.replace(/: 0\.\d+|: \d{3,}/, ': NaN');
  if (chance(0.25)) text = damage(text);
  return { name: 'config.json', text, args: [], hostile: [] };
}

function yamlLines(keys: [string, () => { text: string; ok: boolean }][], head: string[]): { text: string; hostile: string[] } {
  const lines = [...head];
  const hostile: string[] = [];
  if (chance(0.2)) lines.push('defaults: &d', '  gradient_checkpointing: true', `  ${keys[0]![0]}: 4`);
  for (const [k, gen] of keys) {
    if (chance(0.3)) continue;
    const v = gen();
    lines.push(`${k}: ${v.text}`);
    if (!v.ok) hostile.push(k);
  }
  if (lines.includes('defaults: &d') && chance(0.5)) lines.push('<<: *d');
  if (chance(0.1)) lines.push(`${pick(keys)[0]}: *n`, 'n: &n 3');
  return { text: lines.join('\n') + '\n', hostile };
}

const bool = () => ({ text: pick(['true', 'false', 'yes', 'off', '1', 'maybe', '[]']), ok: true });
const str = () => ({ text: JSON.stringify(pick(STRINGS)), ok: true });

function axolotlCase(): Case {
  const { text, hostile } = yamlLines(
    [
      ['micro_batch_size', yamlValue],
      ['sequence_len', yamlValue],
      ['gradient_accumulation_steps', yamlValue],
      ['gradient_checkpointing', bool],
      ['bf16', bool],
      ['adapter', () => ({ text: pick(['lora', 'qlora', 'ia3', '""', '[]']), ok: true })],
      ['lora_r', yamlValue],
      ['optimizer', str],
      ['load_in_4bit', bool],
      ['deepspeed', () => ({ text: pick(['ds.json', '/dev/zero', '../../../etc/passwd', 'missing.json']), ok: true })],
    ],
    [`base_model: ${pick(['./model', './model', '"./model"', '/dev/zero', '[]', '""'])}`],
  );
  return finish('axolotl.yaml', text, hostile);
}

function llamaFactoryCase(): Case {
  const { text, hostile } = yamlLines(
    [
      ['per_device_train_batch_size', yamlValue],
      ['cutoff_len', yamlValue],
      ['gradient_accumulation_steps', yamlValue],
      ['finetuning_type', () => ({ text: pick(['lora', 'full', 'freeze', '1']), ok: true })],
      ['lora_rank', yamlValue],
      ['bf16', bool],
      ['stage', () => ({ text: pick(['sft', 'dpo', 'pt']), ok: true })],
      ['optim', str],
      ['quantization_bit', () => ({ text: pick(['4', '8', '3', '1e308', 'abc']), ok: true })],
    ],
    [`model_name_or_path: ${pick(['./model', './model', '"./model"'])}`],
  );
  return finish('llamafactory.yaml', text, hostile);
}

function finish(name: string, text: string, hostile: string[]): Case {
  // A damaged file has no reliable notion of which keys survive: only the crash invariants apply to it.
  if (chance(0.2)) return { name, text: damage(text), args: extraArgs(), hostile: [] };
  return { name, text, args: extraArgs(), hostile };
}

const VLLM_FLAGS: [string, () => { text: string; ok: boolean }][] = [
  ['--max-model-len', () => (chance(0.6) ? { text: pick(['4096', '8192', '32k', '1K']), ok: true } : { text: pick(['1.5', '-1', '1e308', 'abc', '$LEN', '""', '99999999999999999999']), ok: false })],
  ['--max-num-seqs', () => (chance(0.6) ? { text: pick(['1', '64', '256']), ok: true } : { text: pick(['0', '1.5', '1e308', 'x']), ok: false })],
  ['--gpu-memory-utilization', () => (chance(0.6) ? { text: pick(['0.9', '0.5']), ok: true } : { text: pick(['1.5', '0', '-0.1', 'NaN', 'abc']), ok: false })],
  ['--tensor-parallel-size', () => (chance(0.6) ? { text: pick(['1', '2']), ok: true } : { text: pick(['0', '3.5', 'abc']), ok: false })],
  ['--dtype', () => ({ text: pick(['auto', 'bfloat16', 'float16', 'float32', 'int9', '"$(rm -rf /)"']), ok: true })],
  ['--kv-cache-dtype', () => ({ text: pick(['auto', 'fp8', 'fp4', 'bogus']), ok: true })],
  ['--quantization', () => ({ text: pick(['awq', 'gptq', 'fp8', 'bogus']), ok: true })],
];

function vllmCase(): Case {
  const lines = ['#!/bin/bash', 'set -e'];
  if (chance(0.2)) lines.push('cat <<EOF', 'vllm serve ./heredoc --max-model-len 1', 'EOF');
  if (chance(0.2)) lines.push('echo vllm serve ./echoed');
  if (chance(0.2)) lines.push('A=xx', ...Array.from({ length: int(1, 40) }, () => 'A=$A$A'));
  const hostile: string[] = [];
  const parts = [pick(['vllm serve', 'nohup vllm serve', 'python -m vllm.entrypoints.openai.api_server --model', 'CUDA_VISIBLE_DEVICES=0 vllm serve']), pick(['./model', './model', '"./model"', '$MODEL', "'./model'"])];
  for (const [flag, gen] of VLLM_FLAGS) {
    if (chance(0.4)) continue;
    const v = gen();
    parts.push(chance(0.2) ? `${flag}=${v.text}` : `${flag} ${v.text}`);
    if (!v.ok) hostile.push(flag);
  }
  lines.push(parts.join(chance(0.2) ? ' \\\n  ' : ' ') + (chance(0.2) ? ' &' : ''));
  return finish('serve.sh', lines.join('\n') + '\n', hostile);
}

function deepspeedCase(): Case {
  const v = () => pick<unknown>(['auto', 'auto', 1, 2, 8, 0, -1, 1.5, 1e308, 'abc', null, [], {}]);
  const ds: Record<string, unknown> = {
    train_micro_batch_size_per_gpu: v(),
    gradient_accumulation_steps: v(),
    zero_optimization: { stage: pick<unknown>([0, 1, 2, 3, 4, -1, 'auto', '3', null]), offload_optimizer: { device: pick(['cpu', 'nvme', 'none', 'gpu', '']) }, offload_param: chance(0.5) ? { device: pick(['cpu', 'nvme', 'none']) } : pick<unknown>([null, 1, 'x']) },
    bf16: { enabled: pick<unknown>([true, false, 'auto', 1, null]) },
  };
  if (chance(0.5)) ds['train_batch_size'] = v();
  let text = JSON.stringify(ds, null, 2);
  if (chance(0.25)) text = damage(text);
  const args = ['--model', 'model', ...extraArgs()];
  return { name: 'ds.json', text, args, hostile: [] };
}

function extraArgs(): string[] {
  const a: string[] = [];
  if (chance(0.3)) a.push('--json');
  if (chance(0.15)) a.push('--gpu', pick(GPU_IDS));
  if (chance(0.1)) a.push('--check');
  if (chance(0.1)) a.push('--batch', pick(['4', '0', '1.5', '1e308']));
  if (chance(0.05)) a.push('--seq', pick(['4096', '-1', 'x']));
  return a;
}

function genCase(): Case {
  switch (int(0, 4)) {
    case 0: return configCase();
    case 1: return axolotlCase();
    case 2: return llamaFactoryCase();
    case 3: return vllmCase();
    default: return deepspeedCase();
  }
}

function setup(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmfp-fuzz-'));
  mkdirSync(path.join(dir, 'model'));
  writeFileSync(path.join(dir, 'model/config.json'), JSON.stringify(QWEN));
  writeFileSync(path.join(dir, 'ds.json'), JSON.stringify({ train_micro_batch_size_per_gpu: 'auto', zero_optimization: { stage: 3 } }));
  return dir;
}

const findings: { kind: string; why: string; c: Case }[] = [];
const written = new Map<string, number>();
function keep(kind: string, why: string, c: Case): void {
  findings.push({ kind, why, c });
  // At most two reproducers per kind of finding (its message without numbers).
  const group = `${kind}:${why.replace(/\d+/g, '#').slice(0, 80)}`;
  const seen = written.get(group) ?? 0;
  written.set(group, seen + 1);
  if (seen >= 2) return;
  mkdirSync(OUT, { recursive: true });
  const id = `${String([...written.values()].reduce((a, b) => a + Math.min(b, 2), 0)).padStart(3, '0')}-${c.name}`;
  writeFileSync(path.join(OUT, id), c.text);
  writeFileSync(path.join(OUT, `${id}.case.json`), JSON.stringify({ file: c.name, args: c.args, hostile: c.hostile, found: why }, null, 2) + '\n');
}

function cliCampaign(dir: string): { runs: number; subprocesses: number; ms: number } {
  const t0 = Date.now();
  const cwd = process.cwd();
  process.chdir(dir);
  let runs = 0;
  try {
    for (let i = 0; i < N_CLI; i++) {
      const c = genCase();
      writeFileSync(c.name, c.text);
      let out = '';
      let err = '';
      const s = performance.now();
      let code: number;
      try {
        code = run(['estimate', c.name, ...c.args], (x) => void (out += x), (x) => void (err += x));
      } catch (e) {
        code = 99;
        err = `run() threw: ${(e as Error).stack}`;
      }
      runs++;
      const why = judge(c, code, out, err, Math.round(performance.now() - s));
      if (why) keep('cli', why, c);
    }
  } finally {
    process.chdir(cwd);
  }
  const cliJs = path.join(ROOT, 'dist/cli.js');
  let subprocesses = 0;
  for (let i = 0; i < N_SUB; i++) {
    const c = genCase();
    writeFileSync(path.join(dir, c.name), c.text);
    const s = performance.now();
    const r = spawnSync(process.execPath, [cliJs, 'estimate', c.name, ...c.args], { cwd: dir, encoding: 'utf8', timeout: 10_000 });
    subprocesses++;
    const why = r.error ? `spawn: ${r.error.message}` : judge(c, r.status ?? 98, r.stdout, r.stderr, Math.round(performance.now() - s) - 1500 /* node start-up */);
    if (why) keep('subprocess', why, c);
  }
  return { runs, subprocesses, ms: Date.now() - t0 };
}

const reasons = new Map<string, number>();
function estimateCampaign(): { estimates: number; refused: number; ms: number } {
  const t0 = Date.now();
  let refused = 0;
  const dims = (): number => pick([int(1, 64) * 64, int(-3, 3), 1e308, 0.5, int(1, 1 << 16)]);
  for (let i = 0; i < N_EST; i++) {
    const cfg: Record<string, unknown> = { ...(chance(0.5) ? QWEN : LLAMA) };
    if (chance(0.75)) {
      // A consistent random shape: heads × head_dim = hidden, kv heads dividing heads.
      const heads = pick([1, 2, 4, 8, 16, 32, 40, 64, 128]);
      const hd = pick([32, 64, 80, 96, 128, 256]);
      cfg['num_attention_heads'] = heads;
      cfg['num_key_value_heads'] = pick([1, 2, 4, 8, heads].filter((k) => heads % k === 0));
      cfg['hidden_size'] = heads * hd;
      cfg['head_dim'] = hd;
      cfg['num_hidden_layers'] = int(1, 128);
      cfg['intermediate_size'] = heads * hd * int(1, 8);
      cfg['vocab_size'] = int(1000, 262_144);
      if (chance(0.2)) cfg['torch_dtype'] = pick(['float32', 'bfloat16', 'float16']);
      if (chance(0.1)) Object.assign(cfg, { num_local_experts: pick([4, 8, 64]), num_experts_per_tok: pick([1, 2, 4]), model_type: 'mixtral' });
    } else {
      if (chance(0.7)) cfg['hidden_size'] = dims();
      if (chance(0.5)) cfg['num_hidden_layers'] = pick([int(1, 200), 0, -1, 1e6, 2.5]);
      if (chance(0.5)) cfg['num_attention_heads'] = pick([int(1, 128), 0, 3]);
      if (chance(0.5)) cfg['num_key_value_heads'] = pick([int(1, 64), 0, 5]);
      if (chance(0.5)) cfg['intermediate_size'] = dims();
      if (chance(0.4)) cfg['vocab_size'] = pick([int(1, 1 << 18), 0, 1e12]);
      if (chance(0.3)) cfg['torch_dtype'] = pick(STRINGS);
      if (chance(0.1)) cfg['num_local_experts'] = pick([8, 0, 1e6]);
    }
    const sc: Record<string, unknown> = {
      mode: chance(0.97) ? pick(['inference', 'training']) : 'bogus',
      batch: chance(0.95) ? pick([int(1, 64), int(1, 64), int(1, 1 << 20)]) : pick([0, 1.5]),
      seq: chance(0.95) ? pick([int(1, 8192), int(1, 8192), int(1, 1 << 24)]) : 0,
    };
    if (chance(0.3)) sc['weightsDtype'] = pick([null, 'fp32', 'bf16', 'int4', 'nf4', 'int8', 'fp8', chance(0.1) ? 'bogus' : 'fp16']);
    if (chance(0.3)) sc['precision'] = pick(['bf16', 'fp32', 'amp-bf16', 'fp16', 'amp-fp16']);
    if (chance(0.3)) sc['optimizer'] = pick(['adamw', 'sgd', 'adamw-8bit', 'lion', 'adafactor', 'galore-adamw', 'apollo']);
    if (chance(0.3)) sc['loraRank'] = pick([null, 8, 64, 512, chance(0.1) ? 0 : 16]);
    if (chance(0.2) && sc['loraRank']) sc['qlora'] = true;
    if (chance(0.3)) sc['gradCheckpointing'] = chance(0.5);
    if (chance(0.3)) {
      const tp = pick([1, 2, 4, chance(0.1) ? 3 : 1]);
      Object.assign(sc, { gpus: tp * pick([1, 2, 8]), tp });
      if (sc['mode'] === 'training') sc['zero'] = pick([0, 1, 2, 3]);
    }
    if (chance(0.2)) sc['runtime'] = pick(['pytorch', 'vllm', 'deepspeed']);
    if (chance(0.2)) sc['kvDtype'] = pick(['auto', 'fp8', 'int4']);
    if (chance(0.2)) sc['newTokens'] = int(0, 4096);
    if (chance(0.2)) sc['gpu'] = pick(['h100-sxm-80gb', 'h200-141gb', 'a100-sxm-40gb', 'rtx-4090', 'mi300x-192gb', chance(0.1) ? 'bogus' : 'l4-24gb']);
    let e;
    try {
      e = estimate(cfg, sc);
    } catch (x) {
      if (x instanceof ConfigError || x instanceof ScenarioError) {
        refused++;
        if (process.env['FUZZ_WHY']) reasons.set((x as Error).message.replace(/[\d.e+]+/g, '#').slice(0, 90), (reasons.get((x as Error).message.replace(/[\d.e+]+/g, '#').slice(0, 90)) ?? 0) + 1);
        continue;
      }
      keep('estimate', `foreign exception: ${(x as Error).stack?.split('\n').slice(0, 3).join(' | ')}`, { name: 'estimate.json', text: JSON.stringify({ config: cfg, scenario: sc }), args: [], hostile: [] });
      continue;
    }
    const bad: string[] = [];
    for (const t of [...e.memory.terms, ...e.memory.device_terms]) if (!(Number.isSafeInteger(t.bytes) && t.bytes >= 0)) bad.push(`${t.id}: ${t.bytes}`);
    for (const k of ['peak_bytes', 'device_bytes'] as const) if (!(Number.isSafeInteger(e.memory[k]) && e.memory[k] >= 0)) bad.push(`${k}: ${e.memory[k]}`);
    if (bad.length) keep('estimate', `bytes: ${bad.join('; ')}`, { name: 'estimate.json', text: JSON.stringify({ config: cfg, scenario: sc }), args: [], hostile: [] });
  }
  return { estimates: N_EST, refused, ms: Date.now() - t0 };
}

const dir = setup();
const cli = cliCampaign(dir);
console.log(`seed ${SEED}: ${cli.runs} in-process CLI runs + ${cli.subprocesses} subprocesses in ${(cli.ms / 1000).toFixed(1)} s`);
const est = estimateCampaign();
console.log(`${est.estimates} in-process estimates (${est.refused} refused with our own error) in ${(est.ms / 1000).toFixed(1)} s`);
if (process.env['FUZZ_WHY']) for (const [w, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  refused ${n}× ${w}`);
const byWhy = new Map<string, number>();
for (const f of findings) byWhy.set(`${f.kind}: ${f.why.slice(0, 120)}`, (byWhy.get(`${f.kind}: ${f.why.slice(0, 120)}`) ?? 0) + 1);
console.log(`${findings.length} findings${findings.length ? ` (written to ${path.relative(ROOT, OUT)})` : ''}`);
for (const [w, n] of [...byWhy].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${n}× ${w}`);
process.exitCode = findings.length ? 1 : 0;
