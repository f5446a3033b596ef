/**
 * yarn.lock, both dialects:
 * - classic (v1): `"a@^1", a@^1.1:` headers, then `  version "1.2.3"` fields;
 * - berry (v2+): YAML-shaped `"a@npm:^1, a@npm:^1.1":` headers, then
 *   `  version: 1.2.3` and `  resolution: "a@npm:1.2.3"` fields, with a
 *   `__metadata:` block first.
 * Only the top-level blocks and their direct fields are read; nested blocks
 * (dependencies, peerDependenciesMeta, …) are skipped. A block without a
 * usable name or version is dropped.
 */
import { isValidName, type NpmEntry, type NpmFact } from './common.js';

/** Lines longer than this are not lockfile syntax and are skipped. */
const MAX_LINE = 64 * 1024;

/** Berry protocols that point at the project's own sources, not at a published package. */
const LOCAL_PROTOCOLS = ['workspace:', 'link:', 'portal:', 'file:'];

interface Block {
  specifiers: string[];
  fields: Map<string, string>;
}

function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    try {
      const v: unknown = JSON.parse(t);
      if (typeof v === 'string') return v;
    } catch {
      // Not a JSON string: keep the text between the quotes.
    }
    return t.slice(1, -1);
  }
  return t;
}

/** `name@range` → name and range, minding a scope's leading `@`. */
export function splitSpecifier(spec: string): { name: string; range: string } | undefined {
  const at = spec.indexOf('@', 1);
  if (at <= 0) return undefined;
  return { name: spec.slice(0, at), range: spec.slice(at + 1) };
}

/** The real package of a specifier: `alias@npm:real@^1` names `real`. */
function realName(spec: string): string | undefined {
  const s = splitSpecifier(spec);
  if (s === undefined) return undefined;
  if (s.range.startsWith('npm:')) {
    const inner = splitSpecifier(s.range.slice(4));
    if (inner !== undefined) return inner.name;
  }
  return s.name;
}

function toEntry(b: Block): NpmEntry | undefined {
  const first = b.specifiers[0];
  if (first === undefined || first === '__metadata') return undefined;
  const version = b.fields.get('version');
  if (version === undefined || version === '') return undefined;
  const resolution = b.fields.get('resolution');
  let name: string | undefined;
  if (resolution !== undefined) {
    const r = splitSpecifier(resolution);
    if (r === undefined || LOCAL_PROTOCOLS.some((p) => r.range.startsWith(p))) return undefined;
    name = r.name;
  } else {
    if (
      b.specifiers.every((s) => LOCAL_PROTOCOLS.some((p) => (splitSpecifier(s)?.range ?? '').startsWith(p)))
    ) {
      return undefined;
    }
    name = realName(first);
  }
  if (name === undefined || !isValidName(name)) return undefined;
  const resolved = b.fields.get('resolved') ?? resolution;
  const integrity = b.fields.get('integrity') ?? b.fields.get('checksum');
  return {
    name,
    version,
    ...(resolved !== undefined && resolved !== '' ? { resolved } : {}),
    ...(integrity !== undefined && integrity !== '' ? { integrity } : {}),
  };
}

/** Field line `  key value` (classic) or `  key: value` (berry), exactly two spaces deep. */
const FIELD_RE = /^ {2}([A-Za-z][\w-]*):?[ \t]+(\S.*)$/;

/** Parses a yarn.lock. Never throws: lines that are not lockfile syntax are ignored. */
export function parseYarnLock(text: string): NpmFact | undefined {
  const entries: NpmEntry[] = [];
  let block: Block | undefined;
  const flush = (): void => {
    if (block === undefined) return;
    const e = toEntry(block);
    if (e !== undefined) entries.push(e);
    block = undefined;
  };
  for (const raw of text.split('\n')) {
    if (raw.length > MAX_LINE) continue;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (!line.startsWith(' ') && !line.startsWith('\t')) {
      flush();
      if (!line.endsWith(':')) continue;
      const specifiers = line
        .slice(0, -1)
        .split(',')
        .map(unquote)
        .filter((s) => s !== '');
      if (specifiers.length > 0) block = { specifiers, fields: new Map() };
      continue;
    }
    if (block === undefined) continue;
    const m = FIELD_RE.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined && !block.fields.has(m[1])) {
      block.fields.set(m[1], unquote(m[2]));
    }
  }
  flush();
  return entries.length > 0 ? { kind: 'yarn-lock', entries } : undefined;
}
