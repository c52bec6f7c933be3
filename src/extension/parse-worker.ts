/**
 * The worker thread that parses a large training or accelerate YAML off the extension host (the YAML parser runs
 * about 0.5–1 ms per KiB: a 256 KiB file would hold the host for a few hundred ms). It runs the same parser as the
 * host and posts the plain ParsedDocument back; it reads no file and imports no `vscode`.
 */
import { parentPort } from 'node:worker_threads';
import { parseDocumentText } from '../parsers/index.ts';
import { ZERO_RANGE } from '../parsers/types.ts';

interface Request {
  id: number;
  fileName: string;
  text: string;
}

parentPort?.on('message', (m: Request) => {
  try {
    parentPort!.postMessage({ id: m.id, parsed: parseDocumentText(m.fileName, m.text) });
  } catch (e) {
    const message = `LLM Footprint could not read this file: ${(e as Error).message}`;
    parentPort!.postMessage({ id: m.id, parsed: { kind: null, files: [], errors: [{ message, severity: 'error', range: ZERO_RANGE }] } });
  }
});
