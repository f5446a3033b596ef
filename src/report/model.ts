/**
 * The view of an inventory that every SBOM renderer shares: packages checked
 * and sorted, each with stable identifiers (CycloneDX bom-ref, SPDX id) and
 * its owning OS package resolved to another entry of the same list.
 */
import { createHash } from 'node:crypto';
import { PackageURL } from 'packageurl-js';
import { MamoriError, type LayerRef, type Location, type Package } from '../core/index.js';
import type { Inventory } from '../inventory/types.js';

export interface PackageView {
  readonly pkg: Package;
  readonly name: string;
  /** Empty when the package has none. */
  readonly version: string;
  readonly type: string;
  /** The package's PURL when it parses as one; otherwise undefined. */
  readonly purl: string | undefined;
  /** Locations with a usable path, in the package's order (primary first). */
  readonly locations: readonly Location[];
  /** The layer that introduced the package (package layer, else the primary location's). */
  readonly layer: LayerRef | undefined;
  /** 16 hex digits, stable for the same package at the same place, unique in the document. */
  readonly packageId: string;
  readonly bomRef: string;
  readonly spdxId: string;
  /** Index in `InventoryView.packages` of the OS package that owns this one. */
  readonly owner: number | undefined;
}

export interface InventoryView {
  readonly packages: readonly PackageView[];
  /** Packages left out because they had no usable name. */
  readonly dropped: number;
}

/** Throws MamoriError INVALID_ARGUMENT unless `inv` has the shape every renderer relies on. */
export function checkInventory(inv: unknown): asserts inv is Inventory {
  const i = inv as Partial<Inventory> | null;
  if (typeof i !== 'object' || i === null)
    throw new MamoriError('INVALID_ARGUMENT', 'inventory is not an object');
  if (i.schemaVersion !== 1) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `unsupported inventory schemaVersion ${String(i.schemaVersion)}`,
    );
  }
  if (typeof i.source !== 'object' || i.source === null) {
    throw new MamoriError('INVALID_ARGUMENT', 'inventory has no source');
  }
  if (!Array.isArray(i.packages))
    throw new MamoriError('INVALID_ARGUMENT', 'inventory packages is not a list');
}

/** Code-point order, independent of the locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keeps the characters SPDX allows in an identifier (`[A-Za-z0-9.-]`), collapsing the rest to `-`. */
export function sanitizeId(s: string, max = 64): string {
  return s
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .slice(0, max)
    .replace(/^-+|-+$/g, '');
}

/** The generic PURL grammar: `pkg:type/[namespace/]name[@version][?qualifiers][#subpath]`. */
const PURL_SYNTAX = /^pkg:[A-Za-z][A-Za-z0-9.+-]*\/[^@?#]+(?:@[^?#]+)?(?:\?[^#]*)?(?:#.*)?$/;
/** Percent-encoded PURLs are printable ASCII without spaces. */
const PRINTABLE = /^[!-~]+$/;

/**
 * Whether `s` is a PURL: one packageurl-js parses, or, where its per-type
 * checks reject a value real packages carry (a Go version such as `v1`), one
 * that follows the generic grammar.
 */
export function isPurl(s: unknown): s is string {
  if (typeof s !== 'string' || s.length > 4096 || !PRINTABLE.test(s)) return false;
  try {
    PackageURL.fromString(s);
    return true;
  } catch {
    return PURL_SYNTAX.test(s);
  }
}

/** The layer reference when it is a usable one (non-negative integer index, non-empty diff ID). */
export function validLayer(l: unknown): LayerRef | undefined {
  if (typeof l !== 'object' || l === null) return undefined;
  const { index, diffId } = l as Partial<LayerRef>;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) return undefined;
  if (typeof diffId !== 'string' || diffId.length === 0) return undefined;
  return { index, diffId };
}

/** Locations with a non-empty string path, each with its layer when that is usable. */
export function validLocations(locs: unknown): Location[] {
  if (!Array.isArray(locs)) return [];
  const out: Location[] = [];
  for (const l of locs as unknown[]) {
    if (typeof l !== 'object' || l === null) continue;
    const path = (l as Partial<Location>).path;
    if (typeof path !== 'string' || path.length === 0) continue;
    const layer = validLayer((l as Partial<Location>).layer);
    out.push(layer ? { path, layer } : { path });
  }
  return out;
}

/** Inserts `package-id=…` as a qualifier, before any `#subpath`, as Syft does for its bom-refs. */
function withPackageId(base: string, id: string): string {
  const hash = base.indexOf('#');
  const head = hash === -1 ? base : base.slice(0, hash);
  const tail = hash === -1 ? '' : base.slice(hash);
  return `${head}${head.includes('?') ? '&' : '?'}package-id=${id}${tail}`;
}

type BaseView = Omit<PackageView, 'packageId' | 'bomRef' | 'spdxId' | 'owner'>;

function baseView(pkg: Package): BaseView | undefined {
  if (typeof pkg !== 'object' || pkg === null) return undefined;
  const name = typeof pkg.name === 'string' ? pkg.name : '';
  if (name.trim().length === 0) return undefined;
  const locations = validLocations(pkg.locations);
  return {
    pkg,
    name,
    version: typeof pkg.version === 'string' ? pkg.version : '',
    type: typeof pkg.type === 'string' && pkg.type.length > 0 ? pkg.type : 'unknown',
    purl: isPurl(pkg.purl) ? pkg.purl : undefined,
    locations,
    layer: validLayer(pkg.layer) ?? locations[0]?.layer,
  };
}

function compareViews(a: BaseView, b: BaseView): number {
  return (
    compareStrings(a.type, b.type) ||
    compareStrings(a.name, b.name) ||
    compareStrings(a.version, b.version) ||
    compareStrings(a.purl ?? '', b.purl ?? '') ||
    compareStrings(a.locations[0]?.path ?? '', b.locations[0]?.path ?? '')
  );
}

function identityKey(v: BaseView): string {
  return JSON.stringify([
    v.type,
    v.name,
    v.version,
    v.purl ?? '',
    v.locations.map((l) => [l.path, l.layer?.diffId ?? '']),
  ]);
}

/** Owners are looked up among at most this many packages sharing a PURL, so hostile duplicates stay cheap. */
const MAX_OWNER_CANDIDATES = 64;

function hash16(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}

function filesOf(pkg: Package): readonly unknown[] {
  const m = pkg.metadata as { files?: unknown } | undefined;
  return m && Array.isArray(m.files) ? (m.files as unknown[]) : [];
}

/**
 * Finds the OS package named by `ownedBy` among the views: same PURL (else
 * same type, name and version); among several, the one whose file list holds
 * the owned package's primary location.
 */
function resolveOwner(
  self: number,
  views: readonly BaseView[],
  byPurl: ReadonlyMap<string, readonly number[]>,
  byNvt: ReadonlyMap<string, readonly number[]>,
): number | undefined {
  const owner = views[self]?.pkg.ownedBy;
  if (typeof owner !== 'object' || owner === null) return undefined;
  let candidates = typeof owner.purl === 'string' ? (byPurl.get(owner.purl) ?? []) : [];
  if (candidates.length === 0) {
    candidates = byNvt.get(JSON.stringify([owner.type, owner.name, owner.version])) ?? [];
  }
  candidates = candidates.filter((i) => i !== self);
  if (candidates.length <= 1) return candidates[0];
  const primary = views[self]?.locations[0]?.path;
  if (primary !== undefined) {
    const hit = candidates.find((i) => {
      const v = views[i];
      return v !== undefined && filesOf(v.pkg).includes(primary);
    });
    if (hit !== undefined) return hit;
  }
  return candidates[0];
}

/**
 * The identity of a package record as the views see it (type, name, version,
 * PURL and located files): equal for the same package, whatever object holds
 * it. Undefined when the record has no usable name.
 */
export function packageIdentity(pkg: unknown): string | undefined {
  const v = baseView(pkg as Package);
  return v === undefined ? undefined : identityKey(v);
}

export function viewInventory(inv: Inventory): InventoryView {
  const raw: readonly Package[] = Array.isArray(inv.packages) ? inv.packages : [];
  const base: BaseView[] = [];
  for (const p of raw) {
    const v = baseView(p);
    if (v) base.push(v);
  }
  base.sort(compareViews);

  const byPurl = new Map<string, number[]>();
  const byNvt = new Map<string, number[]>();
  const add = (m: Map<string, number[]>, k: string, i: number): void => {
    const list = m.get(k);
    if (list === undefined) m.set(k, [i]);
    else if (list.length < MAX_OWNER_CANDIDATES) list.push(i);
  };
  base.forEach((v, i) => {
    if (v.purl !== undefined) add(byPurl, v.purl, i);
    add(byNvt, JSON.stringify([v.type, v.name, v.version]), i);
  });

  const usedIds = new Set<string>();
  const packages = base.map((v, i): PackageView => {
    const key = identityKey(v);
    let packageId = hash16(key);
    for (let n = 2; usedIds.has(packageId); n++) packageId = hash16(`${key}#${n}`);
    usedIds.add(packageId);
    const refBase =
      v.purl ??
      `mamori:${encodeURIComponent(v.type)}/${encodeURIComponent(v.name)}@${encodeURIComponent(v.version)}`;
    return {
      ...v,
      packageId,
      bomRef: withPackageId(refBase, packageId),
      spdxId: `SPDXRef-Package-${sanitizeId(v.type, 32) || 'unknown'}-${sanitizeId(v.name) || 'unnamed'}-${packageId}`,
      owner: resolveOwner(i, base, byPurl, byNvt),
    };
  });
  return { packages, dropped: raw.length - base.length };
}
