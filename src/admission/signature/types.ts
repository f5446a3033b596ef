/** Formats and limits of cosign-compatible image signatures. */

/** Media type of a cosign "simple signing" payload layer. */
export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** Layer annotation holding the base64 signature over the payload bytes. */
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
/** `critical.type` of a cosign container image signature. */
export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';
/** artifactType of a signature manifest attached as an OCI 1.1 referrer. */
export const SIGNATURE_ARTIFACT_TYPE = 'application/vnd.dev.cosign.artifact.sig.v1+json';

export const MAX_PAYLOAD_BYTES = 1024 * 1024;
export const MAX_SIGNATURES = 50;
export const MAX_MANIFEST_BYTES = 1024 * 1024;
export const MAX_SIGNATURE_BYTES = 1024;
export const MAX_KEYS = 64;

/** Raw manifest bytes as a source returned them. */
export interface SourceManifest {
  readonly bytes: Buffer;
  /** Declared content type; may be empty. */
  readonly mediaType: string;
}

/**
 * Read access to the one repository holding an image and its signatures.
 * Every method bounds what it reads by `maxBytes` and throws MamoriError
 * (LIMIT_EXCEEDED past it); "absent" answers undefined.
 */
export interface SignatureSource {
  /** A manifest by tag or digest; undefined when the registry has none. */
  fetchManifest(reference: string, maxBytes: number): Promise<SourceManifest | undefined>;
  /** A blob's bytes by digest (not yet verified). */
  fetchBlob(digest: string, maxBytes: number): Promise<Buffer>;
  /** The referrers index (image index JSON) of `digest`; undefined when the registry has no referrers API. */
  listReferrers(digest: string, maxBytes: number): Promise<Buffer | undefined>;
}

export type SignatureLocation = 'tag' | 'referrer';

export interface VerifiedSignature {
  /** `sha256:<hex>` of the key's DER SubjectPublicKeyInfo. */
  readonly keyFingerprint: string;
  readonly where: SignatureLocation;
  readonly payloadDigest: string;
  /** The signed `critical.identity.docker-reference`, informational only. */
  readonly dockerReference?: string;
}

export interface SignatureFailure {
  readonly reason: string;
  readonly where?: SignatureLocation;
  readonly payloadDigest?: string;
}

export interface VerificationResult {
  readonly verified: readonly VerifiedSignature[];
  readonly failures: readonly SignatureFailure[];
}
