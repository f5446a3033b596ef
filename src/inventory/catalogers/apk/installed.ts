/**
 * Parser of apk-tools' installed database (`/lib/apk/db/installed`): records
 * separated by blank lines, one `X:value` field a line
 * (https://wiki.alpinelinux.org/wiki/Apk_spec). `F:` names a directory
 * (relative to /) and each following `R:` a file in it.
 */
import { posix } from 'node:path';

export interface ApkEntry {
  readonly name: string;
  readonly version: string;
  readonly architecture?: string;
  /** `o:`; the package name when absent. */
  readonly origin: string;
  readonly maintainer?: string;
  readonly url?: string;
  /** `L:` as written. */
  readonly license?: string;
  readonly commit?: string;
  /** Absolute paths of the files the package installed (`/F/R`). */
  readonly files: readonly string[];
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9+._-]{0,254}$/;
const VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9.+_~-]{0,255}$/;
const ARCH_RE = /^[A-Za-z0-9_-]{1,64}$/;
const COMMIT_RE = /^[0-9a-f]{7,64}$/;
const MAX_TEXT = 1024;
/** Largest number of file paths kept for one package. */
export const MAX_FILES = 250_000;

interface Record {
  fields: Map<string, string>;
  dir: string | undefined;
  files: string[];
}

function filePath(dir: string | undefined, name: string): string | undefined {
  if (name === '' || name.includes('/') || name.includes('\0') || (dir ?? '').includes('\0'))
    return undefined;
  const p = posix.normalize('/' + (dir === undefined ? '' : dir + '/') + name);
  return p.startsWith('/') && !p.startsWith('/..') && p.length <= 4096 ? p : undefined;
}

function text(fields: Map<string, string>, key: string): string | undefined {
  const v = fields.get(key)?.trim();
  return v === undefined || v === '' ? undefined : v.slice(0, MAX_TEXT);
}

function toEntry(r: Record): ApkEntry | undefined {
  const name = r.fields.get('P') ?? '';
  const version = r.fields.get('V') ?? '';
  if (!NAME_RE.test(name) || !VERSION_RE.test(version)) return undefined;
  const arch = r.fields.get('A');
  const originValue = r.fields.get('o');
  const commit = r.fields.get('c');
  const maintainer = text(r.fields, 'm');
  const url = text(r.fields, 'U');
  const license = text(r.fields, 'L');
  return {
    name,
    version,
    ...(arch !== undefined && ARCH_RE.test(arch) ? { architecture: arch } : {}),
    origin: originValue !== undefined && NAME_RE.test(originValue) ? originValue : name,
    ...(maintainer !== undefined ? { maintainer } : {}),
    ...(url !== undefined ? { url } : {}),
    ...(license !== undefined ? { license } : {}),
    ...(commit !== undefined && COMMIT_RE.test(commit) ? { commit } : {}),
    files: r.files,
  };
}

/** Parses an installed database; records without a valid name and version are dropped. */
export function parseInstalled(text: string): ApkEntry[] {
  const out: ApkEntry[] = [];
  let r: Record | undefined;
  const flush = (): void => {
    if (r !== undefined) {
      const e = toEntry(r);
      if (e !== undefined) out.push(e);
    }
    r = undefined;
  };
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') {
      flush();
      continue;
    }
    if (line.length < 2 || line[1] !== ':') continue;
    const key = line[0] as string;
    const value = line.slice(2);
    r ??= { fields: new Map(), dir: undefined, files: [] };
    switch (key) {
      case 'F':
        r.dir = value;
        break;
      case 'R': {
        const p = r.files.length < MAX_FILES ? filePath(r.dir, value) : undefined;
        if (p !== undefined) r.files.push(p);
        break;
      }
      default:
        // Per-file and per-directory attributes (a, M, Z) repeat; package fields keep their first value.
        if (!r.fields.has(key)) r.fields.set(key, value);
    }
  }
  flush();
  return out;
}

/**
 * Licences of an `L:` field: a single SPDX-style expression (`MIT AND BSD-2-Clause`)
 * is kept whole; older space-separated lists (`MIT BSD GPL2+`) are split.
 */
export function splitApkLicense(value: string | undefined): string[] {
  const v = (value ?? '').trim().replace(/\s+/g, ' ');
  if (v === '') return [];
  if (!v.includes(' ') || /\s(?:AND|OR|WITH)\s/.test(v)) return [v];
  return [...new Set(v.split(' '))];
}
