/**
 * Runs mamori's scanner (vulnerabilities, secrets, misconfigurations) on one
 * image manifest of the registry, read straight from the registry's storage
 * through RegistryImageStore (no copy, no HTTP). With the inventory layer
 * cache (`cacheDir`) a rescan after a database update reads no layer at
 * all: each layer's analysis comes from the cache by its diff-id, and the
 * cost is the config read and the matching.
 */
import { MamoriError } from '../../core/index.js';
import { StoreImageSource } from '../../image/index.js';
import { scan, type ScanResult, type ScannerName } from '../../scan/index.js';
import type { ParsedManifest } from '../spec/index.js';
import type { RegistryImageStore } from './image-store.js';

export interface ImageScanOptions {
  readonly scanners: readonly ScannerName[];
  /** The vulnerability database; required when `scanners` holds `vuln`. */
  readonly db?: string;
  /** Inventory layer cache directory, or false. */
  readonly cacheDir: string | false;
  /** Parent of the scanner's temp dirs; default the OS temp dir. */
  readonly tmpDir?: string;
  /** Checked before the scan starts (the scan proper cannot be interrupted). */
  readonly signal?: AbortSignal;
}

/** Scans the image manifest `digest` of the store's repository. */
export async function scanRegistryImage(
  store: RegistryImageStore,
  digest: string,
  manifest: ParsedManifest,
  options: ImageScanOptions,
): Promise<ScanResult> {
  if (manifest.kind !== 'image') {
    throw new MamoriError('INVALID_MANIFEST', `${digest} is an index, not an image manifest`);
  }
  options.signal?.throwIfAborted();
  const ref = `${store.repository}@${digest}`;
  const source = new StoreImageSource(store, digest, undefined);
  try {
    const result = await scan(`docker://${ref}`, {
      scanners: options.scanners,
      ...(options.db !== undefined ? { db: options.db } : {}),
      cacheDir: options.cacheDir,
      ...(options.tmpDir !== undefined ? { tmpDir: options.tmpDir } : {}),
      concurrency: 1,
      source,
    });
    const inv = result.inventory;
    return {
      ...result,
      inventory: { ...inv, source: { ...inv.source, ref, transport: 'docker', name: store.repository } },
    };
  } finally {
    await source.close();
  }
}
