/**
 * Verification of cosign attestations: in-toto statements in DSSE envelopes
 * (SBOM, SLSA provenance, …) found under the `sha256-<hex>.att` tag and as
 * OCI 1.1 referrers, signed by a trusted key and naming the image as subject.
 */
import { discover, type Outcome } from './discover.js';
import { findSigner, parsePublicKeys, type TrustedKey } from './keys.js';
import { BASE64, failure, isRecord, readLayer } from './layer.js';
import {
  MAX_SIGNATURE_BYTES,
  type SignatureFailure,
  type SignatureLocation,
  type SignatureSource,
} from './types.js';
import { checkImageDigest } from './verify.js';

export const DSSE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const ATTESTATION_ARTIFACT_TYPE = 'application/vnd.dev.cosign.artifact.att.v1+json';
export const IN_TOTO_STATEMENT_TYPES: readonly string[] = [
  'https://in-toto.io/Statement/v0.1',
  'https://in-toto.io/Statement/v1',
];
const MAX_ENVELOPE_SIGNATURES = 16;
const MAX_SUBJECTS = 1024;

export interface VerifyImageAttestationsOptions {
  readonly source: SignatureSource;
  readonly digest: string;
  /** Trusted public keys, PEM (ECDSA P-256 or Ed25519). */
  readonly keys: readonly string[];
  /** Accepted predicate types (e.g. `https://slsa.dev/provenance/v1`); all when absent. */
  readonly predicateTypes?: readonly string[];
}

export interface VerifiedAttestation {
  readonly keyFingerprint: string;
  readonly where: SignatureLocation;
  readonly payloadDigest: string;
  readonly predicateType: string;
  readonly predicate: unknown;
}

export interface AttestationResult {
  readonly verified: readonly VerifiedAttestation[];
  readonly failures: readonly SignatureFailure[];
}

/** DSSE pre-authentication encoding of a payload. */
export function dssePae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload,
  ]);
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}

interface Envelope {
  readonly payload: Buffer;
  readonly signatures: readonly Buffer[];
}

function parseEnvelope(bytes: Buffer): Envelope | string {
  const doc = parseJson(bytes);
  if (!isRecord(doc)) return 'malformed envelope: not a JSON object';
  if (doc.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return `malformed envelope: payloadType is not ${IN_TOTO_PAYLOAD_TYPE}`;
  if (typeof doc.payload !== 'string' || !BASE64.test(doc.payload))
    return 'malformed envelope: payload is not base64';
  if (!Array.isArray(doc.signatures) || doc.signatures.length === 0)
    return 'malformed envelope: no signatures';
  const signatures: Buffer[] = [];
  for (const s of (doc.signatures as unknown[]).slice(0, MAX_ENVELOPE_SIGNATURES)) {
    const sig = isRecord(s) ? s.sig : undefined;
    if (typeof sig === 'string' && sig.length <= (MAX_SIGNATURE_BYTES * 4) / 3 + 4 && BASE64.test(sig)) {
      signatures.push(Buffer.from(sig, 'base64'));
    }
  }
  if (signatures.length === 0) return 'malformed envelope: no base64 signature';
  return { payload: Buffer.from(doc.payload, 'base64'), signatures };
}

function subjectMatches(subjects: unknown, digest: string): boolean {
  if (!Array.isArray(subjects)) return false;
  const i = digest.indexOf(':');
  const algo = digest.slice(0, i);
  const hex = digest.slice(i + 1);
  return (subjects as unknown[])
    .slice(0, MAX_SUBJECTS)
    .some((s) => isRecord(s) && isRecord(s.digest) && s.digest[algo] === hex);
}

interface Context {
  readonly source: SignatureSource;
  readonly digest: string;
  readonly keys: readonly TrustedKey[];
  readonly predicateTypes?: readonly string[];
}

async function checkLayer(
  ctx: Context,
  layer: unknown,
  where: SignatureLocation,
): Promise<Outcome<VerifiedAttestation>> {
  const read = await readLayer(ctx.source, layer, DSSE_MEDIA_TYPE, where, () => undefined);
  if (!read.ok) return read;
  const { digest, bytes } = read.v;
  const envelope = parseEnvelope(bytes);
  if (typeof envelope === 'string') return failure(envelope, where, digest);
  const pae = dssePae(IN_TOTO_PAYLOAD_TYPE, envelope.payload);
  let signer: TrustedKey | undefined;
  for (const sig of envelope.signatures) {
    signer = findSigner(ctx.keys, pae, sig);
    if (signer !== undefined) break;
  }
  if (signer === undefined) return failure('signature does not verify with any trusted key', where, digest);
  const statement = parseJson(envelope.payload);
  if (
    !isRecord(statement) ||
    typeof statement._type !== 'string' ||
    !IN_TOTO_STATEMENT_TYPES.includes(statement._type)
  ) {
    return failure('malformed statement: not an in-toto Statement', where, digest);
  }
  if (typeof statement.predicateType !== 'string') {
    return failure('malformed statement: no predicateType', where, digest);
  }
  if (!subjectMatches(statement.subject, ctx.digest)) {
    return failure(`attested subjects do not include ${ctx.digest}`, where, digest);
  }
  const predicateType = statement.predicateType;
  if (ctx.predicateTypes !== undefined && !ctx.predicateTypes.includes(predicateType)) {
    return failure(
      `predicate type ${JSON.stringify(predicateType).slice(0, 200)} is not accepted`,
      where,
      digest,
    );
  }
  return {
    ok: true,
    v: {
      keyFingerprint: signer.fingerprint,
      where,
      payloadDigest: digest,
      predicateType,
      predicate: statement.predicate,
    },
  };
}

/**
 * Checks every cosign attestation of `digest` (at most MAX_SIGNATURES): the
 * DSSE signature over the in-toto statement must verify with a trusted key,
 * and the statement's subjects must include `digest`.
 */
export async function verifyImageAttestations(
  opts: VerifyImageAttestationsOptions,
): Promise<AttestationResult> {
  const digest = checkImageDigest(opts.digest);
  const ctx: Context = {
    source: opts.source,
    digest,
    keys: parsePublicKeys(opts.keys),
    ...(opts.predicateTypes !== undefined ? { predicateTypes: opts.predicateTypes } : {}),
  };
  return discover({
    source: opts.source,
    digest,
    tagSuffix: '.att',
    artifactType: ATTESTATION_ARTIFACT_TYPE,
    noun: 'attestation',
    check: (layer, where) => checkLayer(ctx, layer, where),
  });
}
