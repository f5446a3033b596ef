/**
 * os-release(5) parsing: `KEY=VALUE` lines with shell-like quoting.
 *
 * A value is a shell word: text in single quotes is literal; in double quotes
 * a backslash escapes `\`, `"`, `$` and `` ` `` (and is kept before any other
 * character); outside quotes a backslash escapes any character. An unquoted
 * run of blanks between words is kept as one space, so a value that should
 * have been quoted (`NAME=Foo Linux`) still reads as intended. Blank lines,
 * comment lines (`#`) and lines that are not assignments are ignored; a
 * trailing ` # comment` after the value is dropped.
 */
import type { Distro } from '../../core/index.js';

const KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_VALUE = 4096;
const MAX_KEYS = 256;
const DOUBLE_ESCAPABLE = new Set(['\\', '"', '$', '`']);

/** Reads one value, from after `=` to the end of the line. */
export function unquoteValue(raw: string): string {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  const n = raw.length;
  while (i < n) {
    const c = raw[i] as string;
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      i++;
      continue;
    }
    if (c === '#' && !inWord) break;
    inWord = true;
    if (c === "'") {
      const end = raw.indexOf("'", i + 1);
      const stop = end === -1 ? n : end;
      cur += raw.slice(i + 1, stop);
      i = stop + 1;
    } else if (c === '"') {
      i++;
      while (i < n && raw[i] !== '"') {
        const d = raw[i] as string;
        const next = raw[i + 1];
        if (d === '\\' && next !== undefined && DOUBLE_ESCAPABLE.has(next)) {
          cur += next;
          i += 2;
        } else {
          cur += d;
          i++;
        }
      }
      i++;
    } else if (c === '\\') {
      cur += raw[i + 1] ?? '';
      i += 2;
    } else {
      cur += c;
      i++;
    }
    if (cur.length > MAX_VALUE) break;
  }
  if (inWord) words.push(cur);
  return words.join(' ').slice(0, MAX_VALUE);
}

/** Parses os-release text into its assignments; a repeated key keeps its last value, as a shell would. */
export function parseOsRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '').replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    if (!KEY_RE.test(key)) continue;
    if (!out.has(key) && out.size >= MAX_KEYS) continue;
    out.set(key, unquoteValue(line.slice(eq + 1)));
  }
  return out;
}

/** An os-release ID or ID_LIKE item: lower-case letters, digits, `.`, `_`, `-`. */
const ID_RE = /^[a-z0-9._-]{1,64}$/;

/** The Distro an os-release file describes; undefined without a valid ID. */
export function distroFromOsRelease(fields: ReadonlyMap<string, string>): Distro | undefined {
  const id = (fields.get('ID') ?? '').trim().toLowerCase();
  if (!ID_RE.test(id)) return undefined;
  const text = (k: string): string | undefined => {
    const v = fields.get(k)?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const versionId = text('VERSION_ID');
  const versionCodename = text('VERSION_CODENAME');
  const prettyName = text('PRETTY_NAME');
  const idLike = (fields.get('ID_LIKE') ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter((s) => ID_RE.test(s));
  return {
    id,
    ...(versionId !== undefined ? { versionId } : {}),
    ...(versionCodename !== undefined ? { versionCodename } : {}),
    ...(prettyName !== undefined ? { prettyName } : {}),
    ...(idLike.length > 0 ? { idLike } : {}),
  };
}
