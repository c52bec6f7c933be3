/**
 * Nemotron NAS (DeciLM block_configs): the publisher's totals, KV bytes per token by hand, the ffn_mult rule, the
 * layers' saved tensors by block, and errors that name the block's key.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, readModelConfig } from '../../../../../src/core/model/index.ts';
import { ffnMultToIntermediate } from '../../../../../src/core/model/families/nemotron-nas.ts';
import { kvBytesPerToken } from '../../../../../src/core/memory/kv-cache.ts';
import { decoderLayerOps, savedBytesPerToken, type OpContext } from '../../../../../src/core/ops/layer.ts';

const FIX = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'configs');
const config = (f: string) => JSON.parse(readFileSync(join(FIX, f), 'utf8')) as Record<string, unknown>;

test('Llama-3.3-Nemotron-Super-49B: 49,867,145,216 parameters (the Hub page: 49.9B), 49 of 80 layers attend', () => {
  const s = readModelConfig(config('llama-3.3-nemotron-super-49b-v1.json'));
  assert.equal(s.params.total, 49867145216);
  assert.ok(Math.abs(s.params.total / 49.9e9 - 1) < 0.01);
  assert.equal(s.layerKinds.filter((l) => l.attention === 'full').length, 49);
  assert.equal(s.layerKinds.filter((l) => l.attention === 'none').length, 31);
  // 49 attention layers × K and V × 8 heads × 128 dims × 2 bytes (bf16)
  assert.equal(kvBytesPerToken(s, 2), 49 * 2 * 8 * 128 * 2);
  assert.deepEqual(s.assumptions, []);
});

test('Llama-3.1-Nemotron-Ultra-253B: 253,401,268,224 parameters (publisher: 253B), 64 attention layers, 81 without an FFN', () => {
  const s = readModelConfig(config('llama-3.1-nemotron-ultra-253b-v1.json'));
  assert.equal(s.params.total, 253401268224);
  assert.ok(Math.abs(s.params.total / 253e9 - 1) < 0.01);
  assert.equal(s.layerKinds.filter((l) => l.ffn === 'none').length, 81);
  assert.equal(kvBytesPerToken(s, 2), 64 * 2 * 8 * 128 * 2);
});

test('ffn_mult → intermediate size: ⌊2 · m · hidden / 3⌋ rounded up to a multiple of 256', () => {
  assert.equal(ffnMultToIntermediate(5.25, 8192), 28672);
  assert.equal(ffnMultToIntermediate(2.625, 8192), 14336);
  assert.equal(ffnMultToIntermediate(3.28125, 8192), 17920);
  assert.equal(ffnMultToIntermediate(1.3, 4096), 3584); // 3549.86… → 3549 → 3584
});

/** A 4-layer NAS model: full block, attention no_op, FFN no_op with 4 KV heads, both replaced by linear layers. */
const SMALL = {
  model_type: 'nemotron-nas',
  hidden_size: 1024,
  num_hidden_layers: 4,
  num_attention_heads: 16,
  vocab_size: 1000,
  block_configs: [
    { attention: { n_heads_in_group: 8, no_op: false }, ffn: { ffn_mult: 2.625 } },
    { attention: { no_op: true }, ffn: { ffn_mult: 1.3125 } },
    { attention: { n_heads_in_group: 4 }, ffn: { no_op: true } },
    { attention: { replace_with_linear: true }, ffn: { replace_with_linear: true } },
  ],
};

test('a small NAS model: parameters and KV by hand, per-layer heads and widths', () => {
  const s = readModelConfig(SMALL);
  const H = 1024;
  const hd = 64;
  const attn = (kv: number) => H * 16 * hd * 2 + 2 * H * kv * hd; // q + o, k + v
  const mlp = (i: number) => 3 * H * i;
  // embed + lm_head + layer 0 (2 heads kv, I 1792) + layer 1 (I 1024) + layer 2 (4 kv) + layer 3 (two H×H) + norms
  const norms = (3 + 3) * H + H; // input norms of layers 0, 2, 3; post norms of 0, 1, 3; final
  assert.equal(s.params.total, 2 * 1000 * H + attn(2) + mlp(1792) + mlp(1024) + attn(4) + 2 * H * H + norms);
  assert.deepEqual(
    s.layerKinds.map((l) => [l.attention, l.kvHeads ?? null, l.ffn ?? null, l.ffnWidth ?? null, l.linearMixer ?? false]),
    [['full', null, null, null, false], ['none', null, null, 1024, false], ['full', 4, 'none', null, false], ['none', null, 'linear', null, true]],
  );
  assert.equal(kvBytesPerToken(s, 2), 2 * hd * 2 * (2 + 4));
});

test("a NAS layer's saved tensors count only the blocks it has (bf16 full fine-tuning, by hand)", () => {
  const s = readModelConfig(SMALL);
  const ctx: OpContext = { computeBytes: 2, residualBytes: 2, autocast: false, loraRank: null, keepsCache: false, contextTokens: 512, mathSavedPerScore: 0 };
  const H = 1024;
  const saved = s.layerKinds.map((l) => savedBytesPerToken(decoderLayerOps(s, ctx, l)));
  // Layer 1: one RMSNorm (6H: fp32 copy + normed), the MLP input (2H) and a SwiGLU of 1024 (4 · 2 · I).
  assert.equal(saved[1], 6 * H + 2 * H + 8 * 1024);
  // Layer 2: one norm, q/k/v input, SDPA q, k, v, out with 4 KV heads of 64.
  assert.equal(saved[2], 6 * H + 2 * H + 2 * (H + 4 * 64 + 4 * 64 + H));
  // Layer 3: two norms and the inputs of the two H × H linear layers.
  assert.equal(saved[3], 2 * (6 * H + 2 * H));
});

test('bad blocks: one error naming the block and key', () => {
  const withBlocks = (blocks: unknown[]) => ({ ...SMALL, block_configs: blocks });
  const key = (cfg: unknown) => {
    try {
      readModelConfig(cfg);
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return e.key;
    }
    return null;
  };
  assert.equal(key(withBlocks(SMALL.block_configs.slice(0, 3))), 'block_configs');
  assert.equal(key(withBlocks([{ attention: { n_heads_in_group: 3 }, ffn: { ffn_mult: 1 } }, ...SMALL.block_configs.slice(1)])), 'block_configs[0].attention.n_heads_in_group');
  assert.equal(key(withBlocks([{ attention: { n_heads_in_group: 8 }, ffn: {} }, ...SMALL.block_configs.slice(1)])), 'block_configs[0].ffn.ffn_mult');
  assert.equal(key(withBlocks([{ attention: { n_heads_in_group: 8 } }, ...SMALL.block_configs.slice(1)])), 'block_configs[0].ffn');
});

test('keys that change a block and are not modelled are named; block_configs under another model_type reads as NAS', () => {
  const moe = { ...SMALL, block_configs: [{ ...SMALL.block_configs[0], ffn: { ffn_mult: 2.625, moe: { num_local_experts: 8 } } }, ...SMALL.block_configs.slice(1)] };
  assert.ok(readModelConfig(moe).assumptions.some((a) => a.includes('ffn.moe')));
  const puzzletron = readModelConfig({ ...SMALL, model_type: 'llama', intermediate_size: 4096 });
  assert.equal(puzzletron.adapter, 'nemotron-nas');
  assert.ok(puzzletron.assumptions.some((a) => a.includes('block_configs')));
});
