import { PackageURL } from 'packageurl-js';

export interface PurlParts {
  readonly type: string;
  readonly namespace?: string | undefined;
  readonly name: string;
  readonly version?: string | undefined;
  readonly qualifiers?: Readonly<Record<string, string | undefined>> | undefined;
  readonly subpath?: string | undefined;
}

/** Builds a canonical Package URL string; empty qualifiers are dropped. */
export function purl(parts: PurlParts): string {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(parts.qualifiers ?? {})) {
    if (v !== undefined && v !== '') q[k] = v;
  }
  return new PackageURL(
    parts.type,
    parts.namespace || undefined,
    parts.name,
    parts.version || undefined,
    Object.keys(q).length > 0 ? q : undefined,
    parts.subpath || undefined,
  ).toString();
}
