/**
 * The user's setup. One schema, one place for defaults. The CLI flags, the extension's
 * settings and the webview's what-if controls are all generated from `SCENARIO_FIELDS`.
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';

// zod/mini registers no locale (classic zod registers English on first use); English keeps the built-in messages
// (unknown keys, enum options, wrong types) identical. An explicitly configured locale wins, as with classic zod.
if (!z.config().localeError) z.config(en());

export const WEIGHT_DTYPES = ['fp32', 'fp16', 'bf16', 'fp8', 'int8', 'int4', 'nf4'] as const;
export const PRECISIONS = ['fp32', 'bf16', 'fp16', 'amp-bf16', 'amp-fp16'] as const;
export const OPTIMIZERS = [
  'adamw',
  'adamw-fused',
  'sgd',
  'sgd-momentum',
  'adamw-8bit',
  'paged-adamw-8bit',
  'paged-adamw',
  'adafactor',
  'lion',
  'lion-8bit',
  'galore-adamw',
  'galore-adamw-8bit',
  'galore-adafactor',
  'apollo',
  'apollo-mini',
] as const;
export const KV_DTYPES = ['auto', 'fp32', 'fp16', 'bf16', 'fp8', 'int4', 'int2'] as const;
export const MODES = ['inference', 'training'] as const;
export const RUNTIME_IDS = ['pytorch', 'deepspeed', 'vllm'] as const;
export const ZERO_STAGES = [0, 1, 2, 3] as const;
export const OFFLOAD_DEVICES = ['none', 'cpu', 'nvme'] as const;
export const LOGITS = ['last', 'all'] as const;
/**
 * PyTorch decode implementations (measured ~2× apart on H200): eager = dynamic cache, the host issues every kernel;
 * cuda-graphs = static cache, the eager kernels captured and replayed as one CUDA graph; compiled = static cache,
 * torch.compile(mode="reduce-overhead") fused kernels in CUDA graphs.
 */
export const DECODE_IMPLS = ['eager', 'cuda-graphs', 'compiled'] as const;
export type DecodeImpl = (typeof DECODE_IMPLS)[number];
export const LOSSES = ['standard', 'cce', 'liger-flce'] as const;

export type WeightDtype = (typeof WEIGHT_DTYPES)[number];
export type Precision = (typeof PRECISIONS)[number];
export type OptimizerId = (typeof OPTIMIZERS)[number];
export type KvDtype = (typeof KV_DTYPES)[number];
export type Mode = (typeof MODES)[number];
export type RuntimeId = (typeof RUNTIME_IDS)[number];
export type ZeroStage = (typeof ZERO_STAGES)[number];
export type OffloadDevice = (typeof OFFLOAD_DEVICES)[number];
export type LossId = (typeof LOSSES)[number];

/** Largest size we accept for counts of tokens or sequences; beyond it byte counts leave exact integer range. */
export const MAX_TOKENS = 1 << 24;
/** Largest batch (sequences per step or in flight). */
export const MAX_BATCH = 1 << 20;
/** Largest rank (LoRA, GaLore, APOLLO) and gradient accumulation steps. */
export const MAX_RANK = 1 << 16;

const count = (what: string, min: number, max: number) =>
  z
    .number({ error: `${what} must be a number` })
    .check(
      z.int({ error: `${what} must be a whole number` }),
      z.minimum(min, { error: `${what} must be at least ${min}` }),
      z.maximum(max, { error: `${what} must be at most ${max}` }),
    );

/** A fraction in (0, 1]: MFU and bandwidth efficiency. */
const efficiency = (what: string) =>
  z.number({ error: `${what} must be a number` }).check(
    z.gt(0, { error: `${what} must be in (0, 1]` }),
    z.maximum(1, { error: `${what} must be in (0, 1]` }),
  );

// zod/mini (tree-shakable): the same checks as classic zod's z.number().int().min().max(), z.string().min(1),
// .nullable(), .default() and .strict(), written as functions.
export const ScenarioSchema = z.strictObject({
  mode: z._default(z.enum(MODES), 'inference'),
  batch: z._default(count('batch', 1, MAX_BATCH), 1),
  seq: z._default(count('seq', 1, MAX_TOKENS), 2048),
  newTokens: z._default(count('new tokens', 0, MAX_TOKENS), 0),
  /** Storage dtype of the weights; null = from the precision (training) or the config's torch_dtype (inference). */
  weightsDtype: z._default(z.nullable(z.enum(WEIGHT_DTYPES)), null),
  kvDtype: z._default(z.enum(KV_DTYPES), 'auto'),
  precision: z._default(z.enum(PRECISIONS), 'bf16'),
  optimizer: z._default(z.enum(OPTIMIZERS), 'adamw'),
  gradCheckpointing: z._default(z.boolean(), false),
  /** Micro-batches per optimizer step: with more than one, gradients stay allocated from one micro-batch to the next. */
  gradAccumulation: z._default(count('gradient accumulation steps', 1, MAX_RANK), 1),
  loraRank: z._default(z.nullable(count('LoRA rank', 1, MAX_RANK)), null),
  /** Inference logits: the last position (generate) or every position (scoring, perplexity; no KV cache). */
  logits: z._default(z.enum(LOGITS), 'last'),
  gpu: z._default(z.nullable(z.string().check(z.minLength(1))), null),
  runtime: z._default(z.enum(RUNTIME_IDS), 'pytorch'),
  /** vLLM --gpu-memory-utilization: the share of the GPU the engine may take (weights, activations, KV pool). */
  gpuMemoryUtilization: z._default(
    z.number({ error: 'GPU memory utilization must be a number' }).check(
      z.gt(0, { error: 'GPU memory utilization must be above 0' }),
      z.maximum(1, { error: 'GPU memory utilization must be at most 1' }),
    ),
    0.9,
  ),
  /** vLLM --max-num-batched-tokens: tokens in one scheduler step (the profile run's size); null = vLLM's default for the GPU. */
  maxNumBatchedTokens: z._default(z.nullable(count('max batched tokens', 1, MAX_TOKENS)), null),
  /** GPUs in all (data × tensor × pipeline × context parallel). */
  gpus: z._default(count('gpus', 1, 1 << 16), 1),
  /** GPUs per node: the host RAM of a node is shared by its ranks. */
  gpusPerNode: z._default(count('GPUs per node', 1, 64), 8),
  /** ZeRO stage: 0 = replicated (DDP), 1 = optimizer states, 2 = + gradients, 3 = + parameters sharded over the data-parallel ranks. */
  zero: z._default(z.union(ZERO_STAGES.map((n) => z.literal(n)), { error: 'ZeRO stage must be 0, 1, 2 or 3' }), 0),
  offloadOptimizer: z._default(z.enum(OFFLOAD_DEVICES), 'none'),
  offloadParams: z._default(z.enum(OFFLOAD_DEVICES), 'none'),
  /** Tensor, pipeline, expert and context (sequence) parallel degrees. */
  tp: z._default(count('tensor parallel size', 1, 1024), 1),
  pp: z._default(count('pipeline parallel size', 1, 1024), 1),
  ep: z._default(count('expert parallel size', 1, 1024), 1),
  cp: z._default(count('context parallel size', 1, 1024), 1),
  /** Megatron sequence parallelism: with TP, the norms' and dropouts' tensors are divided over the TP ranks too. */
  sequenceParallel: z._default(z.boolean(), false),
  /** Micro-batches in flight on the first pipeline stage (1F1B: the pipeline size); null = min(pp, accumulation steps). */
  ppMicroBatches: z._default(z.nullable(count('micro-batches in flight', 1, 1 << 16)), null),
  /** Activations (checkpoints) moved to host memory between forward and backward (axolotl activation_offloading). */
  activationOffload: z._default(z.boolean(), false),
  /** DeepSpeed buckets, in elements (zero_optimization.*; DeepSpeed's defaults). */
  reduceBucketSize: z._default(count('reduce bucket size', 1, 2 ** 40), 500_000_000),
  allgatherBucketSize: z._default(count('allgather bucket size', 1, 2 ** 40), 500_000_000),
  prefetchBucketSize: z._default(count('stage-3 prefetch bucket size', 0, 2 ** 40), 50_000_000),
  maxLiveParameters: z._default(count('stage-3 max live parameters', 0, 2 ** 40), 1_000_000_000),
  paramPersistenceThreshold: z._default(count('stage-3 parameter persistence threshold', 0, 2 ** 40), 100_000),
  /** Host RAM per node in bytes, for the host-side fit; null = not checked. */
  hostMemory: z._default(z.nullable(z.number({ error: 'host memory must be a number of bytes' }).check(z.positive({ error: 'host memory must be above 0' }))), null),
  /** Share of the GPU's dense FLOP/s that compute-bound operators reach; null = the calibrated default. */
  mfu: z._default(z.nullable(efficiency('MFU')), null),
  /** Share of the memory bandwidth that memory-bound operators reach; null = the calibrated default. */
  bandwidthEfficiency: z._default(z.nullable(efficiency('bandwidth efficiency')), null),
  /** PyTorch runtime: how decode steps run (DECODE_IMPLS); vLLM always runs compiled graphs. */
  decode: z._default(z.enum(DECODE_IMPLS), 'eager'),
  /** Images per sample of a multimodal model: each adds the model's image tokens to the sequence. */
  images: z._default(count('images', 0, 1 << 16), 0),
  /** Full fine-tuning of a multimodal model with its vision tower and projector frozen (LLaMA-Factory freeze_vision_tower). */
  freezeVision: z._default(z.boolean(), false),
  /** Training: tokens in one epoch of the dataset (time per epoch). */
  datasetTokens: z._default(z.nullable(z.number({ error: 'dataset tokens must be a number' }).check(z.int({ error: 'dataset tokens must be a whole number' }), z.minimum(1, { error: 'dataset tokens must be at least 1' }), z.maximum(1e18, { error: 'dataset tokens must be at most 1e18' }))), null),
  /** GaLore: rank of the projected space and steps between projector refreshes (an SVD per matrix). */
  galoreRank: z._default(count('GaLore rank', 1, MAX_RANK), 128),
  galoreUpdateGap: z._default(count('GaLore update gap', 1, 1 << 24), 200),
  /** APOLLO: rank of the random projection; null = hidden / 4 (the paper's default). APOLLO-Mini is rank 1. */
  apolloRank: z._default(z.nullable(count('APOLLO rank', 1, MAX_RANK)), null),
  /** Optimizer steps inside backward, one parameter at a time: full gradients are never all alive. */
  layerwiseUpdate: z._default(z.boolean(), false),
  /** QLoRA: the base linear layers in bitsandbytes NF4, LoRA (loraRank) on them. */
  qlora: z._default(z.boolean(), false),
  /** bitsandbytes double quantization of the NF4 absmax constants; null = the stack's default (QLoRA on, inference off). */
  doubleQuant: z._default(z.nullable(z.boolean()), null),
  /** peft prepare_model_for_kbit_training on a quantized base: non-quantized parameters cast to fp32. */
  prepareKbit: z._default(z.boolean(), true),
  /** LoRA targets: all-linear, or PEFT module names (q_proj,v_proj,…); null = all-linear. */
  loraTargets: z._default(z.nullable(z.string().check(z.minLength(1))), null),
  /** Modules trained in full beside LoRA (peft modules_to_save), e.g. embed_tokens,lm_head. */
  loraModulesToSave: z._default(z.nullable(z.string().check(z.minLength(1))), null),
  /** The loss: standard (full logits), cce (Cut Cross-Entropy) or liger-flce (Liger fused linear cross-entropy). */
  loss: z._default(z.enum(LOSSES), 'standard'),
  /** Quantized KV cache (int4/int2, transformers QuantizedCache): elements per quantization group. */
  kvGroupSize: z._default(count('KV group size', 1, 1 << 16), 64),
  /** Quantized KV cache: the most recent tokens kept in full precision (KIVI residual). */
  kvResidual: z._default(count('KV residual length', 0, MAX_TOKENS), 128),
});

export type Scenario = z.output<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;

export class ScenarioError extends Error {
  constructor(
    message: string,
    readonly key?: string,
  ) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/** Every field at its default (the schema's own defaults, computed once). */
let defaults: Scenario | undefined;

/**
 * The schema checks field by field, so a partial input is the defaults with each given field checked by its own
 * schema: what the whole-object parse returns, at a fraction of its cost (sweeps parse thousands of scenarios).
 * Anything unusual (an unknown key, a value its field refuses, a non-object) takes the whole-object parse, whose
 * error is the one reported.
 */
function parseFieldByField(input: Record<string, unknown>): Scenario | null {
  defaults ??= ScenarioSchema.parse({});
  const shape = ScenarioSchema.shape as Record<string, z.ZodMiniType | undefined>;
  const out: Record<string, unknown> = { ...defaults };
  for (const key in input) {
    if (!Object.prototype.hasOwnProperty.call(input, key)) continue;
    const field = shape[key];
    if (!field) return null;
    const r = field.safeParse(input[key]);
    if (!r.success) return null;
    out[key] = r.data;
  }
  return out as Scenario;
}

/** Validates and fills defaults; throws ScenarioError naming the offending key. */
export function parseScenario(input: unknown): Scenario {
  if (input !== null && typeof input === 'object' && !Array.isArray(input) && Object.getPrototypeOf(input) === Object.prototype) {
    const fast = parseFieldByField(input as Record<string, unknown>);
    if (fast) return fast;
  }
  const r = ScenarioSchema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const key = issue.path.join('.');
  throw new ScenarioError(key ? `${key}: ${issue.message}` : issue.message, key || undefined);
}

/** Describes each option for generated UIs (CLI flags, webview controls, settings). */
export interface FieldInfo {
  key: keyof Scenario;
  label: string;
  kind: 'enum' | 'int' | 'number' | 'bool' | 'string';
  options?: readonly string[];
  modes: readonly (typeof MODES)[number][];
  /** Bounds of an int field, where they are not 1 and unbounded. */
  min?: number;
  max?: number;
  /** Runtimes the field applies to; all when absent. */
  runtimes?: readonly (typeof RUNTIME_IDS)[number][];
  help: string;
}

export const SCENARIO_FIELDS: readonly FieldInfo[] = [
  { key: 'mode', label: 'Mode', kind: 'enum', options: MODES, modes: MODES, help: 'Serving/generation or training.' },
  { key: 'batch', label: 'Batch', kind: 'int', modes: MODES, help: 'Sequences per step (micro-batch in training).' },
  { key: 'seq', label: 'Sequence length', kind: 'int', modes: MODES, help: 'Prompt tokens (inference) or tokens per sequence (training).' },
  { key: 'newTokens', label: 'New tokens', kind: 'int', modes: ['inference'], help: 'Tokens generated after the prompt.' },
  { key: 'precision', label: 'Precision', kind: 'enum', options: PRECISIONS, modes: MODES, help: 'Compute precision; amp-* keeps fp32 master weights under autocast.' },
  { key: 'weightsDtype', label: 'Weights dtype', kind: 'enum', options: WEIGHT_DTYPES, modes: MODES, help: 'Storage dtype of the weights (default: from precision or the config).' },
  { key: 'kvDtype', label: 'KV cache dtype', kind: 'enum', options: KV_DTYPES, modes: ['inference'], help: 'auto = compute dtype.' },
  { key: 'optimizer', label: 'Optimizer', kind: 'enum', options: OPTIMIZERS, modes: ['training'], help: 'torch.optim optimizer: adamw = the default foreach implementation, adamw-fused = fused=True (HF Trainer adamw_torch_fused).' },
  { key: 'gradCheckpointing', label: 'Gradient checkpointing', kind: 'bool', modes: ['training'], help: 'Keep only each layer\'s input; recompute in backward.' },
  { key: 'gradAccumulation', label: 'Gradient accumulation', kind: 'int', modes: ['training'], help: 'Micro-batches per optimizer step; gradients stay allocated between them.' },
  { key: 'loraRank', label: 'LoRA rank', kind: 'int', modes: ['training'], help: 'LoRA on every decoder linear layer (fp32 adapters, frozen base).' },
  { key: 'logits', label: 'Logits', kind: 'enum', options: LOGITS, modes: ['inference'], help: 'last = generate (last position); all = scoring every position without a cache.' },
  { key: 'runtime', label: 'Runtime', kind: 'enum', options: RUNTIME_IDS, modes: ['inference'], help: 'pytorch = eager transformers (generate); vllm = paged KV pool sized from the GPU.' },
  { key: 'gpuMemoryUtilization', label: 'GPU memory utilization', kind: 'number', modes: ['inference'], runtimes: ['vllm'], help: 'vLLM --gpu-memory-utilization (0–1).' },
  { key: 'maxNumBatchedTokens', label: 'Max batched tokens', kind: 'int', modes: ['inference'], runtimes: ['vllm'], help: 'vLLM --max-num-batched-tokens: tokens per scheduler step.' },
  { key: 'gpu', label: 'Target GPU', kind: 'string', modes: MODES, help: 'Hardware catalog id, e.g. h100-sxm-80gb.' },
  { key: 'gpus', label: 'GPUs', kind: 'int', modes: MODES, help: 'GPUs in all: data × tensor × pipeline × context parallel.' },
  { key: 'gpusPerNode', label: 'GPUs per node', kind: 'int', modes: MODES, help: 'Ranks that share one host\'s RAM.' },
  { key: 'zero', label: 'ZeRO stage', kind: 'int', min: 0, max: 3, modes: ['training'], help: '0 = DDP (replicated), 1 = optimizer states sharded, 2 = + gradients, 3 = + parameters (FSDP full shard).' },
  { key: 'offloadOptimizer', label: 'Offload optimizer', kind: 'enum', options: OFFLOAD_DEVICES, modes: ['training'], help: 'Optimizer states (and gradients) on the CPU or NVMe (ZeRO-Offload, ZeRO-Infinity, FSDP CPUOffloadPolicy).' },
  { key: 'offloadParams', label: 'Offload parameters', kind: 'enum', options: OFFLOAD_DEVICES, modes: ['training'], help: 'Parameters on the CPU or NVMe between uses (ZeRO-3 only).' },
  { key: 'tp', label: 'Tensor parallel', kind: 'int', modes: MODES, help: 'Tensor-parallel size: linear layers and heads divided over this many GPUs.' },
  { key: 'pp', label: 'Pipeline parallel', kind: 'int', modes: MODES, help: 'Pipeline stages: the layers divided over this many GPUs.' },
  { key: 'ep', label: 'Expert parallel', kind: 'int', modes: MODES, help: 'Experts divided over this many GPUs (MoE).' },
  { key: 'cp', label: 'Context parallel', kind: 'int', modes: ['training'], help: 'The sequence divided over this many GPUs (ring attention).' },
  { key: 'sequenceParallel', label: 'Sequence parallel', kind: 'bool', modes: ['training'], help: 'Megatron sequence parallelism with TP: norm and dropout activations divided too.' },
  { key: 'ppMicroBatches', label: 'Micro-batches in flight', kind: 'int', modes: ['training'], help: 'Micro-batches the first pipeline stage holds (1F1B: the pipeline size).' },
  { key: 'activationOffload', label: 'Activation offload', kind: 'bool', modes: ['training'], help: 'Checkpointed activations kept in host memory (axolotl activation_offloading).' },
  { key: 'reduceBucketSize', label: 'Reduce bucket (elements)', kind: 'int', modes: ['training'], runtimes: ['deepspeed'], help: 'DeepSpeed zero_optimization.reduce_bucket_size.' },
  { key: 'allgatherBucketSize', label: 'Allgather bucket (elements)', kind: 'int', modes: ['training'], runtimes: ['deepspeed'], help: 'DeepSpeed zero_optimization.allgather_bucket_size (stages 1–2).' },
  { key: 'prefetchBucketSize', label: 'Prefetch bucket (elements)', kind: 'int', min: 0, modes: ['training'], runtimes: ['deepspeed'], help: 'DeepSpeed zero_optimization.stage3_prefetch_bucket_size.' },
  { key: 'maxLiveParameters', label: 'Max live parameters', kind: 'int', min: 0, modes: ['training'], runtimes: ['deepspeed'], help: 'DeepSpeed zero_optimization.stage3_max_live_parameters.' },
  { key: 'paramPersistenceThreshold', label: 'Persistence threshold', kind: 'int', min: 0, modes: ['training'], runtimes: ['deepspeed'], help: 'DeepSpeed zero_optimization.stage3_param_persistence_threshold: smaller parameters stay gathered.' },
  { key: 'hostMemory', label: 'Host RAM per node', kind: 'number', modes: ['training'], help: 'Bytes of RAM per node, for the host-side fit.' },
  { key: 'mfu', label: 'MFU', kind: 'number', modes: MODES, help: 'Share of dense FLOP/s reached by compute-bound operators (0–1]; empty = calibrated default.' },
  { key: 'bandwidthEfficiency', label: 'Bandwidth efficiency', kind: 'number', modes: MODES, help: 'Share of memory bandwidth reached by memory-bound operators (0–1]; empty = calibrated default.' },
  { key: 'decode', label: 'Decode', kind: 'enum', options: DECODE_IMPLS, modes: ['inference'], runtimes: ['pytorch'], help: 'PyTorch decode: eager (the host issues every kernel), cuda-graphs (static cache, eager kernels replayed as a CUDA graph) or compiled (static cache, torch.compile fused kernels in CUDA graphs).' },
  { key: 'images', label: 'Images per sample', kind: 'int', min: 0, modes: MODES, help: 'Multimodal models: images per sequence; each adds its image tokens to the sequence.' },
  { key: 'freezeVision', label: 'Freeze vision tower', kind: 'bool', modes: ['training'], help: 'Multimodal full fine-tuning: the vision tower and projector frozen (no gradients, optimizer states or saved activations).' },
  { key: 'datasetTokens', label: 'Dataset tokens', kind: 'int', modes: ['training'], help: 'Tokens in one epoch; gives time per epoch.' },
  { key: 'galoreRank', label: 'GaLore rank', kind: 'int', modes: ['training'], help: 'Rank of GaLore\'s projected space (galore-* optimizers).' },
  { key: 'galoreUpdateGap', label: 'GaLore update gap', kind: 'int', modes: ['training'], help: 'Steps between GaLore projector refreshes (SVD).' },
  { key: 'apolloRank', label: 'APOLLO rank', kind: 'int', modes: ['training'], help: 'Rank of APOLLO\'s random projection (default hidden/4; apollo-mini: 1).' },
  { key: 'layerwiseUpdate', label: 'Layer-wise update', kind: 'bool', modes: ['training'], help: 'Optimizer steps inside backward, one parameter at a time (no full gradients).' },
  { key: 'qlora', label: 'QLoRA', kind: 'bool', modes: ['training'], help: 'Base linear layers in bitsandbytes NF4, LoRA adapters (needs a LoRA rank).' },
  { key: 'doubleQuant', label: 'Double quantization', kind: 'bool', modes: MODES, help: 'NF4 double quantization of the absmax constants (default: on; a quantized checkpoint keeps its own setting).' },
  { key: 'prepareKbit', label: 'prepare_model_for_kbit_training', kind: 'bool', modes: ['training'], help: 'peft casts non-quantized parameters to fp32 (axolotl, TRL); off for LLaMA-Factory.' },
  { key: 'loraTargets', label: 'LoRA targets', kind: 'string', modes: ['training'], help: 'all-linear or module names (q_proj,v_proj,…).' },
  { key: 'loraModulesToSave', label: 'LoRA modules to save', kind: 'string', modes: ['training'], help: 'Modules trained in full beside LoRA, e.g. embed_tokens,lm_head.' },
  { key: 'loss', label: 'Loss', kind: 'enum', options: LOSSES, modes: ['training'], help: 'standard, cce (Cut Cross-Entropy) or liger-flce (Liger fused linear cross-entropy).' },
  { key: 'kvGroupSize', label: 'KV group size', kind: 'int', modes: ['inference'], help: 'Quantized KV cache (int4/int2): elements per group.' },
  { key: 'kvResidual', label: 'KV residual', kind: 'int', modes: ['inference'], help: 'Quantized KV cache: recent tokens kept in full precision.' },
];
