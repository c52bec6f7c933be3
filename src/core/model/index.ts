/**
 * config.json → ModelSpec. One small adapter per family (families/*), most of them recipes over the Llama-like
 * base (llama-like.ts). Parameter counts equal `sum(p.numel() for p in model.parameters())` of transformers 5's
 * AutoModelForCausalLM.from_config(config) (tied embeddings once); test/fixtures/param-counts.jsonl holds the
 * counts measured with scripts/calibrate/param_counts.py.
 */
import type { ModelSpec } from '../types.ts';
import { ConfigError } from './errors.ts';
import { readDeepseek } from './families/deepseek.ts';
import { readFalcon } from './families/falcon.ts';
import { readGemma, readGemma2, readGemma3, readGemma3Text } from './families/gemma.ts';
import { readGpt2 } from './families/gpt2.ts';
import { readGptNeox } from './families/gpt-neox.ts';
import { readLlama, readMistral, readMixtral, readUnknown } from './families/llama.ts';
import { readOlmo, readOlmo2, readOlmoe } from './families/olmo.ts';
import { readPhi3 } from './families/phi3.ts';
import { readQwen2, readQwen2Moe, readQwen3, readQwen3Moe } from './families/qwen.ts';
import { readGlm4Moe } from './families/glm.ts';
import { readGptOss } from './families/gpt-oss.ts';
import { readLlama4Text } from './families/llama4.ts';
import { readWrapper, WRAPPERS } from './families/multimodal.ts';
import { readFalconH1, readJamba } from './families/ssm-hybrids.ts';
import { readNemotronH } from './families/nemotron-h.ts';
import { readNemotronNas } from './families/nemotron-nas.ts';
import { readQwen3Next } from './families/qwen-next.ts';
import { readGranite, readGraniteMoe, readSmolLm3 } from './families/granite.ts';
import { readCohere } from './families/cohere.ts';
import { readStarcoder2 } from './families/starcoder2.ts';
import { readPhimoe } from './families/phimoe.ts';
import { readErnie45, readErnie45Moe, readExaone4, readMimo, readMinimaxM2 } from './families/misc.ts';
import { ConfigReader, isObject } from './read.ts';
import { readDropout } from './dropout.ts';
import { readQuantization } from './quantization.ts';

export { ConfigError } from './errors.ts';
export { LIMITS } from './read.ts';

type Adapter = (r: ConfigReader, modelType: string) => ModelSpec;

/** model_type → adapter. */
export const ADAPTERS: Readonly<Record<string, Adapter>> = {
  llama: readLlama,
  mistral: readMistral,
  mixtral: readMixtral,
  qwen2: readQwen2,
  qwen2_moe: readQwen2Moe,
  qwen3: readQwen3,
  qwen3_moe: readQwen3Moe,
  gemma: readGemma,
  gemma2: readGemma2,
  gemma3: readGemma3,
  gemma3_text: (r, t) => readGemma3Text(r, t),
  phi3: readPhi3,
  gpt2: readGpt2,
  gpt_neox: readGptNeox,
  falcon: readFalcon,
  RefinedWeb: readFalcon,
  RefinedWebModel: readFalcon,
  olmo: readOlmo,
  olmo2: readOlmo2,
  olmoe: readOlmoe,
  deepseek_v2: readDeepseek,
  deepseek_v3: readDeepseek,
  deepseek_v32: readDeepseek,
  kimi_k2: readDeepseek,
  gpt_oss: readGptOss,
  glm4_moe: readGlm4Moe,
  qwen3_next: readQwen3Next,
  nemotron_h: readNemotronH,
  'nemotron-nas': readNemotronNas,
  llama4_text: (r, t) => readLlama4Text(r, t),
  granite: readGranite,
  granitemoe: readGraniteMoe,
  smollm3: readSmolLm3,
  cohere: readCohere,
  cohere2: readCohere,
  starcoder2: readStarcoder2,
  phimoe: readPhimoe,
  exaone4: readExaone4,
  ernie4_5: readErnie45,
  ernie4_5_moe: readErnie45Moe,
  jamba: readJamba,
  falcon_h1: readFalconH1,
  minimax_m2: readMinimaxM2,
  mimo: readMimo,
};

/** Adapters of the language models that multimodal wrappers nest (Llama 4's text model takes the wrapper's keys). */
const TEXT_ADAPTERS = { ...ADAPTERS, llama4_text: readLlama4Text };

/** Keys that name multi-head latent attention: a config with them is MLA whatever its model_type. */
const MLA_KEYS = ['kv_lora_rank', 'q_lora_rank', 'qk_rope_head_dim', 'qk_nope_head_dim'];

/**
 * The adapter for a config: its model_type's, else one chosen from the keys (MLA), else the Llama-like fallback.
 * A family read from keys says so in the assumptions.
 */
function adapterFor(r: ConfigReader, modelType: string | null): Adapter {
  // Per-layer NAS blocks decide the structure whatever the model_type (Puzzletron keeps its parent's).
  if (r.has('block_configs') && modelType !== 'nemotron-nas') {
    return (reader, t) => {
      reader.assume(`${modelType === null ? 'no "model_type"' : `model_type "${modelType}"`} with "block_configs": read as a Nemotron NAS model (one block per layer)`);
      return readNemotronNas(reader, t);
    };
  }
  if (modelType !== null && Object.hasOwn(ADAPTERS, modelType)) return ADAPTERS[modelType]!;
  if (modelType !== null && Object.hasOwn(WRAPPERS, modelType)) return (reader, t) => readWrapper(reader, t, TEXT_ADAPTERS);
  const mlaKey = MLA_KEYS.find((k) => r.has(k));
  if (mlaKey) {
    return (reader, t) => {
      reader.assume(`${modelType === null ? 'no "model_type"' : `unknown model_type "${modelType}"`}: read as DeepSeek-V3 (multi-head latent attention, from "${mlaKey}")`);
      return readDeepseek(reader, t);
    };
  }
  return (reader) => readUnknown(reader, modelType);
}

/**
 * Reads a Hugging Face config.json (already parsed) into a ModelSpec.
 * Throws ConfigError naming the key when the config is not an object, misses a required key, or holds a wrong,
 * non-positive, non-integer or absurdly large value.
 */
export function readModelConfig(config: unknown): ModelSpec {
  if (!isObject(config)) throw new ConfigError('config.json must be a JSON object');
  const r = new ConfigReader(config);
  const modelType = r.str('model_type');
  const spec = adapterFor(r, modelType)(r, modelType ?? 'unknown');
  spec.dropout = readDropout(config);
  spec.quantization = readQuantization(config);
  const cap = (config).final_logit_softcapping ?? (isObject(config.text_config) ? config.text_config.final_logit_softcapping : undefined);
  spec.logitSoftcap = typeof cap === 'number' && cap > 0;
  return spec;
}
