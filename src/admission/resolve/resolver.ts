/**
 * The image look-ups behind the image rules: a tag's digest, mamori's scan
 * result and the verification of cosign signatures — each cached by digest
 * (tags for a short while, since they move), so a burst of admission
 * requests for one Deployment costs one look-up. Only what a rule needs is
 * looked up, and only for images the rule's allowed registries admit (an
 * image from anywhere else is denied without contacting its registry).
 * Look-up failures never throw: they become facts that name the problem,
 * and the image rules deny with that reason.
 */
import { createHash } from 'node:crypto';
import { errorMessage, isMamoriError } from '../../core/index.js';
import type { BlobStore } from '../../image/types.js';
import type { ImageRules, PolicyRule } from '../../policy/index.js';
import type { ImageResolver } from '../engine/index.js';
import { allowedBy, canonicalName, type ImageFacts } from '../images/index.js';
import {
  blobStoreSignatureSource,
  type SignatureSource,
  verifyImageAttestations,
  verifyImageSignatures,
} from '../signature/index.js';
import { createTtlCache } from './cache.js';

export type ScanFacts = NonNullable<ImageFacts['scan']>;
export type SignatureFacts = NonNullable<ImageFacts['signature']>;

/** How to read one registry's images. */
export interface ImageAccess {
  /** The repository as an image store (manifests by tag or digest, blobs). */
  store(repository: string): BlobStore;
  /** Where the repository's signatures are read (default: over `store`, referrers by the tag schema). */
  signatures?(repository: string): SignatureSource;
  /** mamori's scan result of an image; absent for registries that are not mamori. */
  scan?(repository: string, digest: string): Promise<ScanFacts>;
}

export interface ImageResolverOptions {
  /** The access for a registry host (`registry.example.com:5000`, `docker.io`); undefined: not looked up. */
  access(registry: string): ImageAccess | undefined;
  /** Lifetime of tag → digest answers, scan results and failed verifications (default 30 s). */
  readonly ttlMs?: number;
  /** Lifetime of a verified signature (default 10 min). */
  readonly verifiedTtlMs?: number;
  /** Most entries kept (default 10,000). */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

export interface CachingImageResolver {
  readonly resolve: ImageResolver;
  /** Forgets the scan results and signature verdicts of `digest` (all when absent). */
  invalidate(digest?: string): void;
  stats(): { readonly hits: number; readonly misses: number; readonly entries: number };
}

const MAX_MANIFEST = 4 * 1024 * 1024;

type Cached =
  | { readonly kind: 'digest'; readonly digest?: string; readonly problem?: string }
  | { readonly kind: 'scan'; readonly scan: ScanFacts }
  | { readonly kind: 'signature'; readonly signature: SignatureFacts };

type AttestationFacts = NonNullable<ImageFacts['attestations']>[string];

function needs(rules: ImageRules): { scan: boolean; signature: boolean; digest: boolean } {
  const scan = rules.requireScan || rules.maxSeverity !== undefined;
  const signature = rules.signatureKeys.length > 0 || rules.attestations.length > 0;
  return { scan, signature, digest: scan || signature || rules.mutateToDigest };
}

function keyId(keys: readonly string[]): string {
  return createHash('sha256')
    .update([...keys].sort().join('\0'))
    .digest('hex')
    .slice(0, 16);
}

async function tagDigest(access: ImageAccess, repository: string, tag: string): Promise<Cached> {
  try {
    const m = await access.store(repository).fetchManifest(tag, MAX_MANIFEST);
    return { kind: 'digest', digest: `sha256:${createHash('sha256').update(m.bytes).digest('hex')}` };
  } catch (e) {
    if (isMamoriError(e, 'NOT_FOUND')) return { kind: 'digest', problem: `tag ${tag} not found` };
    throw e;
  }
}

/** A verification's outcome as cached facts: verified, or the reasons it was not. */
function verdict(
  r: { readonly verified: readonly unknown[]; readonly failures: readonly { readonly reason: string }[] },
  noun: string,
): Cached {
  const reasons = r.failures.map((f) => f.reason);
  return {
    kind: 'signature',
    signature: {
      verified: r.verified.length > 0,
      reasons: r.verified.length > 0 ? [] : reasons.length > 0 ? reasons : [`no ${noun} found`],
    },
  };
}

function sourceOf(access: ImageAccess, repository: string): SignatureSource {
  return access.signatures?.(repository) ?? blobStoreSignatureSource(access.store(repository));
}

export function createImageResolver(o: ImageResolverOptions): CachingImageResolver {
  const ttl = o.ttlMs ?? 30_000;
  const verifiedTtl = o.verifiedTtlMs ?? 600_000;
  const cache = createTtlCache<Cached>(o.maxEntries ?? 10_000, o.now ?? Date.now);

  const resolve = async (image: string, rule: PolicyRule): Promise<ImageFacts> => {
    const rules = rule.images;
    const ref = canonicalName(image);
    if (!rules || !ref) return {};
    if (rules.allowedRegistries.length > 0 && !allowedBy(ref.name, rules.allowedRegistries)) {
      return { problem: `${ref.name} is not from an allowed registry, so it is not looked up` };
    }
    const need = needs(rules);
    if (!need.digest) return {};
    const slash = ref.name.indexOf('/');
    const registry = ref.name.slice(0, slash);
    const repository = ref.name.slice(slash + 1);
    const access = o.access(registry);
    if (!access) return { problem: `mamori does not look up images of ${registry}` };
    let digest = ref.digest;
    if (digest === undefined) {
      const tag = ref.tag ?? 'latest';
      try {
        const d = await cache.get(`t\0${ref.name}\0${tag}`, ttl, () => tagDigest(access, repository, tag));
        if (d.kind === 'digest' && d.digest === undefined) return { problem: d.problem ?? 'no digest' };
        if (d.kind === 'digest') digest = d.digest;
      } catch (e) {
        return { problem: `could not resolve ${image}: ${errorMessage(e)}` };
      }
    }
    if (digest === undefined) return {};
    const at = digest;
    const facts: { -readonly [K in keyof ImageFacts]: ImageFacts[K] } = { digest: at };
    const problems: string[] = [];
    const scan = access.scan;
    if (need.scan && scan) {
      try {
        const c = await cache.get(`s\0${at}\0${ref.name}`, ttl, async () => ({
          kind: 'scan' as const,
          scan: await scan(repository, at),
        }));
        if (c.kind === 'scan') facts.scan = c.scan;
      } catch (e) {
        problems.push(`could not read the scan result: ${errorMessage(e)}`);
      }
    } else if (need.scan) {
      problems.push(`${registry} is not a mamori registry: no scan result`);
    }
    // A verified signature or attestation is kept longer than a failed check.
    const checked = async (
      key: string,
      noun: string,
      run: () => Promise<Cached>,
    ): Promise<SignatureFacts> => {
      try {
        const c = await cache.get(
          `g\0${at}\0${ref.name}\0${key}`,
          (v) => (v.kind === 'signature' && v.signature.verified ? verifiedTtl : ttl),
          run,
        );
        if (c.kind === 'signature') return c.signature;
      } catch (e) {
        return { verified: false, reasons: [`could not check ${noun}s: ${errorMessage(e)}`] };
      }
      return { verified: false, reasons: [`no ${noun} was checked`] };
    };
    if (rules.attestations.length > 0) {
      const out: Record<string, AttestationFacts> = {};
      for (const a of rules.attestations) {
        out[a.predicateType] = await checked(
          `${a.predicateType}\0${keyId(a.keys)}`,
          'attestation',
          async () =>
            verdict(
              await verifyImageAttestations({
                source: sourceOf(access, repository),
                digest: at,
                keys: a.keys,
                predicateTypes: [a.predicateType],
              }),
              'attestation',
            ),
        );
      }
      facts.attestations = out;
    }
    if (rules.signatureKeys.length > 0) {
      facts.signature = await checked(keyId(rules.signatureKeys), 'signature', async () =>
        verdict(
          await verifyImageSignatures({
            source: sourceOf(access, repository),
            digest: at,
            keys: rules.signatureKeys,
          }),
          'signature',
        ),
      );
    }
    if (problems.length > 0) facts.problem = problems.join('; ');
    return facts;
  };

  return {
    resolve,
    invalidate(digest) {
      if (digest === undefined) cache.drop();
      else {
        cache.drop(`s\0${digest}\0`);
        cache.drop(`g\0${digest}\0`);
      }
    },
    stats: () => ({ ...cache.stats(), entries: cache.size }),
  };
}
