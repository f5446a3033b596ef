import type { Distro, LayerRef, Package, PackageOwner } from '../core/index.js';
import type { LayerAnalysis } from './analysis.js';
import type { Cataloger, Fact } from './cataloger.js';
import type { FileView } from './view.js';

export interface AnalyzedLayer {
  readonly ref: LayerRef;
  readonly analysis: LayerAnalysis;
}

/** Facts of one cataloger, split into those visible in the final filesystem and the history of each path. */
export function collectFacts(
  name: string,
  layers: readonly AnalyzedLayer[],
  view: FileView,
): { visible: Fact<unknown>[]; history: Map<string, Fact<unknown>[]> } {
  const visible: Fact<unknown>[] = [];
  const history = new Map<string, Fact<unknown>[]>();
  for (const { ref, analysis } of layers) {
    for (const f of analysis.facts) {
      if (f.c !== name) continue;
      const fact: Fact<unknown> = { path: f.p, layer: ref, fact: f.f };
      const h = history.get(f.p);
      if (h) h.push(fact);
      else history.set(f.p, [fact]);
      const v = view.get(f.p);
      if (v && v.layer === ref.index && (v.rec.k === 'f' || v.rec.k === 'h')) visible.push(fact);
    }
  }
  return { visible, history };
}

/**
 * The layer that introduced each package. For a file that several layers
 * rewrote (a package database), a package belongs to the earliest layer from
 * which every later version of that file still lists it.
 */
export function attributeLayers(
  cataloger: Cataloger,
  packages: Package[],
  history: Map<string, Fact<unknown>[]>,
  ctx: { distro?: Distro },
): Package[] {
  // Package identities per historical version of each file, computed once.
  const ids = new Map<string, Array<Set<string>>>();
  const idsOf = (path: string, i: number, v: Fact<unknown>): Set<string> => {
    let perVersion = ids.get(path);
    if (!perVersion) ids.set(path, (perVersion = []));
    let set = perVersion[i];
    if (!set) perVersion[i] = set = new Set(cataloger.assemble([v], ctx).map((p) => p.purl));
    return set;
  };
  return packages.map((p) => {
    // A cataloger that knows better (dpkg: the layer of the package's own .list file) has set it.
    if (p.layer) return p;
    const primary = p.locations[0];
    if (!primary?.layer) return p;
    let layer = primary.layer;
    const versions = history.get(primary.path) ?? [];
    for (let i = versions.length - 1; i >= 0; i--) {
      const v = versions[i] as Fact<unknown>;
      if (v.layer.index >= primary.layer.index) continue;
      if (!idsOf(primary.path, i, v).has(p.purl)) break;
      layer = v.layer;
    }
    return { ...p, layer };
  });
}

/** Sets `ownedBy` on language packages whose files an OS package installed. */
export function attributeOwners(packages: Package[], view: FileView): Package[] {
  const owners = new Map<string, PackageOwner>();
  for (const p of packages) {
    const files =
      'files' in p.metadata && (p.type === 'deb' || p.type === 'apk' || p.type === 'rpm')
        ? p.metadata.files
        : undefined;
    if (!files) continue;
    const owner: PackageOwner = { type: p.type, name: p.name, version: p.version, purl: p.purl };
    for (const f of files ?? []) {
      owners.set(f, owner);
      const r = view.resolve(f);
      if (r && r !== f) owners.set(r, owner);
    }
  }
  if (owners.size === 0) return packages;
  return packages.map((p) => {
    if (p.type === 'deb' || p.type === 'apk' || p.type === 'rpm') return p;
    for (const loc of p.locations) {
      const owner = owners.get(loc.path) ?? owners.get(view.resolve(loc.path) ?? loc.path);
      if (owner) return { ...p, ownedBy: owner };
    }
    return p;
  });
}

export function comparePackages(a: Package, b: Package): number {
  const ka = [a.type, a.name, a.version, a.locations[0]?.path ?? ''];
  const kb = [b.type, b.name, b.version, b.locations[0]?.path ?? ''];
  for (let i = 0; i < ka.length; i++) {
    const x = ka[i] as string;
    const y = kb[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
