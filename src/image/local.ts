/**
 * A bare local path as an image reference: what `mamori scan ./thing` means
 * when no transport is written. Directories are OCI layouts (they hold an
 * `oci-layout` file) or root filesystems; tar files are OCI or docker
 * archives; any other file is left to the caller (an SBOM, say).
 */
import { open, stat } from 'node:fs/promises';
import { parseReference } from './reference.js';
import { TarIndex } from './tar-index.js';

export type LocalKind = 'oci' | 'dir' | 'oci-archive' | 'docker-archive' | 'file';

export interface LocalTarget {
  readonly kind: LocalKind;
  readonly path: string;
  /** The reference with its transport written out, for every kind but `file`. */
  readonly ref?: string;
}

/**
 * What a reference without a transport names on this machine, or undefined
 * when it has a transport or names nothing here (then it is a registry
 * reference). A path that exists wins over a registry name that looks alike.
 */
export async function detectLocalTarget(input: string): Promise<LocalTarget | undefined> {
  const s = input.trim();
  const parsed = parseReference(s);
  if (parsed.transport !== 'docker' || parsed.reference !== s) return undefined;
  const st = await stat(s).catch(() => undefined);
  if (!st) return undefined;
  if (st.isDirectory()) {
    const layout = await stat(`${s}/oci-layout`).catch(() => undefined);
    return layout?.isFile()
      ? { kind: 'oci', path: s, ref: `oci:${s}` }
      : { kind: 'dir', path: s, ref: `dir:${s}` };
  }
  if (!st.isFile()) return undefined;
  if (await looksLikeTar(s)) {
    const index = await TarIndex.open(s);
    if (index.get('oci-layout')) return { kind: 'oci-archive', path: s, ref: `oci-archive:${s}` };
    if (index.get('manifest.json')) return { kind: 'docker-archive', path: s, ref: `docker-archive:${s}` };
  }
  return { kind: 'file', path: s };
}

/** A ustar or GNU tar header in the first block. */
async function looksLikeTar(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await fh.read(head, 0, 512, 0);
    return bytesRead === 512 && head.subarray(257, 262).toString('latin1') === 'ustar';
  } finally {
    await fh.close();
  }
}
