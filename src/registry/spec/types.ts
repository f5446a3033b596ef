/**
 * Shared types of the OCI Distribution Spec v1.1 and the image formats the
 * registry stores (OCI image manifest and index, Docker schema 2 manifest and
 * manifest list). The storage and state layers use these types; values of
 * them are produced only by the validating parsers of this module.
 */

/** A validated digest: `sha256:<64 lowercase hex>` or `sha512:<128 lowercase hex>`. */
export type Digest = string;

/** The digest algorithms the registry verifies. */
export type DigestAlgorithm = 'sha256' | 'sha512';

/** A digest split into its parts. */
export interface ParsedDigest {
  readonly digest: Digest;
  readonly algorithm: DigestAlgorithm;
  /** The lowercase hex encoding of the hash. */
  readonly encoded: string;
}

/** The platform of an image index / manifest list entry (image-spec image-index.md). */
export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly 'os.version'?: string;
  readonly 'os.features'?: readonly string[];
  readonly variant?: string;
  readonly features?: readonly string[];
}

/** An OCI content descriptor (image-spec descriptor.md), validated. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly size: number;
  readonly urls?: readonly string[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly artifactType?: string;
  readonly platform?: Platform;
}

/** `image` for an image manifest (OCI or Docker schema 2), `index` for an image index or manifest list. */
export type ManifestKind = 'image' | 'index';

/** A validated manifest, reduced to what the registry needs to store, check and list it. */
export interface ParsedManifest {
  readonly kind: ManifestKind;
  /**
   * The manifest's media type: the body's `mediaType`, else the request's
   * Content-Type, else (OCI only) the kind the body's fields show. This is
   * the Content-Type the registry serves the manifest with.
   */
  readonly mediaType: string;
  /** The config descriptor (image manifests only). */
  readonly config?: Descriptor;
  /** Layers in stack order (image manifests; empty for an index). */
  readonly layers: readonly Descriptor[];
  /** The listed manifests (indexes; empty for an image manifest). */
  readonly manifests: readonly Descriptor[];
  /** The manifest this one refers to (OCI manifests and indexes only). */
  readonly subject?: Descriptor;
  /**
   * The artifact type as the referrers API reports it: the manifest's own
   * non-empty `artifactType`; else, for an image manifest, the config's
   * media type; else (an index without one) absent.
   */
  readonly artifactType?: string;
  /** The manifest's own annotations, if any. */
  readonly annotations?: Readonly<Record<string, string>>;
}
