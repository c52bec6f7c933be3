/**
 * Issue 12, parsing as the tools do: YAML aliases and merge keys (PyYAML), an alias-expansion and a depth limit,
 * JSON without prototypes, shell scripts as a shell reads them, integer options refused when fractional,
 * torch_dtype for inference storage, exact byte totals and formulas.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { estimate, readModelConfig, parseScenario, estimateSpec } from '../../../src/core/index.ts';
import { evaluateFormula } from '../../../src/core/formula.ts';
import { parseDocumentText, parseModelConfig, parseSize, type WorkloadFile } from '../../../src/parsers/index.ts';
import { billionLaughs, deepJson, deepYaml, doublingScript } from '../../hostile/generate.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const QWEN = JSON.parse(readFileSync(path.join(ROOT, 'examples/qwen2.5-7b/config.json'), 'utf8')) as Record<string, unknown>;
const workload = (name: string, text: string) => parseDocumentText(name, text).files[0] as WorkloadFile | undefined;

test('YAML aliases and merge keys are resolved as PyYAML does', () => {
  const w = workload('a.yaml', 'n: &n 6\ndefaults: &d\n  sequence_len: 4096\n  gradient_checkpointing: true\nbase_model: ./m\n<<: *d\nmicro_batch_size: *n\n')!;
  assert.equal(w.scenario.batch, 6);
  assert.equal(w.scenario.seq, 4096);
  assert.equal(w.scenario.gradCheckpointing, true);
  assert.equal(w.fields.seq?.keyRange.start.line, 5, 'a merged key sits at its << line');
});

test('billion laughs and deep nesting end in one clear error, quickly', () => {
  for (const [name, text] of [['a.yaml', billionLaughs()], ['a.yaml', deepYaml()], ['config.json', deepJson()]] as const) {
    const t0 = Date.now();
    const doc = parseDocumentText(name, text);
    assert.ok(Date.now() - t0 < 200, `${name} took ${Date.now() - t0} ms`);
    assert.equal(doc.files.length, 0);
    assert.match(doc.errors[0]!.message, /aliases expand too far|nested \d+ levels deep/);
  }
});

test('"__proto__" in JSON is an ordinary unknown key, not the config\'s prototype', () => {
  const text = JSON.stringify({ ...QWEN }).replace('{', '{"__proto__": {"num_hidden_layers": 1, "model_type": "gpt2"},');
  const f = parseModelConfig(text).value!;
  assert.equal(Object.getPrototypeOf(f.config), null);
  assert.equal(readModelConfig(f.config).layers, QWEN['num_hidden_layers']);
  const ds = parseDocumentText('ds.json', '{"__proto__": {"train_micro_batch_size_per_gpu": 7}, "zero_optimization": {"stage": 2}}').files[0] as WorkloadFile;
  assert.notEqual(ds.scenario.batch, 7);
});

test('a shell reads heredoc bodies, echo, comments and strings as data, not commands', () => {
  const script = [
    'cat <<EOF > notes.txt',
    'vllm serve ./heredoc --max-model-len 1',
    'EOF',
    'cat <<-\'END\'',
    '\tvllm serve ./heredoc2',
    '\tEND',
    'echo vllm serve ./echoed',
    '# vllm serve ./commented',
    'printf "vllm serve ./quoted"',
    'nohup vllm serve ./real --max-model-len 4096 &',
  ].join('\n');
  const doc = parseDocumentText('s.sh', script);
  assert.deepEqual(doc.files.map((f) => (f as WorkloadFile).model), ['./real']);
});

test('variable doubling is bounded; commands per script are capped with a diagnostic', () => {
  const t0 = Date.now();
  const doc = parseDocumentText('s.sh', doublingScript(30));
  assert.ok(Date.now() - t0 < 100);
  assert.equal(doc.files.length, 1);
  assert.ok(doc.errors.some((e) => /left unexpanded/.test(e.message)));
  const many = parseDocumentText('s.sh', Array.from({ length: 300 }, () => 'vllm serve ./m').join('\n'));
  assert.equal(many.files.length, 50);
  assert.ok(many.errors.some((e) => /only the first 50 are estimated/.test(e.message)));
});

test('integer options are refused when fractional', () => {
  assert.equal(parseSize('1.5'), null);
  assert.equal(parseSize('1.5K'), null);
  assert.equal(parseSize('1.5k'), 1500);
  assert.equal(parseSize('32K'), 32768);
  const doc = parseDocumentText('s.sh', 'vllm serve ./m --max-model-len 1.5\n');
  assert.equal((doc.files[0] as WorkloadFile).scenario.seq, undefined);
  assert.ok(doc.errors.some((e) => e.key === '--max-model-len' && e.severity === 'warning'));
});

test('a float32 checkpoint is 4 B/param in PyTorch inference, 2 B/param in vLLM (--dtype auto)', () => {
  const fp32 = { ...QWEN, torch_dtype: 'float32' };
  const spec = readModelConfig(fp32);
  const w = (e: ReturnType<typeof estimate>) => e.memory.terms.find((t) => t.id === 'weights')!.bytes;
  assert.equal(w(estimate(fp32, { mode: 'inference' })), spec.params.total * 4);
  assert.equal(w(estimate(QWEN, { mode: 'inference' })), spec.params.total * 2);
  assert.equal(w(estimate(fp32, { mode: 'inference', runtime: 'vllm', gpu: 'h100-sxm-80gb' })), spec.params.total * 2);
  assert.equal(w(estimate(fp32, { mode: 'inference', weightsDtype: 'bf16' })), spec.params.total * 2);
});

test('every weights formula evaluates exactly to its bytes (int4 included); bytes beyond 2^53 are refused', () => {
  const spec = readModelConfig(QWEN);
  for (const weightsDtype of ['fp32', 'bf16', 'fp8', 'int8', 'int4', 'nf4'] as const) {
    const e = estimateSpec(spec, parseScenario({ mode: 'inference', weightsDtype }));
    for (const t of [...e.memory.terms, ...e.memory.device_terms]) {
      assert.ok(Number.isSafeInteger(t.bytes), `${t.id} ${t.bytes}`);
      assert.equal(evaluateFormula(t.formula, t.inputs), t.bytes, `${weightsDtype} ${t.id}`);
    }
  }
  assert.throws(() => estimate(QWEN, { mode: 'training', batch: 1 << 20, seq: 1 << 20 }), /more than 2\^53 bytes/);
});
