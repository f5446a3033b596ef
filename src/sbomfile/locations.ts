/**
 * Where a component was found and the layer that introduced it, from each
 * producer's notation: mamori's and Syft's numbered location properties,
 * Trivy's `FilePath` and `LayerDiffID`, CycloneDX evidence occurrences, or an
 * SPDX `sourceInfo` sentence. A layer is recorded only when its position in
 * the image is known (from the subject's layer list or mamori's properties).
 */
import type { LayerRef, Location } from '../core/index.js';
import { clean, MAX_LAYERS, MAX_LOCATIONS } from './bounds.js';
import { TRIVY, type RawComponent } from './model.js';

const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,256}$/;

/** The image's layers as the subject lists them, base first. */
export function layersOf(subject: RawComponent | undefined): LayerRef[] {
  if (subject === undefined) return [];
  const byIndex = new Map<number, string>();
  for (const [name, values] of subject.props) {
    const m = /^mamori:image:layer:(\d{1,4}):diffID$/.exec(name);
    const diffId = values[0];
    if (m && diffId !== undefined && DIGEST.test(diffId) && Number(m[1]) < MAX_LAYERS) {
      byIndex.set(Number(m[1]), diffId);
    }
  }
  if (byIndex.size === 0) {
    // Trivy: one property per layer, or (older releases) one comma-separated property.
    const ids = (subject.props.get(`${TRIVY}DiffID`) ?? []).flatMap((v) => v.split(','));
    ids.slice(0, MAX_LAYERS).forEach((d, i) => {
      if (DIGEST.test(d.trim())) byIndex.set(i, d.trim());
    });
  }
  return [...byIndex].sort(([a], [b]) => a - b).map(([index, diffId]) => ({ index, diffId }));
}

export class LayerIndex {
  private readonly byDiffId = new Map<string, number>();
  private readonly byIndex = new Map<number, string>();

  constructor(layers: readonly LayerRef[]) {
    for (const l of layers) {
      if (!this.byDiffId.has(l.diffId)) this.byDiffId.set(l.diffId, l.index);
      this.byIndex.set(l.index, l.diffId);
    }
  }

  byDigest(diffId: string | undefined): LayerRef | undefined {
    const index = diffId === undefined ? undefined : this.byDiffId.get(diffId);
    return index !== undefined && diffId !== undefined ? { index, diffId } : undefined;
  }

  at(index: number): LayerRef | undefined {
    const diffId = this.byIndex.get(index);
    return diffId !== undefined ? { index, diffId } : undefined;
  }
}

/** mamori's SPDX `sourceInfo`: `acquired package info from X: P (layer 0), …; introduced in layer N (DIFFID)`; Syft's and Trivy's likewise. */
const SOURCE_INFO =
  /^(?:acquired package info from [^:]*|package found in): (.*?)(?:; introduced in layer (\d{1,4}) \(([^)]+)\))?$/;

function introducedLayer(raw: RawComponent): LayerRef | undefined {
  const m = SOURCE_INFO.exec(raw.sourceInfo ?? '');
  if (!m || m[2] === undefined || m[3] === undefined || !DIGEST.test(m[3])) return undefined;
  return { index: Number(m[2]), diffId: m[3] };
}

/** The layer that introduced the package, when the SBOM says and the layer's position is known. */
export function packageLayer(raw: RawComponent, layers: LayerIndex): LayerRef | undefined {
  const index = raw.props.get('mamori:layer:index')?.[0];
  const diffId = raw.props.get('mamori:layer:diffID')?.[0];
  if (index !== undefined && /^\d{1,4}$/.test(index) && diffId !== undefined && DIGEST.test(diffId)) {
    return { index: Number(index), diffId };
  }
  return layers.byDigest(raw.props.get(`${TRIVY}LayerDiffID`)?.[0]) ?? introducedLayer(raw);
}

export function locationsOf(raw: RawComponent, layers: LayerIndex): Location[] {
  const out: Location[] = [];
  const seen = new Set<string>();
  const add = (path: string | undefined, layer: LayerRef | undefined): void => {
    const p = clean(path);
    if (p === undefined || seen.has(p) || out.length >= MAX_LOCATIONS) return;
    seen.add(p);
    out.push(layer ? { path: p, layer } : { path: p });
  };
  const prop = (name: string): string | undefined => raw.props.get(name)?.[0];
  // mamori's and Syft's numbered locations (a value dropped as unsafe leaves a gap in the numbers).
  for (const [prefix, layerKey] of [
    ['mamori:location:', 'layerDiffID'],
    ['syft:location:', 'layerID'],
  ] as const) {
    const numbered: [number, string][] = [];
    for (const [name, values] of raw.props) {
      if (!name.startsWith(prefix) || !name.endsWith(':path')) continue;
      const n = name.slice(prefix.length, -':path'.length);
      if (/^\d{1,4}$/.test(n) && values[0] !== undefined) numbered.push([Number(n), values[0]]);
    }
    numbered.sort((a, b) => a[0] - b[0]);
    for (const [n, path] of numbered) add(path, layers.byDigest(prop(`${prefix}${n}:${layerKey}`)));
    if (out.length > 0) return out;
  }
  const trivyLayer = layers.byDigest(prop(`${TRIVY}LayerDiffID`));
  for (const p of raw.props.get(`${TRIVY}FilePath`) ?? []) add(p, trivyLayer);
  for (const o of raw.occurrences) add(o, undefined);
  if (out.length > 0) return out;
  const m = SOURCE_INFO.exec(raw.sourceInfo ?? '');
  if (m && m[1]) {
    const introduced = introducedLayer(raw);
    for (const part of (m[1] as string).split(', ')) {
      const lm = /^(.*) \(layer (\d{1,4})\)$/.exec(part);
      if (!lm) {
        add(part, undefined);
        continue;
      }
      const index = Number(lm[2]);
      add(lm[1], introduced?.index === index ? introduced : layers.at(index));
    }
  }
  return out;
}
