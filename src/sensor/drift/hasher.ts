import { createHash } from 'node:crypto';
import { SYSTEM_BIN_DIRS } from '../../core/index.js';
import type { EntryInfo, StreamAnalyzer, StreamSink } from '../../inventory/index.js';

/** Directories whose regular files count as executables whatever their mode. */
export const BINARY_DIRS: readonly string[] = [...SYSTEM_BIN_DIRS, '/usr/libexec', '/usr/local/libexec'];

/** Whether a regular file belongs in the index: any execute bit, or under a binary directory. */
export function isExecutableCandidate(path: string, mode: number): boolean {
  if ((mode & 0o111) !== 0) return true;
  return BINARY_DIRS.some((d) => path.startsWith(`${d}/`));
}

/** Name of the facts the hasher leaves in a layer analysis. */
export const HASHER_NAME = 'drift-sha256';

/**
 * A stream analyser that hashes every executable candidate as the layer
 * streams past: the content is never held, whatever the file's size. Its
 * facts (`sha256:<hex>`) are cached with the layer analysis by diff-id.
 */
export const executableHasher: StreamAnalyzer<string> = {
  name: HASHER_NAME,
  version: 1,
  select: (e: EntryInfo) => e.type === 'file' && isExecutableCandidate(e.path, e.mode),
  open: (): StreamSink<string> => {
    const hash = createHash('sha256');
    return {
      done: false,
      write: (chunk: Buffer) => {
        hash.update(chunk);
      },
      end: () => `sha256:${hash.digest('hex')}`,
    };
  },
};
