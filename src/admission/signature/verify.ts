/**
 * Verification of cosign-compatible keyed image signatures, found under the
 * `sha256-<hex>.sig` tag and as OCI 1.1 referrers of the image.
 */
import { MamoriError } from '../../core/index.js';
import { isValidDigest } from '../../image/registry/index.js';
import { discover, type Outcome } from './discover.js';
import { findSigner, parsePublicKeys, type TrustedKey } from './keys.js';
import { BASE64, failure, readLayer } from './layer.js';
import { parseSimpleSigning } from './payload.js';
import {
  MAX_SIGNATURE_BYTES,
  SIGNATURE_ANNOTATION,
  SIGNATURE_ARTIFACT_TYPE,
  SIMPLE_SIGNING_MEDIA_TYPE,
  type SignatureLocation,
  type SignatureSource,
  type VerificationResult,
  type VerifiedSignature,
} from './types.js';

export interface VerifyImageSignaturesOptions {
  /** The repository holding the image and its signatures. */
  readonly source: SignatureSource;
  /** The image manifest digest the signatures must name. */
  readonly digest: string;
  /** Trusted public keys, PEM (ECDSA P-256 or Ed25519). */
  readonly keys: readonly string[];
}

interface Context {
  readonly source: SignatureSource;
  readonly digest: string;
  readonly keys: readonly TrustedKey[];
}

async function checkLayer(
  ctx: Context,
  layer: unknown,
  where: SignatureLocation,
): Promise<Outcome<VerifiedSignature>> {
  let signature = Buffer.alloc(0);
  const read = await readLayer(ctx.source, layer, SIMPLE_SIGNING_MEDIA_TYPE, where, (annotations, digest) => {
    const encoded = annotations[SIGNATURE_ANNOTATION];
    if (typeof encoded !== 'string' || encoded.length === 0) {
      return failure(`malformed signature: no ${SIGNATURE_ANNOTATION} annotation`, where, digest);
    }
    if (encoded.length > (MAX_SIGNATURE_BYTES * 4) / 3 + 4 || !BASE64.test(encoded)) {
      const why = `is not base64 of at most ${MAX_SIGNATURE_BYTES} bytes`;
      return failure(`malformed signature: ${SIGNATURE_ANNOTATION} ${why}`, where, digest);
    }
    signature = Buffer.from(encoded, 'base64');
    return undefined;
  });
  if (!read.ok) return read;
  const { digest, bytes } = read.v;
  const signer = findSigner(ctx.keys, bytes, signature);
  if (signer === undefined) return failure('signature does not verify with any trusted key', where, digest);
  const parsed = parseSimpleSigning(bytes);
  if (!parsed.ok) return failure(parsed.reason, where, digest);
  if (parsed.claim.manifestDigest !== ctx.digest) {
    return failure(`signed payload names another digest ${parsed.claim.manifestDigest}`, where, digest);
  }
  const ref = parsed.claim.dockerReference;
  return {
    ok: true,
    v: {
      keyFingerprint: signer.fingerprint,
      where,
      payloadDigest: digest,
      ...(ref !== undefined ? { dockerReference: ref } : {}),
    },
  };
}

/**
 * Checks every cosign signature of `digest` (at most MAX_SIGNATURES) against
 * the trusted keys. A signature counts only if it verifies over the exact
 * payload bytes with a trusted key and the payload is a cosign simple-signing
 * claim naming `digest`. Registry transport errors propagate as MamoriError.
 */
export async function verifyImageSignatures(opts: VerifyImageSignaturesOptions): Promise<VerificationResult> {
  const digest = checkImageDigest(opts.digest);
  const ctx: Context = { source: opts.source, digest, keys: parsePublicKeys(opts.keys) };
  return discover({
    source: opts.source,
    digest,
    tagSuffix: '.sig',
    artifactType: SIGNATURE_ARTIFACT_TYPE,
    noun: 'signature',
    check: (layer, where) => checkLayer(ctx, layer, where),
  });
}

/** The image digest, validated. */
export function checkImageDigest(digest: unknown): string {
  if (typeof digest !== 'string' || !isValidDigest(digest)) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `${JSON.stringify(String(digest)).slice(0, 200)} is not an image digest`,
    );
  }
  return digest;
}
