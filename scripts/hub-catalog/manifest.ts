/**
 * The bundled catalog's sources: which Hub ids map to which config. `from` names a fixture config (a public copy of the
 * Hub file, cited in test/fixtures/configs/README.md) with an optional patch; `config` gives the architecture keys of
 * the Hub file, transcribed. `node --import tsx scripts/hub-catalog/build.ts` writes src/parsers/hub-catalog-data.ts
 * with only the keys the engine may read. Every entry is measured on the meta device (param-counts.jsonl, file
 * `catalog/<first id>.json`).
 */
export interface ManifestEntry {
  /** Hub ids, canonical first; instruct/chat variants with the same architecture keys share an entry. */
  ids: string[];
  from?: string;
  patch?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

const F = 'test/fixtures/configs/';
const M = 'test/fixtures/measured/configs/';

const llama = (h: number, i: number, L: number, H: number, kv: number, vocab: number, maxPos: number, extra: Record<string, unknown> = {}) => ({
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: h,
  intermediate_size: i,
  num_hidden_layers: L,
  num_attention_heads: H,
  num_key_value_heads: kv,
  vocab_size: vocab,
  max_position_embeddings: maxPos,
  hidden_act: 'silu',
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  ...extra,
});
const mistral = (h: number, i: number, L: number, H: number, kv: number, vocab: number, maxPos: number, extra: Record<string, unknown> = {}) => ({
  ...llama(h, i, L, H, kv, vocab, maxPos, extra),
  architectures: ['MistralForCausalLM'],
  model_type: 'mistral',
  sliding_window: null,
  ...extra,
});
const qwen2 = (h: number, i: number, L: number, H: number, kv: number, vocab: number, maxPos: number, tie: boolean) => ({
  architectures: ['Qwen2ForCausalLM'],
  model_type: 'qwen2',
  hidden_size: h,
  intermediate_size: i,
  num_hidden_layers: L,
  num_attention_heads: H,
  num_key_value_heads: kv,
  vocab_size: vocab,
  max_position_embeddings: maxPos,
  hidden_act: 'silu',
  sliding_window: maxPos,
  use_sliding_window: false,
  max_window_layers: L,
  tie_word_embeddings: tie,
  torch_dtype: 'bfloat16',
});
const qwen3 = (h: number, i: number, L: number, H: number, kv: number, tie: boolean) => ({
  architectures: ['Qwen3ForCausalLM'],
  model_type: 'qwen3',
  hidden_size: h,
  intermediate_size: i,
  num_hidden_layers: L,
  num_attention_heads: H,
  num_key_value_heads: kv,
  head_dim: 128,
  vocab_size: 151936,
  max_position_embeddings: 40960,
  hidden_act: 'silu',
  attention_bias: false,
  sliding_window: null,
  use_sliding_window: false,
  max_window_layers: L,
  tie_word_embeddings: tie,
  torch_dtype: 'bfloat16',
});
const gpt2 = (n: number, L: number, H: number) => ({
  architectures: ['GPT2LMHeadModel'],
  model_type: 'gpt2',
  n_embd: n,
  n_layer: L,
  n_head: H,
  n_positions: 1024,
  n_ctx: 1024,
  vocab_size: 50257,
  activation_function: 'gelu_new',
  attn_pdrop: 0.1,
  embd_pdrop: 0.1,
  resid_pdrop: 0.1,
});
const gemma3 = (text: Record<string, unknown>) => {
  const base = require4b();
  return { ...base, text_config: { model_type: 'gemma3_text', ...text } };
};
// gemma-3-4b-it's wrapper (vision tower, projector) is shared by the 12B and 27B checkpoints.
function require4b(): Record<string, unknown> {
  return {
    architectures: ['Gemma3ForConditionalGeneration'],
    model_type: 'gemma3',
    mm_tokens_per_image: 256,
    torch_dtype: 'bfloat16',
    vision_config: {
      hidden_size: 1152,
      image_size: 896,
      intermediate_size: 4304,
      model_type: 'siglip_vision_model',
      num_attention_heads: 16,
      num_hidden_layers: 27,
      patch_size: 14,
      vision_use_head: false,
    },
  };
}

export const MANIFEST: ManifestEntry[] = [
  // Llama
  { ids: ['meta-llama/Llama-2-7b-hf', 'meta-llama/Llama-2-7b-chat-hf', 'meta-llama/Llama-2-7b'], from: F + 'llama-2-7b.json' },
  { ids: ['meta-llama/Llama-2-13b-hf', 'meta-llama/Llama-2-13b-chat-hf'], config: llama(5120, 13824, 40, 40, 40, 32000, 4096, { torch_dtype: 'float16' }) },
  { ids: ['meta-llama/Llama-2-70b-hf', 'meta-llama/Llama-2-70b-chat-hf'], config: llama(8192, 28672, 80, 64, 8, 32000, 4096, { torch_dtype: 'float16' }) },
  { ids: ['meta-llama/Meta-Llama-3-8B', 'meta-llama/Meta-Llama-3-8B-Instruct'], config: llama(4096, 14336, 32, 32, 8, 128256, 8192) },
  { ids: ['meta-llama/Meta-Llama-3-70B', 'meta-llama/Meta-Llama-3-70B-Instruct'], config: llama(8192, 28672, 80, 64, 8, 128256, 8192) },
  {
    ids: ['meta-llama/Llama-3.1-8B', 'meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Meta-Llama-3.1-8B', 'meta-llama/Meta-Llama-3.1-8B-Instruct', 'deepseek-ai/DeepSeek-R1-Distill-Llama-8B'],
    from: F + 'llama-3.1-8b.json',
  },
  {
    ids: ['meta-llama/Llama-3.1-70B', 'meta-llama/Llama-3.1-70B-Instruct', 'meta-llama/Meta-Llama-3.1-70B', 'meta-llama/Meta-Llama-3.1-70B-Instruct', 'meta-llama/Llama-3.3-70B-Instruct', 'deepseek-ai/DeepSeek-R1-Distill-Llama-70B'],
    config: llama(8192, 28672, 80, 64, 8, 128256, 131072),
  },
  { ids: ['meta-llama/Llama-3.1-405B', 'meta-llama/Llama-3.1-405B-Instruct', 'meta-llama/Meta-Llama-3.1-405B-Instruct'], config: llama(16384, 53248, 126, 128, 8, 128256, 131072) },
  { ids: ['meta-llama/Llama-3.2-1B', 'meta-llama/Llama-3.2-1B-Instruct'], from: F + 'llama-3.2-1b.json' },
  { ids: ['meta-llama/Llama-3.2-3B', 'meta-llama/Llama-3.2-3B-Instruct'], config: llama(3072, 8192, 28, 24, 8, 128256, 131072, { head_dim: 128, tie_word_embeddings: true }) },
  { ids: ['meta-llama/Llama-4-Scout-17B-16E', 'meta-llama/Llama-4-Scout-17B-16E-Instruct'], from: F + 'llama-4-scout-17b-16e.json' },
  { ids: ['TinyLlama/TinyLlama-1.1B-Chat-v1.0'], config: llama(2048, 5632, 22, 32, 4, 32000, 2048) },
  { ids: ['HuggingFaceTB/SmolLM2-135M', 'HuggingFaceTB/SmolLM2-135M-Instruct'], config: llama(576, 1536, 30, 9, 3, 49152, 8192, { tie_word_embeddings: true }) },
  { ids: ['HuggingFaceTB/SmolLM2-360M', 'HuggingFaceTB/SmolLM2-360M-Instruct'], config: llama(960, 2560, 32, 15, 5, 49152, 8192, { tie_word_embeddings: true }) },
  { ids: ['HuggingFaceTB/SmolLM2-1.7B', 'HuggingFaceTB/SmolLM2-1.7B-Instruct'], config: llama(2048, 8192, 24, 32, 32, 49152, 8192, { tie_word_embeddings: true }) },
  // Mistral
  { ids: ['mistralai/Mistral-7B-v0.1', 'mistralai/Mistral-7B-Instruct-v0.1'], from: F + 'mistral-7b-v0.1.json' },
  { ids: ['mistralai/Mistral-7B-Instruct-v0.2'], config: mistral(4096, 14336, 32, 32, 8, 32000, 32768) },
  { ids: ['mistralai/Mistral-7B-v0.3', 'mistralai/Mistral-7B-Instruct-v0.3'], config: mistral(4096, 14336, 32, 32, 8, 32768, 32768) },
  { ids: ['mistralai/Mistral-Nemo-Instruct-2407', 'mistralai/Mistral-Nemo-Base-2407'], config: mistral(5120, 14336, 40, 32, 8, 131072, 1024000, { head_dim: 128 }) },
  { ids: ['mistralai/Mistral-Small-24B-Instruct-2501', 'mistralai/Mistral-Small-24B-Base-2501'], config: mistral(5120, 32768, 40, 32, 8, 131072, 32768, { head_dim: 128 }) },
  // The checkpoint has its own lm_head (24.0B, as published); a mistral3 config without the key is tied by transformers 5.17.
  { ids: ['mistralai/Mistral-Small-3.2-24B-Instruct-2506', 'mistralai/Mistral-Small-3.1-24B-Instruct-2503'], from: F + 'mistral-small-3-24b.json', patch: { tie_word_embeddings: false } },
  { ids: ['mistralai/Mixtral-8x7B-v0.1', 'mistralai/Mixtral-8x7B-Instruct-v0.1'], from: F + 'mixtral-8x7b-v0.1.json' },
  {
    ids: ['mistralai/Mixtral-8x22B-v0.1'],
    config: { ...mistral(6144, 16384, 56, 48, 8, 32000, 65536), architectures: ['MixtralForCausalLM'], model_type: 'mixtral', num_local_experts: 8, num_experts_per_tok: 2 },
  },
  {
    ids: ['mistralai/Mixtral-8x22B-Instruct-v0.1'],
    config: { ...mistral(6144, 16384, 56, 48, 8, 32768, 65536), architectures: ['MixtralForCausalLM'], model_type: 'mixtral', num_local_experts: 8, num_experts_per_tok: 2 },
  },
  // Qwen
  { ids: ['Qwen/Qwen2-7B', 'Qwen/Qwen2-7B-Instruct'], from: F + 'qwen2-7b.json' },
  { ids: ['Qwen/Qwen2.5-0.5B', 'Qwen/Qwen2.5-0.5B-Instruct'], from: F + 'qwen2.5-0.5b.json' },
  { ids: ['Qwen/Qwen2.5-1.5B'], config: qwen2(1536, 8960, 28, 12, 2, 151936, 131072, true) },
  { ids: ['Qwen/Qwen2.5-1.5B-Instruct', 'Qwen/Qwen2.5-Coder-1.5B-Instruct'], config: qwen2(1536, 8960, 28, 12, 2, 151936, 32768, true) },
  { ids: ['Qwen/Qwen2.5-3B', 'Qwen/Qwen2.5-3B-Instruct'], config: qwen2(2048, 11008, 36, 16, 2, 151936, 32768, true) },
  { ids: ['Qwen/Qwen2.5-7B'], config: qwen2(3584, 18944, 28, 28, 4, 152064, 131072, false) },
  { ids: ['Qwen/Qwen2.5-7B-Instruct', 'Qwen/Qwen2.5-Coder-7B-Instruct', 'Qwen/Qwen2.5-Coder-7B'], config: qwen2(3584, 18944, 28, 28, 4, 152064, 32768, false) },
  { ids: ['Qwen/Qwen2.5-14B'], config: qwen2(5120, 13824, 48, 40, 8, 152064, 131072, false) },
  { ids: ['Qwen/Qwen2.5-14B-Instruct', 'Qwen/Qwen2.5-Coder-14B-Instruct'], config: qwen2(5120, 13824, 48, 40, 8, 152064, 32768, false) },
  { ids: ['Qwen/Qwen2.5-32B'], config: qwen2(5120, 27648, 64, 40, 8, 152064, 131072, false) },
  { ids: ['Qwen/Qwen2.5-32B-Instruct', 'Qwen/Qwen2.5-Coder-32B-Instruct', 'Qwen/QwQ-32B'], config: qwen2(5120, 27648, 64, 40, 8, 152064, 32768, false) },
  { ids: ['Qwen/Qwen2.5-72B'], config: qwen2(8192, 29568, 80, 64, 8, 152064, 131072, false) },
  { ids: ['Qwen/Qwen2.5-72B-Instruct'], config: qwen2(8192, 29568, 80, 64, 8, 152064, 32768, false) },
  { ids: ['deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B'], config: qwen2(1536, 8960, 28, 12, 2, 151936, 131072, false) },
  { ids: ['deepseek-ai/DeepSeek-R1-Distill-Qwen-7B'], config: qwen2(3584, 18944, 28, 28, 4, 152064, 131072, false) },
  { ids: ['deepseek-ai/DeepSeek-R1-Distill-Qwen-14B'], config: qwen2(5120, 13824, 48, 40, 8, 152064, 131072, false) },
  { ids: ['deepseek-ai/DeepSeek-R1-Distill-Qwen-32B'], config: qwen2(5120, 27648, 64, 40, 8, 152064, 131072, false) },
  { ids: ['Qwen/Qwen2.5-VL-3B-Instruct'], from: F + 'qwen2.5-vl-3b-instruct.json' },
  {
    ids: ['Qwen/Qwen2.5-VL-7B-Instruct'],
    from: F + 'qwen2.5-vl-3b-instruct.json',
    patch: {
      hidden_size: 3584, intermediate_size: 18944, num_hidden_layers: 28, num_attention_heads: 28, num_key_value_heads: 4, max_window_layers: 28,
      tie_word_embeddings: false, vocab_size: 152064,
      vision_config: { depth: 32, hidden_act: 'silu', hidden_size: 1280, intermediate_size: 3420, num_heads: 16, in_chans: 3, out_hidden_size: 3584, patch_size: 14, spatial_merge_size: 2, spatial_patch_size: 14, window_size: 112, fullatt_block_indexes: [7, 15, 23, 31], tokens_per_second: 2, temporal_patch_size: 2 },
    },
  },
  { ids: ['Qwen/Qwen3-0.6B', 'Qwen/Qwen3-0.6B-Base'], config: qwen3(1024, 3072, 28, 16, 8, true) },
  { ids: ['Qwen/Qwen3-1.7B', 'Qwen/Qwen3-1.7B-Base'], config: qwen3(2048, 6144, 28, 16, 8, true) },
  { ids: ['Qwen/Qwen3-4B', 'Qwen/Qwen3-4B-Base'], config: qwen3(2560, 9728, 36, 32, 8, true) },
  { ids: ['Qwen/Qwen3-4B-Instruct-2507', 'Qwen/Qwen3-4B-Thinking-2507'], config: { ...qwen3(2560, 9728, 36, 32, 8, true), max_position_embeddings: 262144 } },
  { ids: ['Qwen/Qwen3-8B', 'Qwen/Qwen3-8B-Base'], from: F + 'qwen3-8b.json' },
  { ids: ['Qwen/Qwen3-14B', 'Qwen/Qwen3-14B-Base'], config: qwen3(5120, 17408, 40, 40, 8, false) },
  { ids: ['Qwen/Qwen3-32B'], config: qwen3(5120, 25600, 64, 64, 8, false) },
  { ids: ['Qwen/Qwen3-30B-A3B', 'Qwen/Qwen3-30B-A3B-Base'], from: F + 'qwen3-30b-a3b.json' },
  { ids: ['Qwen/Qwen3-30B-A3B-Instruct-2507', 'Qwen/Qwen3-30B-A3B-Thinking-2507', 'Qwen/Qwen3-Coder-30B-A3B-Instruct'], from: F + 'qwen3-30b-a3b.json', patch: { max_position_embeddings: 262144 } },
  {
    ids: ['Qwen/Qwen3-235B-A22B'],
    from: F + 'qwen3-30b-a3b.json',
    patch: { hidden_size: 4096, intermediate_size: 12288, moe_intermediate_size: 1536, num_hidden_layers: 94, max_window_layers: 94, num_attention_heads: 64, num_key_value_heads: 4, num_experts: 128, num_experts_per_tok: 8 },
  },
  { ids: ['Qwen/Qwen3-Next-80B-A3B-Instruct', 'Qwen/Qwen3-Next-80B-A3B-Thinking'], from: F + 'qwen3-next-80b-a3b-instruct.json' },
  { ids: ['Qwen/Qwen1.5-MoE-A2.7B', 'Qwen/Qwen1.5-MoE-A2.7B-Chat'], from: F + 'qwen1.5-moe-a2.7b.json' },
  // Gemma
  { ids: ['google/gemma-2b', 'google/gemma-2b-it'], from: F + 'gemma-2b.json' },
  {
    ids: ['google/gemma-7b', 'google/gemma-7b-it'],
    from: F + 'gemma-2b.json',
    patch: { hidden_size: 3072, intermediate_size: 24576, num_hidden_layers: 28, num_attention_heads: 16, num_key_value_heads: 16, head_dim: 256 },
  },
  { ids: ['google/gemma-2-2b', 'google/gemma-2-2b-it'], from: F + 'gemma-2-2b.json' },
  {
    ids: ['google/gemma-2-9b', 'google/gemma-2-9b-it'],
    from: F + 'gemma-2-2b.json',
    patch: { hidden_size: 3584, intermediate_size: 14336, num_hidden_layers: 42, num_attention_heads: 16, num_key_value_heads: 8, head_dim: 256, torch_dtype: 'float32' },
  },
  {
    ids: ['google/gemma-2-27b', 'google/gemma-2-27b-it'],
    from: F + 'gemma-2-2b.json',
    patch: { hidden_size: 4608, intermediate_size: 36864, num_hidden_layers: 46, num_attention_heads: 32, num_key_value_heads: 16, head_dim: 128, query_pre_attn_scalar: 144, torch_dtype: 'float32' },
  },
  { ids: ['google/gemma-3-1b-it', 'google/gemma-3-1b-pt'], from: F + 'gemma-3-1b-pt.json' },
  { ids: ['google/gemma-3-4b-it', 'google/gemma-3-4b-pt'], from: F + 'gemma-3-4b-it.json' },
  { ids: ['google/gemma-3-12b-it', 'google/gemma-3-12b-pt'], config: gemma3({ hidden_size: 3840, intermediate_size: 15360, num_hidden_layers: 48, num_attention_heads: 16, num_key_value_heads: 8, sliding_window: 1024 }) },
  {
    ids: ['google/gemma-3-27b-it', 'google/gemma-3-27b-pt'],
    config: gemma3({ head_dim: 128, hidden_size: 5376, intermediate_size: 21504, num_hidden_layers: 62, num_attention_heads: 32, num_key_value_heads: 16, query_pre_attn_scalar: 168, sliding_window: 1024 }),
  },
  // Phi
  { ids: ['microsoft/Phi-3-mini-4k-instruct'], from: F + 'phi-3-mini-4k-instruct.json' },
  { ids: ['microsoft/Phi-3-mini-128k-instruct', 'microsoft/Phi-3.5-mini-instruct'], from: F + 'phi-3-mini-4k-instruct.json', patch: { max_position_embeddings: 131072, original_max_position_embeddings: 4096, sliding_window: 262144 } },
  {
    ids: ['microsoft/Phi-3-medium-4k-instruct'],
    from: F + 'phi-3-mini-4k-instruct.json',
    patch: { hidden_size: 5120, intermediate_size: 17920, num_hidden_layers: 40, num_attention_heads: 40, num_key_value_heads: 10, sliding_window: 2047 },
  },
  {
    ids: ['microsoft/phi-4'],
    from: F + 'phi-3-mini-4k-instruct.json',
    patch: { hidden_size: 5120, intermediate_size: 17920, num_hidden_layers: 40, num_attention_heads: 40, num_key_value_heads: 10, vocab_size: 100352, max_position_embeddings: 16384, original_max_position_embeddings: 16384, sliding_window: null, torch_dtype: 'bfloat16' },
  },
  // GPT-2, Pythia, Falcon, OLMo
  { ids: ['openai-community/gpt2', 'gpt2'], from: M + 'gpt2.json' },
  { ids: ['openai-community/gpt2-medium', 'gpt2-medium'], config: gpt2(1024, 24, 16) },
  { ids: ['openai-community/gpt2-large', 'gpt2-large'], config: gpt2(1280, 36, 20) },
  { ids: ['openai-community/gpt2-xl', 'gpt2-xl'], config: gpt2(1600, 48, 25) },
  { ids: ['EleutherAI/pythia-160m', 'EleutherAI/pythia-160m-deduped'], from: F + 'pythia-160m.json' },
  { ids: ['tiiuae/falcon-7b', 'tiiuae/falcon-7b-instruct'], from: F + 'falcon-7b.json' },
  { ids: ['tiiuae/falcon-40b', 'tiiuae/falcon-40b-instruct'], from: F + 'falcon-40b.json' },
  { ids: ['allenai/OLMo-1B-hf'], from: F + 'olmo-1b-hf.json' },
  { ids: ['allenai/OLMo-2-1124-7B', 'allenai/OLMo-2-1124-7B-Instruct', 'allenai/OLMo-2-1124-7B-SFT'], from: F + 'olmo-2-1124-7b.json' },
  { ids: ['allenai/OLMoE-1B-7B-0924', 'allenai/OLMoE-1B-7B-0924-Instruct'], from: F + 'olmoe-1b-7b-0924.json' },
  // DeepSeek, GLM, Kimi, gpt-oss, Nemotron
  { ids: ['deepseek-ai/DeepSeek-V2-Lite', 'deepseek-ai/DeepSeek-V2-Lite-Chat'], from: F + 'deepseek-v2-lite.json' },
  { ids: ['deepseek-ai/DeepSeek-V3', 'deepseek-ai/DeepSeek-V3-0324', 'deepseek-ai/DeepSeek-R1', 'deepseek-ai/DeepSeek-R1-0528', 'deepseek-ai/DeepSeek-V3-Base', 'deepseek-ai/DeepSeek-V3.1'], from: F + 'deepseek-v3.json' },
  { ids: ['deepseek-ai/DeepSeek-V3.2-Exp', 'deepseek-ai/DeepSeek-V3.2'], from: F + 'deepseek-v3.2.json' },
  { ids: ['zai-org/GLM-4.5-Air', 'THUDM/GLM-4.5-Air'], from: F + 'glm-4.5-air.json' },
  { ids: ['moonshotai/Kimi-K2-Instruct', 'moonshotai/Kimi-K2-Base', 'moonshotai/Kimi-K2-Instruct-0905'], from: F + 'kimi-k2-instruct.json' },
  { ids: ['openai/gpt-oss-20b'], from: F + 'gpt-oss-20b.json' },
  {
    ids: ['openai/gpt-oss-120b'],
    from: F + 'gpt-oss-20b.json',
    patch: { num_hidden_layers: 36, num_local_experts: 128, layer_types: Array.from({ length: 36 }, (_, i) => (i % 2 === 0 ? 'sliding_attention' : 'full_attention')) },
  },
  { ids: ['nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16', 'nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B'], from: F + 'nemotron-3-nano-30b-a3b.json' },
  { ids: ['nvidia/Llama-3_3-Nemotron-Super-49B-v1'], from: F + 'llama-3.3-nemotron-super-49b-v1.json' },
  { ids: ['nvidia/Llama-3_1-Nemotron-Ultra-253B-v1'], from: F + 'llama-3.1-nemotron-ultra-253b-v1.json' },
  // Granite, SmolLM3, StarCoder2, Cohere, PhiMoE, LLaVA
  { ids: ['ibm-granite/granite-3.1-2b-instruct', 'ibm-granite/granite-3.1-2b-base'], from: F + 'granite-3.1-2b-instruct.json' },
  { ids: ['ibm-granite/granite-3.0-1b-a400m-instruct', 'ibm-granite/granite-3.0-1b-a400m-base'], from: F + 'granite-3.0-1b-a400m-instruct.json' },
  { ids: ['HuggingFaceTB/SmolLM3-3B', 'HuggingFaceTB/SmolLM3-3B-Base'], from: F + 'smollm3-3b.json' },
  { ids: ['bigcode/starcoder2-3b'], from: F + 'starcoder2-3b.json' },
  { ids: ['CohereForAI/c4ai-command-r-v01', 'CohereLabs/c4ai-command-r-v01'], from: F + 'c4ai-command-r-v01.json' },
  { ids: ['CohereForAI/c4ai-command-r-plus', 'CohereLabs/c4ai-command-r-plus'], from: F + 'c4ai-command-r-plus.json' },
  { ids: ['CohereForAI/c4ai-command-r7b-12-2024', 'CohereLabs/c4ai-command-r7b-12-2024'], from: F + 'c4ai-command-r7b-12-2024.json' },
  { ids: ['microsoft/Phi-3.5-MoE-instruct'], from: F + 'phi-3.5-moe-instruct.json' },
  { ids: ['llava-hf/llava-1.5-7b-hf'], from: F + 'llava-1.5-7b-hf.json' },
];

/** The public page of an entry's config. */
export function sourceOf(e: ManifestEntry): string {
  return `https://huggingface.co/${e.ids[0]}/blob/main/config.json`;
}
