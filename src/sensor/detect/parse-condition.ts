/**
 * Validation of a condition (a user rule's `condition`, an exception's
 * matchers): known fields only, values checked, nesting and size bounded,
 * and each field checked against the event kinds it will see.
 */
import { isIP } from 'node:net';
import { at, type Checker, orList, shown } from './check.js';
import {
  COMBINATORS,
  type Condition,
  DETECT_LIMITS,
  FIELD_KINDS,
  FIELD_NAMES,
  type FieldName,
  NOTABLE_SYSCALLS,
  type PortRange,
} from './model.js';
import type { DetectEventKind } from './types.js';

export const CONDITION_KEYS: readonly string[] = [...COMBINATORS, ...FIELD_NAMES];

interface Scope {
  readonly c: Checker;
  /** Event kinds the condition will be evaluated on. */
  readonly kinds: readonly DetectEventKind[];
  /** Nodes left in this condition's budget. */
  nodes: number;
}

function pattern(s: Scope, path: string, v: unknown, absolute: boolean): string | undefined {
  const p = s.c.str(path, v, DETECT_LIMITS.pattern);
  if (p !== undefined && absolute && p.includes('/') && !p.startsWith('/') && !p.startsWith('*'))
    return s.c.fail(path, `a path pattern starts with / or *, got ${shown(p)}`);
  return p;
}

function cidr(s: Scope, path: string, v: unknown): string | undefined {
  const str = s.c.str(path, v, 64);
  if (str === undefined) return undefined;
  const [ip = '', prefix, ...rest] = str.split('/');
  const family = isIP(ip);
  const max = family === 6 ? 128 : 32;
  const bits = prefix === undefined ? max : /^[0-9]{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  if (family === 0 || rest.length > 0 || !(bits >= 0 && bits <= max))
    return s.c.fail(
      path,
      `expected an IP address or a CIDR block like 10.0.0.0/8 or fd00::/8, got ${shown(v)}`,
    );
  return str;
}

function port(s: Scope, path: string, v: unknown): PortRange | undefined {
  const ok = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 65535;
  if (typeof v === 'number' && ok(v)) return { from: v, to: v };
  const m = typeof v === 'string' ? /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(v.trim()) : null;
  const from = Number(m?.[1]);
  const to = m?.[2] === undefined ? from : Number(m[2]);
  if (m && ok(from) && ok(to) && from <= to) return { from, to };
  return s.c.fail(path, `expected a port (0-65535) or a range like 8000-8080, got ${shown(v)}`);
}

function uid(s: Scope, path: string, v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return v;
  return s.c.fail(path, `expected a user id (a whole number 0-4294967295), got ${shown(v)}`);
}

function field(s: Scope, path: string, name: FieldName, v: unknown): Partial<Record<FieldName, unknown>> {
  const applies = FIELD_KINDS[name] as readonly DetectEventKind[];
  if (!s.kinds.some((k) => applies.includes(k))) {
    s.c.fail(path, `applies to ${orList(applies)} events, never to ${orList(s.kinds)}`);
    return {};
  }
  const c = s.c;
  const many = <T>(f: (p: string, x: unknown) => T | undefined): T[] | undefined => c.oneOrMany(path, v, f);
  let value: unknown;
  switch (name) {
    case 'exe':
    case 'parent':
    case 'path':
    case 'image':
      value = many((p, x) => pattern(s, p, x, name !== 'image'));
      break;
    case 'comm':
    case 'namespace':
      value = many((p, x) => pattern(s, p, x, false));
      break;
    case 'argv': {
      const o = c.obj(path, v, ['contains', 'glob']);
      if (!o) break;
      if (o.contains === undefined && o.glob === undefined) {
        c.fail(path, 'name contains, glob or both');
        break;
      }
      const contains =
        o.contains === undefined ? [] : c.oneOrMany(at(path, 'contains'), o.contains, (p, x) => c.str(p, x));
      const glob =
        o.glob === undefined ? [] : c.oneOrMany(at(path, 'glob'), o.glob, (p, x) => pattern(s, p, x, false));
      if (contains && glob)
        value = { ...(contains.length ? { contains } : {}), ...(glob.length ? { glob } : {}) };
      break;
    }
    case 'address':
      value = many((p, x) => cidr(s, p, x));
      break;
    case 'port':
      value = many((p, x) => port(s, p, x));
      break;
    case 'uid':
      value = many((p, x) => uid(s, p, x));
      break;
    case 'syscall':
      value = many((p, x) => c.oneOf(p, x, NOTABLE_SYSCALLS));
      break;
    case 'write':
      if (typeof v === 'boolean') value = v;
      else c.fail(path, `expected true or false, got ${shown(v)}`);
      break;
  }
  return value === undefined ? {} : { [name]: value };
}

/** Checks a condition node; `extra` keys (an exception's `rule`, `reason`) are allowed and skipped. */
export function parseCondition(
  s: Scope,
  path: string,
  v: unknown,
  depth = 0,
  extra: readonly string[] = [],
): Condition | undefined {
  if (depth > DETECT_LIMITS.depth)
    return s.c.fail(path, `conditions nest deeper than ${DETECT_LIMITS.depth} levels`);
  if (--s.nodes < 0) {
    if (s.nodes === -1) s.c.fail(path, `more than ${DETECT_LIMITS.nodes} condition nodes`);
    return undefined;
  }
  const o = s.c.obj(path, v, [...CONDITION_KEYS, ...extra]);
  if (!o) return undefined;
  const out: Record<string, unknown> = {};
  let matchers = 0;
  for (const key of ['all', 'any'] as const) {
    const list = o[key];
    if (list === undefined) continue;
    matchers++;
    if (!Array.isArray(list) || list.length === 0) {
      s.c.fail(
        at(path, key),
        `expected a non-empty list of conditions, got ${Array.isArray(list) ? 'an empty list' : shown(list)}`,
      );
      continue;
    }
    if (list.length > DETECT_LIMITS.list) {
      s.c.fail(at(path, key), `more than ${DETECT_LIMITS.list} conditions`);
      continue;
    }
    out[key] = list.map((x, i) => parseCondition(s, at(at(path, key), i), x, depth + 1));
  }
  if (o.not !== undefined) {
    matchers++;
    out.not = parseCondition(s, at(path, 'not'), o.not, depth + 1);
  }
  for (const name of FIELD_NAMES) {
    if (o[name] === undefined) continue;
    matchers++;
    Object.assign(out, field(s, at(path, name), name, o[name]));
  }
  if (matchers === 0 && Object.keys(o).every((k) => extra.includes(k)))
    s.c.fail(path, `a condition needs at least one of ${CONDITION_KEYS.join(', ')}`);
  return out as Condition;
}

export function conditionScope(c: Checker, kinds: readonly DetectEventKind[]): Scope {
  return { c, kinds, nodes: DETECT_LIMITS.nodes };
}
