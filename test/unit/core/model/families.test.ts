/**
 * Issue 11's families: parameter counts against the publishers' figures (transformers' meta-device counts of these
 * configs are still to be measured: see test/fixtures/configs/README.md), the exact arithmetic of the new tensor
 * groups, KV bytes per token and per-sequence state by hand, and the errors that name their key.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, readModelConfig } from '../../../../src/core/model/index.ts';
import { kvBytesPerToken, kvCacheTerm, kvStateBytesPerSequence } from '../../../../src/core/memory/kv-cache.ts';
import { RUNTIMES } from '../../../../src/core/runtime.ts';
import { estimateSpec, parseScenario } from '../../../../src/core/index.ts';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'configs');
const config = (f: string) => JSON.parse(readFileSync(join(FIX, f), 'utf8')) as Record<string, unknown> & { layer_types: string[]; hybrid_override_pattern: string };
const spec = (f: string) => readModelConfig(config(f));
const vision = (f: string) => spec(f).tensors.filter((g) => g.role === 'vision').reduce((s, g) => s + g.numel * g.count, 0);

function throwsKey(cfg: unknown, key: string, message: RegExp) {
  assert.throws(
    () => readModelConfig(cfg),
    (e: unknown) => e instanceof ConfigError && e.key === key && message.test(e.message) && e.message.includes(`"${key}"`),
  );
}

describe('publisher figures (within 1%)', () => {
  // [file, total, active without the input embedding (as publishers count it) or null, source]
  const cases: [string, number, number | null, string][] = [
    ['gpt-oss-20b.json', 20.91e9, 3.61e9, 'OpenAI gpt-oss model card: 20.91B total, 3.61B active'],
    ['glm-4.5-air.json', 106e9, null, 'zai-org/GLM-4.5-Air: 106B total (its 12B active also leaves out lm_head)'],
    ['qwen3-next-80b-a3b-instruct.json', 80e9, null, 'Qwen3-Next-80B-A3B: 80B total'],
    ['nemotron-3-nano-30b-a3b.json', 31.6e9, null, 'NVIDIA Nemotron 3 Nano: 31.6B total'],
    ['llama-4-scout-17b-16e.json', 109e9, 17e9, 'meta-llama/Llama-4-Scout-17B-16E: 109B total, 17B active'],
    ['qwen2.5-vl-3b-instruct.json', 3.75e9, null, 'Qwen/Qwen2.5-VL-3B-Instruct: 3.75B (Hub safetensors)'],
    ['mistral-small-3-24b.json', 24e9, null, 'Mistral Small 3.x: 24B'],
    ['deepseek-v3.2.json', 671e9, 37e9, 'DeepSeek-V3 family: 671B main model (the 14B MTP module is not built), 37B active'],
    ['kimi-k2-instruct.json', 1.03e12, 32e9, 'Kimi K2: 1T total (1.04T with rounding), 32B active'],
    ['granite-3.1-2b-instruct.json', 2.53e9, null, 'ibm-granite/granite-3.1-2b-instruct: 2.53B (Hub safetensors)'],
    ['granite-3.0-1b-a400m-instruct.json', 1.33e9, null, 'ibm-granite/granite-3.0-1b-a400m: 1.33B total (its "a400m" is rounded: 429M active with the tied head, 378M without)'],
    ['smollm3-3b.json', 3.08e9, null, 'HuggingFaceTB/SmolLM3-3B: 3.08B (Hub safetensors)'],
    ['starcoder2-3b.json', 3.03e9, null, 'bigcode/starcoder2-3b: 3.03B (Hub safetensors)'],
    ['c4ai-command-r-v01.json', 35e9, null, 'Cohere Command R: 35B'],
    ['c4ai-command-r-plus.json', 104e9, null, 'Cohere Command R+: 104B'],
    ['c4ai-command-r7b-12-2024.json', 8.03e9, null, 'Cohere Command R7B: 8.03B (Hub safetensors)'],
    ['phi-3.5-moe-instruct.json', 41.9e9, 6.6e9, 'microsoft/Phi-3.5-MoE-instruct: 41.9B total, 6.6B active'],
    ['llava-1.5-7b-hf.json', 7.06e9, null, 'llava-hf/llava-1.5-7b-hf: 7.06B (Hub safetensors)'],
  ];
  for (const [file, total, active, source] of cases)
    it(`${file}: ${source}`, () => {
      const s = spec(file);
      assert.ok(Math.abs(s.params.total / total - 1) < 0.01, `total ${s.params.total}`);
      if (active !== null) {
        const a = s.params.active;
        assert.ok(Math.abs(a / active - 1) < 0.06, `active ${a}`);
      }
      assert.equal(s.tensors.reduce((x, g) => x + g.numel * g.count, 0), s.params.total);
    });
});

describe('exact arithmetic of the new groups', () => {
  it('gpt-oss-20b: embeddings, attention with biases and sinks, biased fused experts, router with bias', () => {
    const [V, H, L, E, I, heads, kv, hd] = [201088, 2880, 24, 32, 2880, 64, 8, 64];
    const attn = 2 * (heads * hd * H) + heads * hd + H + 2 * (kv * hd * H + kv * hd) + heads;
    const experts = E * (H * 2 * I + 2 * I + I * H + H);
    const router = E * H + E;
    assert.equal(spec('gpt-oss-20b.json').params.total, 2 * V * H + L * (attn + experts + router + 2 * H) + H);
    assert.equal(spec('gpt-oss-20b.json').params.total, 20_914_757_184);
  });
  it('qwen2.5-vl-3b: the vision tower equals the torchinfo rows printed for the checkpoint', () => {
    // patch_embed 1,505,280; 32 blocks × 19,702,200; merger ln_q 1,280 + mlp 36,707,328
    assert.equal(vision('qwen2.5-vl-3b-instruct.json'), 1_505_280 + 32 * 19_702_200 + 1_280 + 36_707_328);
  });
  it('llama-4-scout: the vision rows printed for the checkpoint (per layer and the adapter/projector)', () => {
    const h = 1408;
    const layer = 4 * (h * h + h) + (5632 * h + 5632) + (h * 5632 + h) + 4 * h;
    const fixed = h + 812_416 + 827_904 + 4 * h + 23_068_672 + 16_777_216 + 20_971_520;
    assert.equal(vision('llama-4-scout-17b-16e.json'), 34 * layer + fixed);
    const s = spec('llama-4-scout-17b-16e.json');
    assert.equal(s.layerKinds.filter((l) => l.attention === 'chunked' && l.window === 8192).length, 36);
    assert.deepEqual([3, 7, 47].map((i) => s.layerKinds[i]!.attention), ['full', 'full', 'full']);
  });
  it('mistral-small-3: pixtral tower + Mistral3 projector', () => {
    const [h, I, n, t] = [1024, 4096, 24, 5120];
    const tower = h * 3 * 14 * 14 + h + n * (4 * h * h + 3 * h * I + 2 * h);
    const projector = h + h * 4 * h + t * h + t * t;
    assert.equal(vision('mistral-small-3-24b.json'), tower + projector);
  });
  it('nemotron-3-nano: 23 Mamba-2, 23 MoE and 6 attention layers from hybrid_override_pattern', () => {
    const s = spec('nemotron-3-nano-30b-a3b.json');
    const by = (k: string) => s.layerKinds.filter((l) => l.attention === k).length;
    assert.deepEqual([by('mamba'), by('none'), by('full')], [23, 23, 6]);
    const [H, V] = [2688, 131072];
    const dInner = 64 * 64;
    const conv = dInner + 2 * 8 * 128;
    const mamba = (dInner + conv + 64) * H + conv * 4 + conv + 3 * 64 + dInner + H * dInner;
    const moe = 128 * H + 128 * 2 * H * 1856 + 2 * H * 3712;
    const attn = 2 * 32 * 128 * H + 2 * 2 * 128 * H;
    assert.equal(s.params.total, 2 * V * H + 52 * H + 23 * mamba + 23 * moe + 6 * attn + H);
  });
  it('glm-4.5-air: layer 0 dense, 45 MoE layers with one shared expert', () => {
    const s = spec('glm-4.5-air.json');
    assert.equal(s.moe?.denseLayers, 1);
    assert.equal(s.moe?.sharedExperts, 1);
    assert.equal(s.layerKinds.filter((l) => l.moe).length, 45);
  });
});

describe('exact arithmetic of issue 11\'s further families (equal to transformers 5.17, param-counts.jsonl)', () => {
  it('starcoder2-3b: biased GQA attention, plain biased MLP, LayerNorms with bias, tied', () => {
    const [V, H, I, L, kv] = [49152, 3072, 12288, 30, 256];
    const layer = 2 * (H * H + H) + 2 * (kv * H + kv) + (I * H + I) + (H * I + H) + 4 * H;
    assert.equal(spec('starcoder2-3b.json').params.total, V * H + L * layer + 2 * H);
  });
  it('command-r-plus: one bias-free LayerNorm per layer, per-head q/k norms (use_qk_norm), tied', () => {
    const [V, H, I, L, heads, kv, hd] = [256000, 12288, 33792, 64, 96, 8, 128];
    const layer = 2 * heads * hd * H + 2 * kv * hd * H + 3 * H * I + H + heads * hd + kv * hd;
    assert.equal(spec('c4ai-command-r-plus.json').params.total, V * H + L * layer + H);
  });
  it('phi-3.5-moe: 16 experts of 3·I·H, router, biased attention, LayerNorms with bias, lm_head with bias', () => {
    const [V, H, I, L, E, K, kv] = [32064, 4096, 6400, 32, 16, 2, 1024];
    const attn = 2 * (H * H + H) + 2 * (kv * H + kv);
    const s = spec('phi-3.5-moe-instruct.json');
    assert.equal(s.params.total, 2 * V * H + V + L * (attn + E * 3 * H * I + E * H + 4 * H) + 2 * H);
    assert.equal(s.params.active, s.params.total - L * (E - K) * 3 * H * I - V * H);
  });
  it('granite-3.0-1b-a400m: 32 experts of 3·512·1024 per layer, top-8, tied', () => {
    const [V, H, I, L, E] = [49155, 1024, 512, 24, 32];
    const attn = 2 * H * H + 2 * 512 * H;
    assert.equal(spec('granite-3.0-1b-a400m-instruct.json').params.total, V * H + L * (attn + E * 3 * H * I + E * H + 2 * H) + H);
  });
  it('llava-1.5-7b: CLIP ViT-L/14-336 (577 positions, class token, pre/post LayerNorm) + 2-layer projector', () => {
    const [h, I, n] = [1024, 4096, 24];
    const clip = h + h * 3 * 14 * 14 + 577 * h + 2 * h + n * (4 * (h * h + h) + (I * h + I) + (h * I + h) + 4 * h) + 2 * h;
    const proj = 4096 * h + 4096 + 4096 * 4096 + 4096;
    const s = spec('llava-1.5-7b-hf.json');
    assert.equal(s.tensors.filter((g) => g.role === 'vision').reduce((x, g) => x + g.numel * g.count, 0), clip + proj);
    assert.equal(s.params.total, 7_063_427_072);
  });
});

describe('SSM hybrids and ERNIE 4.5 MoE (jamba, falcon_h1 equal to transformers 5.17; ernie4_5_moe by hand)', () => {
  it('jamba-1.5-mini: 4 attention layers (i % 8 == 4), 28 Mamba-1 mixers, 16 MoE layers (i % 2 == 1) of 16 experts', () => {
    const [V, H, I, inner, R, N, E] = [65536, 4096, 14336, 8192, 256, 16, 16];
    const attn = 2 * H * H + 2 * 1024 * H;
    const mamba = 2 * inner * H + inner * 4 + inner + (R + 2 * N) * inner + inner * R + inner + inner * N + inner + H * inner + R + 2 * N;
    const s = spec('jamba-1.5-mini.json');
    assert.equal(s.params.total, 2 * V * H + 4 * attn + 28 * mamba + 16 * 3 * H * I + 16 * (E * 3 * H * I + E * H) + 32 * 2 * H + H);
    assert.equal(s.params.total, 51_570_323_328);
    assert.equal(s.params.active, s.params.total - 16 * (E - 2) * 3 * H * I - V * H);
    assert.deepEqual(s.layerKinds.map((l, i) => [i, l.attention]).filter(([, a]) => a === 'full').map(([i]) => i), [4, 12, 20, 28]);
  });
  it('falcon-h1-tiny-90m: attention, a Mamba-2 mixer and a gated MLP in every layer, tied', () => {
    const [V, H, I, L, ssm, conv, heads] = [32768, 512, 768, 24, 768, 896, 24];
    const attn = 2 * H * H + 2 * 128 * H;
    const mamba = (ssm + conv + heads) * H + conv * 4 + conv + 3 * heads + H * ssm;
    assert.equal(spec('falcon-h1-tiny-90m.json').params.total, V * H + L * (attn + mamba + 3 * H * I + 2 * H) + H);
    assert.equal(spec('falcon-h1-tiny-90m.json').params.total, 91_131_072);
  });
  it('ernie-4.5-21b-a3b: "head_dim": null is 2560 / 20; layer 0 dense, 27 MoE layers of 64 experts + 2 shared + e_score_correction_bias', () => {
    const [V, H, I, L, E, K, mI] = [103424, 2560, 12288, 28, 64, 6, 1536];
    const s = spec('ernie-4.5-21b-a3b-pt.json');
    assert.equal(s.headDim, 128);
    const attn = 2 * H * H + 2 * 4 * 128 * H;
    const moe = E * H + E + E * 3 * H * mI + 3 * H * 2 * mI;
    assert.equal(s.params.total, V * H + L * (attn + 2 * H) + 3 * H * I + (L - 1) * moe + H);
    assert.equal(s.params.total, 21_825_437_888);
    // Publisher: "21B total, 3B active". Without the input embedding, the active count is 3.09B with the head left
    // out, 3.35B with the tied head counted (the engine's rule): the rounded names are 3.9% / 2.9% below the counts.
    assert.equal(s.params.active, s.params.total - (L - 1) * (E - K) * 3 * H * mI); // tied: the head counts, the lookup not twice
    assert.ok(Math.abs(s.params.total / 21e9 - 1) < 0.04);
  });
});

describe('training a model with recurrent layers says what stands in for their saved activations', () => {
  it('jamba (28 Mamba), falcon_h1 (24 side-by-side) and qwen3-next (36 linear) warn with the count; llama does not', () => {
    const warningOf = (file: string) => estimateSpec(spec(file), parseScenario({ mode: 'training', seq: 256 })).warnings.find((w) => w.includes('Mamba / linear-attention'));
    assert.match(warningOf('jamba-1.5-mini.json') ?? '', /mixers of 28 layers/);
    assert.match(warningOf('falcon-h1-tiny-90m.json') ?? '', /mixers of 24 layers/);
    assert.match(warningOf('qwen3-next-80b-a3b-instruct.json') ?? '', /mixers of 36 layers/);
    assert.equal(warningOf('llama-3.1-8b.json'), undefined);
  });
});

describe('KV cache and recurrent state, counted by hand (bf16)', () => {
  const pytorch = RUNTIMES.pytorch;
  it('jamba-1.5-mini: 4 attention layers × 2 × 8 kv × 128 per token; 28 Mamba-1 states (conv 3 × 8192, SSM 8192 × 16)', () => {
    const s = spec('jamba-1.5-mini.json');
    assert.equal(kvBytesPerToken(s, 2), 4 * 2 * 8 * 128 * 2);
    assert.equal(kvStateBytesPerSequence(s, 2), 28 * (3 * 8192 + 8192 * 16) * 2);
  });
  it('falcon-h1-tiny-90m: every layer caches K and V and keeps its Mamba-2 state (conv 3 × 896, SSM 24 × 32 × 64)', () => {
    const s = spec('falcon-h1-tiny-90m.json');
    assert.equal(kvBytesPerToken(s, 2), 24 * 2 * 2 * 64 * 2);
    const state = 24 * (3 * 896 + 24 * 32 * 64) * 2;
    assert.equal(kvStateBytesPerSequence(s, 2), state);
    assert.equal(kvCacheTerm(s, 2, 100, 2, pytorch).bytes, 2 * 100 * 24 * 2 * 2 * 64 * 2 + 2 * state);
  });
  it('ernie-4.5-21b-a3b: 28 layers × 2 × 4 kv × 128 per token', () => {
    assert.equal(kvBytesPerToken(spec('ernie-4.5-21b-a3b-pt.json'), 2), 28 * 2 * 4 * 128 * 2);
  });
  it('qwen3-next: 12 full layers × 2 × 2 kv heads × 256 per token; 36 linear layers of fixed state', () => {
    const s = spec('qwen3-next-80b-a3b-instruct.json');
    assert.equal(kvBytesPerToken(s, 2), 12 * 2 * 2 * 256 * 2);
    const state = 36 * (3 * (2 * 16 * 128 + 32 * 128) + 32 * 128 * 128) * 2;
    assert.equal(kvStateBytesPerSequence(s, 2), state);
    assert.equal(kvCacheTerm(s, 3, 1000, 2, pytorch).bytes, 3 * 1000 * 12 * 2 * 2 * 256 * 2 + 3 * state);
  });
  it('nemotron-3-nano: 6 attention layers per token; Mamba state with the SSM in fp32 (mamba_ssm_cache_dtype)', () => {
    const s = spec('nemotron-3-nano-30b-a3b.json');
    assert.equal(kvBytesPerToken(s, 2), 6 * 2 * 2 * 128 * 2);
    assert.equal(kvStateBytesPerSequence(s, 2), 23 * (3 * 6144 * 2 + 64 * 64 * 128 * 4));
  });
  it('deepseek-v3.2 and kimi-k2: the MLA latent (512 + 64) per token per layer', () => {
    assert.equal(kvBytesPerToken(spec('deepseek-v3.2.json'), 2), 61 * 576 * 2);
    assert.equal(kvBytesPerToken(spec('kimi-k2-instruct.json'), 2), 61 * 576 * 2);
    assert.equal(spec('kimi-k2-instruct.json').mla?.kvLoraRank, 512);
  });
  it('gpt-oss-20b: 12 sliding (128) + 12 full layers; vLLM caps the sliding ones at the window', () => {
    const s = spec('gpt-oss-20b.json');
    const perLayer = 2 * 8 * 64 * 2;
    assert.equal(kvBytesPerToken(s, 2), 24 * perLayer);
    assert.equal(kvCacheTerm(s, 1, 4096, 2, RUNTIMES.vllm).bytes, 4096 * 12 * perLayer + 128 * 12 * perLayer);
  });
  it('cohere2 (Command R7B): 3 of every 4 layers slide over 4096 tokens; starcoder2 slides on every layer', () => {
    const r7 = spec('c4ai-command-r7b-12-2024.json');
    const perLayer = 2 * 8 * 128 * 2;
    assert.equal(r7.layerKinds.filter((k) => k.attention === 'sliding').length, 24);
    assert.equal(kvBytesPerToken(r7, 2), 32 * perLayer);
    assert.equal(kvCacheTerm(r7, 1, 16384, 2, RUNTIMES.vllm).bytes, 16384 * 8 * perLayer + 4096 * 24 * perLayer);
    const sc = spec('starcoder2-3b.json');
    assert.equal(kvBytesPerToken(sc, 2), 30 * 2 * 2 * 128 * 2);
    assert.equal(kvCacheTerm(sc, 1, 16384, 2, RUNTIMES.vllm).bytes, 4096 * 30 * 2 * 2 * 128 * 2);
  });
  it('llama-4-scout: 36 chunked layers capped at 8192 tokens by vLLM, 12 NoPE layers keep everything', () => {
    const s = spec('llama-4-scout-17b-16e.json');
    const perLayer = 2 * 8 * 128 * 2;
    assert.equal(kvCacheTerm(s, 1, 32768, 2, RUNTIMES.vllm).bytes, 32768 * 12 * perLayer + 8192 * 36 * perLayer);
  });
});

describe('features read from keys, and the errors that name them', () => {
  it('an unknown model_type with MLA keys is read as DeepSeek-V3 (MLA), and says so', () => {
    const s = readModelConfig({ ...config('kimi-k2-instruct.json'), model_type: 'brand_new_mla' });
    assert.equal(s.mla?.kvLoraRank, 512);
    assert.ok(s.assumptions.some((a) => a.includes('kv_lora_rank') && a.includes('brand_new_mla')));
  });
  it('an unknown attention kind in layer_types is one ConfigError naming layer_types', () => {
    const c = config('gpt-oss-20b.json');
    c.layer_types[3] = 'retention';
    throwsKey(c, 'layer_types', /entry 3 is "retention"/);
  });
  it('a hybrid_override_pattern whose length is not the layer count is a ConfigError naming it', () => {
    throwsKey({ ...config('nemotron-3-nano-30b-a3b.json'), num_hidden_layers: 50 }, 'hybrid_override_pattern', /52 characters but the model has 50 layers/);
    throwsKey({ ...config('nemotron-3-nano-30b-a3b.json'), hybrid_override_pattern: 'MEMEM?'.padEnd(52, 'M') }, 'hybrid_override_pattern', /character 5 is "\?"/);
  });
  it('layers_block_type lists the same layers as the pattern', () => {
    const c = config('nemotron-3-nano-30b-a3b.json');
    const names: Record<string, string> = { M: 'mamba', E: 'moe', '*': 'attention' };
    const list = { ...c, hybrid_override_pattern: undefined, layers_block_type: [...(c.hybrid_override_pattern)].map((x) => names[x]) };
    assert.equal(readModelConfig(list).params.total, spec('nemotron-3-nano-30b-a3b.json').params.total);
  });
  it('a wrapper without text_config keys is a ConfigError naming text_config', () => {
    throwsKey({ model_type: 'llama4', vision_config: {} }, 'text_config', /nests its language model there/);
    throwsKey({ model_type: 'mistral3', text_config: { model_type: 'mistral' } }, 'text_config.hidden_size', /none of the language model's keys/);
  });
  it('a non-finite value that matters names its key (Python JSON Infinity)', () => {
    throwsKey({ ...config('glm-4.5-air.json'), num_hidden_layers: Infinity }, 'num_hidden_layers', /finite integer, got Infinity/);
  });
});

describe('the Llama-like fallback names the keys it ignores', () => {
  it('an unknown model_type with dense-first and Mamba keys', () => {
    const s = readModelConfig({ ...config('glm-4.5-air.json'), model_type: 'brand_new', n_routed_experts: undefined, mamba_num_heads: 8 });
    assert.ok(s.assumptions.some((a) => a.includes('first_k_dense_replace') && a.includes('n_shared_experts') && a.includes('mamba_num_heads')), s.assumptions.join('\n'));
  });
});

describe('issue 11, third pass: exaone4, ernie4_5, minimax_m2, mimo', () => {
  it('exaone-4.0-32b: post-norms only, per-head q/k norms, 3 sliding : 1 full (param-counts.jsonl: 32,003,216,384)', () => {
    const s = spec('exaone-4.0-32b.json');
    assert.equal(s.params.total, 32_003_216_384);
    assert.deepEqual(s.layerKinds.slice(0, 4).map((l) => l.attention), ['sliding', 'sliding', 'sliding', 'full']);
    assert.equal(s.layerKinds.filter((l) => l.attention === 'full').length, 16);
  });
  it('exaone4 reads an L/G string pattern, cycled', () => {
    const cfg = { model_type: 'exaone4', hidden_size: 64, intermediate_size: 128, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 2, vocab_size: 100, sliding_window: 8, sliding_window_pattern: 'LG' };
    assert.deepEqual(readModelConfig(cfg).layerKinds.map((l) => l.attention), ['sliding', 'full', 'sliding', 'full']);
  });
  it('ernie-4.5-0.3b: Llama tensors, tied (param-counts.jsonl: 360,748,032)', () => {
    assert.equal(spec('ernie-4.5-0.3b-pt.json').params.total, 360_748_032);
  });
  it('minimax-m2: 256 experts top-8 in every layer; 230B total, 10B active as published', () => {
    const s = spec('minimax-m2.json');
    assert.equal(s.params.total, 228_689_748_992);
    assert.ok(Math.abs(s.params.active / 10e9 - 1) < 0.05, String(s.params.active));
    assert.equal(s.moe?.experts, 256);
  });
  it('mimo-7b-base: Qwen2 (measured as qwen2: 7,622,619,136) plus one MTP layer by hand; 7.83B as published', () => {
    const [H, I, q, kv] = [4096, 11008, 4096, 1024];
    const mtp = 5 * H + 2 * H * H + H * (q + 2 * kv) + q + 2 * kv + q * H + 3 * H * I;
    assert.equal(spec('mimo-7b-base.json').params.total, 7_622_619_136 + mtp);
    assert.equal(7_622_619_136 + mtp, 7_833_409_536);
  });
});

describe('image tokens in the sequence (--images)', () => {
  it('gemma3: mm_tokens_per_image (256) per image lengthen the sequence the KV cache and activations see', () => {
    const s = spec('gemma-3-4b-it.json');
    assert.equal(s.imageTokens?.perImage, 256);
    const plain = estimateSpec(s, parseScenario({ seq: 1000 }));
    const two = estimateSpec(s, parseScenario({ seq: 1000, images: 2 }));
    const kv = (e: typeof plain) => e.memory.terms.find((t) => t.id === 'kv_cache')!.bytes;
    assert.equal(kv(two), (kv(plain) / 1000) * 1512);
    assert.ok(two.warnings.some((w) => /2 images × 256 tokens/.test(w)));
  });
  it('Qwen2.5-VL: (448 / 14 / 2)² = 256 tokens per 448×448 image; Qwen3-VL: (448 / 16 / 2)² = 196', () => {
    assert.equal(spec('qwen2.5-vl-3b-instruct.json').imageTokens?.perImage, 256);
    assert.equal(spec('qwen3-vl-2b-instruct.json').imageTokens?.perImage, 196);
  });
  it('Llama 4: 144 tokens per 336-px tile (24² patches after the 2×2 pixel shuffle)', () => {
    assert.equal(spec('llama-4-scout-17b-16e.json').imageTokens?.perImage, 144);
  });
  it('a text-only model with images is one error naming images', () => {
    assert.throws(() => estimateSpec(spec('llama-3.1-8b.json'), parseScenario({ images: 1 })), /images: llama reads no images/);
  });
});

describe('PEFT refuses LoRA on the Mamba out_proj of Mamba-based models (measured: peft raises for nemotron_h and falcon_h1)', () => {
  it('all-linear leaves it out and says so; naming it is one error naming loraTargets', () => {
    const cfg = config('nemotron-3-nano-30b-a3b.json');
    const s = spec('nemotron-3-nano-30b-a3b.json');
    const sc = parseScenario({ mode: 'training', batch: 1, seq: 512, loraRank: 8 });
    const e = estimateSpec(s, sc);
    assert.ok(e.warnings.some((w) => w.includes("PEFT's all-linear raises on nemotron_h")));
    // adapters: r · (in + out) over every adapted group; the Mamba out_proj [2688, 4096] × 23 layers is not one of them
    const withOut = readModelConfig({ ...cfg });
    withOut.loraIncompatible = undefined;
    const adapters = (x: typeof s) => estimateSpec(x, sc).memory.terms.find((t) => t.id === 'lora_adapters')!.bytes;
    assert.equal(adapters(withOut) - adapters(s), 4 * 8 * (2688 + 4096) * 23);
    assert.throws(() => estimateSpec(s, parseScenario({ mode: 'training', batch: 1, seq: 512, loraRank: 8, loraTargets: 'in_proj,out_proj' })), (err: unknown) => err instanceof Error && /loraTargets: PEFT refuses LoRA on "out_proj"/.test(err.message));
  });
});
