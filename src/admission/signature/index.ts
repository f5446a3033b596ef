/**
 * Cosign-compatible keyed image signature verification: simple-signing
 * payloads found under the `sha256-<hex>.sig` tag and as OCI 1.1 referrers,
 * checked against trusted ECDSA P-256 / Ed25519 public keys.
 */
export { verifyImageSignatures } from './verify.js';
export type { VerifyImageSignaturesOptions } from './verify.js';
export { parsePublicKey, parsePublicKeys } from './keys.js';
export type { TrustedKey } from './keys.js';
export { parseSimpleSigning } from './payload.js';
export type { SimpleSigningClaim, PayloadResult } from './payload.js';
export { signatureTag } from './manifest.js';
export { distributionSignatureSource, blobStoreSignatureSource } from './source.js';
export type { DistributionSourceOptions } from './source.js';
export {
  SIMPLE_SIGNING_MEDIA_TYPE,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_TYPE,
  SIGNATURE_ARTIFACT_TYPE,
  MAX_PAYLOAD_BYTES,
  MAX_SIGNATURES,
  MAX_MANIFEST_BYTES,
  MAX_SIGNATURE_BYTES,
  MAX_KEYS,
} from './types.js';
export type {
  SignatureSource,
  SourceManifest,
  SignatureLocation,
  VerifiedSignature,
  SignatureFailure,
  VerificationResult,
} from './types.js';
export {
  verifyImageAttestations,
  dssePae,
  DSSE_MEDIA_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  ATTESTATION_ARTIFACT_TYPE,
  IN_TOTO_STATEMENT_TYPES,
} from './attestation.js';
export type {
  VerifyImageAttestationsOptions,
  VerifiedAttestation,
  AttestationResult,
} from './attestation.js';
