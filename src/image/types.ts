import type { Readable } from 'node:stream';

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly 'os.version'?: string;
}

/** OCI content descriptor. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly artifactType?: string;
  readonly urls?: readonly string[];
}

/** Raw manifest bytes as served, before parsing; the caller verifies the digest. */
export interface RawManifest {
  readonly bytes: Buffer;
  /** Content type as declared by the store (may be empty: then sniffed from the JSON). */
  readonly mediaType: string;
  /** Digest the store claims for these bytes (Docker-Content-Digest), if any. */
  readonly digest?: string;
}

/**
 * Content-addressed access to one repository's manifests and blobs: an OCI
 * layout, an OCI archive or a registry. Implementations stream and never
 * verify; verification happens once, in the image resolver and layer reader.
 */
export interface BlobStore {
  /** Human-readable name for messages (`oci:/path`, `docker://host/repo`). */
  readonly name: string;
  /** Fetches a manifest or index by tag or digest. Throws MamoriError NOT_FOUND when absent. */
  fetchManifest(reference: string, maxBytes: number): Promise<RawManifest>;
  /** Opens a blob stream by digest. `size`, when known, lets the store bound the read. */
  openBlob(digest: string, size?: number): Promise<Readable>;
  close(): Promise<void>;
}

/** One layer of a resolved image. */
export interface LayerDescriptor {
  readonly index: number;
  /** Digest of the blob as stored (compressed); undefined where the format does not record it. */
  readonly digest?: string;
  /** Digest of the uncompressed tar (config `rootfs.diff_ids`). */
  readonly diffId: string;
  readonly size?: number;
  readonly mediaType: string;
}

/** The parts of an OCI / Docker image config mamori reads. */
export interface ImageConfig {
  readonly architecture?: string;
  readonly os?: string;
  readonly variant?: string;
  readonly created?: string;
  readonly author?: string;
  readonly config?: {
    readonly User?: string;
    readonly Env?: readonly string[];
    readonly Entrypoint?: readonly string[] | null;
    readonly Cmd?: readonly string[] | null;
    readonly WorkingDir?: string;
    readonly Labels?: Readonly<Record<string, string>> | null;
    readonly ExposedPorts?: Readonly<Record<string, unknown>> | null;
    readonly Volumes?: Readonly<Record<string, unknown>> | null;
    readonly Healthcheck?: unknown;
    readonly StopSignal?: string;
  };
  readonly rootfs: { readonly type: string; readonly diff_ids: readonly string[] };
  readonly history?: ReadonlyArray<{
    readonly created?: string;
    readonly created_by?: string;
    readonly empty_layer?: boolean;
    readonly comment?: string;
  }>;
}

/** An image reduced to what the layer walker needs. */
export interface ResolvedImage {
  /** Digest of the image manifest (not of an index that pointed to it), if the source has one. */
  readonly manifestDigest?: string;
  readonly manifestMediaType?: string;
  /** Digest of the index the manifest was chosen from, if any. */
  readonly indexDigest?: string;
  readonly configDigest?: string;
  readonly config: ImageConfig;
  readonly platform?: Platform;
  readonly layers: readonly LayerDescriptor[];
  readonly repoTags?: readonly string[];
}

/** One image, from any transport except `dir:`. */
export interface ImageSource {
  /** Human-readable name for messages. */
  readonly name: string;
  resolve(): Promise<ResolvedImage>;
  /** The layer's bytes as stored (compressed or not), unverified: the layer reader verifies. */
  openLayer(layer: LayerDescriptor): Promise<Readable>;
  close(): Promise<void>;
}
