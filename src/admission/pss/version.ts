/**
 * Pod Security Standards levels and the Kubernetes version a policy is pinned
 * to, written as in Pod Security Admission's namespace labels: `restricted`,
 * `baseline:v1.30`, `restricted:latest`.
 */
import { MamoriError } from '../../core/errors.js';

export type PssLevel = 'baseline' | 'restricted';
/** `latest` or `v1.N`. */
export type PssVersion = 'latest' | `v1.${number}`;

export interface PssPolicy {
  readonly level: PssLevel;
  readonly version: PssVersion;
}

/** The newest Kubernetes minor whose checks are modelled; `latest` evaluates as this. */
export const LATEST_MODELLED_MINOR = 37;

const VERSION_RE = /^v1\.(0|[1-9][0-9]{0,2})$/;

/** Minor version number of a pinned version; `latest` is +Infinity so every check applies. */
export function minorOf(version: PssVersion): number {
  if (version === 'latest') return Number.POSITIVE_INFINITY;
  const m = VERSION_RE.exec(version);
  if (!m)
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `pod security: invalid version "${version}" (expected "latest" or "v1.N")`,
    );
  return Number(m[1]);
}

export function parseVersion(text: string): PssVersion {
  if (text === 'latest') return 'latest';
  if (typeof text !== 'string' || !VERSION_RE.test(text)) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `pod security: invalid version "${String(text).slice(0, 64)}" (expected "latest" or "v1.N", e.g. "v1.30")`,
    );
  }
  return text as PssVersion;
}

/**
 * Parses `LEVEL[:VERSION]`, e.g. `restricted:v1.30` or `baseline`. A missing
 * version means `latest`, as in Pod Security Admission.
 */
export function parseLevel(text: string): PssPolicy {
  if (typeof text !== 'string' || text.length > 64) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      'pod security: level must be a short string like "restricted:v1.30"',
    );
  }
  const [level, version, extra] = text.trim().split(':');
  if (extra !== undefined) throw new MamoriError('INVALID_ARGUMENT', `pod security: invalid level "${text}"`);
  if (level !== 'baseline' && level !== 'restricted') {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `pod security: unknown level "${level ?? ''}" (expected "baseline" or "restricted", optionally ":v1.N" or ":latest")`,
    );
  }
  return { level, version: version === undefined || version === '' ? 'latest' : parseVersion(version) };
}
