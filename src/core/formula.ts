/**
 * mathjs, built with only what we use (custom `create`), and hardened: no `import`, `createUnit`, `evaluate` or
 * `parse` reachable from expressions. Used to (1) evaluate the formula a term carries, so tests can prove the shown
 * formula gives the computed bytes, (2) show formulas with their values substituted, (3) parse sizes users type
 * ("80 GB", "24 GiB") and user-defined GPU fields.
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

const evaluate = math.evaluate;
const parse = math.parse;
const unit = math.unit;

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
  const v = evaluate(formula, { ...inputs });
  if (typeof v !== 'number') throw new FormulaError(`formula "${formula}" did not give a number`);
  return v;
}

/** The formula with every input replaced by its value, e.g. "4 * 2048 * 128256 * 12". */
export function substituteFormula(formula: string, inputs: Record<string, number>): string {
  check(formula);
  const node: MathNode = parse(formula);
  const out = node.transform((n: MathNode) => {
    const sym = n as MathNode & { isSymbolNode?: boolean; name?: string };
    if (sym.isSymbolNode && sym.name !== undefined && Object.prototype.hasOwnProperty.call(inputs, sym.name)) {
      return new math.ConstantNode(inputs[sym.name]!);
    }
    return n;
  });
  return out.toString({ implicit: 'show' });
}

/**
 * Parses a size the user typed: "80 GB" (1e9), "24 GiB" (2^30), "81559 MiB", or a plain number of bytes.
 * Throws FormulaError with a readable message.
 */
export function parseSize(text: string): number {
  const t = String(text).trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t));
  if (t.length > 64) throw new FormulaError('size text too long');
  if (!/^[\d.]+(e[+-]?\d+)?\s*[KMGTP]?i?B$/i.test(t)) throw new FormulaError(`"${text}" is not a size like "80 GB" or "24 GiB"`);
  const norm = t.replace(/([kKmMgGtTpP])(i?)b$/, (_, p: string, i: string) => `${p.toUpperCase()}${i}B`).replace(/KB$/, 'kB');
  try {
    const v = unit(norm).toNumber('B');
    if (!Number.isFinite(v) || v < 0) throw new Error('not finite');
    return Math.round(v);
  } catch {
    throw new FormulaError(`"${text}" is not a size like "80 GB" or "24 GiB"`);
  }
}
