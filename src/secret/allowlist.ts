/**
 * The secret allow-list: rules switched off, paths never scanned, secret
 * values known to be harmless, and single findings accepted with a reason.
 * Read strictly: an unknown key, an unknown rule id, a bad glob or regex is
 * an error naming the line, so that a typo never widens or silently drops
 * an entry. Findings are named by `ruleId:path:line` or by the SHA-256 of
 * the secret (`printf %s "$SECRET" | sha256sum`), never by the secret.
 *
 * ```yaml
 * disable: [jwt]                          # rule ids
 * paths: ["/opt/app/fixtures/**"]         # globs over absolute image paths
 * values: ["^sk_test_", "/^dummy-/i"]     # regexes of secret values (/…/flags allowed)
 * findings:
 *   - fingerprint: "github-pat:/app/.env:3"
 *     reason: "revoked 2024-05-01, kept for the integration test"
 *   - fingerprint: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
 *     reason: "public demo key"
 * ```
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import { MamoriError, decodeUtf8, readBoundedFile } from '../core/index.js';
import { SECRET_RULES } from './rules.js';
import { globMatcher } from './skip.js';
import type { AllowList, AllowListEntry } from './types.js';

export const MAX_ALLOW_LIST_BYTES = 1024 * 1024;
const MAX_ITEMS = 10_000;
const MAX_PATTERN = 1024;
const MAX_REASON = 4096;
const KEYS = ['disable', 'paths', 'values', 'findings'] as const;
const FINDING_KEYS = ['fingerprint', 'reason'] as const;

type Path = readonly (string | number)[];

class Reader {
  constructor(
    private readonly name: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  fail(path: Path, msg: string, code: 'INVALID_ARGUMENT' | 'LIMIT_EXCEEDED' = 'INVALID_ARGUMENT'): never {
    // The nearest node that exists gives the line.
    let line: number | undefined;
    for (let n = path.length; n >= 0 && line === undefined; n--) {
      const node: unknown = n === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) line = this.lines.linePos(range[0]).line;
    }
    const where = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
    throw new MamoriError(code, `${this.name}${line ? `:${line}` : ''}: ${where ? `${where}: ` : ''}${msg}`);
  }

  str(v: unknown, path: Path, max: number): string {
    if (v === undefined || v === null) this.fail(path, 'required');
    if (typeof v !== 'string') this.fail(path, `must be a string, got ${typeName(v)}`);
    const s = v.trim();
    if (s === '') this.fail(path, 'must not be empty');
    if (s.length > max) this.fail(path, `longer than ${max} characters`);
    return s;
  }

  list(v: unknown, path: Path): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(path, `must be a list, got ${typeName(v)}`);
    if (v.length > MAX_ITEMS) this.fail(path, `more than ${MAX_ITEMS} items`, 'LIMIT_EXCEEDED');
    return v;
  }

  mapping(v: unknown, path: Path, keys: readonly string[]): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      this.fail(path, `must be a mapping, got ${typeName(v)}`);
    const m = v as Record<string, unknown>;
    for (const k of Object.keys(m)) {
      if (!keys.includes(k)) this.fail([...path, k], `unknown key (expected ${keys.join(', ')})`);
    }
    return m;
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}

function ruleId(r: Reader, v: unknown, path: Path, known: ReadonlySet<string>): string {
  const id = r.str(v, path, 128);
  if (!known.has(id)) r.fail(path, `unknown rule "${id}" (known: ${[...known].sort().join(', ')})`);
  return id;
}

/** A value pattern: a regex source, or `/source/flags`. */
function valueRegex(r: Reader, v: unknown, path: Path): RegExp {
  const text = r.str(v, path, MAX_PATTERN);
  const slashed = /^\/(.+)\/([imsu]*)$/s.exec(text);
  const [source, flags] = slashed ? [slashed[1]!, slashed[2]!] : [text, ''];
  if (/^\(\?[a-z]+\)/.test(source))
    r.fail(path, `inline flags like "(?i)" are not supported; write /pattern/i`);
  try {
    return new RegExp(source, flags);
  } catch (e) {
    return r.fail(path, `not a valid regular expression: ${(e as Error).message}`);
  }
}

function glob(r: Reader, v: unknown, path: Path): string {
  const g = r.str(v, path, MAX_PATTERN);
  try {
    globMatcher([g]);
  } catch {
    r.fail(path, `not a valid glob: "${g}"`);
  }
  return g;
}

function finding(r: Reader, v: unknown, path: Path, known: ReadonlySet<string>): AllowListEntry {
  const m = r.mapping(v, path, FINDING_KEYS);
  const fp = r.str(m['fingerprint'], [...path, 'fingerprint'], 4096 + 200);
  const reason = r.str(m['reason'], [...path, 'reason'], MAX_REASON);
  const fpPath = [...path, 'fingerprint'];
  const hash = /^sha256:([0-9a-fA-F]{64})$/.exec(fp);
  if (hash) return { kind: 'hash', sha256: `sha256:${hash[1]!.toLowerCase()}`, reason };
  const first = fp.indexOf(':');
  const last = fp.lastIndexOf(':');
  if (first <= 0 || last <= first + 1) {
    r.fail(fpPath, `expected "ruleId:path:line" or "sha256:<64 hex digits>", got "${fp}"`);
  }
  const id = ruleId(r, fp.slice(0, first), fpPath, known);
  const line = Number(fp.slice(last + 1));
  if (!/^\d+$/.test(fp.slice(last + 1)) || !Number.isSafeInteger(line) || line < 1) {
    r.fail(fpPath, `line must be a positive integer in "${fp}"`);
  }
  return { kind: 'location', ruleId: id, path: fp.slice(first + 1, last), line, reason };
}

/**
 * Parses and validates an allow-list. `name` names it in messages;
 * `ruleIds` are the ids that may be named (default: every built-in rule).
 */
export function parseAllowList(
  text: string,
  name = 'allow-list',
  ruleIds: readonly string[] = SECRET_RULES.map((x) => x.id),
): AllowList {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    uniqueKeys: true,
    strict: true,
    prettyErrors: false,
  });
  const problem = doc.errors[0];
  if (problem) {
    const at = problem.linePos?.[0]?.line;
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `${name}${at ? `:${at}` : ''}: invalid YAML: ${problem.message.split('\n')[0]}`,
    );
  }
  const r = new Reader(name, doc, lines);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new MamoriError('LIMIT_EXCEEDED', `${name}: ${(e as Error).message}`, { cause: e });
  }
  const known = new Set(ruleIds);
  const top = data === null || data === undefined ? {} : r.mapping(data, [], KEYS);
  const result: AllowList = {
    source: name,
    disabledRules: Object.freeze(
      r.list(top['disable'], ['disable']).map((v, i) => ruleId(r, v, ['disable', i], known)),
    ),
    paths: Object.freeze(r.list(top['paths'], ['paths']).map((v, i) => glob(r, v, ['paths', i]))),
    values: Object.freeze(r.list(top['values'], ['values']).map((v, i) => valueRegex(r, v, ['values', i]))),
    findings: Object.freeze(
      r
        .list(top['findings'], ['findings'])
        .map((v, i) => Object.freeze(finding(r, v, ['findings', i], known))),
    ),
  };
  return Object.freeze(result);
}

/** Reads and validates an allow-list file (UTF-8 YAML, at most 1 MiB). */
export async function loadAllowList(path: string, ruleIds?: readonly string[]): Promise<AllowList> {
  const bytes = await readBoundedFile(path, MAX_ALLOW_LIST_BYTES);
  return parseAllowList(decodeUtf8(bytes, path), path, ruleIds);
}
