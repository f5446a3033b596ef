import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MamoriError } from '../../core/index.js';
import {
  DEFAULT_MAX_LAYER_BYTES,
  detectLocalTarget,
  dirEntries,
  openImageSource,
  parseReference,
  readLayer,
  tarEntries,
  type ImageSource,
  type LayerEntry,
} from '../../image/index.js';
import {
  FileView,
  LayerCache,
  analyzeLayer,
  defaultCacheDir,
  layerCacheKey,
  type LayerAnalysis,
} from '../../inventory/index.js';
import { readIndexCache, writeIndexCache } from './cache.js';
import { HASHER_NAME, executableHasher, isExecutableCandidate } from './hasher.js';
import {
  INDEX_VERSION,
  type BuildOptions,
  type ExecutableIndex,
  type IndexSource,
  type IndexedExecutable,
} from './types.js';

export const DEFAULT_MAX_ENTRIES = 500_000;
/** Longest symlink target kept (PATH_MAX): the kernel refuses longer ones. */
const MAX_LINK_TARGET = 4096;
const MAX_WARNINGS = 100;

interface Budget {
  left: number;
  readonly max: number;
}

function spend(budget: Budget, n: number, what: string): void {
  budget.left -= n;
  if (budget.left < 0)
    throw new MamoriError('LIMIT_EXCEEDED', `${what}: more than ${budget.max} members in the image`);
}

/** Passes members through, failing once the image's member budget is spent. */
async function* bounded(entries: AsyncIterable<LayerEntry>, budget: Budget, what: string) {
  for await (const e of entries) {
    spend(budget, 1, what);
    yield e;
  }
}

interface Hashed {
  readonly sha256: string;
  readonly size: number;
}

/** Path → hash and size of every file the hasher read in one layer. */
function layerHashes(a: LayerAnalysis): Map<string, Hashed> {
  const sums = new Map<string, string>();
  for (const f of a.facts) if (f.c === HASHER_NAME && typeof f.f === 'string') sums.set(f.p, f.f);
  const out = new Map<string, Hashed>();
  for (const r of a.files) {
    const sha256 = r.k === 'f' ? sums.get(r.p) : undefined;
    if (sha256 !== undefined) out.set(r.p, { sha256, size: r.s });
  }
  return out;
}

/** The index of a merged view: executables with their hashes, and every symlink. */
function collect(
  view: FileView,
  hashes: ReadonlyArray<Map<string, Hashed> | undefined>,
  digests: ReadonlyArray<string | undefined>,
  source: IndexSource,
): ExecutableIndex {
  const files = new Map<string, IndexedExecutable>();
  const symlinks = new Map<string, string>();
  const warnings: string[] = [];
  let dropped = 0;
  const warn = (w: string) => (warnings.length < MAX_WARNINGS ? warnings.push(w) : dropped++);
  for (const { rec, layer } of view.entries()) {
    if (rec.k === 'l') {
      const t = rec.l;
      if (t !== undefined && t !== '' && t.length <= MAX_LINK_TARGET && !t.includes('\0'))
        symlinks.set(rec.p, t);
      else warn(`${rec.p}: symlink target empty, too long or holding a NUL, left out`);
      continue;
    }
    if ((rec.k !== 'f' && rec.k !== 'h') || !isExecutableCandidate(rec.p, rec.m)) continue;
    // A hard link's content is its target's, read earlier in the same layer.
    const h = hashes[layer]?.get(rec.k === 'f' ? rec.p : (rec.l ?? ''));
    if (!h) {
      warn(`${rec.p}: hard link to ${rec.l ?? '?'} whose content was not hashed, left out`);
      continue;
    }
    const digest = digests[layer];
    files.set(rec.p, {
      sha256: h.sha256,
      size: h.size,
      mode: rec.m,
      layer,
      ...(digest !== undefined ? { layerDigest: digest } : {}),
    });
  }
  if (dropped > 0) warnings.push(`${dropped} more members left out`);
  return { version: INDEX_VERSION, source, files, symlinks, warnings };
}

async function withSandbox<T>(parent: string | undefined, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(parent ?? tmpdir(), 'mamori-drift-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function indexImage(src: ImageSource, options: BuildOptions): Promise<ExecutableIndex> {
  const resolved = await src.resolve();
  const cacheDir = options.cacheDir === false ? undefined : (options.cacheDir ?? defaultCacheDir());
  const configDigest = resolved.configDigest;
  if (cacheDir && configDigest) {
    const hit = await readIndexCache(cacheDir, configDigest);
    if (hit) return hit;
  }
  const layerCache = cacheDir ? new LayerCache(cacheDir) : undefined;
  const max = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const budget: Budget = { left: max, max };
  const limits = { maxLayerBytes: options.maxLayerBytes ?? DEFAULT_MAX_LAYER_BYTES };
  const index = await withSandbox(options.tmpDir, async (sandbox) => {
    const view = new FileView();
    const hashes: Array<Map<string, Hashed>> = [];
    for (const l of resolved.layers) {
      const what = `${src.name} layer ${l.index} (${l.digest ?? l.diffId})`;
      const key = layerCacheKey(l.diffId, [executableHasher]);
      let analysis = await layerCache?.get(key);
      if (analysis) {
        spend(budget, analysis.files.length + analysis.whiteouts.length + analysis.opaques.length, what);
      } else {
        const tarStream = readLayer(await src.openLayer(l), l, what, limits);
        analysis = await analyzeLayer(bounded(tarEntries(tarStream, what), budget, what), {
          catalogers: [],
          streamAnalyzers: [executableHasher],
          sandbox,
          what: `layer ${l.index}`,
        });
        await layerCache?.put(key, analysis);
      }
      view.apply(l.index, analysis);
      hashes[l.index] = layerHashes(analysis);
    }
    const source: IndexSource = {
      kind: 'image',
      name: src.name,
      ...(configDigest ? { configDigest } : {}),
      ...(resolved.manifestDigest ? { manifestDigest: resolved.manifestDigest } : {}),
    };
    return collect(
      view,
      hashes,
      resolved.layers.map((l) => l.digest ?? l.diffId),
      source,
    );
  });
  if (cacheDir && configDigest) await writeIndexCache(cacheDir, index);
  return index;
}

/**
 * Indexes the executables of an image's final filesystem: every layer is
 * streamed once (each executable hashed on the way, nothing extracted or
 * held), whiteouts and opaque directories applied. The result is cached
 * under the image's config digest, so a second build of the same image only
 * reads the manifest, the config and the cache file.
 *
 * `image` is a reference in any transport mamori reads (`oci:DIR:TAG`,
 * `docker://…`, an archive, a bare local path; `dir:ROOTFS` is handed to
 * indexFromRootfs) or an ImageSource already open, which the caller closes.
 */
export async function buildExecutableIndex(
  image: string | ImageSource,
  options: BuildOptions = {},
): Promise<ExecutableIndex> {
  if (typeof image !== 'string') return indexImage(image, options);
  const local = await detectLocalTarget(image);
  if (local?.kind === 'file') {
    throw new MamoriError('INVALID_REFERENCE', `${image}: not an image archive, OCI layout or directory`);
  }
  const parsed = parseReference(local?.ref ?? image);
  if (parsed.transport === 'dir') return indexFromRootfs(parsed.path, options);
  const src = await openImageSource(parsed, {
    ...(options.platform ? { platform: options.platform } : {}),
    ...(options.registry ? { registry: options.registry } : {}),
  });
  try {
    return await indexImage(src, options);
  } finally {
    await src.close();
  }
}

/**
 * Indexes a container's root filesystem directory (a runc bundle's
 * `rootfs`), read-only: symlinks are recorded, never followed, and files are
 * opened with O_NOFOLLOW. The fallback when the image cannot be reached.
 *
 * What it indexes is the filesystem as it is now: drift is measured against
 * the image only if this runs at container start, before the workload can
 * write; anything written before the call is taken as part of the image.
 * Never cached (a root filesystem changes).
 */
export async function indexFromRootfs(
  dir: string,
  options: Pick<BuildOptions, 'maxEntries' | 'tmpDir'> = {},
): Promise<ExecutableIndex> {
  const max = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const budget: Budget = { left: max, max };
  const what = `dir:${dir}`;
  return withSandbox(options.tmpDir, async (sandbox) => {
    const analysis = await analyzeLayer(bounded(dirEntries(dir), budget, what), {
      catalogers: [],
      streamAnalyzers: [executableHasher],
      sandbox,
      what,
    });
    const view = new FileView();
    view.apply(0, analysis);
    return collect(view, [layerHashes(analysis)], [], { kind: 'rootfs', name: dir });
  });
}
