/**
 * Test support: real Debian root filesystems built with mmdebstrap, once per
 * machine, into the shared test cache (`$MAMORI_TEST_CACHE`, default
 * `/tmp/mamori-test-cache`; see cache.ts for the lock that keeps parallel test
 * files from building the same tree twice).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cached } from './cache.js';

const run = promisify(execFile);

export interface DebianRootfsOptions {
  /** Cache entry name; different options must use different names. Default `debian12-min`. */
  readonly name?: string;
  /** Suite or codename. Default `bookworm`. */
  readonly suite?: string;
  /** mmdebstrap variant. Default `minbase`. */
  readonly variant?: string;
  /** Extra packages. Default `['python3-requests']`. */
  readonly include?: readonly string[];
}

const WORD_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PKG_RE = /^[a-z0-9][a-z0-9+.-]+$/;

/**
 * Returns the path of a real Debian root filesystem (a directory), building it
 * with `mmdebstrap --variant=VARIANT --include=… SUITE DIR` on first use
 * (about 30 s; needs mmdebstrap, root and Debian's mirror).
 */
export async function debianRootfs(options: DebianRootfsOptions = {}): Promise<string> {
  const name = options.name ?? 'debian12-min';
  const suite = options.suite ?? 'bookworm';
  const variant = options.variant ?? 'minbase';
  const include = options.include ?? ['python3-requests'];
  if (![name, suite, variant].every((w) => WORD_RE.test(w)) || !include.every((p) => PKG_RE.test(p))) {
    throw new Error('debianRootfs: invalid name, suite, variant or package');
  }
  const dir = await cached(name, async (out) => {
    const args = [`--variant=${variant}`, '--quiet'];
    if (include.length > 0) args.push(`--include=${include.join(',')}`);
    args.push(suite, join(out, 'rootfs'));
    try {
      await run('mmdebstrap', args, { maxBuffer: 64 * 1024 * 1024, timeout: 20 * 60 * 1000 });
    } catch (e) {
      throw new Error(
        `mmdebstrap ${args.join(' ')} failed (is mmdebstrap installed and the mirror reachable?)`,
        {
          cause: e,
        },
      );
    }
  });
  return join(dir, 'rootfs');
}
