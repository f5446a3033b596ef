/**
 * Composer's package records, as found in `vendor/composer/installed.json`
 * (Composer 1: a top-level array; Composer 2: `{packages: [...]}`) and in
 * `composer.lock` (`packages` and `packages-dev`). Both files share one
 * package shape; a malformed element is dropped, the rest still counts.
 */
import { MamoriError } from '../../../core/index.js';

export interface ComposerEntry {
  readonly name: string;
  readonly version: string;
  readonly licenses: readonly string[];
  readonly sourceUrl?: string;
  readonly sourceReference?: string;
  readonly distUrl?: string;
  readonly dev?: boolean;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, max = 4096): string | undefined {
  return typeof v === 'string' && v.trim() !== '' && v.length <= max ? v.trim() : undefined;
}

/** `vendor/name`, each part of letters, digits and `_.-` (Composer's own rule, relaxed on case). */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const VERSION_RE = /^[^\s/]{1,128}$/;

function licensesOf(v: unknown): string[] {
  const list = Array.isArray(v) ? v.slice(0, 64) : [v];
  return [...new Set(list.flatMap((l) => str(l, 512) ?? []))];
}

function entryOf(p: unknown, dev: boolean | undefined): ComposerEntry | undefined {
  if (!isRecord(p)) return undefined;
  const name = str(p['name'], 256);
  const version = str(p['version'], 128);
  if (name === undefined || version === undefined || !NAME_RE.test(name) || !VERSION_RE.test(version)) {
    return undefined;
  }
  const source = isRecord(p['source']) ? p['source'] : {};
  const dist = isRecord(p['dist']) ? p['dist'] : {};
  const sourceUrl = str(source['url']);
  const sourceReference = str(source['reference']);
  const distUrl = str(dist['url']);
  return {
    name,
    version,
    licenses: licensesOf(p['license']),
    ...(sourceUrl !== undefined ? { sourceUrl } : {}),
    ...(sourceReference !== undefined ? { sourceReference } : {}),
    ...(distUrl !== undefined ? { distUrl } : {}),
    ...(dev !== undefined ? { dev } : {}),
  };
}

function entries(list: unknown, dev: (name: string) => boolean | undefined): ComposerEntry[] {
  if (!Array.isArray(list)) return [];
  const out: ComposerEntry[] = [];
  for (const p of list) {
    const name = isRecord(p) ? str(p['name']) : undefined;
    const e = entryOf(p, name === undefined ? undefined : dev(name));
    if (e !== undefined) out.push(e);
  }
  return out;
}

function parseJson(text: string, what: string, path: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
  } catch (e) {
    throw new MamoriError('INVALID_ARGUMENT', `${what} ${path} is not valid JSON`, { cause: e });
  }
}

/** Parses vendor/composer/installed.json (either generation). Throws MamoriError only when the file is not JSON. */
export function parseInstalledJson(text: string, path: string): ComposerEntry[] {
  const doc = parseJson(text, 'installed.json', path);
  if (Array.isArray(doc)) return entries(doc, () => undefined);
  if (!isRecord(doc)) return [];
  const devNames = Array.isArray(doc['dev-package-names'])
    ? new Set(doc['dev-package-names'].filter((n): n is string => typeof n === 'string'))
    : undefined;
  return entries(doc['packages'], (name) => (devNames === undefined ? undefined : devNames.has(name)));
}

/** Parses composer.lock. Throws MamoriError only when the file is not JSON. */
export function parseComposerLock(text: string, path: string): ComposerEntry[] {
  const doc = parseJson(text, 'composer.lock', path);
  if (!isRecord(doc)) return [];
  return [...entries(doc['packages'], () => false), ...entries(doc['packages-dev'], () => true)];
}
