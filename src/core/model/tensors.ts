/**
 * Builds the list of parameter tensor groups of a model and sums them. The groups mirror the named parameters of
 * the transformers model class (layer index replaced by `*`), so Σ numel × count equals
 * `sum(p.numel() for p in model.parameters())` (tied embeddings once).
 */
import type { ParamCounts, TensorGroup, TensorRole } from '../types.ts';
import { ConfigError } from './errors.ts';
import { LIMITS } from './read.ts';

export interface LinearOptions {
  /** Adds a `.bias` group of `out` elements. */
  bias?: boolean;
  role?: TensorRole;
  /** Experts: tensors of `count` used per token. */
  activeCount?: number;
}

export class Tensors {
  readonly groups: TensorGroup[] = [];

  /** Adds one group; zero-sized or zero-count groups (e.g. 0 dense layers) are skipped. */
  add(group: TensorGroup): this {
    if (group.count > 0 && group.numel > 0) this.groups.push(group);
    return this;
  }

  /** A linear layer's weight [out, in] (and bias [out]) under `name` (without `.weight`). */
  linear(name: string, module: string, out: number, inp: number, count: number, opts: LinearOptions = {}): this {
    const role = opts.role ?? 'linear';
    this.add({
      name: `${name}.weight`,
      role,
      numel: out * inp,
      count,
      shape: [out, inp],
      module,
      ...(opts.activeCount !== undefined ? { activeCount: opts.activeCount } : {}),
    });
    if (opts.bias)
      this.add({
        name: `${name}.bias`,
        role: 'bias',
        numel: out,
        count,
        module,
        ...(opts.activeCount !== undefined ? { activeCount: opts.activeCount } : {}),
      });
    return this;
  }

  /** A norm's weight (and bias, for nn.LayerNorm with bias). */
  norm(name: string, width: number, count: number, withBias = false): this {
    this.add({ name: `${name}.weight`, role: 'norm', numel: width, count });
    if (withBias) this.add({ name: `${name}.bias`, role: 'norm', numel: width, count });
    return this;
  }

  embedding(name: string, rows: number, width: number): this {
    return this.add({ name: `${name}.weight`, role: 'embedding', numel: rows * width, count: 1, shape: [rows, width] });
  }

  lmHead(name: string, vocab: number, hidden: number): this {
    return this.add({
      name: `${name}.weight`,
      role: 'lm_head',
      numel: vocab * hidden,
      count: 1,
      shape: [vocab, hidden],
      module: 'lm_head',
    });
  }

  /**
   * total, embedding (the input token embedding) and active: what one token's forward multiplies by — unrouted expert
   * tensors left out (MoE), and the input embeddings too (a row lookup, not a matmul), as publishers count active
   * parameters; a token embedding tied to the output head stays in (the head is a matmul).
   */
  counts(overflowKey = 'hidden_size'): ParamCounts {
    let total = 0;
    let embedding = 0;
    let inactive = 0;
    const tiedHead = !this.groups.some((g) => g.role === 'lm_head');
    let firstEmbedding = true;
    for (const g of this.groups) {
      total += g.numel * g.count;
      if (g.role === 'embedding') {
        embedding += g.numel * g.count;
        // The first embedding group is the token embedding; tied, it is also the output head.
        if (!(tiedHead && firstEmbedding)) inactive += g.numel * g.count;
        firstEmbedding = false;
      }
      if (g.activeCount !== undefined) inactive += g.numel * (g.count - g.activeCount);
      if (!(total < LIMITS.params))
        throw new ConfigError(
          `the model would have more than ${LIMITS.params} parameters (${g.name} and before): ` +
            `too large for exact byte arithmetic; check "hidden_size", "num_hidden_layers", "vocab_size" and the expert counts`,
          overflowKey,
        );
    }
    return { total, embedding, active: total - inactive };
  }
}
