/** The training methods, chosen from the scenario: LoRA when it names a rank, else full fine-tuning. */
import type { Scenario } from '../../scenario.ts';
import { fullFineTuning } from './full.ts';
import { lora } from './lora.ts';
import type { MethodSpec } from './spec.ts';

export function methodFor(scenario: Scenario): MethodSpec {
  return scenario.loraRank === null ? fullFineTuning : lora;
}

export type { MethodSpec, MethodContext } from './spec.ts';
