/**
 * The CLI's flags for issue 8's methods (optimizers by our ids or HF `optim` names, GaLore/APOLLO hyper-parameters,
 * layer-wise updates, QLoRA, LoRA targets, fused losses, quantized KV) and the `compare` command's table.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { OPTIMIZERS, LOSSES, lookupOptim, COMPARE_TERMS, formatBytes, type MethodColumn, type ScenarioInput } from '../core/index.ts';

function positiveInt(name: string, min = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}, got "${value}"`);
    return n;
  };
}

/** --optimizer: our ids or HF TrainingArguments.optim names (adamw_bnb_8bit, galore_adamw_8bit_layerwise, …). */
export function optimizerArg(value: string): string {
  const v = value.trim().toLowerCase();
  if ((OPTIMIZERS as readonly string[]).includes(v)) return v;
  const hf = lookupOptim(v);
  if (hf) return hf.layerwiseUpdate ? `${hf.optimizer}+layerwise` : hf.optimizer;
  throw new InvalidArgumentError(`--optimizer: unknown optimizer "${value}" (ours: ${OPTIMIZERS.join(', ')}; or an HF optim name such as adamw_bnb_8bit, paged_adamw_8bit, galore_adamw_8bit_layerwise, apollo_adamw)`);
}

export function addMethodOptions(cmd: Command): Command {
  return cmd
    .option('--galore-rank <r>', 'GaLore rank (galore-* optimizers; default 128)', positiveInt('--galore-rank'))
    .option('--galore-update-gap <t>', 'steps between GaLore projector refreshes (default 200)', positiveInt('--galore-update-gap'))
    .option('--apollo-rank <r>', 'APOLLO rank (default hidden/4; apollo-mini is rank 1)', positiveInt('--apollo-rank'))
    .option('--layerwise-update', 'optimizer steps inside backward, one parameter at a time (no full gradients)')
    .option('--qlora', 'QLoRA: NF4 base linear layers + LoRA (needs --lora-rank)')
    .option('--double-quant', 'NF4 double quantization (the default; a quantized checkpoint keeps its own)')
    .option('--no-double-quant', 'NF4 without double quantization (0.5 + 4/64 B/param)')
    .option('--no-prepare-kbit', "skip peft's prepare_model_for_kbit_training (LLaMA-Factory): non-quantized parameters stay 16-bit")
    .option('--lora-targets <modules>', 'LoRA targets: all-linear or module names (q_proj,v_proj,…)')
    .option('--lora-modules-to-save <modules>', 'modules trained in full beside LoRA (embed_tokens,lm_head)')
    .addOption(
      new Option('--loss <loss>', `${LOSSES.join('|')}`).argParser((v: string) => {
        const l = v.trim().toLowerCase();
        if (!(LOSSES as readonly string[]).includes(l)) throw new InvalidArgumentError(`--loss must be one of ${LOSSES.join(', ')}, got "${v}"`);
        return l;
      }),
    )
    .option('--kv-group-size <n>', 'quantized KV (int4/int2): elements per group (default 64)', positiveInt('--kv-group-size'))
    .option('--kv-residual <n>', 'quantized KV: recent tokens kept in full precision (default 128)', positiveInt('--kv-residual', 0));
}

/** Lays the method flags over the scenario (file first, flags on top). */
export function applyMethodFlags(cmd: Command, flags: Record<string, unknown>, s: ScenarioInput): void {
  if (typeof flags.optimizer === 'string' && flags.optimizer.endsWith('+layerwise')) {
    s.optimizer = flags.optimizer.slice(0, -'+layerwise'.length) as ScenarioInput['optimizer'];
    s.layerwiseUpdate = true;
  }
  if (flags.galoreRank !== undefined) s.galoreRank = flags.galoreRank as number;
  if (flags.galoreUpdateGap !== undefined) s.galoreUpdateGap = flags.galoreUpdateGap as number;
  if (flags.apolloRank !== undefined) s.apolloRank = flags.apolloRank as number;
  if (flags.layerwiseUpdate) s.layerwiseUpdate = true;
  if (flags.qlora) s.qlora = true;
  if (cmd.getOptionValueSource('doubleQuant') === 'cli') s.doubleQuant = flags.doubleQuant as boolean;
  if (cmd.getOptionValueSource('prepareKbit') === 'cli') s.prepareKbit = flags.prepareKbit as boolean;
  if (flags.loraTargets !== undefined) s.loraTargets = flags.loraTargets as string;
  if (flags.loraModulesToSave !== undefined) s.loraModulesToSave = flags.loraModulesToSave as string;
  if (flags.loss !== undefined) s.loss = flags.loss as ScenarioInput['loss'];
  if (flags.kvGroupSize !== undefined) s.kvGroupSize = flags.kvGroupSize as number;
  if (flags.kvResidual !== undefined) s.kvResidual = flags.kvResidual as number;
}

const TERM_LABEL: Record<string, string> = {
  weights: 'weights',
  lora_adapters: 'adapters',
  gradients: 'gradients',
  optimizer_states: 'optimizer states',
  optimizer_states_paged: 'paged states',
  optimizer_temporaries: 'step temporaries',
  activations: 'activations',
  logits: 'logits',
};

/** Methods in columns; the rows are the peak, the terms that differ between methods, and the fits. */
export function renderCompare(cols: readonly MethodColumn[], title: string): string {
  const w = Math.max(12, ...cols.map((c) => c.label.length + 2));
  const row = (name: string, cells: string[]) => `  ${name.padEnd(18)}${cells.map((c) => c.padStart(w)).join('')}`;
  const lines = [title, row('', cols.map((c) => c.label))];
  lines.push(row('peak (live)', cols.map((c) => (c.peak_bytes === null ? 'n/a' : formatBytes(c.peak_bytes)))));
  lines.push(row('device', cols.map((c) => (c.device_bytes === null ? 'n/a' : formatBytes(c.device_bytes)))));
  for (const id of COMPARE_TERMS) {
    const values = cols.map((c) => c.terms[id] ?? 0);
    if (values.every((v) => v === values[0])) continue;
    lines.push(row(TERM_LABEL[id] ?? id, values.map((v) => formatBytes(v))));
  }
  lines.push(row('fits (of catalog)', cols.map((c) => String(c.fits.length))));
  for (const c of cols) if (c.error) lines.push(`  note: ${c.label}: ${c.error}`);
  return lines.join('\n');
}
