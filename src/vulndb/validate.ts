/**
 * The boundary of every feed: an OSV record (untrusted JSON) to a typed
 * `Advisory`, or the reason it was refused. Elements that only inform
 * (aliases, references, severities, feed-specific objects) are dropped when
 * malformed; anything that decides whether a version is affected (ranges,
 * events, versions, dates) makes the whole record invalid, so a half-read
 * record never widens or narrows a match.
 */
import type { Advisory, Affected, JsonObject, Range, RangeEvent, Reference, Severity } from './types.js';

export const LIMITS = Object.freeze({
  idLength: 256,
  listItems: 10_000,
  summaryLength: 64 * 1024,
  detailsLength: 1024 * 1024,
  affected: 100_000,
  ranges: 1_000,
  events: 10_000,
  versions: 200_000,
  valueLength: 1024,
  urlLength: 4096,
  objectBytes: 64 * 1024,
  objectDepth: 32,
});

/** A refused record, with a reason a person can act on. */
export class InvalidRecord extends Error {
  override readonly name = 'InvalidRecord';
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._:+-]*$/;
const TYPE = /^[A-Za-z0-9_]{1,64}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function fail(message: string): never {
  throw new InvalidRecord(message);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A valid advisory or alias id. */
export function isId(v: unknown): v is string {
  return typeof v === 'string' && v.length <= LIMITS.idLength && ID.test(v);
}

/** A short string without control characters, else undefined. */
function token(v: unknown, max: number = LIMITS.valueLength): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= max && !CONTROL.test(v) ? v : undefined;
}

function text(v: unknown, max: number, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') fail(`${what} is not a string`);
  if (v.length > max) fail(`${what} is longer than ${max} characters`);
  return v;
}

/** An array of at most `max` items (absent is empty); anything else refuses the record. */
function list(v: unknown, max: number, what: string): readonly unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(`${what} is not an array`);
  if (v.length > max) fail(`${what} has more than ${max} items`);
  return v;
}

const UTC = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z$/;
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The common case, a UTC time: checked field by field, without building a Date; null when not in that form. */
function utc(v: string, what: string): string | null {
  const m = UTC.exec(v);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac] = m as unknown as string[];
  const month = Number(mo);
  const day = Number(d);
  const year = Number(y);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && !leap ? 28 : (DAYS[month - 1] ?? 0);
  if (month < 1 || day < 1 || day > days || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    fail(`${what} is not a valid time`);
  }
  return `${y}-${mo}-${d}T${h}:${mi}:${s}.${((frac ?? '') + '000').slice(0, 3)}Z`;
}

/** RFC 3339 time normalised to ISO 8601 in UTC, or undefined when absent; refuses a malformed one. */
export function time(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  const fast = typeof v === 'string' ? utc(v, what) : null;
  if (fast !== null) return fast;
  if (typeof v !== 'string' || !RFC3339.test(v)) fail(`${what} is not an RFC 3339 time`);
  const ms = Date.parse(v.replace(' ', 'T'));
  if (Number.isNaN(ms)) fail(`${what} is not a valid time`);
  return new Date(ms).toISOString();
}

function ids(v: unknown, what: string): string[] {
  return [...new Set(list(v, LIMITS.listItems, what).filter(isId))];
}

/** Whether a JSON value nests no deeper than `depth` levels. */
function shallow(v: unknown, depth: number): boolean {
  if (typeof v !== 'object' || v === null) return true;
  if (depth === 0) return false;
  for (const x of Array.isArray(v) ? v : Object.values(v)) if (!shallow(x, depth - 1)) return false;
  return true;
}

/**
 * A bounded JSON object, or undefined (dropped) when absent, empty, not an
 * object or too large. `small`: the whole record is known to be within the
 * bound, so the object is too and need not be measured.
 */
export function jsonObject(v: unknown, small = false): JsonObject | undefined {
  if (!isObject(v) || !shallow(v, LIMITS.objectDepth)) return undefined;
  if (small) return Object.keys(v).length > 0 ? v : undefined;
  const s = JSON.stringify(v);
  return s.length <= LIMITS.objectBytes && s !== '{}' ? v : undefined;
}

export function severities(v: unknown): Severity[] {
  const out: Severity[] = [];
  for (const s of list(v, LIMITS.listItems, 'severity')) {
    if (!isObject(s)) continue;
    const type = typeof s.type === 'string' && TYPE.test(s.type) ? s.type : undefined;
    const score = token(s.score);
    if (type && score) out.push({ type, score });
  }
  return out;
}

function references(v: unknown): Reference[] {
  const out: Reference[] = [];
  for (const r of list(v, LIMITS.listItems, 'references')) {
    if (!isObject(r)) continue;
    const url = token(r.url, LIMITS.urlLength);
    if (!url) continue;
    const type = typeof r.type === 'string' && TYPE.test(r.type) ? r.type : 'WEB';
    out.push({ type, url });
  }
  return out;
}

const EVENT_KEYS = {
  introduced: 'introduced',
  fixed: 'fixed',
  last_affected: 'lastAffected',
  limit: 'limit',
};

function event(v: unknown, what: string): RangeEvent {
  if (!isObject(v)) fail(`${what} is not an object`);
  const keys = Object.keys(v);
  const k = keys[0] as keyof typeof EVENT_KEYS;
  if (keys.length !== 1 || !Object.hasOwn(EVENT_KEYS, k)) {
    fail(`${what} must have exactly one of introduced, fixed, last_affected, limit`);
  }
  const value = token(v[k]);
  if (value === undefined) fail(`${what}.${k} is not a version`);
  return { [EVENT_KEYS[k]]: value } as RangeEvent;
}

function range(v: unknown, what: string): Range {
  if (!isObject(v)) fail(`${what} is not an object`);
  const type = v.type;
  if (type !== 'ECOSYSTEM' && type !== 'SEMVER' && type !== 'GIT') {
    fail(`${what}.type ${JSON.stringify(type)} is not ECOSYSTEM, SEMVER or GIT`);
  }
  const events = list(v.events, LIMITS.events, `${what}.events`).map((e, i) =>
    event(e, `${what}.events[${i}]`),
  );
  if (events.length === 0) fail(`${what} has no events`);
  const repo = token(v.repo, LIMITS.urlLength);
  return { type, ...(repo !== undefined ? { repo } : {}), events };
}

function affected(v: unknown, what: string, small: boolean): Affected | undefined {
  if (!isObject(v)) fail(`${what} is not an object`);
  // Entries without a package carry only GIT commit ranges: nothing to match packages against.
  if (v.package === undefined || v.package === null) return undefined;
  if (!isObject(v.package)) fail(`${what}.package is not an object`);
  const ecosystem = token(v.package.ecosystem, 128);
  const name = token(v.package.name);
  if (!ecosystem || !name) fail(`${what}.package needs an ecosystem and a name`);
  const purl = token(v.package.purl, LIMITS.urlLength);
  const ranges = list(v.ranges, LIMITS.ranges, `${what}.ranges`).map((r, i) =>
    range(r, `${what}.ranges[${i}]`),
  );
  const versions = list(v.versions, LIMITS.versions, `${what}.versions`).map((x, i) => {
    const s = token(x);
    if (s === undefined) fail(`${what}.versions[${i}] is not a version`);
    return s;
  });
  const sev = severities(v.severity);
  const eco = jsonObject(v.ecosystem_specific, small);
  const db = jsonObject(v.database_specific, small);
  return {
    ecosystem,
    package: name,
    ...(purl !== undefined ? { purl } : {}),
    ranges,
    versions,
    ...(sev.length > 0 ? { severities: sev } : {}),
    ...(eco ? { ecosystemSpecific: eco } : {}),
    ...(db ? { databaseSpecific: db } : {}),
  };
}

/**
 * Validates one OSV record; throws InvalidRecord with the reason when it
 * cannot be used. `textLength`, the size of the JSON text it was parsed
 * from, saves measuring its parts when the whole is small.
 */
export function parseOsv(v: unknown, textLength = Infinity): Advisory {
  const small = textLength <= LIMITS.objectBytes;
  if (!isObject(v)) fail('record is not a JSON object');
  if (!isId(v.id)) fail('record has no valid id');
  const id = v.id;
  const at = (m: string) => `${id}: ${m}`;
  try {
    const modified = time(v.modified, 'modified');
    if (modified === undefined) fail('modified is missing');
    const published = time(v.published, 'published');
    const withdrawn = time(v.withdrawn, 'withdrawn');
    const related = ids(v.related, 'related');
    const upstream = ids(v.upstream, 'upstream');
    const affectedList: Affected[] = [];
    list(v.affected, LIMITS.affected, 'affected').forEach((a, i) => {
      const x = affected(a, `affected[${i}]`, small);
      if (x) affectedList.push(x);
    });
    const db = jsonObject(v.database_specific, small);
    return {
      id,
      aliases: ids(v.aliases, 'aliases').filter((a) => a !== id),
      ...(related.length > 0 ? { related } : {}),
      ...(upstream.length > 0 ? { upstream } : {}),
      summary: text(v.summary, LIMITS.summaryLength, 'summary'),
      details: text(v.details, LIMITS.detailsLength, 'details'),
      ...(published !== undefined ? { published } : {}),
      modified,
      ...(withdrawn !== undefined ? { withdrawn } : {}),
      severities: severities(v.severity),
      references: references(v.references),
      affected: affectedList,
      ...(db ? { databaseSpecific: db } : {}),
      source: 'osv',
    };
  } catch (e) {
    if (e instanceof InvalidRecord) throw new InvalidRecord(at(e.message));
    throw e;
  }
}

/** The reason of a refused record (or of a JSON syntax error), for the import report. */
export function problemOf(e: unknown): string | undefined {
  if (e instanceof InvalidRecord) return e.message;
  if (e instanceof SyntaxError) return `not valid JSON: ${e.message}`;
  if (e instanceof RangeError) return `not usable JSON: ${e.message}`;
  return undefined;
}
