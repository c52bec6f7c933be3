/**
 * Training launch lines in shell scripts → the world size and the config files they run:
 * `torchrun --nproc_per_node N [--nnodes M]` (also `python -m torch.distributed.run`), `accelerate launch
 * --num_processes N [--num_machines M] [--config_file F]`, `deepspeed --num_gpus N [--num_nodes M] … --deepspeed F`.
 */
import { tokenize, type Token } from './vllm.ts';
import { LineIndex } from './positions.ts';
import type { FileReference, KeyLocation, ParseIssue, ParseResult, Range } from './types.ts';

export interface LaunchLine {
  launcher: 'torchrun' | 'accelerate' | 'deepspeed';
  /** GPUs in all (per node × nodes); null when the line does not say. */
  gpus: number | null;
  gpusPerNode: number | null;
  /** The option that gives the GPUs per node (or in all, for accelerate). */
  gpusLocation: KeyLocation | null;
  /** Config files the command names: --config_file, --deepspeed, --deepspeed_config_file, YAML/JSON arguments. */
  configs: FileReference[];
  /** Where the launcher (`torchrun`, `accelerate`, `deepspeed`, `-m`) is written. */
  launcherRange: Range;
}

const PER_NODE = ['--nproc_per_node', '--nproc-per-node', '--num_gpus', '--num-gpus'];
const NODES = ['--nnodes', '--num_nodes', '--num-nodes', '--num_machines', '--num-machines'];
const TOTAL = ['--num_processes', '--num-processes'];
const CONFIG_OPTS = ['--config_file', '--config-file', '--deepspeed', '--deepspeed_config_file', '--deepspeed_config'];

function launcherOf(toks: Token[]): { launcher: LaunchLine['launcher']; at: number } | null {
  for (let i = 0; i < Math.min(toks.length, 6); i++) {
    const t = toks[i]!.text.split('/').pop()!;
    if (t === 'torchrun') return { launcher: 'torchrun', at: i + 1 };
    if (t === 'deepspeed') return { launcher: 'deepspeed', at: i + 1 };
    if (t === 'accelerate' && toks[i + 1]?.text === 'launch') return { launcher: 'accelerate', at: i + 2 };
    if (t === '-m' && /^torch\.distributed\.(run|launch)$/.test(toks[i + 1]?.text ?? '')) return { launcher: 'torchrun', at: i + 2 };
  }
  return null;
}

/** Every launch line of a script. Values that are not whole numbers (`$NGPU`) are reported and left out. */
export function parseLaunchScript(text: string): ParseResult<LaunchLine[]> {
  const idx = new LineIndex(text);
  const errors: ParseIssue[] = [];
  const out: LaunchLine[] = [];
  for (const toks of tokenize(text)) {
    const l = launcherOf(toks);
    if (!l) continue;
    out.push(readLine(toks, l.launcher, l.at, idx, errors));
  }
  return { value: out, errors };
}

function readLine(toks: Token[], launcher: LaunchLine['launcher'], from: number, idx: LineIndex, errors: ParseIssue[]): LaunchLine {
  const first = toks[Math.max(0, from - 1)]!;
  const line: LaunchLine = { launcher, gpus: null, gpusPerNode: null, gpusLocation: null, configs: [], launcherRange: idx.range(first.start, first.end) };
  let perNode: number | null = null;
  let nodes = 1;
  let total: number | null = null;
  for (let i = from; i < toks.length; i++) {
    const t = toks[i]!;
    const eq = t.text.indexOf('=');
    const name = t.quoted ? '' : eq > 0 ? t.text.slice(0, eq) : t.text;
    const valTok = eq > 0 ? t : toks[i + 1];
    const value = eq > 0 ? t.text.slice(eq + 1) : (toks[i + 1]?.text ?? '');
    const loc: KeyLocation = { key: name, keyRange: idx.range(t.start, t.end), valueRange: valTok ? idx.range(valTok.start, valTok.end) : idx.range(t.start, t.end), value };
    const num = () => {
      const n = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(n >= 1)) errors.push({ message: `${name}: ${JSON.stringify(value)} is not a whole number of GPUs; the script's GPU count is not read`, severity: 'info', range: loc.valueRange, key: name });
      return n >= 1 ? n : null;
    };
    if (PER_NODE.includes(name) || TOTAL.includes(name)) {
      const n = num();
      if (PER_NODE.includes(name)) perNode = n;
      else total = n;
      if (n !== null) line.gpusLocation = loc;
    } else if (NODES.includes(name)) nodes = num() ?? nodes;
    else if (CONFIG_OPTS.includes(name) && value) line.configs.push({ path: value, loc });
    else if (!name.startsWith('-') && /\.(ya?ml|json)$/i.test(t.text)) line.configs.push({ path: t.text, loc: { ...loc, key: t.text, valueRange: loc.keyRange } });
    if (eq < 0 && (PER_NODE.includes(name) || NODES.includes(name) || TOTAL.includes(name) || CONFIG_OPTS.includes(name))) i++;
  }
  if (total !== null) {
    line.gpus = total;
    line.gpusPerNode = total % nodes === 0 ? total / nodes : null;
  } else if (perNode !== null) {
    line.gpus = perNode * nodes;
    line.gpusPerNode = perNode;
  }
  return line;
}
