/**
 * Image rules of the admission policy: where images may come from, that
 * they are pinned by digest, that mamori scanned them without findings at
 * or above a threshold, and that they carry a valid signature. Looking an
 * image up (its digest, scan result, signatures) is the caller's job; the
 * checks here judge what was found, so the webhook, `mamori policy test`
 * and the registry's pull gate give the same verdicts.
 */
import { isMamoriError } from '../../core/index.js';
import { parseDockerReference } from '../../image/index.js';
import type { ImageRules, Severity } from '../../policy/index.js';

export interface ImageViolation {
  /** Stable id: `image.reference`, `image.registry`, `image.digest`, `image.scan`, `image.vulnerabilities`, `image.signature`. */
  readonly control: string;
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

/** What was found out about an image (all optional: a missing fact is judged as unknown). */
export interface ImageFacts {
  /** The digest the reference resolves to (when it has a tag). */
  readonly digest?: string;
  /** mamori's scan: `scanned` with counts of findings by severity, or another status. */
  readonly scan?: {
    readonly status: 'scanned' | 'unscanned' | 'queued' | 'running' | 'failed';
    /** Whether vulnerabilities were part of the scan (a vulnerability database was there). */
    readonly vulnerabilitiesScanned?: boolean;
    readonly counts?: Readonly<Partial<Record<Severity | 'unknown', number>>>;
  };
  /** Signature verification: whether one verified with a trusted key, else the reasons. */
  readonly signature?: { readonly verified: boolean; readonly reasons: readonly string[] };
  /** Attestation verification per predicate type. */
  readonly attestations?: Readonly<
    Record<string, { readonly verified: boolean; readonly reasons: readonly string[] }>
  >;
  /** Why a fact could not be looked up (registry unreachable, tag not found, …), for the messages. */
  readonly problem?: string;
}

const ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/** `registry/repository` of a reference as Docker resolves it (`nginx` → `docker.io/library/nginx`). */
export function canonicalName(image: string): { name: string; tag?: string; digest?: string } | undefined {
  try {
    const r = parseDockerReference(image);
    return {
      name: `${r.registry}/${r.repository}`,
      ...(r.tag ? { tag: r.tag } : {}),
      ...(r.digest ? { digest: r.digest } : {}),
    };
  } catch (e) {
    if (isMamoriError(e)) return undefined;
    throw e;
  }
}

/**
 * Whether `name` (canonical `registry/repository`) lies under one of the
 * allowed prefixes, on whole path segments: a bare host (`ghcr.io`,
 * `localhost:5000`) allows its whole registry; anything else is read as a
 * repository path the way Docker reads it (`nginx` → `docker.io/library/nginx`).
 */
export function allowedBy(name: string, prefixes: readonly string[]): boolean {
  return prefixes.some((raw) => {
    const p = raw.replace(/\/+$/, '');
    const host = !p.includes('/') && (p.includes('.') || p.includes(':') || p === 'localhost');
    const prefix = host ? p : canonicalName(p)?.name;
    return prefix !== undefined && (name === prefix || name.startsWith(`${prefix}/`));
  });
}

/** Checks one container image (`path` is the field path of its `image`). */
export function checkImage(
  image: string,
  path: string,
  rules: ImageRules,
  facts: ImageFacts,
): ImageViolation[] {
  const ref = canonicalName(image);
  if (!ref) {
    return [
      {
        control: 'image.reference',
        path,
        message: `${JSON.stringify(image.slice(0, 200))} is not a valid image reference`,
        fix: 'use REGISTRY/REPOSITORY[:TAG][@sha256:DIGEST]',
      },
    ];
  }
  const out: ImageViolation[] = [];
  if (rules.allowedRegistries.length > 0 && !allowedBy(ref.name, rules.allowedRegistries)) {
    out.push({
      control: 'image.registry',
      path,
      message: `image ${ref.name} does not come from an allowed registry (${rules.allowedRegistries.join(', ')})`,
      fix: `push the image to ${rules.allowedRegistries[0] ?? 'an allowed registry'} and reference it from there`,
    });
  }
  // With mutation on, the mutating webhook has pinned every tag it could resolve before this runs.
  if (rules.requireDigest && !ref.digest) {
    out.push({
      control: 'image.digest',
      path,
      message: rules.mutateToDigest
        ? `image ${image} is referenced by tag and could not be pinned to a digest (${facts.problem ?? 'the mutating webhook did not run or could not resolve the tag'})`
        : `image ${image} is referenced by tag; the policy requires a digest (tags can be moved)`,
      fix: `use ${ref.name}@${facts.digest ?? 'sha256:…'}`,
    });
  }
  const digest = ref.digest ?? facts.digest;
  if (rules.requireScan || rules.maxSeverity) {
    const scan = facts.scan;
    if (!scan || scan.status !== 'scanned') {
      if (rules.requireScan) {
        out.push({
          control: 'image.scan',
          path,
          message: `image ${image} has not been scanned by mamori (${scan?.status ?? facts.problem ?? 'no scan result'})`,
          fix: 'push it to the mamori registry (scan on push) or run mamori scan, then retry',
        });
      }
    } else if (rules.maxSeverity) {
      if (scan.vulnerabilitiesScanned === false && rules.requireScan) {
        out.push({
          control: 'image.scan',
          path,
          message: `image ${image} was scanned without a vulnerability database`,
          fix: 'run mamori db update on the scanner, then rescan',
        });
      }
      const at = ORDER.slice(0, ORDER.indexOf(rules.maxSeverity) + 1);
      const found = at.map((s) => [s, scan.counts?.[s] ?? 0] as const).filter(([, n]) => n > 0);
      if (found.length > 0) {
        out.push({
          control: 'image.vulnerabilities',
          path,
          message: `image ${image}${digest ? ` (${digest})` : ''} has ${found.map(([s, n]) => `${n} ${s}`).join(', ')} finding(s); the policy allows none at or above ${rules.maxSeverity}`,
          fix: 'rebuild on a patched base image, or record an exemption with a reason',
        });
      }
    }
  }
  if (rules.signatureKeys.length > 0 && facts.signature?.verified !== true) {
    const reasons = facts.signature?.reasons ?? [facts.problem ?? 'no signature was checked'];
    out.push({
      control: 'image.signature',
      path,
      message: `image ${image} has no valid signature from a trusted key: ${reasons.slice(0, 3).join('; ')}`,
      fix: `sign ${ref.name}@${digest ?? 'sha256:…'} with cosign using one of the policy's keys`,
    });
  }
  for (const a of rules.attestations) {
    const v = facts.attestations?.[a.predicateType];
    if (v?.verified === true) continue;
    const reasons = v?.reasons ?? [facts.problem ?? 'no attestation was checked'];
    out.push({
      control: 'image.attestation',
      path,
      message: `image ${image} has no ${a.predicateType} attestation signed by a trusted key: ${reasons.slice(0, 3).join('; ')}`,
      fix: `attest ${ref.name}@${digest ?? 'sha256:…'} with cosign attest --type ${a.predicateType} using one of the rule's keys`,
    });
  }
  return out;
}
