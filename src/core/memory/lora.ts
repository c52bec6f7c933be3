/** LoRA adapters (Hu et al., arXiv 2106.09685 §4): r·(in + out) parameters per adapted linear layer, fp32 in PEFT. */
import type { ModelSpec, TensorGroup, Term } from '../types.ts';
import { makeTerm } from './term.ts';
import { moeLayerCount } from './activations.ts';

/** PEFT keeps adapters in fp32 whatever the base dtype. */
export const LORA_ADAPTER_BYTES = 4;

/**
 * The tensor groups LoRA adapts: PEFT "all-linear" (every nn.Linear of the decoder, the router and, unless `vision` is
 * false (a frozen tower), the vision tower and projector; not lm_head, not the modules PEFT refuses on the model), or
 * the groups whose PEFT module name is in `targets` (in the vision tower too, as PEFT matches names anywhere).
 */
export function loraTargets(spec: ModelSpec, targets: string | null = null, vision = true): (TensorGroup & { shape: [number, number] })[] {
  const excluded = spec.loraIncompatible;
  const names = parseTargets(targets);
  // all-linear adapts nn.Linear modules only: a router that is a module of its own (PEFT_NON_LINEAR_ROUTERS) is not one;
  // where PEFT wraps the fused experts, it leaves the MLP projections (dense layers, shared experts) alone (measured).
  const router = names === null ? PEFT_NON_LINEAR_ROUTERS[spec.modelType] : undefined;
  const wrapped = names === null && spec.moe !== null && PEFT_WRAPPED_EXPERTS.has(spec.modelType);
  const all = spec.tensors.filter(
    (t): t is TensorGroup & { shape: [number, number] } =>
      (t.role === 'linear' || t.role === 'router' || (vision && t.role === 'vision')) &&
      t.shape !== undefined &&
      !(excluded && t.module !== undefined && excluded.includes(t.module)) &&
      !(router !== undefined && t.role === 'router' && t.module === router) &&
      !(wrapped && t.module !== undefined && MLP_PROJECTIONS.includes(t.module)),
  );
  if (names === null) return all;
  return all.filter((t) => t.module !== undefined && names.includes(t.module));
}

/** null for all-linear, else the module names. */
export function parseTargets(targets: string | null): string[] | null {
  if (targets === null || targets === 'all-linear') return null;
  const names = targets.split(',').map((s) => s.trim()).filter(Boolean);
  return names.length === 0 || (names.length === 1 && names[0] === 'all-linear') ? null : names;
}

/** The PEFT module names the model's linear layers answer to (q_proj, k_proj, …). */
export function linearModuleNames(spec: ModelSpec): string[] {
  return [...new Set(spec.tensors.filter((t) => (t.role === 'linear' || t.role === 'router' || (t.role === 'vision' && t.shape)) && t.module).map((t) => t.module!))];
}

/** Adapter parameters of one adapted tensor group at rank `rank`. */
export function loraGroupParams(group: TensorGroup & { shape: [number, number] }, rank: number): number {
  return rank * (group.shape[0] + group.shape[1]) * group.count;
}

/**
 * How PEFT 0.21's all-linear treats MoE layers on transformers 5.17, measured on the meta device for every fixture
 * (scripts/calibrate/lora_counts.py and lora_shapes.py; test/fixtures/measured/lora-counts.jsonl): the families whose
 * fused experts it wraps (a ParamWrapper on gate_up_proj and down_proj; their dense MLPs' and shared experts'
 * gate/up/down projections then get no adapter), and those whose router is a module of its own rather than an
 * nn.Linear (not adapted).
 */
const PEFT_WRAPPED_EXPERTS: ReadonlySet<string> = new Set(['mixtral', 'qwen3_moe', 'olmoe', 'deepseek_v2', 'deepseek_v3', 'deepseek_v32', 'kimi_k2', 'glm4_moe', 'minimax_m2', 'qwen3_next']);
const PEFT_NON_LINEAR_ROUTERS: Readonly<Record<string, string>> = { qwen2_moe: 'gate', gpt_oss: 'router', granitemoe: 'router' };
const MLP_PROJECTIONS: readonly string[] = ['gate_proj', 'up_proj', 'down_proj'];

/**
 * Adapter parameters PEFT's all-linear puts on the fused experts of one MoE layer, r = rank: gate_up_proj [E, 2I, H]
 * gets A [2rE, H] and B [2I, 2rE], down_proj [E, H, I] gets A [rE, I] and B [H, rE] (the shapes measured on Mixtral,
 * Qwen3-MoE, OLMoE, DeepSeek-V2, GLM-4.5, MiniMax-M2 and Qwen3-Next); 0 where PEFT leaves the experts alone.
 */
export function loraExpertParamsPerLayer(spec: ModelSpec, rank: number, targets: string | null = null): number {
  const m = spec.moe;
  if (!m || parseTargets(targets) !== null || !PEFT_WRAPPED_EXPERTS.has(spec.modelType)) return 0;
  const H = spec.hidden;
  const I = m.expertIntermediate;
  return 2 * rank * m.experts * (H + 2 * I) + rank * m.experts * (I + H);
}

/** Adapter parameters for LoRA of rank r on every decoder linear layer (and the fused experts PEFT wraps). */
export function loraParams(spec: ModelSpec, rank: number, targets: string | null = null, vision = true): number {
  let n = loraExpertParamsPerLayer(spec, rank, targets) * moeLayerCount(spec);
  for (const t of loraTargets(spec, targets, vision)) n += loraGroupParams(t, rank);
  return n;
}

/** The adapters' weights: trained in fine-tuning, applied unmerged at inference. */
export function loraAdaptersTerm(spec: ModelSpec, rank: number, use: 'training' | 'inference', targets: string | null = null, vision = true): Term {
  const params = loraParams(spec, rank, targets, vision);
  return makeTerm(
    {
      id: 'lora_adapters',
      label: use === 'training' ? 'LoRA adapters' : 'LoRA adapters (unmerged)',
      formula: 'adapter_params * adapter_bytes',
      inputs: { adapter_params: params, adapter_bytes: LORA_ADAPTER_BYTES },
      source: 'LoRA §4.1 (arXiv 2106.09685): r·(in + out) per adapted layer; PEFT keeps adapters in fp32',
      note: targets === null || parseTargets(targets) === null ? `rank ${rank} on every decoder linear layer` : `rank ${rank} on ${parseTargets(targets)!.join(', ')}`,
    },
    params * LORA_ADAPTER_BYTES,
  );
}

/**
 * PEFT's wrapper on fused experts computes each MoE layer's merged expert weights (W + B·A for gate_up_proj and
 * down_proj, every expert, in the compute dtype) in its forward and keeps them for backward: a copy of the layer's
 * expert weights per MoE layer, whatever the batch (measured: Mixtral [8, 4096, 28672] and [8, 14336, 4096] bf16 per
 * layer, test/fixtures/measured/moe-lora-h200.jsonl). With checkpointing, only the layer being rebuilt holds one.
 * Null where PEFT leaves the experts alone.
 */
export function loraMergedExpertsTerm(spec: ModelSpec, rank: number, targets: string | null, computeBytes: number, checkpointing: boolean): Term | null {
  const m = spec.moe;
  if (!m || loraExpertParamsPerLayer(spec, rank, targets) === 0) return null;
  const perLayer = m.experts * 3 * spec.hidden * m.expertIntermediate * computeBytes;
  const layers = checkpointing ? 1 : moeLayerCount(spec);
  return makeTerm(
    {
      id: 'activations',
      label: 'LoRA on fused experts: merged expert weights (saved)',
      formula: 'layers * experts * 3 * hidden * expert_intermediate * bytes',
      inputs: { layers, experts: m.experts, hidden: spec.hidden, expert_intermediate: m.expertIntermediate, bytes: computeBytes },
      source: "PEFT ParamWrapper on fused experts: W + B·A materialized per layer and saved for backward; measured in test/fixtures/measured/moe-lora-h200.jsonl",
      note: checkpointing ? 'the rebuilt layer only (gradient checkpointing)' : 'one merged copy of the expert weights per MoE layer',
    },
    layers * perLayer,
  );
}
