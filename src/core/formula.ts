/**
 * mathjs, built with only what we use (custom `create`), and hardened: no `import`, `createUnit`, `evaluate` or
 * `parse` reachable from expressions. Used to (1) evaluate the formula a term carries, so tests can prove the shown
 * formula gives the computed bytes, and (2) parse the quantities users type for their own GPUs ("80 GB", "24 GiB",
 * "696 GB/s"). The webview substitutes values into formulas without mathjs (src/extension/text.ts).
 */
import {
  create,
  addDependencies,
  ceilDependencies,
  divideDependencies,
  evaluateDependencies,
  floorDependencies,
  maxDependencies,
  minDependencies,
  multiplyDependencies,
  parseDependencies,
  roundDependencies,
  subtractDependencies,
  unitDependencies,
  powDependencies,
  type MathNode,
} from 'mathjs';

const math = create({
  addDependencies,
  ceilDependencies,
  divideDependencies,
  evaluateDependencies,
  floorDependencies,
  maxDependencies,
  minDependencies,
  multiplyDependencies,
  parseDependencies,
  roundDependencies,
  subtractDependencies,
  unitDependencies,
  powDependencies,
});

const evaluate = math.evaluate.bind(math);
const parse = math.parse.bind(math);

// Keep expressions from reaching mathjs' own machinery.
const blocked = () => {
  throw new Error('function disabled');
};
math.import({ import: blocked, createUnit: blocked, evaluate: blocked, parse: blocked, simplify: blocked, derivative: blocked, compile: blocked }, { override: true });

export class FormulaError extends Error {}

const MAX_EXPR = 2000;

function check(expr: string): void {
  if (typeof expr !== 'string' || expr.length === 0) throw new FormulaError('empty expression');
  if (expr.length > MAX_EXPR) throw new FormulaError(`expression longer than ${MAX_EXPR} characters`);
}

/** Evaluates a term formula over its inputs; returns a plain number. */
export function evaluateFormula(formula: string, inputs: Record<string, number>): number {
  check(formula);
  const v: unknown = evaluate(formula, { ...inputs });
  if (typeof v !== 'number') throw new FormulaError(`formula "${formula}" did not give a number`);
  return v;
}

// ── Quantities users type for custom GPUs ("2 * 24 GiB", "696 GB/s", "149.7 TFLOPS") ─────────────────────────────
// The text is parsed, then checked node by node before anything runs: numbers, + - * / ^, parentheses and the unit
// names below only. A function call (`import(...)`, `createUnit(...)`), an assignment, a string, an accessor or any
// other symbol is rejected without being evaluated.

const SAFE_OPS = new Set(['add', 'subtract', 'multiply', 'divide', 'unaryMinus', 'unaryPlus', 'pow']);
const BYTE_UNIT = /^([kKmMgGtTpPeE]?)(i?)[bB]$/;
const MAX_QUANTITY_TEXT = 200;

/** "gb" → "GB", "kb" → "kB", "gib" → "GiB" (sizes only; a lower-case b is read as bytes too). */
function byteUnitName(name: string): string | null {
  const m = BYTE_UNIT.exec(name);
  if (!m) return null;
  const p = m[1]!.toUpperCase();
  const prefix = m[2] ? (p === '' ? null : `${p}i`) : p === 'K' ? 'k' : p;
  return prefix === null ? null : `${prefix}B`;
}

type Checked = { ok: true; node: MathNode } | { ok: false };

/** Parses `text` and rebuilds it from allowed nodes only (unit names normalized); never evaluates. */
function safeQuantityNode(text: string, allowTime: boolean): Checked {
  let root: MathNode;
  try {
    root = parse(text);
  } catch {
    return { ok: false };
  }
  let ok = true;
  root.traverse((n: MathNode) => {
    const any = n as MathNode & { fn?: unknown; value?: unknown; name?: string };
    switch (n.type) {
      case 'ConstantNode':
        if (typeof any.value !== 'number' || !Number.isFinite(any.value)) ok = false;
        break;
      case 'ParenthesisNode':
        break;
      case 'OperatorNode':
        if (typeof any.fn !== 'string' || !SAFE_OPS.has(any.fn)) ok = false;
        break;
      case 'SymbolNode': {
        const name = any.name ?? '';
        if (!(byteUnitName(name) !== null || (allowTime && name === 's'))) ok = false;
        break;
      }
      default:
        ok = false;
    }
  });
  if (!ok) return { ok: false };
  const node = root.transform((n: MathNode) => {
    const sym = n as MathNode & { isSymbolNode?: boolean; name?: string };
    if (sym.isSymbolNode && sym.name !== 's') return new math.SymbolNode(byteUnitName(sym.name!)!);
    return n;
  });
  return { ok: true, node };
}

/** Evaluates a checked quantity to a plain number in `to` (a unit) or, for a unitless result, the number itself. */
function quantity(text: string, to: 'B' | 'B/s' | null, allowTime: boolean): number | null {
  const t = String(text).trim();
  if (t.length === 0 || t.length > MAX_QUANTITY_TEXT) return null;
  const c = safeQuantityNode(t, allowTime);
  if (!c.ok) return null;
  try {
    const v: unknown = c.node.evaluate({});
    let n: number;
    if (typeof v === 'number') n = v;
    else if (to !== null && math.isUnit(v)) n = (v as { toNumber(u: string): number }).toNumber(to);
    else return null;
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/**
 * A memory size: "48 GB" (1e9), "46068 MiB" (2^20), "2 * 24 GiB", or a number of bytes (a plain number or a unitless
 * expression). Throws FormulaError naming what was typed.
 */
export function parseSizeExpression(text: string): number {
  const v = quantity(text, 'B', false);
  if (v === null) throw new FormulaError(`"${text}" is not a size like "80 GB" or "24 GiB"`);
  return Math.round(v);
}

/** A bandwidth: "696 GB/s", "3.35 TB/s", "2 * 1.6 TB/s", or bytes per second. Throws FormulaError. */
export function parseRate(text: string): number {
  const v = quantity(text, 'B/s', true);
  if (v === null) throw new FormulaError(`"${text}" is not a bandwidth like "696 GB/s" or "3.35 TB/s"`);
  return v;
}

const FLOPS_SUFFIX = /^(.*?)\s*([kKMGTPE]?)FLOP(?:S|\/s)$/i;
const FLOPS_PREFIX: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A throughput: "149.7 TFLOPS", "989.5 TFLOP/s", "2 * 74.85 TFLOPS", or FLOP/s as a number. Throws FormulaError. */
export function parseFlops(text: string): number {
  const t = String(text).trim();
  const m = FLOPS_SUFFIX.exec(t);
  const v = m ? quantity(m[1]!, null, false) : quantity(t, null, false);
  if (v === null || (m && m[1]!.trim() === '')) throw new FormulaError(`"${text}" is not a throughput like "149.7 TFLOPS"`);
  return v * (m ? FLOPS_PREFIX[m[2]!.toUpperCase()]! : 1);
}
