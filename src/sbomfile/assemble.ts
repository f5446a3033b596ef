/**
 * From the components an SBOM lists to mamori's inventory: which components
 * are packages (the distro, the subject, files and Trivy's per-lockfile
 * groups are not), their type (from the purl, else from the producer's
 * properties), identity and locations, one package per purl and location,
 * the distro, and the OS package that owns each language package.
 */
import { purl as makePurl, type Distro, type Package, type PackageType } from '../core/index.js';
import type { Inventory, InventorySource } from '../inventory/index.js';
import { clean, MAX_NAME } from './bounds.js';
import { resolveDistro } from './distro.js';
import { typeFromProperties } from './kinds.js';
import { LayerIndex, layersOf, locationsOf, packageLayer } from './locations.js';
import { identify, packageName, type Evidence, type Identity } from './metadata.js';
import type { RawComponent, SbomDocument } from './model.js';
import { OS_TYPES, packageTypeOfPurl, parsePurl, PURL_TYPE_OF } from './purls.js';
import { Tally } from './tally.js';

/**
 * The transport recorded for an inventory read from an SBOM file.
 * InventorySource['transport'] has no value for SBOM files yet; until it
 * does, such inventories say `dir` here and `sbom:PATH` in `ref`.
 */
export const SBOM_TRANSPORT: InventorySource['transport'] = 'sbom';

/** CycloneDX component types and SPDX purposes that are never packages by themselves. */
const NOT_PACKAGES = new Set([
  'file',
  'container',
  'data',
  'device',
  'firmware',
  'platform',
  'device-driver',
  'machine-learning-model',
  'cryptographic-asset',
]);
/** Without a purl these are groupings (Trivy's lockfile and binary components, a document's subject). */
const GROUPINGS = new Set(['application', 'framework', 'source', 'archive', 'install', 'other']);
const OS_KINDS = new Set(['operating-system', 'operating_system']);

/** A package and the little of its component that ownership needs (the rest is dropped early). */
interface Draft {
  readonly pkg: Package;
  readonly parent: number | undefined;
  readonly ownedByRef: string | undefined;
  readonly ownedByPurl: string | undefined;
}

function kindOf(raw: RawComponent): string {
  return (raw.kind ?? '').toLowerCase();
}

/** SPDX packages the document describes that stand for the scanned thing itself, not a package in it. */
function subjectRefs(doc: SbomDocument): Set<string> {
  const out = new Set<string>(doc.describes);
  for (const r of doc.relationships)
    if (r.type === 'describes' && r.from === 'SPDXRef-DOCUMENT') out.add(r.to);
  return out;
}

function isSubject(raw: RawComponent, subjects: ReadonlySet<string>): boolean {
  if (raw.ref === undefined || !subjects.has(raw.ref)) return false;
  const kind = kindOf(raw);
  const type = raw.purl === undefined ? undefined : parsePurl(raw.purl)?.type;
  return (
    raw.purl === undefined || type === 'oci' || type === 'docker' || kind === 'container' || kind === 'file'
  );
}

/** A purl for a package the SBOM lists without one, as mamori's catalogers would write it. */
function purlFor(
  type: PackageType,
  id: Identity,
  distro: Distro | undefined,
  group: string | undefined,
): string {
  let namespace: string | undefined;
  let name = id.name;
  let version = id.version;
  const qualifiers: Record<string, string | undefined> = {};
  const m = id.metadata;
  if (OS_TYPES.has(type)) {
    namespace = distro?.id ?? (type === 'deb' ? 'debian' : type === 'apk' ? 'alpine' : undefined);
    qualifiers['distro'] = distro ? [distro.id, distro.versionId].filter(Boolean).join('-') : undefined;
    if ('architecture' in m) qualifiers['arch'] = m.architecture;
    if (m.kind === 'rpm') {
      version = `${m.upstreamVersion}-${m.release}`;
      qualifiers['epoch'] = m.epoch !== undefined ? String(m.epoch) : undefined;
    }
  } else if (type === 'java-archive' && m.kind === 'java-archive') {
    namespace = m.groupId ?? group ?? id.name;
    name = m.artifactId ?? id.name;
  } else if (type === 'npm' && id.name.startsWith('@')) {
    const slash = id.name.indexOf('/');
    namespace = slash > 0 ? id.name.slice(0, slash) : undefined;
    name = slash > 0 ? id.name.slice(slash + 1) : id.name;
  } else if (type === 'go-module' || type === 'php-composer') {
    const slash = id.name.lastIndexOf('/');
    namespace = slash > 0 ? id.name.slice(0, slash) : undefined;
    name = id.name.slice(slash + 1);
  }
  return makePurl({ type: PURL_TYPE_OF[type], namespace, name, version, qualifiers });
}

export interface AssembleOptions {
  /** `sbom:PATH`. */
  readonly ref: string;
  /** Name used when the document names no subject. */
  readonly fallbackName: string;
}

interface Classified {
  readonly osComponents: RawComponent[];
  readonly evidence: Evidence[];
}

/** Which components are packages, and of which type; the others are counted in `tally` or skipped silently. */
function classify(doc: SbomDocument, subjects: ReadonlySet<string>, tally: Tally): Classified {
  const osComponents: RawComponent[] = [];
  const evidence: Evidence[] = [];
  for (const raw of doc.components) {
    const kind = kindOf(raw);
    if (OS_KINDS.has(kind)) {
      osComponents.push(raw);
      continue;
    }
    if (raw.rejected !== undefined) {
      tally.add('unsafe');
      continue;
    }
    if (NOT_PACKAGES.has(kind) || isSubject(raw, subjects)) continue;
    if (raw.purl !== undefined) {
      const p = parsePurl(raw.purl);
      if (p === undefined) {
        tally.add('invalid-purl', raw.purl);
        continue;
      }
      const type = packageTypeOfPurl(p.type);
      if (type === undefined) tally.unsupported(p.type);
      else evidence.push({ raw, type, purl: p });
      continue;
    }
    const type = typeFromProperties(raw);
    if (type !== undefined) evidence.push({ raw, type, purl: undefined });
    else if (!GROUPINGS.has(kind)) tally.add('no-purl', raw.name ?? raw.ref);
  }
  return { osComponents, evidence };
}

export function assembleInventory(doc: SbomDocument, opts: AssembleOptions): Inventory {
  const tally = new Tally();
  tally.add('malformed', undefined, doc.malformed);
  const subjects = doc.format === 'spdx' ? subjectRefs(doc) : new Set<string>();
  const subjectRaw =
    doc.subject ??
    doc.components.find((c) => c.ref !== undefined && subjects.has(c.ref) && isSubject(c, subjects));
  const layers = layersOf(subjectRaw);
  const layerIndex = new LayerIndex(layers);
  const { osComponents, evidence } = classify(doc, subjects, tally);

  const { distro, warnings: distroWarnings } = resolveDistro(
    osComponents,
    evidence.flatMap((e) => (OS_TYPES.has(e.type) && e.purl ? [e.purl] : [])),
  );

  // One package per component, duplicates (same purl and locations) merged.
  const drafts: Draft[] = [];
  const byKey = new Map<string, number>();
  const byRaw = new Map<number, number>();
  for (const e of evidence) {
    const name = packageName(e);
    if (name === undefined) {
      tally.add('no-name', e.raw.purl);
      continue;
    }
    const locations = locationsOf(e.raw, layerIndex);
    const id = identify(e, name, locations[0]?.path);
    let purl = e.raw.purl;
    if (purl === undefined) {
      try {
        purl = purlFor(e.type, id, distro, e.raw.group);
      } catch {
        tally.add('no-identity', name);
        continue;
      }
    }
    const key = JSON.stringify([purl, locations.map((l) => l.path)]);
    const seen = byKey.get(key);
    if (seen !== undefined) {
      tally.add('duplicate');
      byRaw.set(e.raw.index, seen);
      continue;
    }
    const layer = packageLayer(e.raw, layerIndex);
    const pkg: Package = {
      name: id.name,
      version: id.version,
      type: e.type,
      purl,
      licenses: e.raw.licenses,
      locations,
      foundBy: 'sbom',
      ...(layer ? { layer } : {}),
      metadata: id.metadata,
    };
    byKey.set(key, drafts.length);
    byRaw.set(e.raw.index, drafts.length);
    drafts.push({
      pkg,
      parent: e.raw.parent,
      ownedByRef: e.raw.props.get('mamori:package:ownedBy')?.[0],
      ownedByPurl: e.raw.props.get('mamori:package:ownedBy:purl')?.[0],
    });
  }

  const packages = withOwners(doc, drafts, byRaw);
  const subjectName =
    (doc.format === 'cyclonedx' ? doc.subject?.name : clean(doc.documentName, MAX_NAME)) ?? opts.fallbackName;
  const notes: string[] = [];
  if (doc.droppedRelationships > 0) {
    notes.push(
      `${doc.droppedRelationships} relationships past the first ${doc.relationships.length} were ignored`,
    );
  }
  return {
    schemaVersion: 1,
    source: { ref: opts.ref, transport: SBOM_TRANSPORT, name: subjectName, layers },
    ...(distro ? { distro } : {}),
    packages,
    warnings: [...tally.warnings(), ...distroWarnings, ...notes].map((w) => `${opts.fallbackName}: ${w}`),
  };
}

/**
 * Sets `ownedBy` on language packages an OS package owns: CycloneDX
 * `mamori:package:ownedBy` (bom-ref, else `…:ownedBy:purl`) or nesting in an
 * OS package's component; SPDX Syft's `ownership-by-file-overlap`, or
 * CONTAINS from an OS package (mamori).
 */
function withOwners(
  doc: SbomDocument,
  drafts: readonly Draft[],
  byRaw: ReadonlyMap<number, number>,
): Package[] {
  const byRef = new Map<string, number>();
  const byPurl = new Map<string, number>();
  for (const c of doc.components) {
    const i = byRaw.get(c.index);
    if (i !== undefined && c.ref !== undefined && !byRef.has(c.ref)) byRef.set(c.ref, i);
  }
  drafts.forEach((d, i) => {
    if (!byPurl.has(d.pkg.purl)) byPurl.set(d.pkg.purl, i);
  });
  const claimed = new Map<number, number>();
  for (const type of ['owns', 'contains'] as const) {
    for (const r of doc.relationships) {
      if (r.type !== type) continue;
      const owner = byRef.get(r.from);
      const owned = byRef.get(r.to);
      if (owner !== undefined && owned !== undefined && !claimed.has(owned)) claimed.set(owned, owner);
    }
  }
  return drafts.map((d, i) => {
    if (OS_TYPES.has(d.pkg.type)) return d.pkg;
    const candidates = [
      d.ownedByRef !== undefined ? byRef.get(d.ownedByRef) : undefined,
      d.ownedByPurl !== undefined ? byPurl.get(d.ownedByPurl) : undefined,
      d.parent !== undefined ? byRaw.get(d.parent) : undefined,
      claimed.get(i),
    ];
    const o = candidates.find(
      (c) => c !== undefined && c !== i && OS_TYPES.has((drafts[c] as Draft).pkg.type),
    );
    if (o === undefined) return d.pkg;
    const owner = (drafts[o] as Draft).pkg;
    return {
      ...d.pkg,
      ownedBy: { type: owner.type, name: owner.name, version: owner.version, purl: owner.purl },
    };
  });
}
