/**
 * poetry.lock (TOML, read with smol-toml). Each `[[package]]` table gives
 * name and version; dev-only packages are told by `category = "dev"`
 * (Poetry < 1.2) or by `groups` not containing "main" (Poetry ≥ 2). Hashes
 * come from the package's `files` (lock 2.x) or `[metadata.files]` (lock 1.x).
 */
import { parse as parseToml } from 'smol-toml';
import { MamoriError } from '../../../core/index.js';
import { isRecord, isValidName, normalizeName, str } from './common.js';
import type { PythonLockEntry } from './lock-types.js';

function hashesOf(files: unknown): string[] {
  if (!Array.isArray(files)) return [];
  const out: string[] = [];
  for (const f of files.slice(0, 1024)) {
    const h = isRecord(f) ? str(f['hash'], 512) : undefined;
    if (h !== undefined) out.push(h);
  }
  return out;
}

function devOf(pkg: Record<string, unknown>): boolean | undefined {
  const category = str(pkg['category']);
  if (category !== undefined) return category === 'dev';
  const groups = pkg['groups'];
  if (Array.isArray(groups) && groups.length > 0) return !groups.includes('main');
  return undefined;
}

/** Parses a poetry.lock. Throws MamoriError only when the file is not TOML. */
export function parsePoetryLock(text: string, path: string): PythonLockEntry[] {
  let doc: unknown;
  try {
    doc = parseToml(text, { maxDepth: 64 });
  } catch (e) {
    throw new MamoriError('INVALID_ARGUMENT', `poetry.lock ${path} is not valid TOML`, { cause: e });
  }
  if (!isRecord(doc) || !Array.isArray(doc['package'])) return [];
  const meta = isRecord(doc['metadata']) ? doc['metadata'] : {};
  const legacyFiles = isRecord(meta['files']) ? meta['files'] : {};
  const legacyByName = new Map(Object.entries(legacyFiles).map(([k, v]) => [normalizeName(k), v]));
  const out: PythonLockEntry[] = [];
  for (const pkg of doc['package']) {
    if (!isRecord(pkg)) continue;
    const name = str(pkg['name'], 256);
    const version = str(pkg['version'], 256);
    if (name === undefined || version === undefined || !isValidName(name)) continue;
    const hashes = hashesOf(pkg['files'] ?? legacyByName.get(normalizeName(name)));
    const dev = devOf(pkg);
    out.push({
      name,
      version,
      ...(dev !== undefined ? { dev } : {}),
      ...(hashes.length > 0 ? { hashes } : {}),
    });
  }
  return out;
}
