import type {
  Distro,
  Finding,
  FindingSeverity,
  MatchDetails,
  Package,
  SeverityLevel,
} from '../core/index.js';
import { severityRank } from '../core/index.js';
import { packageKey, type Advisory, type Affected } from '../vulndb/index.js';
import { cvssScore } from '../cvss/index.js';
import { compareVersions } from '../versions/index.js';
import { matcherFor, type Query } from './queries.js';
import { evaluateRange } from './range.js';

/** Where advisories come from: the vulnerability DB, or anything with the same lookup. */
export interface AdvisoryProvider {
  advisoriesFor(ecosystem: string, packageName: string): readonly Advisory[];
  /** The same for many names of one ecosystem at once, keyed by name; providers that can batch should. */
  advisoriesForMany?(
    ecosystem: string,
    packageNames: readonly string[],
  ): ReadonlyMap<string, readonly Advisory[]>;
}

export interface MatchOptions {
  /** Rates a severity entry (a CVSS vector or a distro word); default: CVSS scored to the spec, distro words mapped. */
  readonly rate?: (s: {
    type: string;
    score: string;
  }) => { baseScore?: number; severity: SeverityLevel } | undefined;
}

const DISTRO_WORDS: Readonly<Record<string, SeverityLevel>> = {
  unimportant: 'NEGLIGIBLE',
  negligible: 'NEGLIGIBLE',
  'end-of-life': 'NEGLIGIBLE',
  low: 'LOW',
  medium: 'MEDIUM',
  moderate: 'MEDIUM',
  high: 'HIGH',
  important: 'HIGH',
  critical: 'CRITICAL',
};

function rateWord(s: {
  type: string;
  score: string;
}): { baseScore?: number; severity: SeverityLevel } | undefined {
  const w = DISTRO_WORDS[s.score.trim().toLowerCase()];
  return w ? { severity: w } : undefined;
}

/** The default rating: CVSS vectors scored to the spec, distro words mapped; a bad vector rates nothing. */
function rateDefault(s: {
  type: string;
  score: string;
}): { baseScore?: number; severity: SeverityLevel } | undefined {
  if (!s.type.startsWith('CVSS_')) return rateWord(s);
  try {
    const c = cvssScore(s.score);
    const level = c.severity === 'None' ? 'NEGLIGIBLE' : (c.severity.toUpperCase() as SeverityLevel);
    return { baseScore: c.baseScore, severity: level };
  } catch {
    return undefined;
  }
}

interface Hit {
  readonly advisory: Advisory;
  readonly affected: Affected;
  readonly range: string;
  readonly fixed?: string;
  readonly undetermined: boolean;
}

function hitsFor(q: Query, ecosystem: string, advisories: readonly Advisory[]): Hit[] {
  const out: Hit[] = [];
  const key = packageKey(ecosystem, q.name);
  for (const adv of advisories) {
    if (adv.withdrawn) continue;
    for (const aff of adv.affected) {
      // An advisory may name several packages; only this one's entries count.
      if (aff.ecosystem !== ecosystem || packageKey(ecosystem, aff.package) !== key) continue;
      const undetermined = aff.databaseSpecific?.undetermined === true;
      // A range that holds the version says which fix closes it; an explicit
      // version list (PyPI records carry both) only says that it is affected.
      let hit: Hit | undefined;
      for (const r of aff.ranges) {
        const h = evaluateRange(r, ecosystem, q.version);
        if (h) {
          hit = {
            advisory: adv,
            affected: aff,
            range: `${r.type} ${h.description}`,
            ...(h.fixed ? { fixed: h.fixed } : {}),
            undetermined,
          };
          break;
        }
      }
      if (!hit && aff.versions.includes(q.version)) {
        hit = { advisory: adv, affected: aff, range: `listed version ${q.version}`, undetermined };
      }
      if (hit) out.push(hit);
    }
  }
  return out;
}

/** Ids that name the same vulnerability, grouped (an advisory's id with its aliases, transitively). */
function groupByVulnerability(hits: readonly Hit[]): Hit[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r && parent.has(r)) r = parent.get(r) as string;
    parent.set(x, r);
    return r;
  };
  const union = (a: string, b: string) => {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };
  for (const h of hits) {
    union(h.advisory.id, h.advisory.id);
    for (const a of h.advisory.aliases) union(h.advisory.id, a);
  }
  const groups = new Map<string, Hit[]>();
  for (const h of hits) {
    const r = find(h.advisory.id);
    const g = groups.get(r);
    if (g) g.push(h);
    else groups.set(r, [h]);
  }
  return [...groups.values()];
}

function findingFrom(
  pkg: Package,
  q: Query,
  ecosystem: string,
  matcher: string,
  group: Hit[],
  options: MatchOptions,
): Finding {
  const ids = new Set<string>();
  for (const h of group) {
    ids.add(h.advisory.id);
    for (const a of h.advisory.aliases) ids.add(a);
  }
  const sortedIds = [...ids].sort();
  const id = sortedIds.find((i) => i.startsWith('CVE-')) ?? group[0]?.advisory.id ?? sortedIds[0] ?? '';
  const compare = (a: string, b: string) => compareVersions(ecosystem, a, b);
  const fixes = [...new Set(group.map((h) => h.fixed).filter((f): f is string => f !== undefined))].sort(
    compare,
  );
  const status: Finding['status'] =
    fixes.length > 0 ? 'fixed' : group.some((h) => h.undetermined) ? 'undetermined' : 'unfixed';
  const rate = options.rate ?? rateDefault;
  const severities: FindingSeverity[] = [];
  for (const h of group) {
    for (const s of [...h.advisory.severities, ...(h.affected.severities ?? [])]) {
      const r = rate(s) ?? rateWord(s);
      severities.push({
        type: s.type,
        score: s.score,
        ...(r?.baseScore !== undefined ? { baseScore: r.baseScore } : {}),
        ...(r ? { severity: r.severity } : {}),
        source: h.advisory.id,
      });
    }
  }
  // Distro ratings win for distro packages (they judge their own builds); else the highest computed rating.
  const distroRated = severities.find(
    (s) => (s.type === 'Debian' || s.type === 'Ubuntu' || s.type === 'Alpine') && s.severity,
  );
  const severity: SeverityLevel =
    distroRated?.severity ??
    severities.reduce<SeverityLevel>(
      (best, s) => (s.severity && severityRank(s.severity) > severityRank(best) ? s.severity : best),
      'UNKNOWN',
    );
  const first = group[0] as Hit;
  const published = group
    .map((h) => h.advisory.published)
    .filter((p): p is string => !!p)
    .sort()[0];
  const match: MatchDetails = {
    matcher,
    searchedBy: { ecosystem, package: q.name, version: q.version },
    advisories: [...new Set(group.map((h) => h.advisory.id))].sort(),
    range: [...new Set(group.map((h) => h.range))].join('; '),
  };
  return {
    id,
    aliases: sortedIds.filter((i) => i !== id),
    package: {
      type: pkg.type,
      name: pkg.name,
      version: pkg.version,
      purl: pkg.purl,
      locations: pkg.locations,
      ...(pkg.layer ? { layer: pkg.layer } : {}),
    },
    status,
    fixedVersions: fixes,
    severity,
    severities,
    ...(first.advisory.summary ? { summary: first.advisory.summary } : {}),
    references: [...new Set(group.flatMap((h) => h.advisory.references.map((r) => r.url)))].slice(0, 20),
    ...(published ? { published } : {}),
    match,
  };
}

interface Pending {
  readonly pkg: Package;
  readonly q: Query;
  readonly matcher: string;
}

/**
 * The advisories of each query: its ecosystems are tried in order (`Debian:12`
 * before …) and the first that has records wins, one batched lookup per
 * ecosystem and round.
 */
function lookUp(
  pending: readonly Pending[],
  provider: AdvisoryProvider,
): Map<Pending, { ecosystem: string; advisories: readonly Advisory[] }> {
  const found = new Map<Pending, { ecosystem: string; advisories: readonly Advisory[] }>();
  let remaining = pending;
  for (let level = 0; remaining.length > 0; level++) {
    const names = new Map<string, Set<string>>();
    for (const p of remaining) {
      const eco = p.q.ecosystems[level];
      if (eco === undefined) continue;
      const set = names.get(eco);
      if (set) set.add(p.q.name);
      else names.set(eco, new Set([p.q.name]));
    }
    if (names.size === 0) break;
    const fetched = new Map<string, ReadonlyMap<string, readonly Advisory[]>>();
    for (const [eco, set] of names) {
      const list = [...set];
      fetched.set(
        eco,
        provider.advisoriesForMany
          ? provider.advisoriesForMany(eco, list)
          : new Map(list.map((n) => [n, provider.advisoriesFor(eco, n)])),
      );
    }
    const next: Pending[] = [];
    for (const p of remaining) {
      const eco = p.q.ecosystems[level];
      if (eco === undefined) continue;
      const advisories = fetched.get(eco)?.get(p.q.name) ?? [];
      if (advisories.length > 0) found.set(p, { ecosystem: eco, advisories });
      else next.push(p);
    }
    remaining = next;
  }
  return found;
}

type Rate = NonNullable<MatchOptions['rate']>;

function memoRate(rate: Rate): Rate {
  const seen = new Map<string, ReturnType<Rate>>();
  return (s) => {
    const k = `${s.type}\0${s.score}`;
    if (seen.has(k)) return seen.get(k);
    const r = rate(s);
    seen.set(k, r);
    return r;
  };
}

/**
 * Matches packages against advisories: one finding per (vulnerability,
 * package), with every alias merged, the fix advice and the reason. Pure:
 * reads advisories only through the provider.
 */
export function matchPackages(
  packages: readonly Package[],
  distro: Distro | undefined,
  provider: AdvisoryProvider,
  options: MatchOptions = {},
): Finding[] {
  const pending: Pending[] = [];
  for (const pkg of packages) {
    const matcher = matcherFor(pkg.type);
    const q = matcher?.query(pkg, distro);
    if (matcher && q) pending.push({ pkg, q, matcher: matcher.name });
  }
  const found = lookUp(pending, provider);
  // Many findings share a vector: score each one once.
  const rate = memoRate(options.rate ?? rateDefault);
  const out: Finding[] = [];
  for (const p of pending) {
    const f = found.get(p);
    if (!f) continue;
    const hits = hitsFor(p.q, f.ecosystem, f.advisories);
    for (const group of groupByVulnerability(hits))
      out.push(findingFrom(p.pkg, p.q, f.ecosystem, p.matcher, group, { rate }));
  }
  return out.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      (a.package.name < b.package.name ? -1 : a.package.name > b.package.name ? 1 : 0) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}
