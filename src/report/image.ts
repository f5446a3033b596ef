/** The scanned image as the subject of an SBOM: name, version, PURL and descriptive properties. */
import { purl } from '../core/index.js';
import type { Inventory } from '../inventory/types.js';
import { scalar } from './details.js';
import { sanitizeId } from './model.js';

export interface ImageView {
  readonly name: string;
  /** The tag, else the manifest digest. */
  readonly version: string | undefined;
  /** `pkg:oci/NAME@DIGEST?…` when a manifest digest is known. */
  readonly purl: string | undefined;
  readonly bomRef: string;
  readonly spdxId: string;
  /** `[name, value]` pairs under `mamori:image:`. */
  readonly properties: readonly (readonly [string, string])[];
}

const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[A-Za-z0-9=_-]{32,}$/;
/** `host[:port]/path…` in the distribution reference grammar (lower-case path components). */
const REPOSITORY =
  /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+$/;
const MAX_LABELS = 256;

export function isDigest(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 256 && DIGEST.test(v);
}

function imagePurl(inv: Inventory, name: string): string | undefined {
  const digest = inv.source.manifestDigest;
  if (!isDigest(digest)) return undefined;
  const last = (name.split('/').pop() ?? '').toLowerCase();
  if (last.length === 0) return undefined;
  // The purl-spec oci type: name is the last path segment, repository_url the whole repository.
  const p = purl({
    type: 'oci',
    name: last,
    version: digest,
    qualifiers: {
      arch: scalar(inv.source.platform?.architecture),
      repository_url: REPOSITORY.test(name) ? name : undefined,
    },
  });
  // Written `sha256%3A…` as in the purl-spec's oci examples and as Syft and Trivy emit it, so that
  // tools comparing PURLs as strings agree; both spellings parse to the same PURL.
  return p.replace(`@${digest}`, `@${digest.replace(':', '%3A')}`);
}

function imageProperties(inv: Inventory): (readonly [string, string])[] {
  const s = inv.source;
  const out: (readonly [string, string])[] = [];
  const add = (k: string, v: unknown): void => {
    const val = scalar(v);
    if (val !== undefined) out.push([`mamori:image:${k}`, val]);
  };
  add('ref', s.ref);
  add('transport', s.transport);
  add('tag', s.tag);
  add('manifestDigest', s.manifestDigest);
  add('indexDigest', s.indexDigest);
  add('configDigest', s.configDigest);
  if (s.platform) {
    const p = s.platform;
    add(
      'platform',
      [p.os, p.architecture, p.variant].filter((x) => typeof x === 'string' && x !== '').join('/'),
    );
  }
  add('created', s.created);
  if (Array.isArray(s.layers)) {
    for (const l of s.layers) add(`layer:${scalar(l?.index) ?? '?'}:diffID`, l?.diffId);
  }
  if (typeof s.labels === 'object' && s.labels !== null) {
    for (const k of Object.keys(s.labels).sort().slice(0, MAX_LABELS)) add(`label:${k}`, s.labels[k]);
  }
  return out;
}

export function viewImage(inv: Inventory): ImageView {
  const name = scalar(inv.source?.name) ?? scalar(inv.source?.ref) ?? 'unknown';
  const p = imagePurl(inv, name);
  const tag = scalar(inv.source.tag);
  const digest = isDigest(inv.source.manifestDigest) ? inv.source.manifestDigest : undefined;
  return {
    name,
    version: tag ?? digest,
    purl: p,
    bomRef: p ?? `mamori:image:${name}${tag ? `:${tag}` : ''}`,
    spdxId: `SPDXRef-DocumentRoot-Image-${sanitizeId(name) || 'unknown'}`,
    properties: imageProperties(inv),
  };
}
