/**
 * Collecting validation problems with their paths
 * (`rules[0].condition.all[1].port: expected …`), unknown keys refused with a
 * "did you mean" hint — the style of mamori's policy validation.
 */
import { didYouMean, MamoriError } from '../../core/index.js';
import { DETECT_LIMITS } from './model.js';

/** Detection rules that failed validation: `problems` lists each one with its path. */
export class DetectionRulesError extends MamoriError {
  constructor(readonly problems: readonly string[]) {
    super('INVALID_ARGUMENT', `invalid detection rules:\n  ${problems.slice(0, 50).join('\n  ')}`);
    this.name = 'DetectionRulesError';
  }
}

export type Obj = Readonly<Record<string, unknown>>;

export const at = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;

export function kind(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `${typeof v} ${shown(v)}`;
}

export function shown(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  const cut = s.length > 60 ? `${s.slice(0, 60)}…` : s;
  return typeof v === 'string' ? JSON.stringify(cut) : cut;
}

export function orList(items: readonly string[]): string {
  return items.length < 2
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
}

export class Checker {
  readonly problems: string[] = [];
  fail(path: string, message: string): undefined {
    if (this.problems.length < 1000) this.problems.push(`${path || '(document)'}: ${message}`);
    return undefined;
  }
  obj(path: string, v: unknown, keys: readonly string[]): Obj | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return this.fail(path, `expected a mapping, got ${kind(v)}`);
    for (const k of Object.keys(v)) {
      if (!keys.includes(k)) {
        this.fail(at(path, k), `unknown key${didYouMean(k, keys)}; known: ${keys.join(', ')}`);
      }
    }
    return v as Obj;
  }
  str(path: string, v: unknown, max: number = DETECT_LIMITS.string): string | undefined {
    if (v === undefined) return this.fail(path, 'required');
    if (typeof v !== 'string') return this.fail(path, `expected a string, got ${kind(v)}`);
    if (v.length === 0) return this.fail(path, 'must not be empty');
    if (v.length > max) return this.fail(path, `longer than ${max} characters`);
    if (v.includes('\0')) return this.fail(path, 'must not contain NUL characters');
    return v;
  }
  /** A value or a list of values (`exe: curl` or `exe: [curl, wget]`), each checked by `item`. */
  oneOrMany<T>(path: string, v: unknown, item: (path: string, x: unknown) => T | undefined): T[] | undefined {
    if (!Array.isArray(v)) {
      const x = item(path, v);
      return x === undefined ? undefined : [x];
    }
    if (v.length === 0) return this.fail(path, 'expected at least one value');
    if (v.length > DETECT_LIMITS.list) return this.fail(path, `more than ${DETECT_LIMITS.list} values`);
    const out: T[] = [];
    let ok = true;
    v.forEach((x, i) => {
      const r = item(at(path, i), x);
      if (r === undefined) ok = false;
      else out.push(r);
    });
    return ok ? out : undefined;
  }
  oneOf<T extends string>(path: string, v: unknown, allowed: readonly T[]): T | undefined {
    if (v === undefined) return this.fail(path, `required: ${orList(allowed)}`);
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    const hint = typeof v === 'string' ? didYouMean(v, allowed) : '';
    return this.fail(path, `expected ${orList(allowed)}, got ${shown(v)}${hint}`);
  }
}
