/** The optimizers the scenario can name, one spec each: a new optimizer is one file and one line here. */
import type { OptimizerId } from '../../scenario.ts';
import type { OptimizerSpec } from './spec.ts';
import { adamw, adamwFused } from './adamw.ts';
import { sgd, sgdMomentum } from './sgd.ts';

export const OPTIMIZER_SPECS: Readonly<Record<OptimizerId, OptimizerSpec>> = {
  adamw,
  'adamw-fused': adamwFused,
  sgd,
  'sgd-momentum': sgdMomentum,
};

export type { OptimizerSpec, TrainedGroup, Cost } from './spec.ts';
