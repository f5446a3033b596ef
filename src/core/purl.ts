import { PackageURL } from 'packageurl-js';
import { MamoriError } from './errors.js';

export interface PurlParts {
  readonly type: string;
  readonly namespace?: string | undefined;
  readonly name: string;
  readonly version?: string | undefined;
  readonly qualifiers?: Readonly<Record<string, string | undefined>> | undefined;
  readonly subpath?: string | undefined;
}

/** Percent-encoding per the purl spec, for the fallback path below. */
function enc(s: string): string {
  return encodeURIComponent(s).replace(/%3A/gi, ':');
}

/**
 * Builds a canonical Package URL string; empty qualifiers are dropped.
 * packageurl-js normalises per type; where it rejects a value that real
 * packages do carry (a Go version like `v1` that is not semver), the parts
 * are encoded as the spec says without the type-specific checks.
 */
export function purl(parts: PurlParts): string {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(parts.qualifiers ?? {})) {
    if (v !== undefined && v !== '') q[k] = v;
  }
  const hasQ = Object.keys(q).length > 0;
  try {
    return new PackageURL(
      parts.type,
      parts.namespace || undefined,
      parts.name,
      parts.version || undefined,
      hasQ ? q : undefined,
      parts.subpath || undefined,
    ).toString();
  } catch (e) {
    if (!/^[a-z][a-z0-9.+-]*$/i.test(parts.type) || parts.name === '') {
      throw new MamoriError(
        'INVALID_ARGUMENT',
        `cannot form a package URL for "${parts.type}/${parts.name}"`,
        { cause: e },
      );
    }
    const ns = parts.namespace ? `${parts.namespace.split('/').map(enc).join('/')}/` : '';
    const version = parts.version ? `@${enc(parts.version)}` : '';
    const qs = hasQ
      ? `?${Object.keys(q)
          .sort()
          .map((k) => `${k.toLowerCase()}=${enc(q[k] as string)}`)
          .join('&')}`
      : '';
    const sub = parts.subpath ? `#${parts.subpath.split('/').map(enc).join('/')}` : '';
    return `pkg:${parts.type.toLowerCase()}/${ns}${enc(parts.name)}${version}${qs}${sub}`;
  }
}
