// Launch scripts in the editor (torchrun / accelerate launch / deepspeed lines): the CodeLens estimates the configs
// the line runs with its GPU count, equal to the CLI on the script; the GPU-count option's hover re-estimates at
// half and twice the GPUs; a setup that does not fit offers more GPUs, each re-estimated from the edited line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatBytes, readModelConfig, type Estimate } from '../../../src/core/index.ts';
import { parseModelConfig } from '../../../src/parsers/index.ts';
import { analyze, buildScenario, rerun, type Analysis } from '../../../src/extension/analysis.ts';
import { codeLensTitle, hoverMarkdown } from '../../../src/extension/text.ts';
import { readLaunchScript, mayLaunch, type Opener } from '../../../src/extension/launch.ts';
import { launchDiagnostics } from '../../../src/extension/diagnostics-dist.ts';
import { applyEdits, DOES_NOT_FIT } from '../../../src/extension/diagnostics.ts';
import { run } from '../../../src/cli/main.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const EX = path.join(ROOT, 'examples');
const SCRIPT = path.join(EX, 'launch-zero3.sh');
const MODEL = parseModelConfig(readFileSync(path.join(EX, 'llama-3.1-8b/config.json'), 'utf8')).value!.config;
const SPEC = readModelConfig(MODEL);

/** Next to the file that names it, then the workspace root (examples/), as the editor's opener does. */
const opener: Opener = {
  open(ref, from) {
    const p = [path.join(path.dirname(from), ref), path.join(EX, ref)].find((x) => existsSync(x));
    return Promise.resolve(p ? { path: p, text: readFileSync(p, 'utf8') } : null);
  },
};

async function launchAnalysis(text: string, gpu: string, defaults = {}): Promise<{ a: Analysis; notes: string[]; l: NonNullable<Awaited<ReturnType<typeof readLaunchScript>>> }> {
  const l = (await readLaunchScript(SCRIPT, text, opener))!;
  assert.ok(l.file, l.problem?.message);
  const notes: string[] = [];
  return { a: analyze(l.file.kind, MODEL, SPEC, buildScenario(defaults, l.file, SPEC, gpu, [], notes)), notes, l };
}

function cli(file: string, gpu: string): Estimate {
  let out = '';
  let err = '';
  const code = run(['estimate', file, '--gpu', gpu, '--json'], (s) => void (out += s), (s) => void (err += s));
  assert.equal(code, 0, err);
  return JSON.parse(out) as Estimate;
}

test('launch script: CodeLens on the torchrun line equals the CLI on the script (4 GPUs, ZeRO-3 from the YAML)', async () => {
  const text = readFileSync(SCRIPT, 'utf8');
  assert.ok(mayLaunch(SCRIPT, text));
  const { a, l, notes } = await launchAnalysis(text, 'h100-sxm-80gb', { gpus: 1, batch: 4 });
  const c = cli(SCRIPT, 'h100-sxm-80gb');
  assert.deepEqual(a.scenario, c.scenario);
  assert.equal(a.estimate.memory.peak_bytes, c.memory.peak_bytes);
  assert.equal(a.estimate.memory.host_bytes, c.memory.host_bytes);
  assert.equal(a.scenario.gpus, 4);
  assert.equal(l.line.launcherRange.start.line, text.split('\n').findIndex((x) => x.startsWith('torchrun')));
  assert.ok(codeLensTitle(a).startsWith(`≈ ${formatBytes(c.memory.peak_bytes)} per GPU × 4 · host ${formatBytes(c.memory.host_bytes)} · fits H100 80GB`), codeLensTitle(a));
  assert.ok(notes.includes('train_micro_batch_size_per_gpu: "auto" → 1 (micro_batch_size in axolotl-zero3.yaml)'), notes.join('\n'));
  assert.deepEqual(l.file!.keys.map((k) => k.key), ['--nproc_per_node', 'axolotl-zero3.yaml', '--deepspeed']);
});

test('launch script: hover on --nproc_per_node says the per-GPU peak at half and twice the GPUs, from re-runs', async () => {
  const { a } = await launchAnalysis(readFileSync(SCRIPT, 'utf8'), 'h100-sxm-80gb');
  const md = hoverMarkdown('--nproc_per_node', a)!;
  assert.ok(md.startsWith(`**--nproc\\_per\\_node** — 4 GPUs on 1 node: ${formatBytes(a.estimate.memory.peak_bytes)} per GPU, host `), md);
  assert.ok(md.includes(`8 GPUs: ${formatBytes(rerun(a, { gpus: 8 })!.memory.peak_bytes)}`), md);
  assert.ok(md.includes(`2 GPUs: ${formatBytes(rerun(a, { gpus: 2 })!.memory.peak_bytes)}`), md);
  assert.ok(rerun(a, { gpus: 8 })!.memory.peak_bytes < a.estimate.memory.peak_bytes);
  for (const k of ['--num_processes', '--num_gpus']) assert.ok(hoverMarkdown(k, a), k);
});

test('launch script that does not fit: more GPUs on the launch line, each equal to the CLI on the edited script', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmfp-launch-'));
  for (const f of ['axolotl-zero3.yaml', 'ds_zero3_offload.json', 'llama-3.1-8b']) cpSync(path.join(EX, f), path.join(dir, f), { recursive: true });
  const text = readFileSync(SCRIPT, 'utf8').replace('--nproc_per_node 4', '--nproc_per_node 1');
  const { a, l } = await launchAnalysis(text, 'l4-24gb');
  assert.equal(a.fits, false);
  const [d] = launchDiagnostics(l.line, a, text);
  assert.ok(d);
  assert.equal(d.code, DOES_NOT_FIT);
  assert.equal(d.key, '--nproc_per_node');
  assert.deepEqual(d.fixes.map((f) => f.title.replace(/ \(→.*/, '')).sort(), ['Use 2 GPUs (--nproc_per_node 2)', 'Use 4 GPUs (--nproc_per_node 4)']);
  for (const f of d.fixes) {
    const edited = applyEdits(text, f.edits);
    assert.equal((await launchAnalysis(edited, 'l4-24gb')).a.estimate.memory.peak_bytes, f.peakBytes, f.title);
    writeFileSync(path.join(dir, 'launch.sh'), edited);
    assert.equal(cli(path.join(dir, 'launch.sh'), 'l4-24gb').memory.peak_bytes, f.peakBytes, f.title);
  }
  rmSync(dir, { recursive: true, force: true });
});

test('a script with no readable config: one problem at the launcher, no estimate', async () => {
  const l = (await readLaunchScript(SCRIPT, 'deepspeed --num_gpus 2 train.py --deepspeed missing.json\n', opener))!;
  assert.equal(l.file, null);
  assert.match(l.problem!.message, /deepspeed line names no training YAML/);
  assert.deepEqual(l.problem!.range.start, { line: 0, character: 0 });
});
