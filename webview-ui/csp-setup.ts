/**
 * Imported first by main.ts, before any module that builds or runs a zod schema: zod probes `new Function` once to
 * decide whether to JIT its parsers; under the webview's CSP (no 'unsafe-eval') the probe fails harmlessly but is
 * reported as a CSP violation. `jitless` skips the probe.
 */
import { config } from 'zod';

config({ jitless: true });
