/**
 * Parsing a large YAML on a worker thread, so the extension host never waits on it: one worker, started on the first
 * large file and kept (unref'd) for the next; a request that fails (the worker crashed or took longer than
 * `timeoutMs`) rejects, and the caller falls back to the size message. The YAML up to MAX_EDITOR_YAML_BYTES is still
 * parsed on the host (faster than the round trip).
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ParsedDocument } from '../parsers/index.ts';
import { MAX_EDITOR_YAML_BYTES, MAX_FILE_BYTES } from '../parsers/types.ts';

export interface OffThreadParser {
  parse(fileName: string, text: string): Promise<ParsedDocument>;
  dispose(): void;
}

interface Pending {
  resolve(p: ParsedDocument): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** Whether a document is a YAML too large to parse on the host but within the readers' limit. */
export function parsesOffThread(fileName: string, text: string): boolean {
  return /\.ya?ml$/i.test(fileName) && text.length > MAX_EDITOR_YAML_BYTES && text.length <= MAX_FILE_BYTES;
}

/**
 * A parser on one worker thread. `workerFile`: the bundled dist/parse-worker.js next to the extension (the tests
 * start test/unit/helpers/parse-worker.mjs, which loads the TypeScript entry).
 */
export function offThreadParser(workerFile = path.join(__dirname, 'parse-worker.js'), execArgv: string[] = [], timeoutMs = 10_000): OffThreadParser {
  let worker: Worker | null = null;
  let next = 1;
  const pending = new Map<number, Pending>();
  const failAll = (e: Error) => {
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    pending.clear();
    worker = null;
  };
  const start = (): Worker => {
    const w = new Worker(workerFile, { execArgv });
    w.unref();
    w.on('message', (m: { id: number; parsed: ParsedDocument }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      clearTimeout(p.timer);
      p.resolve(m.parsed);
    });
    w.on('error', (e) => failAll(e));
    w.on('exit', () => failAll(new Error('the parse worker exited')));
    return w;
  };
  return {
    parse(fileName, text) {
      worker ??= start();
      const w = worker;
      const id = next++;
      return new Promise<ParsedDocument>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`parsing ${fileName} took longer than ${timeoutMs} ms`));
          void w.terminate();
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        w.postMessage({ id, fileName, text });
      });
    },
    dispose() {
      const w = worker;
      failAll(new Error('disposed'));
      void w?.terminate();
    },
  };
}
