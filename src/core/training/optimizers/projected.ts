/**
 * Optimizers that keep their moments in a low-rank projection of each decoder attention/MLP matrix (W: m × n,
 * PyTorch [out, in]): GaLore (SVD projector, refreshed every update_proj_gap steps) and APOLLO (random projector,
 * regenerated from a seed). Both store, per projected matrix, the projector (r × min(m, n)) and the moments of the
 * projected gradient (r × max(m, n)), in the gradient's dtype; every other parameter gets the base optimizer.
 * GaLore: galore_torch (galore_projector.py, adamw.py, adamw8bit.py, adafactor.py); formulas.md §2 checks the
 * accounting to the byte on a GPU. APOLLO: formulas.md §3 (the official code keeps the projector between refreshes).
 */
import { ScenarioError } from '../../scenario.ts';
import { adafactorTemporaries, adafactorStates } from './adafactor.ts';
import { bnbDeviceStates } from './bnb.ts';
import { addCosts, largestTensor, perGroupCost, sumOver, type Cost, type OptimizerContext, type OptimizerSpec, type TrainedGroup } from './spec.ts';
import type { OptimizerId } from '../../scenario.ts';

type Base = 'adamw' | 'adamw-8bit' | 'adafactor';

export function isProjected(g: TrainedGroup): g is TrainedGroup & { shape: [number, number] } {
  return g.projectable === true && g.shape !== undefined;
}

/** The projected gradient of one matrix as a group of `count` tensors of r × max(m, n). */
function projectedGroup(g: TrainedGroup & { shape: [number, number] }, rank: number, bytes: number): TrainedGroup {
  const big = Math.max(...g.shape);
  const small = Math.min(...g.shape);
  // Adafactor factors the projected gradient: (m × r) when m ≥ n, (r × n) otherwise.
  const shape: [number, number] = g.shape[0] >= g.shape[1] ? [big, rank] : [rank, big];
  void small;
  return { name: `${g.name} (projected)`, tensorNumel: rank * big, count: g.count, elements: rank * big * g.count, bytes, shape };
}

interface ProjectedInit {
  id: OptimizerId;
  label: string;
  source: string;
  base: Base;
  rank(ctx: OptimizerContext): number;
  rankKey: string;
}

function baseStates(base: Base, groups: readonly TrainedGroup[]): Cost {
  if (groups.length === 0) return { bytes: 0, formula: '0', inputs: {} };
  if (base === 'adamw-8bit') return bnbDeviceStates(groups, 2, 8);
  if (base === 'adafactor') return adafactorStates(groups);
  return perGroupCost(groups, 2, 'moments');
}

function need(ctx: OptimizerContext | undefined): OptimizerContext {
  if (!ctx) throw new Error('a projected optimizer needs the scenario (its rank)');
  return ctx;
}

function projectedOptimizer(init: ProjectedInit): OptimizerSpec {
  // galore_torch's Adafactor upcasts the gradient first: its projector and states are fp32.
  const gradBytes = (g: TrainedGroup) => (init.base === 'adafactor' ? 4 : g.bytes);
  return {
    id: init.id,
    label: init.label,
    source: init.source,
    temporariesSource:
      'one parameter at a time: the base update on the largest unprojected tensor, or a projected matrix\'s update and projection back, or (at a refresh) the fp32 SVD of its gradient; the largest',
    perParameter: true,
    validate(groups, ctx) {
      const r = init.rank(need(ctx));
      const projected = groups.filter(isProjected);
      const smallest = Math.min(...projected.map((g) => Math.min(g.shape[0], g.shape[1])));
      if (projected.length > 0 && r > smallest) {
        throw new ScenarioError(`${init.rankKey}: rank ${r} is above the smallest projected matrix side (min(m, n) = ${smallest})`, init.rankKey);
      }
    },
    states(groups, ctx) {
      const r = init.rank(need(ctx));
      const projected = groups.filter(isProjected);
      const rest = groups.filter((g) => !isProjected(g));
      const projector = sumOver(projected, (g) => r * Math.min(g.shape![0], g.shape![1]) * gradBytes(g));
      const projector_cost: Cost = { bytes: projector, formula: 'projector_bytes', inputs: { projector_bytes: projector } };
      // Moments of the projected gradients, by the base optimizer's own rule.
      const moments = baseStates(
        init.base,
        projected.map((g) => projectedGroup(g, r, gradBytes(g))),
      );
      return addCosts({ projector: projector_cost, lowrank: moments, rest: baseStates(init.base, rest) });
    },
    stepTemporaries(groups, ctx) {
      const r = init.rank(need(ctx));
      const projected = groups.filter(isProjected);
      const rest = groups.filter((g) => !isProjected(g));
      let update = 0;
      if (init.base === 'adamw') {
        const n = largestTensor(rest);
        const b = rest.find((g) => g.tensorNumel === n)?.bytes ?? 0;
        update = 2 * n * b; // sqrt(exp_avg_sq) + eps, exp_avg / denom
      } else if (init.base === 'adafactor') update = adafactorTemporaries(rest).bytes;
      let proj = 0;
      let svd = 0;
      for (const g of projected) {
        const [m, n] = g.shape;
        const k = Math.min(m, n);
        const b = gradBytes(g);
        // projected gradient, its update, and the update projected back to m × n (8-bit: plus a copy of the weight)
        const one = (init.base === 'adamw-8bit' ? 2 * m * n : m * n) * b + 2 * r * Math.max(m, n) * b;
        proj = Math.max(proj, one);
        if (init.id.startsWith('galore')) svd = Math.max(svd, 4 * (m * n + m * k + k * n + k));
      }
      return {
        bytes: Math.max(update, proj, svd),
        formula: 'max(base_update_bytes, projected_update_bytes, svd_bytes)',
        inputs: { base_update_bytes: update, projected_update_bytes: proj, svd_bytes: svd },
      };
    },
  };
}

const GALORE_SOURCE =
  'GaLore (Zhao et al., arXiv 2403.03507 §4.2, Table 1): projector r·min(m, n) + moments r·max(m, n) per projected matrix; galore_torch; measured in test/fixtures/measured/methods-h200.jsonl';
const galoreRank = (ctx: OptimizerContext) => ctx.scenario.galoreRank;

export const galoreAdamw = projectedOptimizer({
  id: 'galore-adamw',
  label: 'GaLore AdamW (SVD projector + moments in the projected space; AdamW for the rest)',
  source: GALORE_SOURCE,
  base: 'adamw',
  rank: galoreRank,
  rankKey: 'galoreRank',
});
export const galoreAdamw8bit = projectedOptimizer({
  id: 'galore-adamw-8bit',
  label: 'GaLore AdamW 8-bit (projector + bitsandbytes 8-bit moments in the projected space)',
  source: GALORE_SOURCE + '; bitsandbytes 8-bit states',
  base: 'adamw-8bit',
  rank: galoreRank,
  rankKey: 'galoreRank',
});
export const galoreAdafactor = projectedOptimizer({
  id: 'galore-adafactor',
  label: 'GaLore Adafactor (fp32 projector + factored second moment in the projected space)',
  source: GALORE_SOURCE + '; Adafactor states (not measured: galore-adafactor did not run in the time of the device run)',
  base: 'adafactor',
  rank: galoreRank,
  rankKey: 'galoreRank',
});

const APOLLO_SOURCE =
  'APOLLO (Zhu et al., arXiv 2412.05270 Table 1; the official code keeps the random projector r·min(m, n) between refreshes, formulas.md §3); measured with our own implementation in scripts/calibrate/measure_methods.py';

export const apollo = projectedOptimizer({
  id: 'apollo',
  label: 'APOLLO (random projector + AdamW moments in the projected space, channel-wise scaling)',
  source: APOLLO_SOURCE,
  base: 'adamw',
  rank: (ctx) => ctx.scenario.apolloRank ?? Math.max(1, Math.floor(ctx.hidden / 4)),
  rankKey: 'apolloRank',
});
export const apolloMini = projectedOptimizer({
  id: 'apollo-mini',
  label: 'APOLLO-Mini (rank 1, tensor-wise scaling)',
  source: APOLLO_SOURCE,
  base: 'adamw',
  rank: () => 1,
  rankKey: 'apolloRank',
});
