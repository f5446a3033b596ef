/**
 * The distribution an SBOM describes, in this order: its operating-system
 * component (mamori's `mamori:distro:*` or Syft's `syft:distro:*`
 * properties, else the component's name and version, Trivy's family names
 * mapped to os-release IDs), else the `distro` qualifier most OS packages'
 * purls carry, else the purls' namespace (an ID without a release).
 */
import type { Distro } from '../core/index.js';
import { clean } from './bounds.js';
import type { RawComponent } from './model.js';
import { distroId, distroVersion, purlDistro, type Purl } from './purls.js';

const MAX_ID_LIKE = 8;

function fromOsComponent(c: RawComponent): Distro | undefined {
  const p = (name: string): string | undefined => c.props.get(name)?.[0];
  const mamoriId = distroId(p('mamori:distro:id'));
  if (mamoriId !== undefined) {
    const versionId = distroVersion(p('mamori:distro:versionID'));
    const codename = distroVersion(p('mamori:distro:versionCodename'));
    const prettyName = clean(p('mamori:distro:prettyName'), 256);
    const idLike = (c.props.get('mamori:distro:idLike') ?? [])
      .map(distroId)
      .filter((x): x is string => x !== undefined)
      .slice(0, MAX_ID_LIKE);
    return {
      id: mamoriId,
      ...(versionId ? { versionId } : {}),
      ...(codename ? { versionCodename: codename } : {}),
      ...(prettyName ? { prettyName } : {}),
      ...(idLike.length > 0 ? { idLike } : {}),
    };
  }
  const syftId = distroId(p('syft:distro:id'));
  if (syftId !== undefined) {
    const versionId = distroVersion(p('syft:distro:versionID'));
    const codename = distroVersion(p('syft:distro:versionCodename'));
    const prettyName = clean(p('syft:distro:prettyName'), 256);
    const idLike: string[] = [];
    for (const [k, v] of c.props) {
      if (!k.startsWith('syft:distro:idLike')) continue;
      for (const x of v) {
        const id = distroId(x);
        if (id !== undefined && idLike.length < MAX_ID_LIKE) idLike.push(id);
      }
    }
    return {
      id: syftId,
      ...(versionId ? { versionId } : {}),
      ...(codename ? { versionCodename: codename } : {}),
      ...(prettyName ? { prettyName } : {}),
      ...(idLike.length > 0 ? { idLike } : {}),
    };
  }
  const id = distroId(c.name);
  if (id === undefined) return undefined;
  const versionId = distroVersion(c.version);
  const prettyName = clean(c.description, 256);
  return { id, ...(versionId ? { versionId } : {}), ...(prettyName ? { prettyName } : {}) };
}

export interface DistroResult {
  readonly distro: Distro | undefined;
  readonly warnings: readonly string[];
}

/** `osComponents` in document order; `osPurls` the parsed purls of the OS packages. */
export function resolveDistro(osComponents: readonly RawComponent[], osPurls: readonly Purl[]): DistroResult {
  const warnings: string[] = [];
  let distro: Distro | undefined;
  for (const c of osComponents) {
    distro = fromOsComponent(c);
    if (distro) break;
  }
  const counts = new Map<string, { id: string; versionId?: string; n: number }>();
  for (const p of osPurls) {
    const d = purlDistro(p);
    if (d === undefined) continue;
    const key = `${d.id} ${d.versionId ?? ''}`;
    const e = counts.get(key);
    if (e) e.n++;
    else counts.set(key, { ...d, n: 1 });
  }
  const ranked = [...counts.values()].sort(
    (a, b) => b.n - a.n || Number(b.versionId !== undefined) - Number(a.versionId !== undefined),
  );
  if (distro === undefined) {
    const best = ranked.find((r) => r.versionId !== undefined) ?? ranked[0];
    if (best) distro = best.versionId ? { id: best.id, versionId: best.versionId } : { id: best.id };
    const releases = new Set(ranked.filter((r) => r.versionId).map((r) => `${r.id}-${r.versionId}`));
    if (releases.size > 1) {
      const list = [...releases].slice(0, 5).join(', ');
      warnings.push(
        `the OS packages name ${releases.size} distributions (${list}); matching them against ${distro?.id} ${distro?.versionId ?? ''}`.trimEnd(),
      );
    }
  } else if (distro.versionId === undefined) {
    // An operating-system component without a version: the purls may still carry it.
    const same = ranked.find((r) => r.id === distro?.id && r.versionId !== undefined);
    if (same?.versionId) distro = { ...distro, versionId: same.versionId };
  }
  if (osPurls.length > 0 && distro?.versionId === undefined && distro?.versionCodename === undefined) {
    warnings.push(
      distro
        ? `the SBOM names the distribution ${distro.id} but not its release: its OS packages cannot be matched`
        : 'the SBOM names no distribution: its OS packages cannot be matched',
    );
  }
  return { distro, warnings };
}
