/**
 * Test support: a fixture directory as the files a layer walker would hand to
 * catalogers (regular files only; symbolic links are skipped), with absolute
 * in-image paths, and the facts a cataloger parses from them.
 */
import { lstat, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BufferSource } from '../inventory/bytesource.js';
import type { Cataloger, Fact } from '../inventory/cataloger.js';

export interface TreeFile {
  readonly path: string;
  readonly data: Buffer;
  readonly layer?: number;
}

/** Every regular file under `dir`, as `/relative/path`, sorted by path. */
export async function readTree(dir: string, layer?: number): Promise<TreeFile[]> {
  const out: TreeFile[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(dir, rel))).sort()) {
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const st = await lstat(join(dir, relPath));
      if (st.isDirectory()) await walk(relPath);
      else if (st.isFile()) {
        const data = await readFile(join(dir, relPath));
        out.push(layer === undefined ? { path: `/${relPath}`, data } : { path: `/${relPath}`, data, layer });
      }
    }
  };
  await walk('');
  return out;
}

/** The facts `cataloger` parses from `files` (select, magic and parse, as the walker runs them). */
export async function parseFacts<F>(
  cataloger: Cataloger<F>,
  files: readonly { readonly path: string; readonly data: Buffer | string; readonly layer?: number }[],
): Promise<Fact<F>[]> {
  const facts: Fact<F>[] = [];
  for (const f of files) {
    const data = typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : f.data;
    if (!cataloger.select({ path: f.path, type: 'file', mode: 0o644, size: data.length })) continue;
    if (cataloger.magic && !cataloger.magic.some((m) => data.subarray(0, m.length).equals(m))) continue;
    const fact = await cataloger.parse({
      path: f.path,
      mode: 0o644,
      size: data.length,
      source: new BufferSource(data),
    });
    if (fact === undefined) continue;
    const layer = f.layer ?? 0;
    const diffId = `sha256:${String(layer).padStart(64, '0')}`;
    facts.push({
      path: f.path,
      layer: { index: layer, diffId },
      fact: JSON.parse(JSON.stringify(fact)) as F,
    });
  }
  facts.sort((a, b) => a.layer.index - b.layer.index || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return facts;
}
