import { constants } from 'node:fs';
import { lstat, open, opendir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { MamoriError } from '../core/index.js';
import type { LayerEntry } from './tar-walk.js';

const MAX_DEPTH = 256;

/**
 * Walks a root filesystem directory (`dir:ROOTFS`) as if it were a single
 * layer. Symlinks are reported, never followed, and files are opened with
 * O_NOFOLLOW, so nothing outside the root is ever read.
 */
export async function* dirEntries(root: string): AsyncGenerator<LayerEntry> {
  let st;
  try {
    st = await lstat(root);
  } catch (e) {
    throw new MamoriError('NOT_FOUND', `dir:${root}: ${(e as Error).message}`, { cause: e });
  }
  if (!st.isDirectory()) throw new MamoriError('INVALID_ARGUMENT', `dir:${root} is not a directory`);
  yield* walk(root, '/', 0);
}

async function* walk(hostDir: string, imageDir: string, depth: number): AsyncGenerator<LayerEntry> {
  if (depth > MAX_DEPTH) throw new MamoriError('LIMIT_EXCEEDED', `dir: ${imageDir} is nested too deeply`);
  const dir = await opendir(hostDir);
  const names: string[] = [];
  for await (const d of dir) names.push(d.name);
  names.sort();
  for (const name of names) {
    const hostPath = join(hostDir, name);
    const path = imageDir === '/' ? `/${name}` : `${imageDir}/${name}`;
    let st;
    try {
      st = await lstat(hostPath);
    } catch {
      continue; // vanished while walking
    }
    const common = { path, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
    if (st.isDirectory()) {
      yield { ...common, kind: 'dir', size: 0 };
      yield* walk(hostPath, path, depth + 1);
    } else if (st.isSymbolicLink()) {
      yield { ...common, kind: 'symlink', size: 0, linkname: await readlink(hostPath) };
    } else if (st.isFile()) {
      let fh;
      try {
        fh = await open(hostPath, constants.O_RDONLY | constants.O_NOFOLLOW);
      } catch {
        continue; // replaced by a symlink or removed while walking
      }
      const stream = fh.createReadStream();
      try {
        yield { ...common, kind: 'file', size: st.size, stream };
      } finally {
        stream.destroy();
        await fh.close().catch(() => {});
      }
    } else {
      yield { ...common, kind: 'other', size: 0 };
    }
  }
}
