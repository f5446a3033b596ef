/** The OCI shapes signatures live in: signature manifests and referrers indexes. Pure. */
import { createHash } from 'node:crypto';
import { isValidDigest } from '../../image/registry/index.js';
import { SIGNATURE_ARTIFACT_TYPE } from './types.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}

/** A signature manifest: its layers (unvalidated) and the subject it names, if any. */
export interface SignatureManifest {
  readonly layers: readonly unknown[];
  readonly subject?: string;
}

export function parseSignatureManifest(bytes: Buffer): SignatureManifest | undefined {
  const doc = parseJson(bytes);
  if (!isObject(doc) || doc.schemaVersion !== 2 || !Array.isArray(doc.layers)) return undefined;
  const subject = isObject(doc.subject) ? doc.subject.digest : undefined;
  return { layers: doc.layers, ...(typeof subject === 'string' ? { subject } : {}) };
}

/** The digests of the manifests of `artifactType` a referrers index lists, in order. */
export function signatureReferrers(
  bytes: Buffer,
  artifactType: string = SIGNATURE_ARTIFACT_TYPE,
): string[] | undefined {
  const doc = parseJson(bytes);
  if (!isObject(doc) || !Array.isArray(doc.manifests)) return undefined;
  const out: string[] = [];
  for (const d of doc.manifests as unknown[]) {
    if (!isObject(d) || d.artifactType !== artifactType) continue;
    if (typeof d.digest === 'string' && isValidDigest(d.digest)) out.push(d.digest);
  }
  return out;
}

/** Whether `bytes` hash to `digest` (sha256 or sha512); other algorithms never match. */
export function matchesDigest(bytes: Buffer, digest: string): boolean {
  const i = digest.indexOf(':');
  const algo = digest.slice(0, i);
  if (algo !== 'sha256' && algo !== 'sha512') return false;
  return createHash(algo).update(bytes).digest('hex') === digest.slice(i + 1);
}

/** The cosign tag of an image digest: `sha256:abc` → `sha256-abc.sig` (or `.att`). */
export function signatureTag(digest: string, suffix: '.sig' | '.att' = '.sig'): string {
  return `${digest.replace(':', '-')}${suffix}`;
}
