/**
 * The ignore file (`.mamoriignore.yaml`): findings the user has decided to
 * accept, each with a reason and optionally an expiry date, limited to some
 * packages or paths. Read strictly: an unknown key, a wrong type or a bad
 * date is an error naming the entry, so that a typo never widens or silently
 * drops a rule.
 *
 * ```yaml
 * ignore:
 *   - id: CVE-2023-1234            # the finding's id or any alias
 *     reason: "not reachable: we never parse untrusted XML"
 *     expires: 2027-01-31          # suppresses through that day (UTC); or an RFC 3339 instant
 *     packages: ["pkg:deb/debian/libxml2", "libxml2"]   # purls (version optional) or names
 *     paths: ["/usr/lib/**"]       # globs over the package's locations
 * ```
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Lexer, parseDocument } from 'yaml';
import { MamoriError, decodeUtf8, parsePurl, readBoundedFile, type ParsedPurl } from '../core/index.js';
import {
  clean,
  compileGlob,
  isPlainObject,
  parseDateOnly,
  parseTimestamp,
  quote,
  typeName,
} from './suppress.js';

/** Names looked for, in this order, by {@link findIgnoreFile}. */
export const IGNORE_FILE_NAMES = ['.mamoriignore.yaml', '.mamoriignore.yml'] as const;
export const MAX_IGNORE_FILE_BYTES = 4 * 1024 * 1024;
export const MAX_IGNORE_ENTRIES = 10_000;
const MAX_PACKAGES_PER_ENTRY = 1_000;
const MAX_PATHS_PER_ENTRY = 100;
const MAX_GLOBS = 10_000;
const MAX_GLOB_LENGTH = 1_024;
const MAX_BRACE_GROUPS = 4;
const MAX_ID_LENGTH = 256;
const MAX_REASON_LENGTH = 64 * 1024;
const MAX_ALIASES = 100;
const MAX_DEPTH = 128;
const KEYS = ['id', 'reason', 'expires', 'packages', 'paths'] as const;

/** Which packages an entry is limited to: a package URL pattern or a package name. */
export type PackageSelector =
  | { readonly kind: 'purl'; readonly text: string; readonly purl: ParsedPurl }
  | { readonly kind: 'name'; readonly name: string };

export interface IgnoreEntry {
  /** Position in the file's `ignore` list, for messages and the suppression's source. */
  readonly index: number;
  readonly id: string;
  readonly reason: string;
  /** `at`: epoch milliseconds of the first instant the entry no longer suppresses. */
  readonly expires?: { readonly text: string; readonly at: number };
  readonly packages?: readonly PackageSelector[];
  /** Globs over absolute paths inside the image. */
  readonly paths?: readonly string[];
}

export interface IgnoreRules {
  /** The file's name as given, for messages. */
  readonly name: string;
  readonly entries: readonly IgnoreEntry[];
}

function fail(name: string, where: string, msg: string): never {
  throw new MamoriError('INVALID_ARGUMENT', `${name}: ${where}: ${msg}`);
}

/**
 * Rejects nesting deeper than the parser can take before parsing: the YAML
 * parser recurses per level. The estimate (flow brackets + indentation +
 * block indicators on the line) is an upper bound on the real depth.
 */
function checkDepth(text: string, name: string): void {
  let flow = 0;
  let indent = 0;
  let indicators = 0;
  let lineStart = true;
  for (const tok of new Lexer().lex(text)) {
    if (tok === '\n' || tok === '\r\n') {
      lineStart = true;
      indent = 0;
      indicators = 0;
      continue;
    }
    if (lineStart && /^ +$/.test(tok)) indent = tok.length;
    lineStart = false;
    if (tok === '[' || tok === '{') flow++;
    else if (tok === ']' || tok === '}') flow = Math.max(0, flow - 1);
    else if (tok === '-' || tok === '?' || tok === ':') indicators++;
    if (flow + indent + indicators > MAX_DEPTH) {
      throw new MamoriError('LIMIT_EXCEEDED', `${name}: nested more than ${MAX_DEPTH} levels deep`);
    }
  }
}

function parseYaml(text: string, name: string): unknown {
  let doc;
  try {
    checkDepth(text, name);
    doc = parseDocument(text, {
      schema: 'core',
      version: '1.2',
      uniqueKeys: true,
      prettyErrors: true,
      strict: true,
      logLevel: 'error',
    });
  } catch (e) {
    if (e instanceof MamoriError) throw e;
    throw new MamoriError('INVALID_ARGUMENT', `${name}: invalid YAML: ${clean((e as Error).message)}`, {
      cause: e,
    });
  }
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem)
    throw new MamoriError('INVALID_ARGUMENT', `${name}: invalid YAML: ${clean(problem.message.trim())}`);
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    throw new MamoriError('LIMIT_EXCEEDED', `${name}: invalid YAML: ${(e as Error).message}`, { cause: e });
  }
}

function str(v: unknown, name: string, where: string, max: number): string {
  if (v === undefined || v === null) fail(name, where, 'required');
  if (typeof v !== 'string') fail(name, where, `must be a string, got ${typeName(v)}`);
  const s = v.trim();
  if (s === '') fail(name, where, 'required (empty)');
  if (s.length > max) fail(name, where, `longer than ${max} characters`);
  return s;
}

function list(v: unknown, name: string, where: string, max: number): unknown[] {
  if (!Array.isArray(v)) fail(name, where, `must be a list, got ${typeName(v)}`);
  if (v.length === 0) fail(name, where, 'must not be empty (leave the key out to match everything)');
  if (v.length > max) throw new MamoriError('LIMIT_EXCEEDED', `${name}: ${where}: more than ${max} items`);
  return v;
}

function parseExpires(v: unknown, name: string, where: string): { text: string; at: number } {
  const text = str(v, name, where, 64);
  const day = parseDateOnly(text);
  if (day !== undefined) return { text, at: day + 86_400_000 };
  const at = parseTimestamp(text);
  if (at === undefined) fail(name, where, `not a date (YYYY-MM-DD or an RFC 3339 date-time): ${quote(text)}`);
  return { text, at };
}

function parseSelector(v: unknown, name: string, where: string): PackageSelector {
  const text = str(v, name, where, 4096);
  if (/^pkg:/i.test(text)) {
    const purl = parsePurl(text);
    if (!purl) fail(name, where, `not a valid package URL: ${quote(text)}`);
    return { kind: 'purl', text, purl };
  }
  if (/\s/.test(text)) fail(name, where, `not a package name or package URL: ${quote(text)}`);
  return { kind: 'name', name: text };
}

function parseGlob(v: unknown, name: string, where: string): string {
  const glob = str(v, name, where, MAX_GLOB_LENGTH);
  if ((glob.match(/\{/g)?.length ?? 0) > MAX_BRACE_GROUPS) {
    fail(name, where, `more than ${MAX_BRACE_GROUPS} brace groups: ${quote(glob)}`);
  }
  try {
    compileGlob(glob);
  } catch (e) {
    fail(name, where, `not a valid glob: ${quote(glob)} (${clean((e as Error).message)})`);
  }
  return glob;
}

function parseEntry(v: unknown, index: number, name: string, globs: { n: number }): IgnoreEntry {
  const at = `ignore[${index}]`;
  if (!isPlainObject(v)) fail(name, at, `must be a mapping, got ${typeName(v)}`);
  for (const k of Object.keys(v)) {
    if (!(KEYS as readonly string[]).includes(k))
      fail(name, at, `unknown key ${quote(k)} (expected ${KEYS.join(', ')})`);
  }
  const id = str(v['id'], name, `${at}.id`, MAX_ID_LENGTH);
  if (/[\s\p{Cc}]/u.test(id)) fail(name, `${at}.id`, `not a vulnerability id: ${quote(id)}`);
  const entry: {
    index: number;
    id: string;
    reason: string;
    expires?: { text: string; at: number };
    packages?: PackageSelector[];
    paths?: string[];
  } = { index, id, reason: str(v['reason'], name, `${at}.reason`, MAX_REASON_LENGTH) };
  if (v['expires'] !== undefined) entry.expires = parseExpires(v['expires'], name, `${at}.expires`);
  if (v['packages'] !== undefined) {
    const items = list(v['packages'], name, `${at}.packages`, MAX_PACKAGES_PER_ENTRY);
    entry.packages = items.map((p, i) => parseSelector(p, name, `${at}.packages[${i}]`));
  }
  if (v['paths'] !== undefined) {
    const items = list(v['paths'], name, `${at}.paths`, MAX_PATHS_PER_ENTRY);
    globs.n += items.length;
    if (globs.n > MAX_GLOBS)
      throw new MamoriError('LIMIT_EXCEEDED', `${name}: more than ${MAX_GLOBS} path globs`);
    entry.paths = items.map((p, i) => parseGlob(p, name, `${at}.paths[${i}]`));
  }
  return entry;
}

/** Parses an ignore file's text; `name` names it in messages and suppression sources. */
export function parseIgnoreFile(text: string, name: string): IgnoreRules {
  if (Buffer.byteLength(text, 'utf8') > MAX_IGNORE_FILE_BYTES) {
    throw new MamoriError('LIMIT_EXCEEDED', `${name}: larger than ${MAX_IGNORE_FILE_BYTES} bytes`);
  }
  const root = parseYaml(text.startsWith('\uFEFF') ? text.slice(1) : text, name);
  if (root === null || root === undefined) return { name, entries: [] };
  if (!isPlainObject(root)) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `${name}: must be a mapping with an "ignore" list, got ${typeName(root)}`,
    );
  }
  for (const k of Object.keys(root)) {
    if (k !== 'ignore')
      throw new MamoriError('INVALID_ARGUMENT', `${name}: unknown key ${quote(k)} (expected ignore)`);
  }
  const items = root['ignore'];
  if (items === undefined || items === null) return { name, entries: [] };
  if (!Array.isArray(items)) fail(name, 'ignore', `must be a list, got ${typeName(items)}`);
  if (items.length > MAX_IGNORE_ENTRIES) {
    throw new MamoriError('LIMIT_EXCEEDED', `${name}: more than ${MAX_IGNORE_ENTRIES} ignore entries`);
  }
  const globs = { n: 0 };
  return { name, entries: items.map((e, i) => parseEntry(e, i, name, globs)) };
}

/** Reads and parses an ignore file; it is named in messages by `path` as given. */
export async function loadIgnoreFile(path: string): Promise<IgnoreRules> {
  const bytes = await readBoundedFile(path, MAX_IGNORE_FILE_BYTES);
  return parseIgnoreFile(decodeUtf8(bytes, path), path);
}

/**
 * The ignore file in `dir` (`.mamoriignore.yaml`, else `.mamoriignore.yml`),
 * or undefined when there is none. Both present is an error: which one
 * applies would be a guess.
 */
export async function findIgnoreFile(dir: string): Promise<string | undefined> {
  const found: string[] = [];
  for (const n of IGNORE_FILE_NAMES) {
    const p = join(dir, n);
    try {
      if ((await stat(p)).isFile()) found.push(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        throw new MamoriError('IO', `${p}: ${(e as Error).message}`, { cause: e });
      }
    }
  }
  if (found.length > 1) {
    throw new MamoriError('INVALID_ARGUMENT', `both ${found.join(' and ')} exist: keep one`);
  }
  return found[0];
}
