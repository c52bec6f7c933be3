/**
 * `vllm serve` command lines in shell scripts → one inference scenario per command, with the position of each
 * option. Handles `\` line continuations, quotes, `--opt=value`, env prefixes, simple `NAME=value` variables, and
 * `python -m vllm.entrypoints.openai.api_server --model …`.
 */
import { MAX_BATCH, MAX_TOKENS, type ScenarioInput } from '../core/scenario.ts';
import { countProblem, shownLimit, shownValue } from './values.ts';
import { notModelledIssue, type NotModelled } from './not-modelled.ts';
import { LineIndex } from './positions.ts';
import { MAX_FILE_BYTES, ZERO_RANGE, type FieldLocations, type KeyLocation, type ParseIssue, type ParseResult, type WorkloadFile } from './types.ts';

export interface Token {
  text: string;
  start: number;
  end: number;
  /** The token starts with a quote: it is never an option name (`--max-model-len=""` is an option with an empty value). */
  quoted: boolean;
}

/** Splits a shell script into commands of tokens with offsets; separators: newline (unless continued), ;, &&, ||, |. */
export function tokenize(text: string): Token[][] {
  const commands: Token[][] = [];
  let cur: Token[] = [];
  let i = 0;
  const n = text.length;
  const endCommand = () => {
    if (cur.length) commands.push(cur);
    cur = [];
  };
  // Here-documents (`<<EOF`, `<<-'EOF'`): their bodies are data, not commands; skipped at the end of the line.
  const heredocs: { word: string; tabs: boolean }[] = [];
  const skipHeredocBodies = () => {
    for (const h of heredocs.splice(0)) {
      while (i < n) {
        const eol = text.indexOf('\n', i);
        const stop = eol < 0 ? n : eol;
        let line = text.slice(i, stop).replace(/\r$/, '');
        if (h.tabs) line = line.replace(/^\t+/, '');
        i = stop + 1;
        if (line === h.word) break;
      }
    }
  };
  while (i < n) {
    const c = text[i]!;
    if (c === '<' && text[i + 1] === '<' && text[i + 2] !== '<') {
      let j = i + 2;
      const tabs = text[j] === '-';
      if (tabs) j++;
      while (text[j] === ' ' || text[j] === '\t') j++;
      const w = readWord(text, j);
      if (w.text) heredocs.push({ word: w.text, tabs });
      i = Math.max(w.end, j, i + 2);
      continue;
    }
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\r' ? 3 : 2;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\n' || c === ';') {
      endCommand();
      i++;
      if (c === '\n' && heredocs.length) skipHeredocBodies();
      continue;
    }
    if (c === '&' || c === '|') {
      endCommand();
      i += text[i + 1] === c ? 2 : 1;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    const word = readWord(text, i);
    cur.push(word);
    i = word.end;
  }
  endCommand();
  return commands;
}

/** One shell word from `start`: quotes and backslash escapes removed, backslash-newlines dropped. */
function readWord(text: string, start: number): Token {
  const n = text.length;
  let i = start;
  let value = '';
  let quoted = false;
  while (i < n) {
    const d = text[i]!;
    if (d === '\\') {
      // A backslash-newline is removed by the shell, even inside a word.
      if (text[i + 1] === '\n') {
        i += 2;
        continue;
      }
      if (text[i + 1] === '\r' && text[i + 2] === '\n') {
        i += 3;
        continue;
      }
      if (i + 1 < n) value += text[i + 1];
      i += 2;
      continue;
    }
    if (d === "'") {
      if (i === start) quoted = true;
      const close = text.indexOf("'", i + 1);
      const stop = close < 0 ? n : close;
      value += text.slice(i + 1, stop);
      i = stop + 1;
      continue;
    }
    if (d === '"') {
      if (i === start) quoted = true;
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < n) {
          value += text[i + 1];
          i += 2;
        } else value += text[i++];
      }
      i++;
      continue;
    }
    if (' \t\r\n;&|'.includes(d)) break;
    if (d === '<' && text[i + 1] === '<' && i > start) break;
    value += d;
    i++;
  }
  return { text: value, start, end: Math.min(i, n), quoted };
}

const BOOLEAN_FLAGS = new Set([
  '--trust-remote-code', '--enforce-eager', '--enable-prefix-caching', '--no-enable-prefix-caching', '--enable-chunked-prefill',
  '--no-enable-chunked-prefill', '--disable-log-requests', '--disable-log-stats', '--enable-lora', '--enable-auto-tool-choice',
  '--disable-custom-all-reduce', '--enable-expert-parallel', '--disable-frontend-multiprocessing', '--enable-sleep-mode',
  '--no-enable-log-requests', '--enable-log-requests', '--async-scheduling', '--headless',
]);

const SHORT: Record<string, string> = { '-tp': '--tensor-parallel-size', '-pp': '--pipeline-parallel-size', '-q': '--quantization', '-dp': '--data-parallel-size' };

interface Opt {
  name: string;
  value: string | null;
  nameTok: Token;
  valueTok: Token | null;
}

/** A vLLM human-readable int: 32768, 32k (×1000), 32K (×1024), 1m (×10^6), 1M (×2^20). */
export function parseSize(s: string): number | null {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s.trim());
  if (!m) return null;
  // vLLM's human_readable_int: a plain number must be an integer (int("1.5") fails); decimals only with a decimal
  // suffix (1.5k = 1500), never with a binary one (1.5K), and the result must be whole.
  if (m[1]!.includes('.') && (m[2] === '' || m[2] === 'K' || m[2] === 'M')) return null;
  const base = Number(m[1]);
  const mult = m[2] === 'k' ? 1000 : m[2] === 'K' ? 1024 : m[2] === 'm' ? 1e6 : m[2] === 'M' ? 1048576 : 1;
  const v = base * mult;
  return Number.isSafeInteger(v) ? v : null;
}

const DTYPES: Record<string, 'fp16' | 'bf16' | 'fp32'> = { half: 'fp16', float16: 'fp16', bfloat16: 'bf16', float: 'fp32', float32: 'fp32' };

/** What one `vllm serve` command contributes, built option by option. */
interface CommandReading {
  scenario: ScenarioInput;
  fields: FieldLocations;
  extras: Record<string, unknown>;
  errors: ParseIssue[];
}

type Locate = (name: string, t: Token, v: Token | null, value: unknown) => KeyLocation;

export function parseVllmScript(text: string): ParseResult<WorkloadFile[]> {
  if (text.length > MAX_FILE_BYTES) {
    return { value: null, errors: [{ message: `File is larger than ${MAX_FILE_BYTES / 1024} KiB, the limit for a file LLM Footprint reads; skipped.`, severity: 'info', range: ZERO_RANGE }] };
  }
  const idx = new LineIndex(text);
  const errors: ParseIssue[] = [];
  const out: WorkloadFile[] = [];
  const vars = new Map<string, string>();
  let commands: Token[][];
  try {
    commands = tokenize(text);
  } catch (e) {
    return { value: null, errors: [{ message: `Could not read the script: ${(e as Error).message}`, severity: 'error', range: ZERO_RANGE }] };
  }
  const locate: Locate = (name, t, v, value) => ({
    key: name,
    keyRange: idx.range(t.start, t.end),
    valueRange: v ? idx.range(v.start, v.end) : idx.range(t.start, t.end),
    value,
  });
  // Variables expand to at most MAX_VALUE characters (a script that doubles a variable 30 times would otherwise
  // build a 2^30-character string); a longer value is left unexpanded, with one note.
  let tooLong: string | null = null;
  const expand = (s: string) => {
    const r = s.replace(/\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)/g, (all: string, a: string | undefined, def: string | undefined, b: string | undefined) => vars.get(a ?? b ?? '') ?? def ?? all);
    if (r.length <= MAX_VALUE) return r;
    tooLong ??= s;
    return s;
  };

  for (const toks of commands) {
    const rest = afterAssignments(toks, vars, expand);
    if (!rest) continue;
    const start = vllmArgumentsStart(rest);
    if (!start) continue;
    if (out.length >= MAX_COMMANDS) {
      errors.push({ message: `More than ${MAX_COMMANDS} vllm serve commands: only the first ${MAX_COMMANDS} are estimated (a limit that keeps the editor responsive).`, severity: 'warning', range: idx.range(rest[0]!.start, rest[0]!.end), code: CAP_HIT });
      break;
    }
    const { opts, model } = readArguments(rest, start.index, start.apiServer, expand);
    out.push(commandWorkload(rest[0]!, opts, model, locate, errors));
  }
  if (tooLong !== null) errors.push({ message: `A shell variable grows beyond ${MAX_VALUE.toLocaleString('en-US')} characters; it is left unexpanded (a limit against hostile scripts).`, severity: 'info', range: ZERO_RANGE, code: CAP_HIT });
  return { value: out, errors };
}

/** The most `vllm serve` commands read from one script, and the longest value a variable expands to. */
export const MAX_COMMANDS = 50;
export const MAX_VALUE = 4096;
/** The diagnostic code of "a limit against hostile files was hit". */
export const CAP_HIT = 'llm-footprint.limit';

/** Words that start a compound command or negate one: the command proper follows them. */
const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', '(', 'time']);
/** Commands that run their arguments as a command (`nohup vllm serve …`, `exec vllm serve …`). */
const WRAPPERS = new Set(['exec', 'nohup', 'env', 'command', 'sudo', 'nice', 'stdbuf', 'setsid', 'taskset', 'numactl', 'srun', 'timeout', 'uv', 'uvx', 'poetry', 'pipx', 'conda', 'micromamba', 'python', 'python3', 'run', 'CUDA_VISIBLE_DEVICES']);

/**
 * The command after its `NAME=value` prefixes (and `export`); null when the command is only assignments, which
 * then define variables for later commands.
 */
function afterAssignments(toks: Token[], vars: Map<string, string>, expand: (s: string) => string): Token[] | null {
  let j = 0;
  if (toks[0]?.text === 'export') j = 1;
  const assigns: Token[] = [];
  while (j < toks.length && /^[A-Za-z_]\w*=/.test(toks[j]!.text) && !toks[j]!.text.startsWith('-')) assigns.push(toks[j++]!);
  if (j < toks.length) return toks.slice(j);
  for (const a of assigns) {
    const eq = a.text.indexOf('=');
    vars.set(a.text.slice(0, eq), expand(a.text.slice(eq + 1)));
  }
  return null;
}

/** Where the arguments of `vllm serve` (or `python -m vllm.entrypoints.openai.api_server`) start; null: not vLLM. */
function vllmArgumentsStart(rest: Token[]): { index: number; apiServer: boolean } | null {
  // A shell runs the first word: `echo vllm serve …`, `cat`, `alias` and friends are not vLLM, a quoted or commented
  // `vllm serve` neither; only vllm itself, python -m, or a wrapper that runs its arguments.
  let first = 0;
  while (first < rest.length && KEYWORDS.has(rest[first]!.text) && !rest[first]!.quoted) first++;
  const cmd = rest[first];
  if (!cmd) return null;
  const word = cmd.text.split('/').pop()!;
  if (word !== 'vllm' && !WRAPPERS.has(word) && !/^python[\d.]*$/.test(word)) return null;
  for (let t = first; t < rest.length; t++) {
    const w = rest[t]!.text;
    if (/(^|\/)vllm$/.test(w) && rest[t + 1]?.text === 'serve') return { index: t + 2, apiServer: false };
    if (w === '-m' && /^vllm\.entrypoints\.(openai\.api_server|api_server)$/.test(rest[t + 1]?.text ?? '')) return { index: t + 2, apiServer: true };
  }
  return null;
}

/** The options (long names, `--opt=value` split, short aliases expanded) and the positional model argument. */
function readArguments(rest: Token[], from: number, apiServer: boolean, expand: (s: string) => string): { opts: Opt[]; model: { value: string; tok: Token } | null } {
  const opts: Opt[] = [];
  let model: { value: string; tok: Token } | null = null;
  for (let t = from; t < rest.length; t++) {
    const tok = rest[t]!;
    if (tok.text.startsWith('-') && !tok.quoted) {
      let name = tok.text;
      let value: string | null = null;
      let valueTok: Token | null = null;
      const eq = name.indexOf('=');
      if (eq > 0) {
        value = name.slice(eq + 1);
        name = name.slice(0, eq);
        valueTok = tok;
      } else if (!BOOLEAN_FLAGS.has(name) && rest[t + 1] && (!rest[t + 1]!.text.startsWith('-') || /^-?\d/.test(rest[t + 1]!.text))) {
        valueTok = rest[++t]!;
        value = valueTok.text;
      }
      name = SHORT[name] ?? name.replace(/_/g, '-');
      opts.push({ name, value: value === null ? null : expand(value), nameTok: tok, valueTok });
    } else if (!model && !apiServer) {
      model = { value: expand(tok.text), tok };
    }
  }
  const modelOpt = opts.find((o) => o.name === '--model');
  if (modelOpt && modelOpt.value) model = { value: modelOpt.value, tok: modelOpt.valueTok ?? modelOpt.nameTok };
  return { opts, model };
}

/** One `vllm serve` command as a workload: its model, every option's location, and the scenario they set. */
function commandWorkload(commandStart: Token, opts: Opt[], model: { value: string; tok: Token } | null, locate: Locate, errors: ParseIssue[]): WorkloadFile {
  // vLLM's own runtime profile: budget = --gpu-memory-utilization × GPU, profile run, paged KV pool. Options the
  // script leaves out come from the llmFootprint.defaults.* settings (or the engine's defaults).
  const reading: CommandReading = { scenario: { mode: 'inference', newTokens: 0, runtime: 'vllm' }, fields: {}, extras: { maxModelLenFromConfig: true }, errors };
  const keys: KeyLocation[] = [];
  const commandLoc = locate('vllm serve', commandStart, null, null);
  let modelLocation: KeyLocation | null = null;
  if (model) {
    modelLocation = locate('model', model.tok, model.tok, model.value);
    keys.push(modelLocation);
    if (model.value.includes('$')) {
      errors.push({ message: `The model "${model.value}" is given by a variable this script does not set; set llmFootprint.modelConfig or pick a config.`, severity: 'info', range: modelLocation.valueRange, key: 'model' });
    }
  } else {
    errors.push({ message: 'vllm serve without a model argument.', severity: 'warning', range: commandLoc.keyRange });
  }
  for (const o of opts) {
    const l = locate(o.name, o.nameTok, o.valueTok, o.value);
    keys.push(l);
    applyOption(o, l, reading);
  }
  const { scenario, fields, extras } = reading;
  if (scenario.batch === undefined) {
    // vLLM's default max_num_seqs depends on the GPU: filled in from the target GPU (vllmEngineDefaults).
    errors.push({
      message: "No --max-num-seqs: vLLM's default for the target GPU is used (1024 on GPUs of 70 GiB or more that are not an A100, else 256).",
      severity: 'info',
      range: commandLoc.keyRange,
      key: '--max-num-seqs',
    });
  }
  return { kind: 'vllm', model: model?.value ?? null, modelLocation, scenario, fields, keys, extras };
}

/** A shell word as a message shows it: a number as a number (1e+308), anything else quoted. */
function shellWord(value: string | null): unknown {
  return value && /^[\d.eE+-]+$/.test(value) && Number.isFinite(Number(value)) ? Number(value) : (value ?? '');
}

/** A vLLM size (`32768`, `32K`) from 1 to max, or why not (naming the option, the value and the limit). */
function sizeOption(name: string, value: string | null, max: number): number | string {
  const v = value ? parseSize(value) : null;
  const written = shellWord(value);
  if (v === null) return `${name}: ${shownValue(written)} is not a whole number from 1 to ${shownLimit(max)}`;
  return countProblem(name, v, 1, max, written) ?? v;
}

/** What one option sets in the scenario, or the warning it earns (unreadable, or not modelled yet). */
function applyOption(o: Opt, l: KeyLocation, r: CommandReading): void {
  const { scenario, fields, extras, errors } = r;
  const bad = (why = `${o.name}: cannot read ${JSON.stringify(o.value)}`) => errors.push({ message: `${why}; ignored.`, severity: 'warning', range: l.valueRange, key: o.name });
  switch (o.name) {
    case '--max-model-len': {
      const v = sizeOption(o.name, o.value, MAX_TOKENS);
      if (typeof v === 'string') return void bad(v);
      scenario.seq = v;
      fields.seq = l;
      extras['maxModelLenFromConfig'] = false;
      return;
    }
    case '--max-num-seqs': {
      const v = sizeOption(o.name, o.value, MAX_BATCH);
      if (typeof v === 'string') return void bad(v);
      scenario.batch = v;
      fields.batch = l;
      return;
    }
    case '--dtype': {
      const v = (o.value ?? '').toLowerCase();
      if (v === 'auto') return;
      const d = DTYPES[v];
      if (!d) return void bad();
      scenario.precision = d;
      scenario.weightsDtype = d;
      fields.precision = l;
      return;
    }
    case '--kv-cache-dtype': {
      const v = (o.value ?? '').toLowerCase();
      const d = v.startsWith('fp8') ? 'fp8' : v === 'auto' ? 'auto' : DTYPES[v];
      if (!d) return void bad();
      scenario.kvDtype = d;
      fields.kvDtype = l;
      return;
    }
    case '--gpu-memory-utilization': {
      const v = Number(o.value);
      if (!(v > 0 && v <= 1)) return void bad(`${o.name}: ${shownValue(shellWord(o.value))} is not a fraction in (0, 1]`);
      extras['gpuMemoryUtilization'] = v;
      scenario.gpuMemoryUtilization = v;
      fields.gpuMemoryUtilization = l;
      return;
    }
    case '--max-num-batched-tokens': {
      const v = sizeOption(o.name, o.value, MAX_TOKENS);
      extras['maxNumBatchedTokens'] = typeof v === 'number' ? v : null;
      if (typeof v === 'string') return void bad(v);
      scenario.maxNumBatchedTokens = v;
      fields.maxNumBatchedTokens = l;
      return;
    }
    case '--tensor-parallel-size':
    case '--pipeline-parallel-size':
    case '--data-parallel-size': {
      // vLLM refuses a size that is not a whole number ≥ 1; a script that says so is not read as one GPU silently.
      const v = sizeOption(o.name, o.value, 1024);
      if (typeof v === 'string') return void bad(v);
      return void warnIfNotModelled(o, l, errors);
    }
    default:
      warnIfNotModelled(o, l, errors);
  }
}

/** vLLM options whose memory effect is not modelled yet: when one matters, and whether the warning shows its value. */
const MULTI_GPU: NotModelled = { what: 'multi-GPU parallelism is', assumes: 'the estimate is for the whole model on one GPU' };
const LORA_SERVING: NotModelled = { what: 'serving LoRA adapters is', severity: 'info' };
const NOT_MODELLED: Record<string, NotModelled & { matters: (value: string | null) => boolean; withValue: boolean }> = {
  '--tensor-parallel-size': { ...MULTI_GPU, matters: (v) => Number(v) > 1, withValue: true },
  '--pipeline-parallel-size': { ...MULTI_GPU, matters: (v) => Number(v) > 1, withValue: true },
  '--data-parallel-size': { ...MULTI_GPU, matters: (v) => Number(v) > 1, withValue: true },
  '--quantization': { what: 'quantized weights are', assumes: "the estimate uses the config's dtype", matters: () => true, withValue: true },
  '--cpu-offload-gb': { what: 'CPU offload is', matters: (v) => Number(v) > 0, withValue: false },
  '--enable-lora': { ...LORA_SERVING, matters: () => true, withValue: false },
  '--max-lora-rank': { ...LORA_SERVING, matters: () => true, withValue: false },
};

function warnIfNotModelled(o: Opt, l: KeyLocation, errors: ParseIssue[]): void {
  const later = NOT_MODELLED[o.name];
  if (!later || !later.matters(o.value)) return;
  errors.push(notModelledIssue(o.name, later.withValue ? `${o.name} ${o.value}` : o.name, l.keyRange, later));
}
