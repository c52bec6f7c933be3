/**
 * config.json → ModelSpec: exact parameter counts against transformers, and the structure each adapter reports.
 *
 * Truth: test/fixtures/param-counts.jsonl, written by scripts/calibrate/param_counts.py on the device machine
 * (transformers 5.17.0, torch 2.11, models built on the meta device from each config in test/fixtures/configs/),
 * and the four "params" measurements of test/fixtures/measured/h100-measurements.jsonl.
 * test/fixtures/param-groups.jsonl (same run) lists every named parameter, so each tensor group is checked too.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, readModelConfig } from '../../../../src/core/model/index.ts';
import type { ModelSpec } from '../../../../src/core/types.ts';
import { readJsonObject } from '../../helpers/json.ts';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures');
const json = (p: string) => readJsonObject(p);
/** The records of a .jsonl file; the caller names their type. */
const lines = (p: string): unknown[] =>
  readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l): unknown => JSON.parse(l));
const config = (file: string) => json(join(FIX, 'configs', file));
const spec = (file: string) => readModelConfig(config(file));

interface Measured {
  file: string;
  params?: number;
  embedding_params?: number;
  input_embedding_params?: number;
  tied?: boolean;
  error?: string;
}
const measured = lines(join(FIX, 'param-counts.jsonl')) as Measured[];

function sumGroups(s: ModelSpec): number {
  return s.tensors.reduce((a, g) => a + g.numel * g.count, 0);
}

function throwsConfigError(cfg: unknown, key: string | undefined, message?: RegExp) {
  assert.throws(
    () => readModelConfig(cfg),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
      assert.equal(e.key, key);
      if (key !== undefined) assert.ok(e.message.includes(`"${key}"`), `message names the key: ${e.message}`);
      if (message) assert.match(e.message, message);
      return true;
    },
  );
}

describe('exact parameter counts (measured with transformers on the device)', () => {
  it('covers every fixture config', () => {
    const files = new Set(measured.map((m) => m.file));
    assert.ok(files.size >= 30);
    for (const f of ['gpt2.json', 'llama-7b-legacy.json', 'mixtral-8x7b-v0.1.json', 'deepseek-v3.json', 'gemma-3-4b-it.json'])
      assert.ok(files.has(f), f);
    assert.deepEqual(
      measured.filter((m) => m.error).map((m) => m.file),
      [],
      'every fixture builds in transformers',
    );
  });

  for (const m of measured) {
    if (m.error) continue;
    it(`${m.file}: total ${m.params}, embedding ${m.input_embedding_params}, tied ${m.tied}`, () => {
      const s = spec(m.file);
      assert.equal(s.params.total, m.params);
      assert.equal(s.params.embedding, m.input_embedding_params);
      assert.equal(s.tiedEmbeddings, m.tied);
      assert.equal(sumGroups(s), s.params.total, 'Σ numel × count = total');
      assert.equal(s.layerKinds.length, s.layers);
      assert.ok(s.params.active <= s.params.total);
      // active leaves out the input embedding (a lookup), unless it is tied to the output head (a matmul)
      if (s.moe === null) assert.equal(s.params.active, s.params.total - (s.tiedEmbeddings ? 0 : s.params.embedding));
      else assert.ok(s.params.active < s.params.total);
    });
  }

  it('the four counts measured for the calibration (h100-measurements.jsonl) match', () => {
    const truth = (lines(join(FIX, 'measured', 'h100-measurements.jsonl')) as { kind: string; model: string; params: number; tied: boolean }[]).filter(
      (x) => x.kind === 'params',
    );
    const expected: Record<string, number> = {
      gpt2: 124439808,
      'qwen2.5-0.5b': 494032768,
      'llama-3.2-1b': 1235814400,
      'mistral-7b-v0.1': 7241732096,
    };
    assert.equal(truth.length, 4);
    for (const t of truth) {
      assert.equal(t.params, expected[t.model]);
      const s = readModelConfig(json(join(FIX, 'measured', 'configs', `${t.model}.json`)));
      assert.equal(s.params.total, t.params, t.model);
      assert.equal(s.tiedEmbeddings, t.tied, t.model);
    }
  });
});

describe('tensor groups match the named parameters of the transformers model', () => {
  const path = join(FIX, 'param-groups.jsonl');
  type GroupsRecord = { file: string; groups?: Record<string, { shape: number[]; numel: number; count: number }>; layer_types?: string[] | null };
  const groups = existsSync(path) ? (lines(path) as GroupsRecord[]) : [];
  it('has the groups file', () => assert.ok(groups.length > 0));
  for (const m of groups) {
    if (!m.groups) continue;
    it(m.file, () => {
      const s = spec(m.file);
      const mine = new Map(s.tensors.map((g) => [g.name, g]));
      let expertsMeasured = 0;
      for (const [name, g] of Object.entries(m.groups!)) {
        // transformers 5 fuses each layer's experts into 3-D tensors; we list them per expert (same elements).
        if (name.includes('.experts.')) {
          expertsMeasured += g.numel * g.count;
          continue;
        }
        const x = mine.get(name);
        assert.ok(x, `group ${name}`);
        assert.equal(x.numel, g.numel, name);
        assert.equal(x.count, g.count, name);
        if (x.shape && !m.file.includes('gpt2')) assert.deepEqual(x.shape, g.shape, name); // GPT-2 Conv1D is [in, out]
        mine.delete(name);
      }
      const rest = [...mine.values()];
      assert.deepEqual(
        rest.filter((g) => !g.name.includes('.experts.')).map((g) => g.name),
        [],
        'no extra groups',
      );
      assert.equal(
        rest.reduce((a, g) => a + g.numel * g.count, 0),
        expertsMeasured,
        'expert elements',
      );
      if (m.layer_types)
        assert.deepEqual(
          s.layerKinds.map((l) => {
            // transformers' own labels: Jamba's Mamba layers "linear_attention", Falcon-H1's attention + Mamba "hybrid"
            if (l.sideMamba) return 'hybrid';
            if (l.attention === 'mamba') return 'linear_attention';
            return l.attention === 'sliding' ? 'sliding_attention' : 'full_attention';
          }),
          m.layer_types,
        );
    });
  }
});

describe('hand-derived counts (the arithmetic, for reading)', () => {
  it('llama-2-7b: V·H·2 + L·(4·H² + 3·H·I + 2·H) + H', () => {
    const [V, H, I, L] = [32000, 4096, 11008, 32];
    assert.equal(spec('llama-2-7b.json').params.total, 2 * V * H + L * (4 * H * H + 3 * H * I + 2 * H) + H);
  });
  it('gpt2: wte + wpe + L·(ln 4H + c_attn 3H²+3H + c_proj H²+H + c_fc 4H²+4H + c_proj 4H²+H) + ln_f 2H', () => {
    const [V, P, H, L] = [50257, 1024, 768, 12];
    const layer = 4 * H + 3 * H * H + 3 * H + H * H + H + 4 * H * H + 4 * H + 4 * H * H + H;
    assert.equal(spec('gpt2.json').params.total, V * H + P * H + L * layer + 2 * H);
    assert.equal(spec('gpt2.json').params.embedding, V * H, 'the token embedding only (learned positions are separate)');
  });
  it('mixtral-8x7b: attention GQA (kv 8 × 128) + 8 experts × 3 × H·I + router 8·H; active uses 2 of 8', () => {
    const [V, H, I, L, E, K, kv] = [32000, 4096, 14336, 32, 8, 2, 1024];
    const attn = 2 * H * H + 2 * H * kv;
    const total = 2 * V * H + L * (attn + E * 3 * H * I + E * H + 2 * H) + H;
    const s = spec('mixtral-8x7b-v0.1.json');
    assert.equal(s.params.total, total);
    assert.equal(s.params.active, total - L * (E - K) * 3 * H * I - V * H, 'unrouted experts and the input embedding left out');
  });
  it('qwen1.5-moe: q/k/v bias, 60 experts of 1408, shared expert 5632 with a 1-wide sigmoid gate', () => {
    const [V, H, L, E, I, S] = [151936, 2048, 24, 60, 1408, 5632];
    const attn = 4 * H * H + 3 * H;
    const moe = E * H + E * 3 * H * I + 3 * H * S + H;
    assert.equal(spec('qwen1.5-moe-a2.7b.json').params.total, 2 * V * H + L * (attn + moe + 2 * H) + H);
  });
  it('gemma-2-2b: tied, head_dim 256 (8 q heads, 4 kv heads), 4 norms per layer', () => {
    const [V, H, I, L, q, kv] = [256000, 2304, 9216, 26, 8 * 256, 4 * 256];
    const layer = 2 * H * q + 2 * H * kv + 3 * H * I + 4 * H;
    assert.equal(spec('gemma-2-2b.json').params.total, V * H + L * layer + H);
  });
  it('deepseek-v2-lite: MLA without q LoRA, 1 dense layer, 26 MoE layers of 64 experts + 2 shared', () => {
    const [V, H, L, nh, I, mI, E] = [102400, 2048, 27, 16, 10944, 1408, 64];
    const mla = H * nh * 192 + H * (512 + 64) + 512 + 512 * nh * (128 + 128) + nh * 128 * H;
    const moe = E * H + E * 3 * H * mI + 3 * H * 2 * mI;
    const total = 2 * V * H + L * (mla + 2 * H) + 3 * H * I + (L - 1) * moe + H;
    assert.equal(spec('deepseek-v2-lite.json').params.total, total);
  });
});

describe('structure', () => {
  it('embedding = input embedding (+ learned positions only for GPT-2)', () => {
    assert.equal(spec('llama-3.2-1b.json').params.embedding, 128256 * 2048);
    assert.equal(spec('pythia-160m.json').params.embedding, 50304 * 768);
    assert.equal(spec('gpt2.json').params.embedding, 50257 * 768);
  });

  it('head_dim: derived hidden / heads, explicit head_dim wins, Gemma / Qwen3 class defaults', () => {
    const l = spec('llama-2-7b.json');
    assert.equal(l.headDim, 128);
    const x = spec('synthetic/llama-bias-headdim.json'); // hidden 512, 8 heads, head_dim 96 (not 64)
    assert.equal(x.headDim, 96);
    assert.deepEqual(x.tensors.find((g) => g.module === 'q_proj' && g.role === 'linear')?.shape, [8 * 96, 512]);
    assert.deepEqual(x.tensors.find((g) => g.module === 'k_proj' && g.role === 'linear')?.shape, [2 * 96, 512]);
    const g = config('gemma-2b.json');
    delete g.head_dim;
    assert.equal(readModelConfig(g).headDim, 256, 'GemmaConfig default, not 2048 / 8');
    const q = config('qwen3-8b.json');
    delete q.head_dim;
    q.hidden_size = 2048;
    assert.equal(readModelConfig(q).headDim, 128, 'Qwen3Config default, not 2048 / 32');
    const ll = config('llama-2-7b.json');
    ll.head_dim = 64;
    const s64 = readModelConfig(ll);
    assert.equal(s64.headDim, 64);
    assert.ok(s64.params.total < l.params.total);
  });

  it('tied vs untied: explicit key, and each class default', () => {
    const tied = spec('llama-3.2-1b.json');
    const cfg = config('llama-3.2-1b.json');
    cfg.tie_word_embeddings = false;
    const untied = readModelConfig(cfg);
    assert.equal(untied.params.total - tied.params.total, 128256 * 2048);
    assert.ok(untied.tensors.some((g) => g.role === 'lm_head'));
    assert.ok(!tied.tensors.some((g) => g.role === 'lm_head'));
    delete cfg.tie_word_embeddings;
    assert.equal(readModelConfig(cfg).tiedEmbeddings, false, 'Llama default: untied');
    const gemma = config('gemma-2b.json');
    delete gemma.tie_word_embeddings;
    assert.equal(readModelConfig(gemma).tiedEmbeddings, true, 'Gemma default: tied');
    assert.equal(spec('gpt2.json').tiedEmbeddings, true, 'GPT-2 default: tied');
    assert.equal(spec('falcon-7b.json').tiedEmbeddings, true, 'Falcon default: tied');
    assert.equal(spec('synthetic/gpt2-ninner-untied.json').tiedEmbeddings, false);
  });

  it('biases: qwen2 has q/k/v bias but no o bias; llama attention_bias / mlp_bias', () => {
    const q = spec('qwen2-7b.json');
    const biased = q.tensors.filter((g) => g.role === 'bias').map((g) => g.module);
    assert.deepEqual(biased, ['q_proj', 'k_proj', 'v_proj']);
    const l = spec('synthetic/llama-bias-headdim.json');
    assert.deepEqual(
      l.tensors.filter((g) => g.role === 'bias').map((g) => g.module),
      ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
    );
  });

  it('sliding windows: mistral every layer, gemma2 alternating, qwen2 max_window_layers, gemma3 pattern', () => {
    const m = spec('mistral-7b-v0.1.json');
    assert.ok(m.layerKinds.every((k) => k.attention === 'sliding' && k.window === 4096));
    assert.ok(spec('mixtral-8x7b-v0.1.json').layerKinds.every((k) => k.attention === 'full'), 'sliding_window null');

    const g2 = spec('gemma-2-2b.json').layerKinds;
    assert.deepEqual(g2.slice(0, 4), [
      { attention: 'sliding', window: 4096, moe: false },
      { attention: 'full', moe: false },
      { attention: 'sliding', window: 4096, moe: false },
      { attention: 'full', moe: false },
    ]);

    assert.ok(spec('qwen2.5-0.5b.json').layerKinds.every((k) => k.attention === 'full'), 'use_sliding_window false');
    const qs = spec('synthetic/qwen2-sliding.json').layerKinds; // max_window_layers 4 of 6
    assert.deepEqual(
      qs.map((k) => k.attention),
      ['full', 'full', 'full', 'full', 'sliding', 'sliding'],
    );
    assert.equal(qs[5]!.window, 128);

    const g3 = spec('gemma-3-1b-pt.json').layerKinds; // sliding_window_pattern 6: every 6th layer is global
    const full = g3.flatMap((k, i) => (k.attention === 'full' ? [i] : []));
    assert.deepEqual(full, [5, 11, 17, 23]);
    assert.ok(g3.filter((k) => k.attention === 'sliding').every((k) => k.window === 512));
    const pat = config('gemma-3-1b-pt.json');
    pat.sliding_window_pattern = 2;
    assert.equal(readModelConfig(pat).layerKinds.filter((k) => k.attention === 'full').length, 13);
    const lt = spec('synthetic/gemma3-text-layer-types.json').layerKinds; // explicit layer_types win
    assert.deepEqual(
      lt.map((k) => k.attention),
      ['full', 'sliding', 'sliding', 'full'],
    );
  });

  it('MoE: active < total, activeCount on expert groups, MoeSpec fields', () => {
    const mx = spec('mixtral-8x7b-v0.1.json');
    assert.deepEqual(mx.moe, { experts: 8, topK: 2, expertIntermediate: 14336, sharedExperts: 0, sharedIntermediate: 0, denseLayers: 0 });
    const experts = mx.tensors.filter((g) => g.role === 'expert');
    assert.equal(experts.length, 3);
    for (const g of experts) {
      assert.equal(g.count, 32 * 8);
      assert.equal(g.activeCount, 32 * 2);
    }
    assert.ok(mx.layerKinds.every((k) => k.moe));

    const v3 = spec('deepseek-v3.json');
    assert.deepEqual(v3.moe, { experts: 256, topK: 8, expertIntermediate: 2048, sharedExperts: 1, sharedIntermediate: 2048, denseLayers: 3 });
    assert.deepEqual(
      v3.layerKinds.slice(0, 4).map((k) => k.moe),
      [false, false, false, true],
    );
    assert.ok(v3.params.active > 36e9 && v3.params.active < 38e9, `V3 ≈ 37B active, got ${v3.params.active}`);
    assert.ok(v3.tensors.some((g) => g.role === 'router' && g.shape?.[0] === 256));

    const q2 = spec('qwen1.5-moe-a2.7b.json');
    assert.equal(q2.moe?.sharedExperts, 1);
    assert.equal(q2.moe?.sharedIntermediate, 5632);
    // Qwen's "A2.7B" / "A3B" count the input embedding, which active parameters leave out
    assert.ok(q2.params.active + q2.params.embedding > 2.6e9 && q2.params.active + q2.params.embedding < 2.8e9, 'A2.7B');

    const q3 = spec('qwen3-30b-a3b.json');
    assert.ok(q3.params.active + q3.params.embedding > 3.2e9 && q3.params.active + q3.params.embedding < 3.5e9, 'A3B');

    const sparse = spec('synthetic/qwen2-moe-sparse-step.json'); // decoder_sparse_step 2, mlp_only_layers [3]
    assert.deepEqual(
      sparse.layerKinds.map((k) => k.moe),
      [false, true, false, false],
    );
    assert.equal(sparse.moe?.denseLayers, 3);

    for (const f of ['llama-2-7b.json', 'gemma-2-2b.json', 'gpt2.json']) {
      const s = spec(f);
      assert.equal(s.moe, null);
      assert.equal(s.params.active, s.params.total - (s.tiedEmbeddings ? 0 : s.params.embedding));
    }
  });

  it('MLA dims (deepseek-v2-lite: no q LoRA; v3: q LoRA 1536)', () => {
    const lite = spec('deepseek-v2-lite.json');
    assert.deepEqual(lite.mla, { kvLoraRank: 512, qLoraRank: null, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 });
    assert.equal(lite.headDim, 192);
    assert.ok(lite.layerKinds.every((k) => k.attention === 'mla'));
    assert.ok(lite.tensors.some((g) => g.module === 'q_proj'));
    assert.ok(!lite.tensors.some((g) => g.module === 'q_a_proj'));
    assert.deepEqual(lite.tensors.find((g) => g.module === 'kv_a_proj_with_mqa')?.shape, [512 + 64, 2048]);
    assert.deepEqual(lite.tensors.find((g) => g.module === 'kv_b_proj')?.shape, [16 * (128 + 128), 512]);
    const v3 = spec('deepseek-v3.json');
    assert.equal(v3.mla?.qLoraRank, 1536);
    assert.deepEqual(v3.tensors.find((g) => g.module === 'q_b_proj')?.shape, [128 * 192, 1536]);
    assert.ok(v3.tensors.some((g) => g.name.endsWith('q_a_layernorm.weight')));
  });

  it('block per family', () => {
    const g = spec('gpt2.json').block;
    assert.deepEqual(
      [g.norm, g.mlp, g.activation, g.fusedQkv, g.absolutePositions, g.parallelResidual],
      ['layer', 'plain', 'gelu_new', true, true, false],
    );
    assert.equal(spec('synthetic/gpt2-ninner-untied.json').block.activation, 'fused', 'activation_function gelu');
    const neox = spec('pythia-160m.json').block;
    assert.deepEqual([neox.fusedQkv, neox.parallelResidual, neox.mlp, neox.activation], [true, true, 'plain', 'fused']);
    assert.equal(spec('synthetic/gpt-neox-nobias-serial.json').block.parallelResidual, false);
    const f7 = spec('falcon-7b.json');
    assert.deepEqual([f7.block.parallelResidual, f7.block.normsPerLayer, f7.kvHeads], [true, 1, 1]);
    const f40 = spec('falcon-40b.json');
    assert.deepEqual([f40.block.parallelResidual, f40.block.normsPerLayer, f40.kvHeads], [true, 2, 8]);
    const rw = spec('falcon-rw-1b.json');
    assert.deepEqual([rw.block.parallelResidual, rw.block.normsPerLayer, rw.kvHeads], [false, 2, 32]);
    const phi = spec('phi-3-mini-4k-instruct.json');
    assert.deepEqual([phi.block.fusedQkv, phi.block.fusedGateUp], [true, true]);
    assert.deepEqual(
      phi.tensors.filter((g) => g.role === 'linear').map((g) => g.module),
      ['qkv_proj', 'o_proj', 'gate_up_proj', 'down_proj'],
    );
    assert.ok(phi.layerKinds.every((k) => k.attention === 'sliding' && k.window === 2047));
    const g2 = spec('gemma-2-2b.json').block;
    assert.deepEqual([g2.norm, g2.normsPerLayer, g2.qkNorm], ['rms_f32w', 4, 'none']);
    const g3 = spec('gemma-3-1b-pt.json').block;
    assert.deepEqual([g3.norm, g3.normsPerLayer, g3.qkNorm], ['rms_f32w', 4, 'head']);
    assert.equal(spec('qwen3-8b.json').block.qkNorm, 'head');
    assert.equal(spec('olmo-2-1124-7b.json').block.qkNorm, 'full');
    assert.equal(spec('olmoe-1b-7b-0924.json').block.qkNorm, 'full');
    const l = spec('llama-2-7b.json').block;
    assert.deepEqual(
      [l.norm, l.normsPerLayer, l.qkNorm, l.mlp, l.activation, l.fusedQkv, l.fusedGateUp, l.parallelResidual, l.absolutePositions],
      ['rms', 2, 'none', 'gated', 'fused', false, false, false, false],
    );
  });

  it('PEFT module names and [out, in] shapes', () => {
    const s = spec('llama-3.1-8b.json');
    const mods = new Set(s.tensors.filter((g) => g.role === 'linear').map((g) => g.module));
    assert.deepEqual([...mods], ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']);
    assert.deepEqual(s.tensors.find((g) => g.module === 'down_proj')?.shape, [4096, 14336]);
    const gpt2 = new Set(spec('gpt2.json').tensors.map((g) => g.module).filter(Boolean));
    assert.deepEqual([...gpt2], ['c_attn', 'c_proj', 'c_fc']);
    const neox = new Set(spec('pythia-160m.json').tensors.map((g) => g.module).filter(Boolean));
    assert.deepEqual([...neox], ['query_key_value', 'dense', 'dense_h_to_4h', 'dense_4h_to_h', 'lm_head']);
  });

  it('gemma3 multimodal: text_config with Gemma3TextConfig defaults; top-level architectures and dtype', () => {
    const s = spec('gemma-3-4b-it.json');
    assert.equal(s.adapter, 'gemma3');
    assert.deepEqual([s.hidden, s.layers, s.heads, s.kvHeads, s.headDim, s.vocab], [2560, 34, 8, 4, 256, 262208]);
    assert.deepEqual(s.architectures, ['Gemma3ForConditionalGeneration']);
    assert.equal(s.configDtype, 'bf16');
    assert.ok(s.assumptions.some((a) => a.includes('vocab_size=262208')));
    throwsConfigError({ model_type: 'gemma3', text_config: { hidden_size: '2560' } }, 'text_config.hidden_size');
    throwsConfigError({ model_type: 'gemma3' }, 'text_config', /missing/);
  });

  it('old LLaMA config without num_key_value_heads: MHA, noted', () => {
    const s = spec('llama-7b-legacy.json');
    assert.equal(s.kvHeads, 32);
    assert.deepEqual(s.architectures, ['LLaMAForCausalLM']);
    assert.equal(s.maxPositions, 2048, 'max_sequence_length');
    assert.equal(s.configDtype, 'fp16');
    assert.ok(s.assumptions.some((a) => a.includes('num_key_value_heads')));
  });

  it('unknown model_type: Llama-like spec and an assumption saying so', () => {
    const cfg = config('llama-3.2-1b.json');
    cfg.model_type = 'my_new_llm';
    const s = readModelConfig(cfg);
    assert.equal(s.modelType, 'my_new_llm');
    assert.match(s.adapter, /llama/);
    assert.equal(s.params.total, 1235814400);
    assert.ok(s.assumptions.some((a) => a.includes('unknown model_type "my_new_llm"')));
    delete cfg.model_type;
    const none = readModelConfig(cfg);
    assert.ok(none.assumptions.some((a) => a.includes('no "model_type"')));
    assert.equal(spec('llama-3.2-1b.json').assumptions.length, 0, 'known configs assume nothing');
    const moe = config('mixtral-8x7b-v0.1.json');
    moe.model_type = 'some_moe';
    assert.equal(readModelConfig(moe).params.total, 46702792704, 'MoE keys read Mixtral-like');
  });
});

describe('bad input → ConfigError naming the key', () => {
  const base = () => config('llama-2-7b.json');
  it('non-object', () => {
    for (const x of [null, undefined, 42, 'config', [], [1, 2], true]) throwsConfigError(x, undefined, /object/);
  });
  it('missing required key', () => {
    for (const key of ['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'vocab_size', 'intermediate_size']) {
      const c = base();
      delete c[key];
      throwsConfigError(c, key, new RegExp(`missing required key "${key}"`));
    }
    const g = config('gpt2.json');
    delete g.n_embd;
    throwsConfigError(g, 'n_embd', /missing required key/);
    const d = config('deepseek-v3.json');
    delete d.num_experts_per_tok;
    throwsConfigError(d, 'num_experts_per_tok', /missing/);
  });
  it('wrong types and values', () => {
    const cases: [string, unknown][] = [
      ['hidden_size', '4096'],
      ['hidden_size', -4096],
      ['hidden_size', 0],
      ['hidden_size', 4096.5],
      ['hidden_size', Number.NaN],
      ['hidden_size', Number.POSITIVE_INFINITY],
      ['hidden_size', 1e308],
      ['hidden_size', (1 << 20) + 1],
      ['num_hidden_layers', 10001],
      ['vocab_size', 2 ** 24 + 1],
      ['num_attention_heads', '32'],
      ['intermediate_size', null],
      ['num_key_value_heads', 0],
      ['num_key_value_heads', 5],
      ['head_dim', -1],
      ['tie_word_embeddings', 'yes'],
      ['attention_bias', 1],
    ];
    for (const [key, v] of cases) {
      const c = base();
      c[key] = v;
      if (key === 'intermediate_size') throwsConfigError(c, key, /missing/);
      else throwsConfigError(c, key);
    }
    const q = config('qwen3-30b-a3b.json');
    q.num_experts = 'many';
    throwsConfigError(q, 'num_experts');
    const m = config('mixtral-8x7b-v0.1.json');
    m.num_experts_per_tok = 9;
    throwsConfigError(m, 'num_experts_per_tok', /too large/);
    const mo = config('qwen3-30b-a3b.json');
    mo.mlp_only_layers = [1, 'x'];
    throwsConfigError(mo, 'mlp_only_layers[1]');
    const lt = config('gemma-3-1b-pt.json');
    lt.layer_types = ['full_attention'];
    throwsConfigError(lt, 'layer_types', /26 layers/);
  });
  it('sizes that would overflow exact byte arithmetic', () => {
    const c = base();
    c.hidden_size = 1 << 20;
    c.intermediate_size = 1 << 24;
    c.num_hidden_layers = 10000;
    c.head_dim = 128;
    throwsConfigError(c, 'hidden_size', /exact byte arithmetic/);
    // A large but sane model stays exact.
    assert.ok(Number.isSafeInteger(spec('deepseek-v3.json').params.total * 16));
  });
});
