/**
 * One bounded, regular-file-only read for the CLI and the extension (node:fs; the webview never imports this).
 * Symbolic links are resolved and the target checked: it must be a regular file (no FIFO, device or socket: a
 * `config.json` linked to /dev/zero or a named pipe is refused without blocking), and, when `roots` are given (an
 * untrusted workspace), inside one of them. The size is checked on the bytes actually read, never on `stat` alone.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { MAX_FILE_BYTES } from '../parsers/types.ts';

export class FileReadError extends Error {
  constructor(
    readonly file: string,
    readonly reason: 'missing' | 'not-regular' | 'too-large' | 'outside' | 'unreadable',
    message: string,
  ) {
    super(message);
    this.name = 'FileReadError';
  }
}

export const limitLabel = (n = MAX_FILE_BYTES) => (n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`);

const KIND = (st: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean; isDirectory(): boolean }) =>
  st.isFIFO() ? 'a named pipe' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : st.isDirectory() ? 'a directory' : 'not a regular file';

/** Whether `p` is `root` or inside it (both absolute, normalized). */
export function insidePath(p: string, root: string): boolean {
  const r = root.replace(/[\\/]+$/, '');
  return p === r || p.startsWith(r + '/') || p.startsWith(r + '\\');
}

/**
 * The text of `file` (UTF-8), at most `limit` bytes. Throws FileReadError with a one-line message naming the file
 * (and the limit when it is over).
 */
export function readBoundedText(file: string, opts: { limit?: number; roots?: readonly string[] } = {}): string {
  const limit = opts.limit ?? MAX_FILE_BYTES;
  let real: string;
  try {
    real = realpathSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FileReadError(file, code === 'ENOENT' ? 'missing' : 'unreadable', `${file}: cannot read (${code ?? 'error'})`);
  }
  if (opts.roots) {
    const roots = opts.roots.map((r) => {
      try {
        return realpathSync(r);
      } catch {
        return r;
      }
    });
    if (!roots.some((r) => insidePath(real, r))) throw new FileReadError(file, 'outside', `${file}: resolves outside the workspace folders (${real}); not read in an untrusted workspace`);
  }
  let fd: number;
  try {
    // O_NONBLOCK: opening a named pipe must not wait for a writer; fstat below refuses it.
    fd = openSync(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new FileReadError(file, 'unreadable', `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FileReadError(file, 'not-regular', `${file}: ${KIND(st)}, not a regular file; not read`);
    const buf = Buffer.allocUnsafe(limit + 1);
    let n = 0;
    while (n <= limit) {
      let r: number;
      try {
        r = readSync(fd, buf, n, limit + 1 - n, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue;
        throw new FileReadError(file, 'unreadable', `${file}: cannot read (${code ?? 'error'})`);
      }
      if (r === 0) break;
      n += r;
    }
    if (n > limit) throw new FileReadError(file, 'too-large', `${file}: larger than ${limitLabel(limit)}, the limit for a file LLM Footprint reads; not read`);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
