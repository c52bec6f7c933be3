/**
 * The invariants of the fuzzing campaign (scripts/fuzz.ts), shared with the replay of its reproducers
 * (test/unit/hostile/fuzz-repro.test.ts).
 */

/** One generated workspace file and the CLI arguments it was estimated with. */
export interface Case {
  name: string;
  text: string;
  args: string[];
  /** Keys given a hostile value: each must be refused (exit 2) or named in the output. */
  hostile: string[];
}

/** Every `*bytes` / `bytes` value in a JSON tree: a non-negative safe integer. */
function checkBytes(v: unknown, where: string, bad: string[]): void {
  if (Array.isArray(v)) v.forEach((x, i) => checkBytes(x, `${where}[${i}]`, bad));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (/bytes$/i.test(k) && x !== null && !(Number.isSafeInteger(x) && (x as number) >= 0)) bad.push(`${where}.${k} = ${JSON.stringify(x)}`);
      checkBytes(x, `${where}.${k}`, bad);
    }
  }
}

/** The invariants for one run; '' when they hold. */
export function judge(c: Case, code: number, out: string, err: string, ms: number): string {
  const all = out + err;
  if (ms > 2000) return `took ${ms} ms`;
  if (![0, 1, 2].includes(code)) return `exit ${code}: ${err.slice(0, 300)}`;
  if (/internal error/.test(all)) return `internal error: ${err.slice(0, 300)}`;
  if (/\n\s+at .+:\d+:\d+\)?/.test(all)) return 'stack trace';
  // (a note may quote the file's value: `gradient_accumulation_steps: NaN is not a whole number`)
  const figures = out.split('\n').filter((l) => !/^\s*note: /.test(l)).join('\n');
  if (code !== 2 && /\bNaN\b|\bInfinity\b/.test(figures.replace(/"[^"\n]*(NaN|Infinity)[^"\n]*"/g, ''))) return 'NaN or Infinity in the output';
  if (code !== 2 && c.args.includes('--json')) {
    let j: unknown;
    try {
      j = JSON.parse(out);
    } catch {
      return 'output of --json is not JSON';
    }
    const bad: string[] = [];
    checkBytes(j, '$', bad);
    if (bad.length) return `bytes: ${bad.slice(0, 3).join('; ')}`;
  }
  if (code !== 2 && !c.args.includes('--json')) {
    // LoRA ranks are read only when the file trains LoRA.
    const lora = /^adapter: (q?lora)$/m.test(c.text) || (/^model_name_or_path:/m.test(c.text) && !/^finetuning_type: (?!lora$)/m.test(c.text));
    for (const k of c.hostile.filter((h) => lora || !/^lora_(r|rank)$/.test(h))) if (!all.includes(k)) return `silent default: ${k} was hostile but neither refused nor named`;
  }
  return '';
}

