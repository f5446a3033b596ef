/**
 * Owned-file lists of dpkg packages: `/var/lib/dpkg/info/NAME[:ARCH].list`
 * (one absolute path a line, directories included, `/.` first) and the
 * `NAME[:ARCH].md5sums` files distroless images keep in status.d
 * (`<md5>  <relative path>` a line).
 */

/** Largest number of paths kept for one package. */
export const MAX_FILES = 250_000;
const MAX_PATH = 4096;

/** `NAME` or `NAME:ARCH` from an info file's base name without its extension. */
export function splitPackageKey(key: string): { name: string; arch?: string } | undefined {
  const m = /^([A-Za-z0-9][A-Za-z0-9+._-]{0,254})(?::([A-Za-z0-9][A-Za-z0-9_-]{0,63}))?$/.exec(key);
  if (m === null) return undefined;
  const name = m[1] ?? '';
  return m[2] === undefined ? { name } : { name, arch: m[2] };
}

function acceptable(path: string): boolean {
  return path.length > 1 && path.length <= MAX_PATH && path.startsWith('/') && !path.includes('\0');
}

/** Paths of a `.list` file, in order, without `/.` and without blank or invalid lines. */
export function parseList(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    if (out.length >= MAX_FILES) break;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '/.' || !acceptable(line)) continue;
    out.push(line);
  }
  return out;
}

/** Absolute paths of an `.md5sums` file, in order. */
export function parseMd5sums(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    if (out.length >= MAX_FILES) break;
    const m = /^[0-9a-fA-F]{32} [ *]?(.+?)\r?$/.exec(raw);
    if (m === null) continue;
    const rel = m[1] ?? '';
    const path = rel.startsWith('/') ? rel : '/' + rel;
    if (acceptable(path)) out.push(path);
  }
  return out;
}
