/**
 * OSV range semantics over the comparers (`ECOSYSTEM` and `SEMVER` ranges):
 * one affected interval, or a whole list of events evaluated as the OSV
 * schema describes.
 */
import { comparerFor } from './ecosystems.js';
import { npm } from './schemes/npm.js';

/** One affected interval of an OSV range. Bounds that are absent do not bound. */
export interface VersionRange {
  /** Affected from this version on; "0" (or absent) means from the beginning. */
  readonly introduced?: string;
  /** First version no longer affected (exclusive upper bound). */
  readonly fixed?: string;
  /** Last version still affected (inclusive upper bound). */
  readonly lastAffected?: string;
  /** Versions at or past the limit are outside the range; "*" means none. */
  readonly limit?: string;
}

/** One event of an OSV range, as OSV writes it (exactly one key set). */
export interface OsvEvent {
  readonly introduced?: string;
  readonly fixed?: string;
  readonly last_affected?: string;
  readonly limit?: string;
}

export interface RangeOptions {
  /** The OSV range type; `SEMVER` ranges compare as SemVer 2.0 whatever the ecosystem. */
  readonly type?: 'ECOSYSTEM' | 'SEMVER';
}

function compareFor(ecosystem: string, options: RangeOptions): (a: string, b: string) => number {
  if (options.type === 'SEMVER') return (a, b) => npm.compare(a, b);
  return comparerFor(ecosystem).compare;
}

/** Whether `version` lies in the interval, with OSV's meaning of each bound. */
export function inRange(
  ecosystem: string,
  version: string,
  range: VersionRange,
  options: RangeOptions = {},
): boolean {
  const cmp = compareFor(ecosystem, options);
  if (range.introduced !== undefined && range.introduced !== '0' && cmp(version, range.introduced) < 0)
    return false;
  if (range.fixed !== undefined && cmp(version, range.fixed) >= 0) return false;
  if (range.lastAffected !== undefined && cmp(version, range.lastAffected) > 0) return false;
  if (range.limit !== undefined && range.limit !== '*' && cmp(version, range.limit) >= 0) return false;
  return true;
}

const KIND_ORDER = { introduced: 0, last_affected: 1, fixed: 2, limit: 3 } as const;
type Kind = keyof typeof KIND_ORDER;

/** The span of an OSV range that holds a version: where it opened and the event that closes it, if any. */
export interface AffectedSpan {
  readonly introduced: string;
  readonly fixed?: string;
  readonly lastAffected?: string;
}

/**
 * The span of an OSV range (its event list, in any order) that holds
 * `version`, or undefined when the version is not affected. Events are
 * sorted by version ("0" first) and walked in order — `introduced` at or
 * below the version makes it affected, `fixed` at or below and
 * `last_affected` below make it not; where there are `limit` events the
 * version must also be below one of them (`*` is no limit). The closing
 * event is the first `fixed` or `last_affected` above the version.
 */
export function affectedSpan(
  ecosystem: string,
  version: string,
  events: readonly OsvEvent[],
  options: RangeOptions = {},
): AffectedSpan | undefined {
  const cmp = compareFor(ecosystem, options);
  const list: { kind: Kind; at: string }[] = [];
  for (const e of events) {
    for (const kind of Object.keys(KIND_ORDER) as Kind[]) {
      const at = e[kind];
      if (typeof at === 'string') list.push({ kind, at });
    }
  }
  const zero = (e: { kind: Kind; at: string }) => e.kind === 'introduced' && e.at === '0';
  list.sort((x, y) => {
    if (zero(x) || zero(y)) return zero(x) ? (zero(y) ? 0 : -1) : 1;
    return cmp(x.at, y.at) || KIND_ORDER[x.kind] - KIND_ORDER[y.kind];
  });
  const limits = list.filter((e) => e.kind === 'limit');
  if (limits.length > 0 && !limits.some((e) => e.at === '*' || cmp(version, e.at) < 0)) return undefined;
  let open: string | undefined;
  let closing: { kind: Kind; at: string } | undefined;
  for (const e of list) {
    if (e.kind === 'limit') continue;
    if (e.kind === 'introduced') {
      if (zero(e) || cmp(version, e.at) >= 0) open = e.at;
    } else if (e.kind === 'fixed') {
      if (cmp(version, e.at) >= 0) open = undefined;
      else if (open !== undefined) closing ??= e;
    } else if (cmp(version, e.at) > 0) open = undefined;
    else if (open !== undefined) closing ??= e;
  }
  if (open === undefined) return undefined;
  if (closing?.kind === 'fixed') return { introduced: open, fixed: closing.at };
  if (closing?.kind === 'last_affected') return { introduced: open, lastAffected: closing.at };
  return { introduced: open };
}

/** Whether `version` is affected by an OSV range given as its event list (see affectedSpan). */
export function affectedByEvents(
  ecosystem: string,
  version: string,
  events: readonly OsvEvent[],
  options: RangeOptions = {},
): boolean {
  return affectedSpan(ecosystem, version, events, options) !== undefined;
}
