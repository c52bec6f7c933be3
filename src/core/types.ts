/**
 * Shared types of the engine. The engine is pure: no I/O, no `vscode`, deterministic.
 * Bytes are always integers (numbers below 2^53).
 */

/** Where a memory term lives. */
/** unified: CUDA managed memory (bitsandbytes paged optimizers), outside PyTorch's allocator and its peak. */
export type Where = 'gpu' | 'cpu' | 'nvme' | 'unified';

/**
 * Attention kind of one decoder layer (mirrors vLLM's one-spec-per-attention-kind shape). 'chunked': attention
 * within chunks of `window` tokens (Llama 4); 'linear': Gated DeltaNet; 'mamba': a Mamba-2 mixer; 'none': a layer
 * without token mixing (Nemotron-H MLP and MoE layers), which keeps no cache.
 */
export type AttentionKind = 'full' | 'sliding' | 'mla' | 'chunked' | 'linear' | 'mamba' | 'none';

export interface LayerSpec {
  attention: AttentionKind;
  /** Tokens kept by a sliding-window layer; tokens per chunk of a chunked-attention layer (Llama 4). */
  window?: number;
  /** Whether the feed-forward block of this layer is a mixture of experts. */
  moe: boolean;
  /** A Mamba mixer beside the attention of this layer (Falcon-H1): its fixed state is cached too. */
  sideMamba?: boolean;
  /**
   * The feed-forward block when it is not the model's dense MLP or MoE: 'none' = the layer has none (Nemotron-H mixer
   * layers, a NAS block whose FFN is a no-op), 'linear' = one hidden × hidden linear layer (NAS replace_with_linear).
   */
  ffn?: 'none' | 'linear';
  /** NAS: the attention replaced by one hidden × hidden linear layer (attention is then 'none'). */
  linearMixer?: boolean;
  /** NAS: this layer's key/value heads and dense MLP width, where layers differ. */
  kvHeads?: number;
  ffnWidth?: number;
}

/** Roles of parameter tensors: they decide quantization, LoRA targets and sharding. */
export type TensorRole = 'embedding' | 'lm_head' | 'linear' | 'expert' | 'router' | 'norm' | 'bias' | 'vision' | 'other';

/**
 * A group of identical parameter tensors, e.g. `model.layers.*.self_attn.q_proj.weight` (count = layers).
 * Summing numel × count over the groups gives `sum(p.numel() for p in model.parameters())` exactly.
 */
export interface TensorGroup {
  name: string;
  role: TensorRole;
  /** Elements of one tensor. */
  numel: number;
  /** How many such tensors the model has. */
  count: number;
  /** [out, in] for linear layers (PyTorch weight layout); used by LoRA and GaLore. */
  shape?: [number, number];
  /** PEFT module name this weight belongs to (q_proj, gate_proj, …) for LoRA targeting. */
  module?: string;
  /** Experts: how many of `count` tensors are used per token (active parameters). */
  activeCount?: number;
}

/** Block structure that decides which tensors autograd saves (activation inventory). */
export interface BlockSpec {
  /** rms: Llama-style RMSNorm (fp32 math, weight applied in model dtype); rms_f32w: Gemma-style (weight applied in fp32); layer: nn.LayerNorm. */
  norm: 'rms' | 'rms_f32w' | 'layer';
  /** Norms per decoder layer (2 for Llama, 4 for Gemma-2/3 and OLMo-2 post-norms). */
  normsPerLayer: number;
  /** Per-head RMSNorm on q and k (Qwen3, Gemma-3, OLMo-2 uses full-width q/k norm). */
  qkNorm: 'none' | 'head' | 'full';
  /** gated: act(gate(x)) * up(x) (SwiGLU/GeGLU); plain: fc2(act(fc1(x))). */
  mlp: 'gated' | 'plain';
  /** Activation implementation: fused = one kernel (F.silu, F.gelu); gelu_new = tanh GELU written as 7 elementwise ops. */
  activation: 'fused' | 'gelu_new';
  /** Fused projections: one qkv matmul (GPT-2, GPT-NeoX, Falcon, Phi-3) and one gate_up matmul (Phi-3). */
  fusedQkv: boolean;
  fusedGateUp: boolean;
  /** Attention and MLP read the same normed input (GPT-NeoX, Falcon parallel residual). */
  parallelResidual: boolean;
  /** Learned absolute position embeddings (GPT-2). */
  absolutePositions: boolean;
  /** SDPA falls back to its math kernel for this model (materializes heads × seq × seq scores). */
  sdpaMath?: boolean;
  /** A sigmoid gate from q_proj multiplies the attention output before o_proj (Qwen3-Next). */
  attnOutputGate?: boolean;
}

export interface MlaSpec {
  kvLoraRank: number;
  qLoraRank: number | null;
  qkNopeHeadDim: number;
  qkRopeHeadDim: number;
  vHeadDim: number;
}

/**
 * Fixed per-sequence state of a recurrent layer (linear attention / Gated DeltaNet, Mamba-2): its size does not
 * grow with the context. Elements per sequence per layer, kept in `stateBytes`-wide elements (fp32 by default).
 */
export interface RecurrentStateSpec {
  /** Elements of the convolution state per sequence per layer ((kernel − 1) × conv channels). */
  convElems: number;
  /** Elements of the recurrent (SSM / delta-rule) state per sequence per layer. */
  stateElems: number;
  /** Bytes per recurrent-state element when the config fixes it (mamba_ssm_cache_dtype float32: 4); else the KV dtype. */
  stateBytes?: number;
}

/**
 * A Mamba mixer's widths, for its saved tensors and FLOPs (the KV cache reads RecurrentStateSpec). Mamba-1 (Jamba):
 * in_proj to 2 · inner, a depthwise convolution over inner channels, x_proj to dt_rank + 2 · state, a selective scan
 * per channel. Mamba-2 (Nemotron-H, Falcon-H1): in_proj to z, x, B, C and dt (`proj`), a convolution over x, B, C
 * (`convDim`), the chunked state-space-duality scan over `heads` heads of inner / heads dims in chunks of `chunk`.
 */
export interface MambaMixerSpec {
  version: 1 | 2;
  inner: number;
  proj: number;
  convDim: number;
  state: number;
  heads: number;
  groups: number;
  chunk: number;
  dtRank: number;
  /** Mamba-2: a gated RMSNorm over inner before out_proj (Nemotron-H; Falcon-H1 with mamba_rms_norm). */
  gatedNorm: boolean;
}

/**
 * A vision tower's layer structure, for the activations it saves per image when it is trained. `attention`:
 * separate q, k, v projections (CLIP, SigLIP, Pixtral, Llama 4), or one qkv projection whose q and k are rotated
 * into new tensors and whose output is copied for the projection (Qwen-VL). `mlp`: plain with a fused activation,
 * CLIP's quick_gelu (three saved tensors), or gated.
 */
export interface VisionTowerSpec {
  layers: number;
  hidden: number;
  intermediate: number;
  /** Patches one image puts through every layer (at the image size of the image-token basis). */
  patchesPerImage: number;
  norm: 'layer' | 'rms';
  attention: 'separate' | 'fused-rotary';
  mlp: 'plain' | 'quick_gelu' | 'gated';
}

/** A Gated DeltaNet mixer (Qwen3-Next linear_attention layers): its widths and the chunk of the chunked delta rule. */
export interface LinearMixerSpec {
  keyHeads: number;
  valueHeads: number;
  keyDim: number;
  valueDim: number;
  convDim: number;
  chunk: number;
}

export interface MoeSpec {
  experts: number;
  topK: number;
  expertIntermediate: number;
  sharedExperts: number;
  sharedIntermediate: number;
  /** Layers that are dense (deepseek first_k_dense_replace, qwen mlp_only_layers, decoder_sparse_step). */
  denseLayers: number;
  /** Experts of two matrices (up, down: Nemotron-H's relu²) instead of the gated three. */
  plainExperts?: boolean;
  /** The router runs in fp32 (its input cast up and its scores kept in fp32: Nemotron-H's DeepSeek-V3-style router). */
  fp32Router?: boolean;
}

/** The checkpoint's own weight quantization (config.json quantization_config). */
export interface QuantizationSpec {
  method: string;
  /** Storage dtype it maps to; null when the method is not modelled. */
  weightsDtype: 'int4' | 'int8' | 'fp8' | 'nf4' | null;
  /** bitsandbytes 4-bit: bnb_4bit_use_double_quant as the checkpoint's quantization_config says (its default: off). */
  doubleQuant?: boolean;
  note: string;
}

export interface DropoutSpec {
  /** After the attention and MLP outputs (GPT-2 resid_pdrop, GPT-NeoX/Falcon hidden_dropout, Phi-3 resid_pdrop). */
  residual: number;
  /** After the embeddings (GPT-2 / Phi-3 embd_pdrop). */
  embedding: number;
}

export interface ParamCounts {
  /** Unique parameters: sum(p.numel()) with tied embeddings counted once. */
  total: number;
  /** Input embedding parameters (plus learned position embeddings). */
  embedding: number;
  /** Parameters used per token (MoE: top-k experts + shared), equal to total for dense models. */
  active: number;
}

export interface ModelSpec {
  modelType: string;
  /** Adapter that read the config (llama, gemma2, gpt2, deepseek, …). */
  adapter: string;
  architectures: string[];
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  /** Dense MLP width (first dense layers for MoE models). */
  intermediate: number;
  tiedEmbeddings: boolean;
  maxPositions: number | null;
  /** torch_dtype / dtype from the config, if any (bf16, fp16, fp32). */
  configDtype: string | null;
  block: BlockSpec;
  layerKinds: LayerSpec[];
  mla: MlaSpec | null;
  moe: MoeSpec | null;
  /** State of 'linear' layers (Gated DeltaNet) and of 'mamba' layers, per sequence per layer. */
  linearState?: RecurrentStateSpec;
  mambaState?: RecurrentStateSpec;
  /** PEFT module names LoRA refuses on this model (Mamba-2 out_proj in nemotron_h and falcon_h1: PEFT raises). */
  loraIncompatible?: string[];
  /** Widths of the Mamba and Gated DeltaNet mixers (their saved tensors and FLOPs). */
  mambaMixer?: MambaMixerSpec;
  linearMixer?: LinearMixerSpec;
  tensors: TensorGroup[];
  params: ParamCounts;
  /** quantization_config of the checkpoint, if any. */
  quantization?: QuantizationSpec | null;
  /** final_logit_softcapping (Gemma-2): logits go through tanh, whose output is saved for backward. */
  logitSoftcap?: boolean;
  /** Dropout probabilities active in training (masks of 1 B per element are saved for backward). */
  dropout?: DropoutSpec;
  /** Multimodal models: the language-model tokens one image becomes, and how that was worked out. */
  imageTokens?: { perImage: number; basis: string };
  /** Multimodal models: the vision tower's layers (its activations when it is trained). */
  visionTower?: VisionTowerSpec;
  /** Things the adapter had to assume (unknown model_type, missing optional keys). */
  assumptions: string[];
}

/** Every memory term the engine reports; the webview colours and the CLI's tables key on these. */
export const TERM_IDS = [
  'weights',
  'lora_adapters',
  'kv_cache',
  'activations',
  'activations_recompute',
  'logits',
  'gradients',
  'optimizer_states',
  'optimizer_temporaries',
  'master_weights',
  'gathered_params',
  'gradient_buckets',
  'offload_buffers',
  'autocast_weight_copies',
  'attention_backward',
  'mixer_temporaries',
  'kv_growth',
  'moe_expert_gather',
  'cuda_workspace',
  'cuda_context',
  'allocator_reserve',
  'modules_to_save',
  'optimizer_states_paged',
] as const;
export type TermId = (typeof TERM_IDS)[number];

/** One line of the memory breakdown. */
export interface Term {
  id: TermId;
  label: string;
  bytes: number;
  where: Where;
  /** mathjs expression; evaluated on `inputs` it gives `bytes` exactly (tested). */
  formula: string;
  inputs: Record<string, number>;
  /** Paper, section, code or measurement the formula comes from. */
  source: string;
  /** Short plain-language note shown beside the number. */
  note?: string;
}
