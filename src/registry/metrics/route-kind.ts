import { routeV2 } from '../http/index.js';

/** The endpoint kinds of the OCI API, plus `other` for every other path (probes, /metrics, unknown). */
export const ROUTE_KINDS = [
  'base',
  'catalog',
  'tags',
  'referrers',
  'blob',
  'upload-start',
  'upload',
  'manifest',
  'other',
] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

/**
 * The endpoint kind of a request URL, a label of bounded cardinality: the
 * repository name, digest and upload id never show. A path routeV2 refuses
 * (invalid name, too long, unknown) is `other`.
 */
export function routeKind(url: string): RouteKind {
  if (!url.startsWith('/v2')) return 'other';
  try {
    return routeV2(url).kind;
  } catch {
    return 'other';
  }
}

/** HTTP methods kept as label values; any other method is `OTHER`. */
export const METHOD_LABELS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export function methodLabel(method: string): string {
  return METHOD_LABELS.includes(method) ? method : 'OTHER';
}
