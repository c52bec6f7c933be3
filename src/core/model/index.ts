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
};

export function supportedModelTypes(): string[] {
  return Object.keys(ADAPTERS);
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
  const adapter = modelType !== null && Object.hasOwn(ADAPTERS, modelType) ? ADAPTERS[modelType]! : null;
  const spec = adapter ? adapter(r, modelType!) : readUnknown(r, modelType);
  spec.dropout = readDropout(config);
  spec.quantization = readQuantization(config);
  const cap = (config as Record<string, unknown>).final_logit_softcapping ?? (isObject(config.text_config) ? config.text_config.final_logit_softcapping : undefined);
  spec.logitSoftcap = typeof cap === 'number' && cap > 0;
  return spec;
}
