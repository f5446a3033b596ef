/**
 * The attack surface of an image: what an intruder with code execution in
 * the container finds to work with, the packages and files that make the
 * image large, and a minimality score summing both.
 */
import type { Package } from '../core/index.js';
import { type CheckContext, packageBytes, packageLabel } from './context.js';
import { suggest } from './suggest.js';
import type {
  AttackSurface,
  ScorePenalty,
  SurfaceCategory,
  SurfaceContributor,
  SurfaceItem,
} from './types.js';

export const SURFACE_CATEGORIES: readonly SurfaceCategory[] = [
  'shell',
  'package-manager',
  'compiler',
  'debugger',
  'network-tool',
  'ssh-server',
  'setuid',
  'setgid',
  'world-writable',
  'unknown-owner',
];

/** Items listed per category; `counts` keeps the totals. */
export const MAX_SURFACE_ITEMS = 200;
const TOP_CONTRIBUTORS = 10;

/** Points a category costs once, when anything of it is present. */
const PRESENCE: Readonly<Partial<Record<SurfaceCategory, number>>> = {
  shell: 15,
  'package-manager': 10,
  'network-tool': 10,
  compiler: 10,
  'ssh-server': 10,
  debugger: 5,
};
/** Points per item, up to a cap, for the categories that are counted. */
const PER_ITEM: ReadonlyArray<readonly [readonly SurfaceCategory[], number, number, string, string]> = [
  [['setuid', 'setgid'], 2, 10, 'setuid/setgid file', 'setuid/setgid files'],
  [['world-writable'], 2, 10, 'world-writable path', 'world-writable paths'],
  [['unknown-owner'], 1, 5, 'path owned by an undefined uid/gid', 'paths owned by undefined uids/gids'],
];
/** Category names in words: one, many. */
const WORDS: Readonly<Partial<Record<SurfaceCategory, readonly [string, string]>>> = {
  'package-manager': ['package manager', 'package managers'],
  'network-tool': ['network tool', 'network tools'],
  'ssh-server': ['SSH server', 'SSH servers'],
};
/** The package penalty reaches its cap at this many OS packages. */
const PACKAGES_AT_CAP = 500;
const PACKAGE_POINTS = 20;

/**
 * The minimality score, 0–100 (100 = minimal):
 *
 *   100 − presence − per-item − packages, floored at 0, rounded, where
 *   - presence: shell 15, package manager 10, network tool 10, compiler 10,
 *     SSH server 10, debugger 5 — each once, if any is present;
 *   - per-item: 2 per setuid/setgid file (at most 10), 2 per world-writable
 *     path (at most 10), 1 per path with an undefined owner (at most 5);
 *   - packages: 20 · log(1 + n) / log(1 + 500) for n OS packages, at most 20
 *     (a handful of packages costs little, hundreds cost nearly all 20).
 *
 * A distroless static image scores 100; a Debian base with its shell, apt and
 * a dozen setuid programs about 50.
 */
export function minimalityScore(
  counts: Readonly<Record<SurfaceCategory, number>>,
  packageCount: number,
): { score: number; penalties: ScorePenalty[] } {
  const penalties: ScorePenalty[] = [];
  for (const [category, points] of Object.entries(PRESENCE) as Array<[SurfaceCategory, number]>) {
    const n = counts[category];
    const [one, many] = WORDS[category] ?? [category, `${category}s`];
    if (n > 0) penalties.push({ reason: `${n} ${n === 1 ? one : many}`, points });
  }
  for (const [cats, each, cap, one, many] of PER_ITEM) {
    const n = cats.reduce((s, c) => s + counts[c], 0);
    if (n > 0) penalties.push({ reason: `${n} ${n === 1 ? one : many}`, points: Math.min(cap, n * each) });
  }
  if (packageCount > 0) {
    const points = PACKAGE_POINTS * Math.min(1, Math.log(1 + packageCount) / Math.log(1 + PACKAGES_AT_CAP));
    penalties.push({
      reason: `${packageCount} OS package${packageCount === 1 ? '' : 's'}`,
      points: Math.round(points * 10) / 10,
    });
  }
  const total = penalties.reduce((s, p) => s + p.points, 0);
  return { score: Math.max(0, Math.round(100 - total)), penalties };
}

/** `/usr/local/bin/x` → `/usr/local`, `/app/server` → `/app`: where files no package owns are grouped. */
function groupOf(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts.length >= 3 ? `/${parts[0]}/${parts[1]}` : `/${parts[0] ?? ''}`;
}

function contributors(ctx: CheckContext): SurfaceContributor[] {
  const out: SurfaceContributor[] = ctx.osPackages.map((p) => ({
    kind: 'package',
    name: p.name,
    ...packageBytes(ctx, p),
    ...(p.layer ? { layer: p.layer.index } : {}),
  }));
  const groups = new Map<string, { bytes: number; files: number }>();
  for (const { rec } of ctx.entries) {
    if ((rec.k !== 'f' && rec.k !== 'h') || ctx.owners.has(rec.p)) continue;
    const g = groupOf(rec.p);
    const cur = groups.get(g) ?? { bytes: 0, files: 0 };
    cur.bytes += rec.s;
    cur.files++;
    groups.set(g, cur);
  }
  for (const [name, v] of groups) out.push({ kind: 'path', name, ...v });
  return out.sort((a, b) => b.bytes - a.bytes || (a.name < b.name ? -1 : 1)).slice(0, TOP_CONTRIBUTORS);
}

function items(ctx: CheckContext): { items: SurfaceItem[]; counts: Record<SurfaceCategory, number> } {
  const counts = Object.fromEntries(SURFACE_CATEGORIES.map((c) => [c, 0])) as Record<SurfaceCategory, number>;
  const list: SurfaceItem[] = [];
  const add = (category: SurfaceCategory, path: string, layer: number, pkg?: Package) => {
    if (counts[category]++ < MAX_SURFACE_ITEMS) {
      list.push({ category, path, layer, ...(pkg ? { package: packageLabel(pkg) } : {}) });
    }
  };
  for (const t of ctx.tools) add(t.category, t.path, t.layer, t.owner);
  const owner = (p: string) => ctx.owners.get(p);
  for (const e of ctx.fs.setuid) add('setuid', e.path, e.layer, owner(e.path));
  for (const e of ctx.fs.setgid) add('setgid', e.path, e.layer, owner(e.path));
  for (const e of ctx.fs.worldWritable) add('world-writable', e.path, e.layer, owner(e.path));
  for (const u of [...ctx.fs.unknownUids.values(), ...ctx.fs.unknownGids.values()]) {
    for (const p of u.paths) add('unknown-owner', p, u.firstLayer, owner(p));
    // Count every path, not only the examples kept.
    counts['unknown-owner'] += Math.max(0, u.count - u.paths.length);
  }
  const order = new Map(SURFACE_CATEGORIES.map((c, i) => [c, i]));
  list.sort(
    (a, b) => (order.get(a.category) ?? 0) - (order.get(b.category) ?? 0) || (a.path < b.path ? -1 : 1),
  );
  return { items: list, counts };
}

export function attackSurface(ctx: CheckContext): AttackSurface {
  const { items: list, counts } = items(ctx);
  const bytes = ctx.osPackages.reduce((s, p) => s + packageBytes(ctx, p).bytes, 0);
  const { score, penalties } = minimalityScore(counts, ctx.osPackages.length);
  const suggestion = suggest(ctx);
  return {
    items: list,
    counts,
    packages: { count: ctx.osPackages.length, bytes },
    score,
    penalties,
    contributors: contributors(ctx),
    ...(suggestion !== undefined ? { suggestion } : {}),
  };
}
