/**
 * Helpers shared by the npm catalogers: bounded reading, PURLs, licences and
 * the step from a parsed fact to a Package.
 */
import { MamoriError, purl } from '../../../core/index.js';
import type { NpmMetadata, Package } from '../../../core/index.js';
import { readTextBounded } from '../../bytesource.js';
import type { CatalogFile, Fact } from '../../cataloger.js';

/** Largest lockfile or package.json read (a large monorepo lockfile is a few MiB). */
export const MAX_FILE_SIZE = 32 * 1024 * 1024;

/** One package as a manifest or lockfile declares it. */
export interface NpmEntry {
  readonly name: string;
  readonly version: string;
  readonly licenses?: readonly string[];
  readonly resolved?: string;
  readonly integrity?: string;
  readonly dev?: boolean;
}

/** What parsing one npm file yields: the kind of evidence and its entries. */
export interface NpmFact {
  readonly kind: NpmMetadata['kind'];
  readonly entries: readonly NpmEntry[];
}

/** Reads a selected file as UTF-8, refusing one larger than the cataloger's bound. */
export function readBounded(file: CatalogFile, what: string): Promise<string> {
  return readTextBounded(file, MAX_FILE_SIZE).catch((e: unknown) => {
    throw e instanceof MamoriError ? new MamoriError(e.code, `${what} ${e.message}`, { cause: e }) : e;
  });
}

/** Parses JSON, turning a syntax error (or a nesting too deep for the parser) into a MamoriError. */
export function parseJson(text: string, what: string, path: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
  } catch (e) {
    throw new MamoriError('INVALID_ARGUMENT', `${what} ${path} is not valid JSON`, { cause: e });
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty string of sane length, else undefined. */
export function str(v: unknown, max = 4096): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}

/** Valid npm package name: optional `@scope/`, no whitespace, no path tricks. */
const NAME_RE = /^(?:@[^/@\s]+\/)?[^/@\s][^/\s]*$/;

export function isValidName(name: string): boolean {
  return name.length <= 214 && NAME_RE.test(name) && !name.endsWith('/..') && name !== '..';
}

/** Splits `@scope/name` into PURL namespace and name. */
export function npmPurl(name: string, version: string): string {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  return purl(
    slash > 0
      ? { type: 'npm', namespace: name.slice(0, slash), name: name.slice(slash + 1), version }
      : { type: 'npm', name, version },
  );
}

/**
 * Licences of a package.json: `license` as a string or a legacy `{type}`
 * object, and the legacy `licenses` array of strings or `{type}` objects.
 */
export function licensesOf(doc: Record<string, unknown>): string[] {
  const out: string[] = [];
  const add = (v: unknown): void => {
    const s = str(v, 512) ?? (isRecord(v) ? str(v['type'], 512) : undefined);
    if (s !== undefined) out.push(s.trim());
  };
  add(doc['license']);
  const legacy = doc['licenses'];
  if (Array.isArray(legacy)) for (const l of legacy.slice(0, 64)) add(l);
  else add(legacy);
  return dedupe(out.filter((s) => s !== ''));
}

function safePurl(name: string, version: string): string | undefined {
  try {
    return npmPurl(name, version);
  } catch {
    return undefined;
  }
}

export function dedupe<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/**
 * Packages from facts: one per entry, placed at the file it was read from.
 * Entries of one file repeated under the same name and version (yarn's
 * several specifiers, aliases) become one package, dev only if every
 * occurrence is dev.
 */
export function assembleNpm(facts: readonly Fact<NpmFact>[], foundBy: string): Package[] {
  const out: Package[] = [];
  for (const f of facts) {
    const byKey = new Map<string, NpmEntry>();
    for (const e of f.fact.entries) {
      const key = `${e.name}@${e.version}`;
      const prev = byKey.get(key);
      if (prev === undefined) {
        byKey.set(key, e);
        continue;
      }
      const dev =
        prev.dev === undefined && e.dev === undefined ? undefined : prev.dev === true && e.dev === true;
      byKey.set(key, {
        ...prev,
        licenses: dedupe([...(prev.licenses ?? []), ...(e.licenses ?? [])]),
        resolved: prev.resolved ?? e.resolved,
        integrity: prev.integrity ?? e.integrity,
        dev,
      });
    }
    for (const e of byKey.values()) {
      const id = safePurl(e.name, e.version);
      if (id === undefined) continue;
      const metadata: NpmMetadata = {
        kind: f.fact.kind,
        ...(e.resolved !== undefined ? { resolved: e.resolved } : {}),
        ...(e.integrity !== undefined ? { integrity: e.integrity } : {}),
        ...(e.dev !== undefined ? { dev: e.dev } : {}),
      };
      out.push({
        name: e.name,
        version: e.version,
        type: 'npm',
        purl: id,
        licenses: dedupe(e.licenses ?? []),
        locations: [{ path: f.path, layer: f.layer }],
        foundBy,
        layer: f.layer,
        metadata,
      });
    }
  }
  return out;
}
