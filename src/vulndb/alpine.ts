/**
 * Alpine's secdb (https://secdb.alpinelinux.org/, e.g. `v3.11/main.json`) to
 * OSV-style records: one per (vulnerability id, origin package) in the
 * ecosystem `Alpine:v3.11`, with an ECOSYSTEM range `introduced 0` and every
 * version the secfixes list as fixing it (the earliest one closes the range,
 * as OSV evaluates events). A fix of `0` means the package was never
 * affected on that release: no record.
 */
import { MamoriError } from '../core/index.js';
import { isId, isObject } from './validate.js';
import type { Advisory } from './types.js';

export interface DistroRecord {
  readonly advisory: Advisory;
  /** The source package the record is about. */
  readonly part: string;
}

export type Converted = DistroRecord | { readonly problem: string };

export interface AlpineFeed {
  /** `alpine-secdb:v3.11-main` */
  readonly source: string;
  /** `Alpine:v3.11` */
  readonly ecosystem: string;
  readonly repository: string;
  readonly packages: readonly unknown[];
}

const RELEASE = /^(v\d{1,3}\.\d{1,3}|edge)$/;
const REPO = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const PKG = /^[A-Za-z0-9][A-Za-z0-9+._-]{0,255}$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9+._~-]{0,127}$/;
const CVE = /\bCVE[\s_-]*(\d{4})-(\d{4,})(?:-\d+)?/gi;
/** An id such as `XSA-182` or `TALOS-2019-0844`: a prefix, a dash, and something with a digit. */
const OTHER_ID = /^[A-Za-z][A-Za-z0-9]*-(?=[A-Za-z0-9._:-]*\d)[A-Za-z0-9._:-]+$/;

/** Whether a parsed JSON document looks like a secdb file. */
export function isAlpineSecdb(doc: unknown): boolean {
  return isObject(doc) && 'distroversion' in doc && 'packages' in doc;
}

/** Checks the header of a secdb document; a wrong one refuses the whole file. */
export function alpineFeed(doc: unknown, what: string): AlpineFeed {
  const bad = (m: string) => new MamoriError('INVALID_ARGUMENT', `${what}: not an Alpine secdb file (${m})`);
  if (!isObject(doc)) throw bad('not a JSON object');
  const release = doc.distroversion;
  const repo = doc.reponame;
  if (typeof release !== 'string' || !RELEASE.test(release)) throw bad('distroversion is not like v3.11');
  if (typeof repo !== 'string' || !REPO.test(repo)) throw bad('reponame is missing');
  if (doc.packages !== null && !Array.isArray(doc.packages)) throw bad('packages is not a list');
  return {
    source: `alpine-secdb:${release}-${repo}`,
    ecosystem: `Alpine:${release}`,
    repository: repo,
    packages: (doc.packages as unknown[] | null) ?? [],
  };
}

/**
 * A secfixes entry to its vulnerability id and aliases: `CVE-2019-5060
 * TALOS-2019-0844` (two names), `CVE-2018-14468 (FrameRelay)` (a note),
 * `CVE-2017-17434-1` (a part of one CVE), `CVE_2019-2426` and
 * `CVE 2018-16859` (typos).
 */
export function secfixIds(entry: string): { id: string; aliases: string[] } | undefined {
  if (entry.length > 1024) return undefined;
  const words = entry.replace(/\(.*$/, '').replace(CVE, 'CVE-$1-$2').trim().split(/\s+/);
  const [id, ...rest] = words.filter((w) => isId(w) && OTHER_ID.test(w));
  return id === undefined ? undefined : { id, aliases: [...new Set(rest.filter((a) => a !== id))] };
}

/** The records of one secdb package entry. */
export function* alpineRecords(feed: AlpineFeed, entry: unknown, index: number): Generator<Converted> {
  const pkg = isObject(entry) && isObject(entry.pkg) ? entry.pkg : undefined;
  const name = pkg?.name;
  if (!pkg || typeof name !== 'string' || !PKG.test(name)) {
    yield { problem: `packages[${index}]: no valid package name` };
    return;
  }
  if (pkg.secfixes === undefined || pkg.secfixes === null) return;
  if (!isObject(pkg.secfixes)) {
    yield { problem: `${name}: secfixes is not an object` };
    return;
  }
  const byId = new Map<string, { fixed: string[]; aliases: Set<string> }>();
  for (const [version, list] of Object.entries(pkg.secfixes)) {
    if (list === null && VERSION.test(version)) continue; // a version listed without ids
    if (!VERSION.test(version) || !Array.isArray(list)) {
      yield { problem: `${name}: secfixes ${JSON.stringify(version).slice(0, 80)} is malformed` };
      continue;
    }
    for (const raw of list) {
      const ids = typeof raw === 'string' ? secfixIds(raw) : undefined;
      if (!ids) {
        yield { problem: `${name} ${version}: ${JSON.stringify(raw).slice(0, 80)} names no vulnerability` };
        continue;
      }
      const rec = byId.get(ids.id) ?? { fixed: [], aliases: new Set<string>() };
      byId.set(ids.id, rec);
      for (const a of ids.aliases) rec.aliases.add(a);
      // "0": never affected on this release.
      if (version !== '0' && !rec.fixed.includes(version)) rec.fixed.push(version);
    }
  }
  for (const [id, rec] of byId) {
    if (rec.fixed.length === 0) continue;
    yield {
      part: name,
      advisory: {
        id,
        aliases: [...rec.aliases],
        summary: '',
        details: '',
        severities: [],
        references: id.startsWith('CVE-')
          ? [{ type: 'ADVISORY', url: `https://security.alpinelinux.org/vuln/${id}` }]
          : [],
        affected: [
          {
            ecosystem: feed.ecosystem,
            package: name,
            ranges: [
              { type: 'ECOSYSTEM', events: [{ introduced: '0' }, ...rec.fixed.map((fixed) => ({ fixed }))] },
            ],
            versions: [],
            databaseSpecific: { repository: feed.repository },
          },
        ],
        source: feed.source,
      },
    };
  }
}
