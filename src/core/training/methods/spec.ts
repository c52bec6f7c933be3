/**
 * A training method decides which tensor groups are trained (and so carry gradients and optimizer states) and how
 * the frozen ones are stored. One spec per method (this folder); the composer never branches on a method's name.
 */
import type { ModelSpec, Term } from '../../types.ts';
import type { Scenario } from '../../scenario.ts';
import type { PrecisionPlan } from '../../dtypes.ts';
import type { TrainedGroup } from '../optimizers/spec.ts';

export interface MethodContext {
  spec: ModelSpec;
  scenario: Scenario;
  precision: PrecisionPlan;
  warnings: string[];
}

export interface MethodSpec {
  id: 'full' | 'lora' | 'qlora';
  /** Throws ScenarioError naming the key when the scenario does not suit the method. */
  validate(ctx: MethodContext): void;
  /** The weights as they sit on the device: base weights (trained or frozen) and adapters; warns what it leaves out. */
  weightTerms(ctx: MethodContext): Term[];
  /** The groups that receive gradients and optimizer states. */
  trainedGroups(ctx: MethodContext): readonly TrainedGroup[];
  /** The trained part of lm_head (its gradient is alive while attention's backward runs). */
  headGroups(ctx: MethodContext): readonly TrainedGroup[];
  /** Rank of the fp32 adapters on every decoder linear layer (they change what autograd saves), or null. */
  adapterRank(ctx: MethodContext): number | null;
  /** Bytes per element of activations when the method changes them (fp32 after peft's prepare_model_for_kbit_training). */
  activationBytes?(ctx: MethodContext): number | null;
  /** Whether the method trains over a base stored in this quantized dtype (QLoRA's nf4, LoRA on an int8 base). */
  trainsOnQuantizedBase?(ctx: MethodContext): boolean;
  /** The method quantizes the base itself, so a checkpoint's own quantization_config is what it loads, not a caveat. */
  loadsQuantizedCheckpoints?: boolean;
  /** Tensors the method keeps for backward beside the activation inventory (an int8 base keeps each linear input). */
  extraSavedTerms?(ctx: MethodContext, tokens: number, computeBytes: number): Term[];
}

/** One tensor group as trained: its shape (matrices, for factored and projected optimizers) and whether GaLore projects it. */
function trainedGroup(spec: ModelSpec, t: ModelSpec['tensors'][number], bytes: number): TrainedGroup {
  const square = (t.role === 'embedding' || t.role === 'lm_head') && t.numel % spec.hidden === 0;
  const shape: [number, number] | undefined = t.shape ?? (square ? [t.numel / spec.hidden, spec.hidden] : undefined);
  return { name: t.name, tensorNumel: t.numel, count: t.count, elements: t.numel * t.count, bytes, shape, projectable: t.role === 'linear' && t.shape !== undefined };
}

/** Each tensor group of the model as trained in `bytes` per element. */
export function groupsOf(spec: ModelSpec, bytes: number): readonly TrainedGroup[] {
  return spec.tensors.map((t) => trainedGroup(spec, t, bytes));
}
