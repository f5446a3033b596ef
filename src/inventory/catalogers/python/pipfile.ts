/**
 * Pipfile.lock (JSON): `default` (runtime) and `develop` (dev) sections map
 * names to `{version: "==1.2.3", hashes: [...]}`. Entries without a pinned
 * version (editable paths, VCS checkouts) are dropped.
 */
import { MamoriError } from '../../../core/index.js';
import { isRecord, isValidName, str } from './common.js';
import type { PythonLockEntry } from './lock-types.js';

function section(v: unknown, dev: boolean): PythonLockEntry[] {
  if (!isRecord(v)) return [];
  const out: PythonLockEntry[] = [];
  for (const [name, spec] of Object.entries(v)) {
    if (!isRecord(spec) || !isValidName(name)) continue;
    const pinned = str(spec['version'], 256);
    const m = pinned === undefined ? null : /^===?\s*([^\s,;=<>!~*]+)$/.exec(pinned);
    if (m?.[1] === undefined) continue;
    const hashes = Array.isArray(spec['hashes'])
      ? spec['hashes'].slice(0, 1024).flatMap((h) => str(h, 512) ?? [])
      : [];
    out.push({ name, version: m[1], dev, ...(hashes.length > 0 ? { hashes } : {}) });
  }
  return out;
}

/** Parses a Pipfile.lock. Throws MamoriError only when the file is not JSON. */
export function parsePipfileLock(text: string, path: string): PythonLockEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch (e) {
    throw new MamoriError('INVALID_ARGUMENT', `Pipfile.lock ${path} is not valid JSON`, { cause: e });
  }
  if (!isRecord(doc)) return [];
  return [...section(doc['default'], false), ...section(doc['develop'], true)];
}
