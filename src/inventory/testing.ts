/**
 * Test harness shared by every cataloger's tests (one harness per extension
 * type): runs select → parse → assemble over in-memory files, exactly as the
 * layer walker would, without an image.
 */
import type { Distro, Package } from '../core/index.js';
import { BufferSource } from './bytesource.js';
import type { Cataloger, Fact } from './cataloger.js';

export interface TestFile {
  readonly path: string;
  readonly data: Buffer | string;
  readonly mode?: number;
  /** Layer index, default 0. */
  readonly layer?: number;
}

export async function runCataloger<F>(
  cataloger: Cataloger<F>,
  files: readonly TestFile[],
  distro?: Distro,
): Promise<Package[]> {
  const facts: Fact<F>[] = [];
  for (const f of files) {
    const data = typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : f.data;
    const mode = f.mode ?? 0o644;
    const entry = { path: f.path, type: 'file' as const, mode, size: data.length };
    if (!cataloger.select(entry)) continue;
    if (cataloger.magic && !cataloger.magic.some((m) => data.subarray(0, m.length).equals(m))) continue;
    if (cataloger.contains && !cataloger.contains.some((m) => data.indexOf(m) !== -1)) continue;
    const fact = await cataloger.parse({
      path: f.path,
      mode,
      size: data.length,
      source: new BufferSource(data),
    });
    if (fact === undefined) continue;
    // A round trip through JSON proves the fact can be cached.
    const cached = JSON.parse(JSON.stringify(fact)) as F;
    const layer = f.layer ?? 0;
    facts.push({
      path: f.path,
      layer: { index: layer, diffId: `sha256:${String(layer).padStart(64, '0')}` },
      fact: cached,
    });
  }
  facts.sort((a, b) => a.layer.index - b.layer.index || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return cataloger.assemble(facts, distro ? { distro } : {});
}
