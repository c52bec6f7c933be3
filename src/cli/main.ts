/**
 * `llm-footprint`: the engine in a terminal.
 *   llm-footprint estimate <file> [flags] [--json] [--check]
 *   llm-footprint solve <file> --gpu <id> [--for batch|seq|concurrency|throughput|gpus] [flags] [--json]
 *   llm-footprint compare <file> [flags] [--json]      (the memory-saving training methods side by side)
 *   llm-footprint gpus [--json]
 * Exit codes: 0 ok; 1 the setup does not fit --gpu (estimate with --check), or not even 1 fits (solve);
 * 2 bad input (the message names the file, line or key); 3 internal error.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { vllmEngineDefaults, estimate, readModelConfig, parseScenario, findGpu, largestFitting, maxConcurrency, bestThroughputBatch, fewestGpus, MAX_GPUS_SEARCHED, timeSummary, formatSeconds, formatRate, unknownGpuError, ConfigError, ScenarioError, GPUS, formatBytes, WEIGHT_DTYPES, PRECISIONS, OPTIMIZERS, KV_DTYPES, MODES, RUNTIME_IDS, DECODE_IMPLS, MAX_TOKENS } from '../core/index.ts';
import type { Scenario, ScenarioInput } from '../core/scenario.ts';
import type { Gpu, ModelSpec } from '../core/index.ts';
import { InputError, readTextFile } from './read-config.ts';
import { existsSync } from 'node:fs';
import { shownLimit, shownValue } from '../parsers/values.ts';
import { readCliInput } from './workload.ts';
import { renderTable } from './format.ts';
import { addDistOptions, distFlags, flagName, intArg } from './dist-flags.ts';
import { autoSources, namedSource, parseModelConfig, resolveAutos } from '../parsers/index.ts';
import { addMethodOptions, applyMethodFlags, optimizerArg, renderCompare } from './methods.ts';
import { compareMethods } from '../core/index.ts';


/** Flags of later capabilities: recognised, refused with a clear message, never ignored. */
const NOT_YET: [string, string][] = [
  ['--fsdp', 'a separate FSDP flag (use --zero 3 for FSDP full shard, --zero 2 for SHARD_GRAD_OP)'],
  ['--deepspeed <file>', 'DeepSpeed configs'],
];
const LATER_RUNTIMES = ['llama.cpp', 'sglang', 'trt-llm'];

class NotSupported extends Error {}

function fractionArg(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*(0?\.\d+|1(\.0*)?|0)\s*$/.test(value) || !(n > 0 && n <= 1)) throw new InvalidArgumentError(`${name} must be a number in (0, 1], got "${value}"`);
    return n;
  };
}

function choice(name: string, allowed: readonly string[], later: readonly string[] = []) {
  return (value: string): string => {
    const v = value.trim().toLowerCase();
    if (allowed.includes(v)) return v;
    if (later.includes(v)) throw new NotSupported(`${name} ${v} is not supported yet (supported: ${allowed.join(', ')})`);
    throw new InvalidArgumentError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  };
}

interface EstimateFlags {
  mode: string;
  batch?: number;
  seq?: number;
  newTokens?: number;
  weightsDtype?: string;
  kvDtype?: string;
  precision?: string;
  optimizer?: string;
  gradCheckpointing?: boolean;
  gradAccumulation?: number;
  loraRank?: number;
  gpu?: string;
  runtime?: string;
  fullLogits?: boolean;
  gpuMemoryUtilization?: number;
  maxNumBatchedTokens?: number;
  mfu?: number;
  bandwidthEfficiency?: number;
  compiled?: boolean;
  decode?: string;
  datasetTokens?: number;
  json?: boolean;
  check?: boolean;
  model?: string;
  [k: string]: unknown;
}

export function buildProgram(out: (s: string) => void, err: (s: string) => void): Command {
  const program = new Command('llm-footprint')
    .description('GPU memory for training and serving LLMs, from a Hugging Face config.json')
    .version('0.1.0')
    .showHelpAfterError(false)
    .configureOutput({ writeOut: out, writeErr: err })
    .exitOverride();
  addEstimateCommand(program, out);
  addSolveCommand(program, out);
  addCompareCommand(program, out);
  program
    .command('gpus')
    .description('list the hardware catalog')
    .option('--json', 'as JSON')
    .action((flags: { json?: boolean }) => {
      if (flags.json) out(JSON.stringify(GPUS, null, 2) + '\n');
      else for (const g of GPUS) out(`${g.id.padEnd(22)}${formatBytes(g.memoryBytes).padStart(11)}${`${(g.bandwidth / 1e12).toFixed(2)} TB/s`.padStart(11)}${(g.flops16 > 0 ? `${(g.flops16 / 1e12).toFixed(0)} TFLOP/s` : 'no rate').padStart(14)}  ${g.name}\n`);
    });
  return program;
}

function addEstimateCommand(program: Command, out: (s: string) => void): void {
  const est = withScenarioOptions(program.command('estimate').description('estimate the per-GPU memory of one setup')).option(
    '--check',
    'exit 1 when the setup does not fit --gpu',
  );
  est.action((file: string, flags: EstimateFlags) => {
    if (flags.check && !flags.gpu) throw new InputError('--check needs --gpu <id>: without a target GPU nothing can fail to fit (see `llm-footprint gpus`)');
    const { input, spec, scenario, title } = prepare(est, file, flags);
    const e = estimate(spec, scenario);
    e.warnings.unshift(...input.notes);
    out((flags.json ? JSON.stringify(e, null, 2) : renderTable(e, title)) + '\n');
    if (flags.check && e.memory.fits === false) program.setOptionValue('__exit', 1);
  });
}

function addCompareCommand(program: Command, out: (s: string) => void): void {
  const cmp = withScenarioOptions(
    program.command('compare').description('the memory-saving training methods side by side (full, 8-bit AdamW, LoRA, QLoRA, GaLore, APOLLO), with the GPUs each fits'),
  );
  cmp.action((file: string, flags: EstimateFlags) => {
    const { input, spec, scenario, title } = prepare(cmp, file, flags);
    const cols = compareMethods(spec, parseScenario({ ...scenario, mode: 'training' }));
    if (flags.json) out(JSON.stringify({ model: input.configPath, methods: cols }, null, 2) + '\n');
    else out(renderCompare(cols, `${title} · methods`) + '\n');
  });
}

function addSolveCommand(program: Command, out: (s: string) => void): void {
  const solve = withScenarioOptions(
    program.command('solve').description('the largest batch, sequence length or concurrency that fits --gpu, the batch with the most tokens/s, or the fewest GPUs that fit'),
  ).addOption(new Option('--for <axis>', 'what to solve for').choices(['batch', 'seq', 'concurrency', 'throughput', 'gpus']).default('batch'));
  solve.action((file: string, flags: EstimateFlags & { for: SolveAxis }) => {
    const { spec, scenario, title } = prepare(solve, file, flags);
    if (!scenario.gpu) throw new InputError('solve needs --gpu <id> (see `llm-footprint gpus`)');
    const sc = parseScenario(scenario);
    const gpu = findGpu(sc.gpu!);
    if (!gpu) throw unknownGpuError(sc.gpu!);
    const r = solveFor(flags.for, spec, sc, gpu);
    out((flags.json ? JSON.stringify({ axis: flags.for, gpu: gpu.id, ...r.json }, null, 2) : `${title}\n  ${r.text}`) + '\n');
    if (r.failed) program.setOptionValue('__exit', 1);
  });
}

type SolveAxis = 'batch' | 'seq' | 'concurrency' | 'throughput' | 'gpus';

/** The fewest GPUs that fit the setup at its ZeRO stage, runtime and model-parallel degrees. */
function solveGpus(spec: ModelSpec, sc: Scenario, gpu: Gpu): { json: Record<string, unknown>; text: string; failed: boolean } {
  const r = fewestGpus(spec, sc);
  if (!r) {
    const why = sc.mode === 'training' && sc.zero === 0 ? ' (ZeRO stage 0 replicates every state: more data-parallel GPUs never fit; try --zero 1, 2 or 3)' : sc.mode !== 'training' ? ' (replicas do not share memory: try --tp or --pp)' : ` on up to ${MAX_GPUS_SEARCHED} GPUs`;
    return { json: { gpus: null, reason: `does not fit ${gpu.name}${why}` }, text: `does not fit ${gpu.name}${why}`, failed: true };
  }
  const e = r.estimate;
  const l = e.parallel;
  const time = e.time.reason ? null : timeSummary(e.time);
  const layout = l ? `${l.strategy}: dp ${l.dp} × tp ${l.tp} × pp ${l.pp}${l.cp > 1 ? ` × cp ${l.cp}` : ''}${l.nodes > 1 ? `, ${l.nodes} nodes` : ''}` : 'one GPU';
  return {
    json: { gpus: r.gpus, dp: r.dp, nodes: l?.nodes ?? 1, strategy: l?.strategy ?? null, device_bytes: e.memory.device_bytes, peak_bytes: e.memory.peak_bytes, time },
    text: `fewest ${gpu.name} that fit: ${r.gpus} (${layout}; ≈ ${formatBytes(e.memory.device_bytes)} per GPU${time ? `; ${time}` : ''})`,
    failed: false,
  };
}

/** The batch with the most expected tokens/s within memory, as JSON fields and a line of text. */
function solveThroughput(spec: ModelSpec, sc: Scenario, gpu: Gpu): { json: Record<string, unknown>; text: string; failed: boolean } {
  const best = bestThroughputBatch(spec, sc, gpu.memoryBytes);
  if (!best) {
    const why = estimate(spec, { ...sc, batch: 1 }).time.reason ?? `not even batch 1 fits ${gpu.name}`;
    return { json: { batch: null, tokens_per_s: null, reason: why }, text: `no throughput: ${why}`, failed: true };
  }
  return { json: { ...best }, text: `batch ${best.batch} gives the most tokens/s that fits ${gpu.name}: ${formatRate(best.tokens_per_s)} (${formatSeconds(best.step_s)} per step; largest fitting batch ${best.largest})`, failed: false };
}

/** One solve: its JSON fields, its line of text, and whether it found nothing. */
function solveFor(axis: SolveAxis, spec: ModelSpec, sc: Scenario, gpu: Gpu): { json: Record<string, unknown>; text: string; failed: boolean } {
  if (axis === 'throughput') return solveThroughput(spec, sc, gpu);
  if (axis === 'gpus') return solveGpus(spec, sc, gpu);
  const best = axis === 'concurrency' ? maxConcurrency(spec, sc, gpu.memoryBytes) : largestFitting(spec, sc, axis, gpu.memoryBytes);
  const at = best === null || axis === 'concurrency' ? null : estimate(spec, { ...sc, [axis]: best });
  const json = { largest: best, peak_bytes: at?.memory.peak_bytes ?? null, device_bytes: at?.memory.device_bytes ?? null, time: at && !at.time.reason ? timeSummary(at.time) : null };
  if (best === null) return { json, text: `not even ${axis} 1 fits ${gpu.name}`, failed: true };
  const what = axis === 'concurrency' ? `requests of ${sc.seq} + ${sc.newTokens} tokens at once on` : `${axis} that fits`;
  const mem = at ? ` (≈ ${formatBytes(at.memory.device_bytes)} on the device, ${formatBytes(at.memory.peak_bytes)} peak${json.time ? `; ${json.time}` : ''})` : '';
  return { json, text: `largest ${what} ${gpu.name}: ${best}${mem}`, failed: false };
}

/** The scenario flags shared by `estimate` and `solve`. */
function withScenarioOptions(cmd: Command): Command {
  cmd
    .argument('<file>', 'a Hugging Face config.json (or its directory), an axolotl / LLaMA-Factory YAML, or a `vllm serve` script')
    .addOption(new Option('--mode <mode>', 'inference or training').default('inference').argParser(choice('--mode', MODES)))
    .option('--batch <n>', 'sequences per step', intArg('--batch', 1, 1 << 20))
    .option('--seq <n>', 'prompt or training sequence length', intArg('--seq', 1, MAX_TOKENS))
    .option('--new-tokens <n>', 'tokens generated after the prompt (inference)', intArg('--new-tokens', 0, MAX_TOKENS))
    .option('--weights-dtype <dtype>', `weight storage: ${WEIGHT_DTYPES.join('|')}`, choice('--weights-dtype', WEIGHT_DTYPES))
    .option('--kv-dtype <dtype>', `KV cache dtype: ${KV_DTYPES.join('|')}`, choice('--kv-dtype', KV_DTYPES))
    .option('--precision <p>', `${PRECISIONS.join('|')}`, choice('--precision', PRECISIONS))
    .option('--optimizer <opt>', `${OPTIMIZERS.join('|')}, or an HF optim name (adamw_bnb_8bit, galore_adamw_8bit_layerwise, …)`, optimizerArg)
    .option('--grad-checkpointing', 'gradient (activation) checkpointing')
    .option('--grad-accumulation <n>', 'micro-batches per optimizer step (gradients stay allocated between them)', intArg('--grad-accumulation', 1, 1 << 16))
    .option('--lora-rank <r>', 'LoRA of rank r on every decoder linear layer (fp32 adapters)', intArg('--lora-rank', 1, 1 << 16))
    .option('--full-logits', 'inference: logits for every position, no KV cache (scoring/perplexity)')
    .option('--gpu <id>', 'target GPU from `llm-footprint gpus`')
    .option('--runtime <name>', `${RUNTIME_IDS.join('|')}`, choice('--runtime', RUNTIME_IDS, LATER_RUNTIMES))
    .option('--gpu-memory-utilization <f>', 'vllm: share of the GPU the engine takes (0–1]', fractionArg('--gpu-memory-utilization'))
    .option('--max-num-batched-tokens <n>', 'vllm: tokens per scheduler step', intArg('--max-num-batched-tokens', 1, MAX_TOKENS))
    .option('--mfu <f>', 'expected time: share of dense FLOP/s reached by compute-bound operators (0, 1]', fractionArg('--mfu'))
    .option('--bandwidth-efficiency <f>', 'expected time: share of memory bandwidth reached by memory-bound operators (0, 1]', fractionArg('--bandwidth-efficiency'))
    .option('--decode <impl>', `pytorch decode for time: ${DECODE_IMPLS.join('|')} (default eager)`, choice('--decode', DECODE_IMPLS))
    .option('--compiled', 'same as --decode compiled (static KV cache + torch.compile with CUDA graphs)')
    .option('--dataset-tokens <n>', 'training: tokens in one epoch (time per epoch)', intArg('--dataset-tokens', 1, Number.MAX_SAFE_INTEGER))
    .option('--model <config>', 'the model config.json of a YAML or vllm script (default: its local model path)')
    .option('--json', 'print the result as JSON');
  addDistOptions(cmd);
  addMethodOptions(cmd);
  for (const [flag, what] of NOT_YET) cmd.addOption(new Option(flag, `${what} (not supported yet)`).hideHelp());
  return cmd;
}

/** Reads the file, then lays the flags over what it says. */
function prepare(cmd: Command, file: string, flags: EstimateFlags) {
  for (const [flag, what] of NOT_YET) {
    const key = flag.replace(/^--/, '').split(' ')[0]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (flags[key] !== undefined) throw new NotSupported(`${flag.split(' ')[0]}: ${what} is not supported yet`);
  }
  const input = readCliInput(file, flags.model);
  // The file's setup first, flags on top; the mode flag only when given (its default is inference).
  const scenario: ScenarioInput = { ...input.scenario, ...scenarioFlags(flags) };
  applyMethodFlags(cmd, flags, scenario);
  if (cmd.getOptionValueSource('mode') === 'cli' || scenario.mode === undefined) scenario.mode = flags.mode as ScenarioInput['mode'];
  let spec;
  try {
    spec = readModelConfig(input.config);
  } catch (x) {
    if (x instanceof ConfigError) throw new InputError(`${input.configPath}${configKeyLine(input.configPath, x.key)}: ${x.message}`);
    throw x;
  }
  resolveFileAutos(input, spec.hidden, flags, scenario);
  // A vllm command without --max-model-len serves the model's whole context.
  if (input.kind === 'vllm' && scenario.seq === undefined && spec.maxPositions) scenario.seq = spec.maxPositions;
  // …and without --max-num-seqs, vLLM's default for the target GPU.
  if (input.kind === 'vllm') {
    const engine = vllmEngineDefaults(scenario.gpu ? (findGpu(scenario.gpu) ?? null) : null);
    scenario.batch ??= engine.maxNumSeqs;
    scenario.maxNumBatchedTokens ??= engine.maxNumBatchedTokens;
  }
  fileScenarioCheck(file, input, flags, scenario);
  const title = input.kind === 'model-config' ? `LLM Footprint · ${input.configPath}` : `LLM Footprint · ${file} (${input.kind}) → ${input.configPath}`;
  return { input, spec, scenario, title };
}

/** ":<line>" of a key in a config.json on disk, or "" (the catalog's configs, a key not found). */
function configKeyLine(configPath: string, key: string | undefined): string {
  if (!key || !existsSync(configPath)) return '';
  try {
    const loc = parseModelConfig(readTextFile(configPath)).value?.keys.find((k) => k.key === key);
    return loc ? `:${loc.keyRange.start.line + 1}` : '';
  } catch {
    return '';
  }
}

/**
 * A value the workspace file gave that the engine refuses is reported at its file, line and key, with the value:
 * `ds.json:2: train_micro_batch_size_per_gpu: 2000000 is larger than 1,048,576` (a flag's value is the flag's error).
 */
function fileScenarioCheck(file: string, input: ReturnType<typeof readCliInput>, flags: EstimateFlags, scenario: ScenarioInput): void {
  const w = input.workload;
  if (!w) return;
  try {
    parseScenario(scenario);
  } catch (x) {
    if (!(x instanceof ScenarioError) || !x.key) throw x;
    const field = x.key as keyof ScenarioInput;
    const loc = w.fields[field];
    if (!loc || scenarioFlags(flags)[field] !== undefined || scenario[field] !== w.scenario[field]) throw x;
    const why = x.message.replace(/^[^:]*: /, '');
    const limit = /must be at (most|least) (\d+)$/.exec(why);
    const said = limit ? `is ${limit[1] === 'most' ? 'larger' : 'smaller'} than ${shownLimit(Number(limit[2]))}` : `— ${why}`;
    throw new InputError(`${file}:${loc.keyRange.start.line + 1}: ${loc.key}: ${shownValue(loc.value)} ${said}`);
  }
}

/** DeepSpeed "auto" values (and the world size from train_batch_size): from the flags, then the training file. */
function resolveFileAutos(input: ReturnType<typeof readCliInput>, hidden: number, flags: EstimateFlags, scenario: ScenarioInput): void {
  const w = input.workload;
  if (!w || (!w.autos?.length && w.extras['train_batch_size'] === undefined)) return;
  const given = scenarioFlags(flags);
  const r = resolveAutos(w, autoSources(w, [namedSource(given, flagName)]), hidden);
  Object.assign(scenario, r.scenario, given);
  input.notes.push(...r.notes);
}

/** The scenario fields the flags set (a flag left out sets nothing, so the file's value stays). */
function scenarioFlags(flags: EstimateFlags): ScenarioInput {
  const scenario: ScenarioInput = {};
  if (flags.batch !== undefined) scenario.batch = flags.batch;
  if (flags.seq !== undefined) scenario.seq = flags.seq;
  if (flags.newTokens !== undefined) scenario.newTokens = flags.newTokens;
  if (flags.weightsDtype) scenario.weightsDtype = flags.weightsDtype as ScenarioInput['weightsDtype'];
  if (flags.kvDtype) scenario.kvDtype = flags.kvDtype as ScenarioInput['kvDtype'];
  if (flags.precision) scenario.precision = flags.precision as ScenarioInput['precision'];
  if (flags.optimizer) scenario.optimizer = flags.optimizer as ScenarioInput['optimizer'];
  if (flags.gradCheckpointing) scenario.gradCheckpointing = true;
  if (flags.loraRank !== undefined) scenario.loraRank = flags.loraRank;
  if (flags.gradAccumulation !== undefined) scenario.gradAccumulation = flags.gradAccumulation;
  if (flags.fullLogits) scenario.logits = 'all';
  if (flags.gpu) scenario.gpu = flags.gpu;
  if (flags.runtime) scenario.runtime = flags.runtime as ScenarioInput['runtime'];
  if (flags.gpuMemoryUtilization !== undefined) scenario.gpuMemoryUtilization = flags.gpuMemoryUtilization;
  if (flags.maxNumBatchedTokens !== undefined) scenario.maxNumBatchedTokens = flags.maxNumBatchedTokens;
  return { ...scenario, ...distFlags(flags), ...timeFlags(flags) };
}

/** The time flags: efficiencies, the decode implementation (`--compiled` = `--decode compiled`), dataset size. */
function timeFlags(flags: EstimateFlags): ScenarioInput {
  const scenario: ScenarioInput = {};
  if (flags.mfu !== undefined) scenario.mfu = flags.mfu;
  if (flags.bandwidthEfficiency !== undefined) scenario.bandwidthEfficiency = flags.bandwidthEfficiency;
  if (flags.decode !== undefined && flags.compiled && flags.decode !== 'compiled') throw new ScenarioError(`--compiled means --decode compiled; it contradicts --decode ${flags.decode}`, 'decode');
  if (flags.decode !== undefined) scenario.decode = flags.decode as ScenarioInput['decode'];
  else if (flags.compiled) scenario.decode = 'compiled';
  if (flags.datasetTokens !== undefined) scenario.datasetTokens = flags.datasetTokens;
  return scenario;
}

/** Runs the CLI; returns the exit code (never throws). */
/**
 * Control characters from a file (a config's `model_type` with terminal escape codes) are shown escaped, never sent
 * to the terminal; newlines and tabs stay. JSON output has none (JSON.stringify escapes them).
 */
export function escapeControl(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function run(argv: string[], rawOut = (s: string) => void process.stdout.write(s), rawErr = (s: string) => void process.stderr.write(s)): number {
  const out = (s: string) => rawOut(escapeControl(s));
  const err = (s: string) => rawErr(escapeControl(s));
  const program = buildProgram(out, err);
  try {
    program.parse(argv, { from: 'user' });
    return (program.getOptionValue('__exit') as number | undefined) ?? 0;
  } catch (x) {
    if (x instanceof CommanderError) {
      if (x.code === 'commander.helpDisplayed' || x.code === 'commander.version' || x.code === 'commander.help') return 0;
      // commander already printed "error: ..." through writeErr
      return 2;
    }
    if (x instanceof NotSupported || x instanceof InputError || x instanceof ScenarioError || x instanceof ConfigError) {
      err(`error: ${x.message}\n`);
      return 2;
    }
    err(`error: internal error: ${(x as Error)?.message ?? String(x)}\n`);
    return 3;
  }
}

/**
 * A closed pipe (`llm-footprint gpus | head`) ends the program quietly with the status so far; any other write
 * error (a full disk) is one line and exit 2, never a stack trace (1 means "does not fit").
 */
export function onOutputError(e: NodeJS.ErrnoException, exit: (code: number) => void, err: (s: string) => void): void {
  if (e.code === 'EPIPE') return exit(process.exitCode === undefined ? 0 : Number(process.exitCode));
  try {
    err(`error: cannot write the output (${e.code ?? e.message})\n`);
  } catch {
    /* stderr is gone too */
  }
  exit(2);
}

if (typeof require !== "undefined" && require.main === module) {
  const exit = (code: number) => process.exit(code);
  process.stdout.on('error', (e: NodeJS.ErrnoException) => onOutputError(e, exit, (s) => void process.stderr.write(s)));
  process.stderr.on('error', () => exit(2));
  try {
    process.exitCode = run(process.argv.slice(2));
  } catch (e) {
    onOutputError(e as NodeJS.ErrnoException, exit, (s) => void process.stderr.write(s));
  }
}
