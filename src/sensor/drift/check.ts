import type { DriftResult, ExecutableIndex } from './types.js';

/** Symlinks followed in one lookup before giving up, as Linux (MAXSYMLINKS). */
export const MAX_SYMLINK_HOPS = 40;
/** Longest path looked up (PATH_MAX). */
const MAX_PATH = 4096;

const split = (p: string): string[] => p.split('/').filter((c) => c !== '' && c !== '.');

/**
 * Resolves every symlink in an absolute `path` through the index, as the
 * kernel would inside the container: `..` stops at `/`, absolute targets
 * restart at the root, relative ones at the link's directory, the last
 * component is followed too. Undefined on a loop (more than 40 links).
 */
export function resolveInIndex(index: ExecutableIndex, path: string): string | undefined {
  const queue = split(path).reverse();
  const current: string[] = [];
  let hops = 0;
  while (queue.length > 0) {
    const c = queue.pop() as string;
    if (c === '..') {
      current.pop();
      continue;
    }
    current.push(c);
    const target = index.symlinks.get('/' + current.join('/'));
    if (target === undefined) continue;
    if (++hops > MAX_SYMLINK_HOPS) return undefined;
    current.pop();
    if (target.startsWith('/')) current.length = 0;
    queue.push(...split(target).reverse());
  }
  return '/' + current.join('/');
}

const HASH = /^(?:sha256:)?([0-9a-fA-F]{64})$/;

/** `sha256:<hex>` in lower case, or undefined when `s` is not a sha256. */
function normalHash(s: string | undefined): string | undefined {
  const m = s === undefined ? null : HASH.exec(s.trim());
  return m?.[1] ? `sha256:${m[1].toLowerCase()}` : undefined;
}

/**
 * Whether the executable a container ran is the image's. `exePath` is the
 * path as the process sees it (inside the container); `sha256` the hash of
 * what ran (`sha256:<hex>` or bare hex), when it could be read.
 *
 * - `in-image`: the path holds an executable of the image with that content;
 * - `modified`: it does, with other content (`expected` is the image's);
 * - `not-in-image`: no executable of the image is at that path (a new file,
 *   a file the image has but not as an executable, a dangling symlink);
 * - `unknown`: no hash to compare with, or the path cannot be resolved
 *   (relative, too long, a symlink loop).
 */
export function checkDrift(index: ExecutableIndex, exePath: string, sha256?: string): DriftResult {
  if (!exePath.startsWith('/') || exePath.length > MAX_PATH || exePath.includes('\0')) {
    return { status: 'unknown', reason: 'path is not absolute or too long' };
  }
  const path = resolveInIndex(index, exePath);
  if (path === undefined) return { status: 'unknown', reason: 'too many levels of symbolic links' };
  const file = index.files.get(path);
  if (!file) return { status: 'not-in-image', path };
  const found = {
    path,
    layer: file.layer,
    ...(file.layerDigest !== undefined ? { layerDigest: file.layerDigest } : {}),
    expected: file.sha256,
  };
  const actual = normalHash(sha256);
  if (actual === undefined) return { status: 'unknown', ...found, reason: 'no hash of the executable' };
  return { status: actual === file.sha256 ? 'in-image' : 'modified', ...found };
}
