import type { Distro, Package } from '../core/index.js';
import type { Platform } from '../image/types.js';

export interface InventoryLayer {
  readonly index: number;
  readonly diffId: string;
  /** Blob digest as stored, where the source records it. */
  readonly digest?: string;
  readonly size?: number;
  readonly mediaType?: string;
  /** The Dockerfile-like instruction that created the layer (config history), when recorded. */
  readonly createdBy?: string;
}

/** What was scanned. */
export interface InventorySource {
  /** The reference as the user gave it. */
  readonly ref: string;
  readonly transport: 'oci' | 'oci-archive' | 'docker-archive' | 'dir' | 'docker' | 'sbom';
  /** Image name without transport, tag or digest, for display and SBOM naming. */
  readonly name: string;
  readonly tag?: string;
  readonly manifestDigest?: string;
  readonly indexDigest?: string;
  readonly configDigest?: string;
  readonly platform?: Platform;
  readonly created?: string;
  readonly layers: readonly InventoryLayer[];
  readonly labels?: Readonly<Record<string, string>>;
}

export interface Inventory {
  readonly schemaVersion: 1;
  readonly source: InventorySource;
  readonly distro?: Distro;
  readonly packages: readonly Package[];
  /** Non-fatal problems (a file too large to read, an unparsable lockfile entry dropped, …). */
  readonly warnings: readonly string[];
}
