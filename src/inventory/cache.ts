import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ANALYSIS_VERSION, type LayerAnalysis } from './analysis.js';
import type { Cataloger, StreamAnalyzer } from './cataloger.js';

/** Where layer analyses are cached unless told otherwise. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MAMORI_CACHE_DIR) return env.MAMORI_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'mamori');
}

/**
 * Cache key of a layer: its diff-id plus the name and version (and, for a
 * stream analyser, the settings) of every cataloger and analyser that ran,
 * so a changed one invalidates exactly the layers it would read differently.
 */
export function layerCacheKey(diffId: string, catalogers: readonly (Cataloger | StreamAnalyzer)[]): string {
  const parts = catalogers
    .map((c) => {
      const settings = 'settings' in c && c.settings !== undefined ? c.settings : undefined;
      const tail = settings !== undefined ? `#${createHash('sha256').update(settings).digest('hex')}` : '';
      return `${c.name}@${c.version}${tail}`;
    })
    .sort();
  return createHash('sha256')
    .update(JSON.stringify({ analysis: ANALYSIS_VERSION, diffId, catalogers: parts }))
    .digest('hex');
}

const MAX_ENTRY_BYTES = 512 * 1024 * 1024;

export class LayerCache {
  constructor(readonly dir: string) {}

  private path(key: string): string {
    return join(this.dir, 'layers', key.slice(0, 2), `${key}.json.gz`);
  }

  /** A cached analysis, or undefined when absent or unreadable (a damaged entry is dropped). */
  async get(key: string): Promise<LayerAnalysis | undefined> {
    const p = this.path(key);
    let buf: Buffer;
    try {
      buf = await readFile(p);
    } catch {
      return undefined;
    }
    try {
      const v = JSON.parse(
        gunzipSync(buf, { maxOutputLength: MAX_ENTRY_BYTES }).toString('utf8'),
      ) as LayerAnalysis;
      if (v.version !== ANALYSIS_VERSION || !Array.isArray(v.files) || !Array.isArray(v.facts))
        throw new Error('stale');
      return v;
    } catch {
      await rm(p, { force: true });
      return undefined;
    }
  }

  /** Stores an analysis atomically (write to a temporary name, then rename). */
  async put(key: string, a: LayerAnalysis): Promise<void> {
    const p = this.path(key);
    await mkdir(join(p, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${p}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, gzipSync(JSON.stringify(a), { level: 1 }), { mode: 0o600 });
    await rename(tmp, p);
  }
}
