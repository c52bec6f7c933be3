/** Library entry (`package.json` main for scripts): `const { estimate } = require('llm-footprint')`. */
export * from './core/index.ts';
