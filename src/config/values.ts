import { parseListen } from '../registry/server/config.js';
import { parseDuration } from './duration.js';
import type { SyslogAddress } from './types.js';
import { FACILITIES as AUDIT_FACILITIES } from '../registry/audit/index.js';

/** A value that does not fit its setting; the loader prefixes where it came from. */
export class InvalidValue extends Error {
  override readonly name = 'InvalidValue';
}

/** Turns a raw value (YAML scalar or environment string) into a setting's type, or throws InvalidValue. */
export type Parse<T> = (raw: unknown) => T;

/** `"soon"`, `30`, `a list`, … for error messages; long strings are cut. */
export function shown(raw: unknown): string {
  if (typeof raw === 'string') {
    const s = raw.length > 60 ? `${raw.slice(0, 60)}…` : raw;
    return JSON.stringify(s);
  }
  if (raw === null) return 'null';
  if (Array.isArray(raw)) return 'a list';
  if (typeof raw === 'object') return 'a mapping';
  return String(raw);
}

function invalid(expected: string, raw: unknown): InvalidValue {
  return new InvalidValue(`expected ${expected}, got ${shown(raw)}`);
}

// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

export function text(what = 'a string', max = 1024): Parse<string> {
  return (raw) => {
    if (typeof raw !== 'string' || raw.length === 0) throw invalid(what, raw);
    if (raw.length > max) throw new InvalidValue(`expected ${what} of at most ${max} characters`);
    if (CONTROL_RE.test(raw)) throw new InvalidValue(`expected ${what} without control characters`);
    return raw;
  };
}

export const path: Parse<string> = text('a file path', 4096);

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export const bool: Parse<boolean> = (raw) => {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const v = raw.toLowerCase();
    if (TRUE.has(v)) return true;
    if (FALSE.has(v)) return false;
  }
  throw invalid('true or false', raw);
};

export function int(min: number, max: number): Parse<number> {
  return (raw) => {
    const n =
      typeof raw === 'number' ? raw : typeof raw === 'string' && /^[0-9]{1,9}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw invalid(`a whole number from ${min} to ${max}`, raw);
    return n;
  };
}

export function oneOf<T extends string>(values: readonly T[]): Parse<T> {
  return (raw) => {
    const v = values.find((x) => x === raw);
    if (v === undefined) throw invalid(`one of ${values.join(', ')}`, raw);
    return v;
  };
}

/** A duration string in milliseconds, `0` allowed only when `zero` says what it means. */
export function duration(
  opts: { readonly min?: number; readonly max?: number; readonly zero?: boolean } = {},
): Parse<number> {
  return (raw) => {
    const ms = typeof raw === 'string' ? parseDuration(raw) : undefined;
    const expected = `a duration like 30s, 5m, 24h${opts.zero ? ' (0 disables)' : ''}`;
    if (ms === undefined || (ms === 0 && !opts.zero)) throw invalid(expected, raw);
    if (ms !== 0 && opts.min !== undefined && ms < opts.min) {
      throw new InvalidValue(`expected at least ${opts.min / 1000}s, got ${shown(raw)}`);
    }
    if (opts.max !== undefined && ms > opts.max) {
      throw new InvalidValue(`expected at most ${opts.max / 1000}s, got ${shown(raw)}`);
    }
    return ms;
  };
}

const HOST_RE =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/i;

/** Registry host names (`registry.example.com`, `10.0.0.5:5000`): a YAML list or a comma-separated string. */
export const hostList: Parse<readonly string[]> = (raw) => {
  const items =
    typeof raw === 'string' ? raw.split(',').map((x) => x.trim()) : Array.isArray(raw) ? raw : undefined;
  if (items === undefined || items.length === 0) throw invalid('a list of HOST[:PORT]', raw);
  if (items.length > 32) throw new InvalidValue('expected at most 32 host names');
  return items.map((h: unknown) => {
    if (typeof h !== 'string' || h.length > 260 || !HOST_RE.test(h)) throw invalid('HOST[:PORT]', h);
    return h.toLowerCase();
  });
};

export const listen: Parse<string> = (raw) => {
  if (typeof raw !== 'string') throw invalid('HOST:PORT', raw);
  try {
    parseListen(raw);
  } catch (e) {
    throw new InvalidValue(e instanceof Error ? e.message : 'expected HOST:PORT');
  }
  return raw;
};

function parseUrl(raw: unknown, what: string, schemes: readonly string[]): URL {
  const s = text(what, 2048)(raw);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw invalid(what, raw);
  }
  if (!schemes.includes(u.protocol)) throw invalid(what, raw);
  return u;
}

/** An http(s) URL without credentials (token realm, S3 endpoint). */
export const httpUrl: Parse<string> = (raw) => {
  const u = parseUrl(raw, 'an http:// or https:// URL', ['http:', 'https:']);
  if (u.username || u.password) throw new InvalidValue('the URL must not contain credentials');
  return u.href.endsWith('/') && !String(raw).endsWith('/') ? u.href.slice(0, -1) : u.href;
};

/** A postgres:// or postgresql:// connection URL. */
export const postgresUrl: Parse<string> = (raw) => {
  const u = parseUrl(raw, 'a postgres://USER:PASSWORD@HOST:PORT/DATABASE URL', ['postgres:', 'postgresql:']);
  if (!u.hostname && !u.searchParams.has('host')) throw new InvalidValue('the URL names no host');
  return String(raw);
};

/** A secret as given: non-empty, one line, at most 4 KiB. */
export const secret: Parse<string> = (raw) => {
  if (typeof raw !== 'string' || raw.length === 0) throw new InvalidValue('expected a non-empty string');
  if (raw.length > 4096) throw new InvalidValue('expected at most 4096 characters');
  if (CONTROL_RE.test(raw)) throw new InvalidValue('expected one line without control characters');
  return raw;
};

/** S3 bucket naming rules (lower-case DNS-style, 3–63 characters). */
export const bucket: Parse<string> = (raw) => {
  if (typeof raw !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(raw) || raw.includes('..')) {
    throw invalid('an S3 bucket name (3-63 characters: a-z, 0-9, ".", "-")', raw);
  }
  return raw;
};

/** Key prefix: relative segments, normalised to end with "/" (or empty). */
export const prefix: Parse<string> = (raw) => {
  const s = typeof raw === 'string' ? raw.replace(/^\/+|\/+$/g, '') : undefined;
  if (s === undefined || s.length > 512 || CONTROL_RE.test(s))
    throw invalid('a key prefix like "mamori/"', raw);
  if (s === '') return '';
  if (s.split('/').some((seg) => seg === '' || seg === '.' || seg === '..')) {
    throw invalid('a key prefix without empty, "." or ".." segments', raw);
  }
  return `${s}/`;
};

export const region: Parse<string> = (raw) => {
  if (typeof raw !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(raw))
    throw invalid('a region like us-east-1', raw);
  return raw;
};

/** `udp://HOST:PORT` or `tcp://HOST:PORT` (port default 514). */
export const syslogAddress: Parse<SyslogAddress> = (raw) => {
  const s = typeof raw === 'string' ? raw : undefined;
  const m =
    s === undefined
      ? null
      : /^(udp|tcp):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253})(?::([0-9]{1,5}))?\/?$/.exec(s);
  const port = m?.[3] === undefined ? 514 : Number(m[3]);
  if (!m || port < 1 || port > 65535) throw invalid('udp://HOST:PORT or tcp://HOST:PORT', raw);
  const host = (m[2] ?? '').replace(/^\[|\]$/g, '');
  return { protocol: m[1] === 'tcp' ? 'tcp' : 'udp', host, port };
};

/** RFC 5424 facility names and codes (the audit log's table). */
export const FACILITIES: Readonly<Record<string, number>> = AUDIT_FACILITIES;

export const facility: Parse<number> = (raw) => {
  if (typeof raw === 'string' && Object.hasOwn(FACILITIES, raw)) return FACILITIES[raw] ?? 16;
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= 23) return raw;
  throw invalid(`a syslog facility (${Object.keys(FACILITIES).join(', ')})`, raw);
};

export function facilityName(code: number): string {
  return Object.entries(FACILITIES).find(([, v]) => v === code)?.[0] ?? String(code);
}
