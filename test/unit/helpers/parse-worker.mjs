// Runs src/extension/parse-worker.ts as a worker thread in the tests: tsx loads the TypeScript entry (the bundle the
// extension starts is dist/parse-worker.js).
import { tsImport } from 'tsx/esm/api';

await tsImport('../../../src/extension/parse-worker.ts', import.meta.url);
