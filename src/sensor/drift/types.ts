/** The executable index of an image and what a drift check concludes. */
import type { Platform, RegistryAccess } from '../../image/index.js';

/** Bumped whenever the index format or what it selects changes: part of the cache file name. */
export const INDEX_VERSION = 1;

/** One executable of the image's final filesystem. */
export interface IndexedExecutable {
  /** `sha256:<hex>` of the file's content. */
  readonly sha256: string;
  readonly size: number;
  /** Permission bits incl. setuid/setgid/sticky. */
  readonly mode: number;
  /** Index of the layer the file comes from (0 for a root filesystem). */
  readonly layer: number;
  /** The layer's blob digest (its diff-id where the format records no blob digest); absent for a root filesystem. */
  readonly layerDigest?: string;
}

/** What the index was built from. */
export interface IndexSource {
  readonly kind: 'image' | 'rootfs';
  /** Human-readable name (`oci:/path`, `docker://…`, the rootfs directory). */
  readonly name: string;
  readonly configDigest?: string;
  readonly manifestDigest?: string;
}

/**
 * The executables of an image's final filesystem (layers applied with their
 * whiteouts and opaque directories) and every symlink, so a path is resolved
 * the way the kernel would inside the container.
 */
export interface ExecutableIndex {
  readonly version: number;
  readonly source: IndexSource;
  /** Absolute path → executable: regular files with an execute bit or under a binary directory, and hard links to them. */
  readonly files: ReadonlyMap<string, IndexedExecutable>;
  /** Absolute path → symlink target as written. */
  readonly symlinks: ReadonlyMap<string, string>;
  /** Members skipped while building (unhashed hard links, over-long link targets). */
  readonly warnings: readonly string[];
}

export type DriftStatus = 'in-image' | 'modified' | 'not-in-image' | 'unknown';

export interface DriftResult {
  readonly status: DriftStatus;
  /** The path after resolving symlinks through the image, when it could be resolved. */
  readonly path?: string;
  /** Layer and expected hash of the image's file (in-image, modified, unknown on a present path). */
  readonly layer?: number;
  readonly layerDigest?: string;
  readonly expected?: string;
  /** Why the status is `unknown`. */
  readonly reason?: string;
}

export interface BuildOptions {
  /** Platform to choose from a multi-platform image; default the host's. */
  readonly platform?: Platform;
  readonly registry?: RegistryAccess;
  /** Index cache directory; false disables caching. Default the inventory's (`~/.cache/mamori`). */
  readonly cacheDir?: string | false;
  /** Most layer members read, summed over all layers (a hostile image's bound). Default 500 000. */
  readonly maxEntries?: number;
  readonly maxLayerBytes?: number;
  /** Parent of the per-build sandbox. Default the OS temp dir. */
  readonly tmpDir?: string;
}
