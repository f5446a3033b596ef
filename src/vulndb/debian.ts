/**
 * The Debian security tracker's JSON (https://security-tracker.debian.org/tracker/data/json:
 * source package → issue → { description, scope, debianbug, releases:
 * codename → { status, fixed_version, urgency, nodsa, nodsa_reason, repositories } })
 * to OSV-style records, one per (issue, source package), with one affected
 * entry per release in the ecosystem `Debian:<release>` (bookworm → 12,
 * sid → unstable). `resolved` with a fixed version closes the range;
 * `resolved` with version `0` (and `not-affected`) means never affected:
 * no entry. `open` is unfixed; `undetermined` is unfixed and flagged so.
 * The urgency is kept as a `Debian` severity per release and, the highest
 * of them, for the record.
 */
import type { Converted } from './alpine.js';
import { DEBIAN_RELEASES } from './names.js';
import type { Affected, RangeEvent, Reference, Severity } from './types.js';
import { isId, isObject } from './validate.js';

export const DEBIAN_SOURCE = 'debian-tracker';

const PKG = /^[a-z0-9][a-z0-9+.-]{0,255}$/;
const VERSION = /^[A-Za-z0-9.+~:-]{1,256}$/;
const MAX_TEXT = 64 * 1024;
const URGENCY_RANK: Readonly<Record<string, number>> = { unimportant: 0, low: 1, medium: 2, high: 3 };

function text(v: unknown, max = MAX_TEXT): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}

function rank(urgency: string): number {
  return URGENCY_RANK[urgency.replace(/\*+$/, '').trim()] ?? -1;
}

type Release = { affected: Affected } | { problem: string } | undefined;

function release(pkg: string, codename: string, r: unknown): Release {
  const rel = DEBIAN_RELEASES[codename];
  if (rel === undefined) return undefined; // a release OSV has no ecosystem for
  if (!isObject(r)) return { problem: `${codename} is not an object` };
  const status = r.status;
  const urgency = text(r.urgency, 64);
  let events: RangeEvent[];
  if (status === 'resolved') {
    const fixed = text(r.fixed_version, 256);
    if (fixed === '0') return undefined; // never affected
    if (fixed === undefined || !VERSION.test(fixed))
      return { problem: `${codename}: resolved without a valid fixed_version` };
    events = [{ introduced: '0' }, { fixed }];
  } else if (status === 'open' || status === 'undetermined') {
    events = [{ introduced: '0' }];
  } else if (status === 'not-affected') {
    return undefined;
  } else {
    return { problem: `${codename}: unknown status ${JSON.stringify(status)?.slice(0, 40)}` };
  }
  const nodsa = text(r.nodsa, 1024);
  const nodsaReason = text(r.nodsa_reason, 256);
  const severities: Severity[] = urgency ? [{ type: 'Debian', score: urgency }] : [];
  return {
    affected: {
      ecosystem: `Debian:${rel}`,
      package: pkg,
      ranges: [{ type: 'ECOSYSTEM', events }],
      versions: [],
      ...(severities.length > 0 ? { severities } : {}),
      databaseSpecific: {
        release: codename,
        status,
        ...(urgency ? { urgency } : {}),
        ...(status === 'undetermined' ? { undetermined: true } : {}),
        ...(nodsa ? { nodsa } : {}),
        ...(nodsaReason ? { nodsaReason } : {}),
      },
    },
  };
}

/** The records of one source package of the tracker (`pkg` → its issues). */
export function* debianRecords(pkg: string, issues: unknown): Generator<Converted> {
  if (!PKG.test(pkg)) {
    yield { problem: `${JSON.stringify(pkg).slice(0, 80)}: not a Debian source package name` };
    return;
  }
  if (!isObject(issues)) {
    yield { problem: `${pkg}: not an object of issues` };
    return;
  }
  for (const [id, issue] of Object.entries(issues)) {
    if (!isId(id) || !isObject(issue)) {
      yield { problem: `${pkg} ${JSON.stringify(id).slice(0, 80)}: not an issue` };
      continue;
    }
    if (!isObject(issue.releases)) {
      yield { problem: `${pkg} ${id}: no releases` };
      continue;
    }
    const affected: Affected[] = [];
    for (const [codename, r] of Object.entries(issue.releases)) {
      const x = release(pkg, codename, r);
      if (x && 'problem' in x) yield { problem: `${pkg} ${id}: ${x.problem}` };
      else if (x) affected.push(x.affected);
    }
    if (affected.length === 0) continue;
    const urgencies = affected.flatMap((a) => a.severities ?? []).map((s) => s.score);
    const top = urgencies.reduce<string | undefined>(
      (m, u) => (m === undefined || rank(u) > rank(m) ? u : m),
      undefined,
    );
    const bug =
      typeof issue.debianbug === 'number' && Number.isSafeInteger(issue.debianbug)
        ? issue.debianbug
        : undefined;
    const scope = issue.scope === 'local' || issue.scope === 'remote' ? issue.scope : undefined;
    const references: Reference[] = [
      { type: 'ADVISORY', url: `https://security-tracker.debian.org/tracker/${id}` },
      ...(bug !== undefined ? [{ type: 'REPORT', url: `https://bugs.debian.org/${bug}` }] : []),
    ];
    yield {
      part: pkg,
      advisory: {
        id,
        aliases: [],
        summary: text(issue.description) ?? '',
        details: '',
        severities: top ? [{ type: 'Debian', score: top }] : [],
        references,
        affected,
        ...(scope || bug !== undefined
          ? {
              databaseSpecific: {
                ...(scope ? { scope } : {}),
                ...(bug !== undefined ? { debianbug: bug } : {}),
              },
            }
          : {}),
        source: DEBIAN_SOURCE,
      },
    };
  }
}
