/** Bounded, symlink-refusing reads of small files (runtime state, /proc entries). */
import { constants } from 'node:fs';
import { open, readlink } from 'node:fs/promises';

/** Why a bounded read returned nothing. */
export type ReadFailure = 'missing' | 'too-large' | 'unreadable';

/**
 * Reads at most `max` bytes of `path`. A file longer than that gives
 * `too-large` (nothing is parsed from a cut document); a missing file, a
 * vanished process or a symbolic link (with `noFollow`) gives `missing` or
 * `unreadable`. Never throws.
 */
export async function readBounded(
  path: string,
  max: number,
  noFollow = false,
): Promise<Buffer | ReadFailure> {
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | (noFollow ? constants.O_NOFOLLOW : 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ESRCH' || code === 'ENOTDIR' ? 'missing' : 'unreadable';
  }
  try {
    const buf = Buffer.alloc(Math.min(max + 1, 64 * 1024));
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > max) return 'too-large';
      parts.push(Buffer.from(buf.subarray(0, bytesRead)));
    }
    return Buffer.concat(parts);
  } catch {
    return 'unreadable';
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** readlink that returns undefined instead of throwing. */
export async function readLink(path: string): Promise<string | undefined> {
  try {
    return await readlink(path);
  } catch {
    return undefined;
  }
}
