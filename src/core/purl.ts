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

/** A parsed package URL. As a pattern, absent parts match anything. */
export interface ParsedPurl {
  readonly type: string;
  readonly namespace?: string;
  readonly name: string;
  readonly version?: string;
  readonly qualifiers: Readonly<Record<string, string>>;
  readonly subpath?: string;
}

/** A percent-encoded purl component decoded; undefined when the encoding is broken. */
export function decodePurlPart(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** The purl-spec parse without the type-specific rules, for values packageurl-js refuses. */
function parseGeneric(s: string): ParsedPurl | undefined {
  if (!/^pkg:/i.test(s)) return undefined;
  let rest = s.slice(4).replace(/^\/+/, '');
  let subpath: string | undefined;
  const hash = rest.indexOf('#');
  if (hash !== -1) {
    subpath = decodePurlPart(rest.slice(hash + 1).replace(/^\/+|\/+$/g, '')) || undefined;
    rest = rest.slice(0, hash);
  }
  const qualifiers: Record<string, string> = {};
  const q = rest.indexOf('?');
  if (q !== -1) {
    for (const pair of rest.slice(q + 1).split('&')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const v = decodePurlPart(pair.slice(eq + 1));
      if (v === undefined) return undefined;
      if (v !== '') qualifiers[pair.slice(0, eq).toLowerCase()] = v;
    }
    rest = rest.slice(0, q);
  }
  let version: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at !== -1 && at > rest.lastIndexOf('/')) {
    version = decodePurlPart(rest.slice(at + 1));
    if (version === undefined) return undefined;
    rest = rest.slice(0, at);
  }
  const segs = rest.split('/').filter((x) => x !== '');
  const type = segs.shift()?.toLowerCase();
  const rawName = segs.pop();
  const name = rawName === undefined ? undefined : decodePurlPart(rawName);
  const ns = segs.map(decodePurlPart);
  if (!type || !/^[a-z][a-z0-9.+-]*$/.test(type) || !name || ns.some((x) => x === undefined))
    return undefined;
  return {
    type,
    ...(ns.length > 0 ? { namespace: ns.join('/') } : {}),
    name,
    ...(version ? { version } : {}),
    qualifiers,
    ...(subpath ? { subpath } : {}),
  };
}

/**
 * Parses a package URL, normalised as packageurl-js does per type (so
 * `pkg:pypi/Django_Allauth` and `pkg:pypi/django-allauth` agree); undefined
 * when it is not one.
 */
export function parsePurl(s: string): ParsedPurl | undefined {
  if (s.length > 4096 || !/^pkg:/i.test(s)) return undefined;
  try {
    const p = PackageURL.fromString(s);
    const qualifiers: Record<string, string> = {};
    for (const [k, v] of Object.entries(p.qualifiers ?? {})) {
      if (typeof v === 'string' && v !== '') qualifiers[k.toLowerCase()] = v;
    }
    return {
      type: p.type,
      ...(p.namespace ? { namespace: p.namespace } : {}),
      name: p.name,
      ...(p.version ? { version: p.version } : {}),
      qualifiers,
      ...(p.subpath ? { subpath: p.subpath } : {}),
    };
  } catch {
    // packageurl-js rejects some values real packages carry (a Go `v1`).
    return parseGeneric(s);
  }
}
