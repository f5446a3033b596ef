/**
 * Discovery of cosign objects for one image: the manifest under the
 * `sha256-<hex>.sig` / `.att` tag and the OCI 1.1 referrers of a given
 * artifactType, with one budget on the layers examined.
 */
import { isMamoriError } from '../../core/index.js';
import { matchesDigest, parseSignatureManifest, signatureReferrers, signatureTag } from './manifest.js';
import {
  MAX_MANIFEST_BYTES,
  MAX_SIGNATURES,
  type SignatureFailure,
  type SignatureLocation,
  type SignatureSource,
} from './types.js';

/** Errors about content (kept as a failure of one object); any other error propagates. */
const CONTENT_ERRORS = new Set([
  'NOT_FOUND',
  'LIMIT_EXCEEDED',
  'SIZE_MISMATCH',
  'DIGEST_MISMATCH',
  'INVALID_MANIFEST',
]);

/** The reason for a content error; rethrows transport and other errors. */
export function contentFailure(e: unknown, what: string): string {
  if (isMamoriError(e) && CONTENT_ERRORS.has(e.code)) return `${what}: ${e.message}`;
  throw e;
}

export type Outcome<V> =
  { readonly ok: true; readonly v: V } | { readonly ok: false; readonly f: SignatureFailure };

export interface DiscoverOptions<V> {
  readonly source: SignatureSource;
  readonly digest: string;
  readonly tagSuffix: '.sig' | '.att';
  readonly artifactType: string;
  /** What is being looked for, in messages ("signature", "attestation"). */
  readonly noun: string;
  readonly check: (layer: unknown, where: SignatureLocation) => Promise<Outcome<V>>;
}

export interface Discovered<V> {
  readonly verified: V[];
  readonly failures: SignatureFailure[];
}

interface State<V> extends Discovered<V> {
  seen: number;
  truncated: boolean;
}

async function checkLayers<V>(
  o: DiscoverOptions<V>,
  st: State<V>,
  layers: readonly unknown[],
  where: SignatureLocation,
): Promise<void> {
  for (const layer of layers) {
    if (st.seen >= MAX_SIGNATURES) {
      st.truncated = true;
      return;
    }
    st.seen++;
    const out = await o.check(layer, where);
    if (out.ok) st.verified.push(out.v);
    else st.failures.push(out.f);
  }
}

async function fromTag<V>(o: DiscoverOptions<V>, st: State<V>): Promise<void> {
  const tag = signatureTag(o.digest, o.tagSuffix);
  let manifest;
  try {
    manifest = await o.source.fetchManifest(tag, MAX_MANIFEST_BYTES);
  } catch (e) {
    st.failures.push({ reason: contentFailure(e, `${o.noun} tag ${tag}`), where: 'tag' });
    return;
  }
  if (manifest === undefined) return;
  const parsed = parseSignatureManifest(manifest.bytes);
  if (parsed === undefined) {
    st.failures.push({
      reason: `${o.noun} tag ${tag} is not an OCI image manifest with layers`,
      where: 'tag',
    });
    return;
  }
  await checkLayers(o, st, parsed.layers, 'tag');
}

async function fromReferrers<V>(o: DiscoverOptions<V>, st: State<V>): Promise<void> {
  let index;
  try {
    index = await o.source.listReferrers(o.digest, MAX_MANIFEST_BYTES);
  } catch (e) {
    st.failures.push({ reason: contentFailure(e, 'referrers'), where: 'referrer' });
    return;
  }
  if (index === undefined) return;
  const digests = signatureReferrers(index, o.artifactType);
  if (digests === undefined) {
    st.failures.push({ reason: 'the referrers answer is not an image index', where: 'referrer' });
    return;
  }
  for (const d of digests) {
    if (st.seen >= MAX_SIGNATURES) {
      st.truncated = true;
      return;
    }
    let manifest;
    try {
      manifest = await o.source.fetchManifest(d, MAX_MANIFEST_BYTES);
    } catch (e) {
      st.failures.push({ reason: contentFailure(e, `referrer ${d}`), where: 'referrer' });
      continue;
    }
    const parsed =
      manifest !== undefined && matchesDigest(manifest.bytes, d)
        ? parseSignatureManifest(manifest.bytes)
        : undefined;
    if (parsed === undefined) {
      st.failures.push({
        reason: `referrer ${d} is missing, does not match its digest or is not an image manifest`,
        where: 'referrer',
      });
    } else if (parsed.subject !== o.digest) {
      st.failures.push({
        reason: `referrer ${d} does not name ${o.digest} as its subject`,
        where: 'referrer',
      });
    } else {
      await checkLayers(o, st, parsed.layers, 'referrer');
    }
  }
}

/** Examines at most MAX_SIGNATURES layers under the tag, then the referrers. */
export async function discover<V>(o: DiscoverOptions<V>): Promise<Discovered<V>> {
  const st: State<V> = { verified: [], failures: [], seen: 0, truncated: false };
  await fromTag(o, st);
  await fromReferrers(o, st);
  if (st.truncated) {
    st.failures.push({
      reason: `more than ${MAX_SIGNATURES} ${o.noun}s; only the first ${MAX_SIGNATURES} were checked`,
    });
  }
  if (st.seen === 0 && st.failures.length === 0) {
    st.failures.push({ reason: `no ${o.noun} found for ${o.digest}` });
  }
  return { verified: st.verified, failures: st.failures };
}
