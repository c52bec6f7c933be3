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
  trainedGroups(ctx: MethodContext): TrainedGroup[];
  /** The trained part of lm_head (its gradient is alive while attention's backward runs). */
  headGroups(ctx: MethodContext): TrainedGroup[];
  /** Rank of the fp32 adapters on every decoder linear layer (they change what autograd saves), or null. */
  adapterRank(ctx: MethodContext): number | null;
  /** Bytes per element of activations when the method changes them (fp32 after peft's prepare_model_for_kbit_training). */
  activationBytes?(ctx: MethodContext): number | null;
}

/** Each tensor group of the model as trained in `bytes` per element. */
export function groupsOf(spec: ModelSpec, bytes: number): TrainedGroup[] {
  return spec.tensors.map((t) => {
    const g: TrainedGroup = { name: t.name, tensorNumel: t.numel, count: t.count, elements: t.numel * t.count, bytes };
    if (t.shape) g.shape = t.shape;
    else if ((t.role === 'embedding' || t.role === 'lm_head') && t.numel % spec.hidden === 0) g.shape = [t.numel / spec.hidden, spec.hidden];
    if (t.role === 'linear' && t.shape) g.projectable = true;
    return g;
  });
}
