import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MamoriError } from '../../core/index.js';
import { DIGEST_RE } from '../../image/index.js';
import { INDEX_VERSION, type ExecutableIndex, type IndexSource, type IndexedExecutable } from './types.js';

const FORMAT = 'mamori-executable-index';
/** Largest cache file read back. */
const MAX_CACHE_BYTES = 256 * 1024 * 1024;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The index as stored: tuples, and each layer digest once. */
interface Stored {
  readonly format: string;
  readonly version: number;
  readonly source: IndexSource;
  readonly layers: ReadonlyArray<string | null>;
  /** [path, sha256 hex, size, mode, layer] */
  readonly files: ReadonlyArray<readonly [string, string, number, number, number]>;
  readonly symlinks: ReadonlyArray<readonly [string, string]>;
  readonly warnings: readonly string[];
}

/** The index as JSON (for the cache, or to keep it beside a workload's profile). */
export function serializeIndex(index: ExecutableIndex): string {
  const layers: Array<string | null> = [];
  const files: Array<[string, string, number, number, number]> = [];
  for (const [p, f] of index.files) {
    layers[f.layer] = f.layerDigest ?? null;
    files.push([p, f.sha256.slice('sha256:'.length), f.size, f.mode, f.layer]);
  }
  const stored: Stored = {
    format: FORMAT,
    version: INDEX_VERSION,
    source: index.source,
    layers: Array.from(layers, (l) => l ?? null),
    files,
    symlinks: [...index.symlinks],
    warnings: index.warnings,
  };
  return JSON.stringify(stored);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isAbs = (v: unknown): v is string => typeof v === 'string' && v.startsWith('/') && !v.includes('\0');

function bad(what: string): never {
  throw new MamoriError('INVALID_ARGUMENT', `executable index: ${what}`);
}

function parseSource(v: unknown): IndexSource {
  if (typeof v !== 'object' || v === null) bad('source is not an object');
  const s = v as Record<string, unknown>;
  if ((s.kind !== 'image' && s.kind !== 'rootfs') || typeof s.name !== 'string') bad('source is malformed');
  for (const k of ['configDigest', 'manifestDigest'] as const) {
    if (s[k] !== undefined && (typeof s[k] !== 'string' || !DIGEST_RE.test(s[k])))
      bad(`source.${k} is malformed`);
  }
  return {
    kind: s.kind,
    name: s.name,
    ...(typeof s.configDigest === 'string' ? { configDigest: s.configDigest } : {}),
    ...(typeof s.manifestDigest === 'string' ? { manifestDigest: s.manifestDigest } : {}),
  };
}

/** Reads an index written by serializeIndex, checking every field; throws MamoriError on anything else. */
export function parseIndex(text: string): ExecutableIndex {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new MamoriError('INVALID_ARGUMENT', 'executable index: not JSON', { cause: e });
  }
  if (typeof doc !== 'object' || doc === null) bad('not an object');
  const d = doc as Record<string, unknown>;
  if (d.format !== FORMAT || d.version !== INDEX_VERSION) bad('unknown format or version');
  const source = parseSource(d.source);
  if (!Array.isArray(d.layers) || !Array.isArray(d.files) || !Array.isArray(d.symlinks))
    bad('missing tables');
  if (!Array.isArray(d.warnings) || !d.warnings.every((w) => typeof w === 'string'))
    bad('warnings malformed');
  const layers = d.layers as unknown[];
  if (!layers.every((l) => l === null || (typeof l === 'string' && DIGEST_RE.test(l))))
    bad('layers malformed');
  const files = new Map<string, IndexedExecutable>();
  for (const t of d.files as unknown[]) {
    if (!Array.isArray(t) || t.length !== 5) bad('file entry malformed');
    const [p, hex, size, mode, layer] = t as unknown[];
    if (!isAbs(p) || typeof hex !== 'string' || !SHA256_HEX.test(hex)) bad('file entry malformed');
    if (!isCount(size) || !isCount(mode) || mode > 0o7777 || !isCount(layer) || layer >= layers.length)
      bad(`file entry ${p} malformed`);
    const digest = layers[layer];
    files.set(p, {
      sha256: `sha256:${hex}`,
      size,
      mode,
      layer,
      ...(typeof digest === 'string' ? { layerDigest: digest } : {}),
    });
  }
  const symlinks = new Map<string, string>();
  for (const t of d.symlinks as unknown[]) {
    if (
      !Array.isArray(t) ||
      t.length !== 2 ||
      !isAbs(t[0]) ||
      typeof t[1] !== 'string' ||
      t[1].length > 4096 ||
      t[1].includes('\0')
    )
      bad('symlink entry malformed');
    symlinks.set(t[0], t[1]);
  }
  return { version: INDEX_VERSION, source, files, symlinks, warnings: d.warnings as string[] };
}

function cachePath(dir: string, configDigest: string): string {
  if (!DIGEST_RE.test(configDigest))
    throw new MamoriError('INVALID_ARGUMENT', `bad config digest ${configDigest}`);
  return join(dir, 'drift', `v${INDEX_VERSION}`, `${configDigest.replace(':', '-')}.json`);
}

/** The cached index of the image with this config digest, or undefined; a damaged file is removed. */
export async function readIndexCache(
  dir: string,
  configDigest: string,
): Promise<ExecutableIndex | undefined> {
  const p = cachePath(dir, configDigest);
  const st = await stat(p).catch(() => undefined);
  if (!st?.isFile()) return undefined;
  try {
    if (st.size > MAX_CACHE_BYTES) throw new Error('too large');
    const index = parseIndex(await readFile(p, 'utf8'));
    if (index.source.configDigest !== configDigest) throw new Error('another image');
    return index;
  } catch {
    await rm(p, { force: true });
    return undefined;
  }
}

/** Stores an image's index under its config digest, atomically (temporary name, then rename). */
export async function writeIndexCache(dir: string, index: ExecutableIndex): Promise<void> {
  const digest = index.source.configDigest;
  if (digest === undefined) return;
  const p = cachePath(dir, digest);
  await mkdir(join(p, '..'), { recursive: true, mode: 0o700 });
  const tmp = `${p}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, serializeIndex(index), { mode: 0o600 });
    await rename(tmp, p);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
