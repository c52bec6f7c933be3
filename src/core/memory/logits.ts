/**
 * Logits and cross-entropy. transformers computes bf16 logits, upcasts them to fp32 and runs log_softmax +
 * nll_loss. Live at once, per logit element: forward: 16-bit logits + fp32 copy + fp32 log-softmax (saved) =
 * 10 B (8 B in fp32); loss backward: saved log-softmax + fp32 grad from nll_loss + fp32 grad of log_softmax = 12 B.
 * Measured: llama-3.2-1b, 8,192 tokens × 128,256 vocab: 12.6 GB at the backward peak (test/fixtures/measured).
 */
import type { Term } from '../types.ts';
import { makeTerm } from './term.ts';

const CE_SOURCE = 'Cut Cross-Entropy §1 (arXiv 2411.09009); transformers ForCausalLMLoss (fp32 upcast); calibrated on test/fixtures/measured';

export function trainingLogitsTerm(tokens: number, vocab: number, logitBytes: number, phase: 'forward' | 'backward', softcap = false): Term {
  const a = logitBytes;
  // Soft-capping (logits = cap · tanh(logits / cap)) keeps tanh's output for backward: one more logit-sized tensor.
  const per = (phase === 'backward' ? 12 : a === 4 ? 8 : a + 8) + (softcap ? a : 0);
  return makeTerm(
    {
      id: 'logits',
      label: phase === 'backward' ? 'Logits + loss (backward)' : 'Logits + loss (forward)',
      formula: 'tokens * vocab * bytes_per_logit',
      inputs: { tokens, vocab, bytes_per_logit: per },
      source: CE_SOURCE,
      note:
        (phase === 'backward'
          ? 'fp32 log-softmax saved for backward + fp32 gradient of the loss + fp32 gradient of the logits'
          : `${a === 4 ? '' : `${a}-byte logits + `}fp32 upcast + fp32 log-softmax`) + (softcap ? ' + soft-capping tanh output' : ''),
    },
    tokens * vocab * per,
  );
}

/** Logits kept in inference: the last position only (generate) or every position (scoring). */
export function inferenceLogitsTerm(rows: number, vocab: number, computeBytes: number, fp32Copy: boolean, hidden: number, softcap = false): Term {
  const per = computeBytes * (softcap ? 2 : 1) + (fp32Copy ? 4 : 0);
  return makeTerm(
    {
      id: 'logits',
      label: 'Logits',
      formula: 'rows * (vocab * bytes_per_logit + hidden * act_bytes)',
      inputs: { rows, vocab, bytes_per_logit: per, hidden, act_bytes: computeBytes },
      source: 'transformers generate (logits of the last position, fp32 copy for sampling); measured in test/fixtures/measured',
      note: fp32Copy ? 'last-position logits + the fp32 copy generate makes + lm_head input' : 'logits + lm_head input',
    },
    rows * (vocab * per + hidden * computeBytes),
  );
}
