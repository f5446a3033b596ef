import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MamoriError, type LayerRef, type Package } from '../core/index.js';
import {
  DEFAULT_MAX_LAYER_BYTES,
  dirEntries,
  openImageSource,
  parsePlatform,
  detectLocalTarget,
  parseReference,
  readLayer,
  tarEntries,
  type ImageConfig,
  type ImageReference,
  type ImageSource,
  parseDockerReference,
  type LayerDescriptor,
  type RegistryAccess,
  type Platform,
  type ResolvedImage,
} from '../image/index.js';
import { analyzeLayer, type LayerAnalysis } from './analysis.js';
import {
  type AnalyzedLayer,
  attributeLayers,
  attributeOwners,
  collectFacts,
  comparePackages,
} from './assemble.js';
import { LayerCache, defaultCacheDir, layerCacheKey } from './cache.js';
import type { Cataloger, Fact, StreamAnalyzer } from './cataloger.js';
import { selectCatalogers } from './catalogers/index.js';
import { type OsFact, detectDistro, osDetector } from './os/index.js';
import type { Inventory, InventoryLayer, InventorySource } from './types.js';
import { FileView } from './view.js';

export type ProgressEvent =
  | { readonly phase: 'resolve'; readonly ref: string }
  | { readonly phase: 'layers'; readonly total: number; readonly totalBytes?: number }
  | { readonly phase: 'layer-start'; readonly index: number; readonly cached: boolean }
  | { readonly phase: 'bytes'; readonly index: number; readonly bytes: number }
  | { readonly phase: 'layer-done'; readonly index: number }
  | { readonly phase: 'catalog' };

export interface InventoryOptions {
  /** `OS/ARCH[/VARIANT]` or a Platform; default the host's. */
  readonly platform?: string | Platform;
  /** Cataloger selection expressions (`+npm-lock`, `-java-archive`, `python-package`); default: those tagged `image`. */
  readonly select?: readonly string[];
  /** The catalogers to run, instead of a selection. */
  readonly catalogers?: readonly Cataloger[];
  /**
   * Further file analysers (secret detection, files the image checks read):
   * they select and parse files like catalogers, in the same single pass, and
   * their facts stay in the layer analyses instead of becoming packages.
   */
  readonly analyzers?: readonly Cataloger[];
  /** Analysers fed the content of every file they select as it streams past (secret detection). */
  readonly streamAnalyzers?: readonly StreamAnalyzer[];
  /** Layer cache directory; false disables the cache. Default `~/.cache/mamori`. */
  readonly cacheDir?: string | false;
  /** Parent of the per-run sandbox for spilled files. Default the OS temp dir. */
  readonly tmpDir?: string;
  readonly maxLayerBytes?: number;
  /** Layers analysed at once. Default 2. */
  readonly concurrency?: number;
  readonly registry?: RegistryAccess;
  /**
   * An image source already open (a registry reading its own storage):
   * the image is read from it instead of resolving `ref`, which then only
   * names the image in the inventory. The caller closes it.
   */
  readonly source?: ImageSource;
  readonly onProgress?: (e: ProgressEvent) => void;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < items.length && failed === undefined) {
      const i = next++;
      try {
        out[i] = await fn(items[i] as T);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed !== undefined) throw failed;
  return out;
}

/** Display name and tag of what was scanned. */
function imageName(ref: ImageReference): { name: string; tag?: string } {
  if (ref.transport === 'docker') {
    const d = parseDockerReference(ref.reference);
    return { name: `${d.registry}/${d.repository}`, ...(d.tag ? { tag: d.tag } : {}) };
  }
  return { name: ref.path, ...('tag' in ref && ref.tag ? { tag: ref.tag } : {}) };
}

/** What was scanned, for reports: name, tag, digests, platform and layers with the instruction that made each. */
function describeSource(
  ref: string,
  parsed: Exclude<ImageReference, { transport: 'dir' }>,
  resolved: ResolvedImage,
): InventorySource {
  const n = imageName(parsed);
  const history = (resolved.config.history ?? []).filter((h) => !h.empty_layer);
  const tag = n.tag ?? resolved.repoTags?.[0]?.split(':').pop();
  return {
    ref,
    transport: parsed.transport,
    name: n.name,
    ...(tag ? { tag } : {}),
    ...(resolved.manifestDigest ? { manifestDigest: resolved.manifestDigest } : {}),
    ...(resolved.indexDigest ? { indexDigest: resolved.indexDigest } : {}),
    ...(resolved.configDigest ? { configDigest: resolved.configDigest } : {}),
    ...(resolved.platform ? { platform: resolved.platform } : {}),
    ...(resolved.config.created ? { created: resolved.config.created } : {}),
    layers: resolved.layers.map((l, i): InventoryLayer => ({
      index: l.index,
      diffId: l.diffId,
      ...(l.digest ? { digest: l.digest } : {}),
      ...(l.size !== undefined ? { size: l.size } : {}),
      mediaType: l.mediaType,
      ...(history[i]?.created_by ? { createdBy: history[i]?.created_by } : {}),
    })),
    ...(resolved.config.config?.Labels ? { labels: resolved.config.config.Labels } : {}),
  };
}

/**
 * Inventories an image or root filesystem: every package inside it, with
 * its files, its layer and its OS-package owner. Layers are streamed once
 * each, never extracted, and cached by diff-id.
 */
export async function inventory(ref: string, options: InventoryOptions = {}): Promise<Inventory> {
  return (await analyzeImageRef(ref, options)).inventory;
}

/**
 * Everything one pass over an image yields: the inventory, and for checks
 * that look past packages, the image config, each layer's analysis (files
 * and facts, including files later layers delete) and the merged file view.
 * The config is handed over as the image holds it (its environment may
 * carry secrets): callers must not print it as it is.
 */
export interface ImageAnalysis {
  readonly inventory: Inventory;
  /** Absent for `dir:` root filesystems. */
  readonly config?: ImageConfig;
  readonly layers: readonly AnalyzedLayer[];
  readonly view: FileView;
}

/** `inventory`, with the config, the layer analyses and the merged file view kept (see ImageAnalysis). */
export async function analyzeImageRef(ref: string, options: InventoryOptions = {}): Promise<ImageAnalysis> {
  // A bare local path (`./rootfs`, `image.tar`) means what is there, not a registry name.
  const local = options.source ? undefined : await detectLocalTarget(ref);
  if (local?.kind === 'file') {
    throw new MamoriError(
      'INVALID_REFERENCE',
      `${ref}: not an image archive, OCI layout or directory (for an SBOM file, use mamori scan)`,
    );
  }
  const parsed = parseReference(local?.ref ?? ref);
  const platform = typeof options.platform === 'string' ? parsePlatform(options.platform) : options.platform;
  const chosen = options.catalogers ?? selectCatalogers(options.select ?? [], 'image');
  const catalogers: Cataloger[] = [osDetector as Cataloger, ...chosen, ...(options.analyzers ?? [])];
  const streamAnalyzers = options.streamAnalyzers ?? [];
  const names = new Set<string>();
  for (const c of [...catalogers, ...streamAnalyzers]) {
    if (names.has(c.name)) throw new MamoriError('INVALID_ARGUMENT', `cataloger "${c.name}" selected twice`);
    names.add(c.name);
  }
  const sandbox = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'mamori-'));
  const progress = options.onProgress ?? (() => {});
  try {
    let layers: AnalyzedLayer[];
    let source: InventorySource;
    let config: ImageConfig | undefined;
    if (parsed.transport === 'dir') {
      if (options.source) {
        throw new MamoriError(
          'INVALID_ARGUMENT',
          `${ref}: a directory reference cannot name an image source`,
        );
      }
      progress({ phase: 'layers', total: 1 });
      progress({ phase: 'layer-start', index: 0, cached: false });
      const analysis = await analyzeLayer(dirEntries(parsed.path), {
        catalogers,
        streamAnalyzers,
        sandbox,
        what: `dir:${parsed.path}`,
      });
      progress({ phase: 'layer-done', index: 0 });
      layers = [{ ref: { index: 0, diffId: 'dir' }, analysis }];
      source = { ref, transport: 'dir', name: parsed.path, layers: [] };
    } else {
      progress({ phase: 'resolve', ref });
      const img =
        options.source ??
        (await openImageSource(parsed, {
          ...(platform ? { platform } : {}),
          ...(options.registry ? { registry: options.registry } : {}),
        }));
      try {
        const resolved = await img.resolve();
        layers = await analyzeImage(img, resolved, catalogers, streamAnalyzers, options, sandbox, progress);
        source = describeSource(ref, parsed, resolved);
        config = resolved.config;
      } finally {
        if (!options.source) await img.close();
      }
    }
    progress({ phase: 'catalog' });
    const view = new FileView();
    for (const { ref: r, analysis } of layers) view.apply(r.index, analysis);
    return {
      inventory: catalog(source, layers, chosen, view),
      ...(config ? { config } : {}),
      layers,
      view,
    };
  } finally {
    await rm(sandbox, { recursive: true, force: true });
  }
}

async function analyzeImage(
  img: ImageSource,
  resolved: ResolvedImage,
  catalogers: readonly Cataloger[],
  streamAnalyzers: readonly StreamAnalyzer[],
  options: InventoryOptions,
  sandbox: string,
  progress: (e: ProgressEvent) => void,
): Promise<AnalyzedLayer[]> {
  const cache =
    options.cacheDir === false ? undefined : new LayerCache(options.cacheDir ?? defaultCacheDir());
  const limits = { maxLayerBytes: options.maxLayerBytes ?? DEFAULT_MAX_LAYER_BYTES };
  const sizes = resolved.layers.map((l) => l.size);
  const totalBytes = sizes.every((s) => s !== undefined)
    ? sizes.reduce((a: number, s) => a + (s ?? 0), 0)
    : undefined;
  progress({
    phase: 'layers',
    total: resolved.layers.length,
    ...(totalBytes !== undefined ? { totalBytes } : {}),
  });
  const open = (l: LayerDescriptor, what: string, counted: boolean) => {
    return async function* () {
      const raw = await img.openLayer(l);
      const onBytes = counted
        ? (n: number) => progress({ phase: 'bytes', index: l.index, bytes: n })
        : undefined;
      yield* tarEntries(readLayer(raw, l, what, limits, onBytes), what);
    };
  };
  return mapLimit(resolved.layers, options.concurrency ?? 2, async (l): Promise<AnalyzedLayer> => {
    const ref: LayerRef = { index: l.index, diffId: l.diffId };
    const key = layerCacheKey(l.diffId, [...catalogers, ...streamAnalyzers]);
    const cached = await cache?.get(key);
    progress({ phase: 'layer-start', index: l.index, cached: cached !== undefined });
    let analysis: LayerAnalysis;
    if (cached) {
      analysis = cached;
    } else {
      const what = `${img.name} layer ${l.index} (${l.digest ?? l.diffId})`;
      analysis = await analyzeLayer(open(l, what, true)(), {
        catalogers,
        streamAnalyzers,
        sandbox,
        what: `layer ${l.index}`,
        reopen: open(l, what, false),
      });
      await cache?.put(key, analysis);
    }
    progress({ phase: 'layer-done', index: l.index });
    return { ref, analysis };
  });
}

function catalog(
  source: InventorySource,
  layers: readonly AnalyzedLayer[],
  catalogers: readonly Cataloger[],
  view: FileView,
): Inventory {
  const warnings = layers.flatMap((l) => l.analysis.warnings);
  const distro = detectDistro(collectFacts(osDetector.name, layers, view).visible as Fact<OsFact>[]);
  const ctx = distro ? { distro } : {};
  let packages: Package[] = [];
  for (const c of catalogers) {
    const { visible, history } = collectFacts(c.name, layers, view);
    if (visible.length === 0) continue;
    try {
      packages.push(...attributeLayers(c, c.assemble(visible, ctx), history, ctx));
    } catch (e) {
      warnings.push(`${c.name}: ${(e as Error).message}`);
    }
  }
  packages = attributeOwners(packages, view).sort(comparePackages);
  return { schemaVersion: 1, source, ...(distro ? { distro } : {}), packages, warnings };
}
