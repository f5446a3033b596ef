import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { MamoriError } from '../core/index.js';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other' | 'whiteout' | 'opaque';

/** One member of a layer, with its path made absolute and checked. */
export interface LayerEntry {
  /** Absolute, normalised (`/usr/bin/env`). For whiteouts, the path removed; for opaque markers, the directory. */
  readonly path: string;
  readonly kind: EntryKind;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** Symlink target as written, or the absolute path a hard link points to. */
  readonly linkname?: string;
  /** Content of regular files; the walker drains whatever the consumer does not read. */
  readonly stream?: AsyncIterable<Buffer>;
}

const WH = '.wh.';
const OPAQUE = '.wh..wh..opq';

/**
 * Normalises a member name to an absolute path. Names that climb out of the
 * root (`..`) or are absolute are refused: a layer is a relative tree.
 */
export function safeMemberPath(name: string, what: string): string {
  if (name.startsWith('/')) {
    throw new MamoriError('UNSAFE_PATH', `${what}: member "${name}" has an absolute path`);
  }
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..')
      throw new MamoriError('UNSAFE_PATH', `${what}: member "${name}" climbs out of the image root`);
    if (p.includes('\0')) throw new MamoriError('UNSAFE_PATH', `${what}: member name holds a NUL byte`);
    parts.push(p);
  }
  return '/' + parts.join('/');
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function join(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function layerError(e: unknown, what: string): MamoriError {
  if (e instanceof MamoriError) return e;
  const msg = (e as Error).message ?? String(e);
  const hint = /destroyed|unexpected end|premature/i.test(msg)
    ? 'truncated or corrupt layer'
    : 'corrupt layer';
  return new MamoriError('INVALID_LAYER', `${what}: ${hint} (${msg})`, { cause: e });
}

/** A member's content, with read errors (a truncated layer) turned into MamoriErrors. */
async function* content(entry: AsyncIterable<Buffer>, what: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of entry) yield chunk;
  } catch (e) {
    throw layerError(e, what);
  }
}

/** Walks a tar stream, yielding each member once; never writes to disk. */
export async function* tarEntries(tarStream: Readable, what: string): AsyncGenerator<LayerEntry> {
  const extract = tar.extract();
  tarStream.on('error', (e) => extract.destroy(e));
  tarStream.pipe(extract);
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const path = safeMemberPath(h.name, what);
      const base = path.slice(path.lastIndexOf('/') + 1);
      const common = { mode: (h.mode ?? 0) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0, size: h.size ?? 0 };
      try {
        if (base === OPAQUE) {
          yield { ...common, path: parentOf(path), kind: 'opaque', size: 0 };
        } else if (base.startsWith(WH)) {
          const target = base.slice(WH.length);
          // `.wh..wh.*` other than the opaque marker are aufs bookkeeping, not whiteouts.
          if (!target.startsWith('.wh.') && target !== '' && target !== '.' && target !== '..') {
            yield { ...common, path: join(parentOf(path), target), kind: 'whiteout', size: 0 };
          }
        } else {
          switch (h.type) {
            case 'file':
            case 'contiguous-file':
              yield { ...common, path, kind: 'file', stream: content(entry as AsyncIterable<Buffer>, what) };
              break;
            case 'directory':
              yield { ...common, path, kind: 'dir', size: 0 };
              break;
            case 'symlink':
              yield { ...common, path, kind: 'symlink', size: 0, linkname: h.linkname ?? '' };
              break;
            case 'link':
              yield {
                ...common,
                path,
                kind: 'hardlink',
                size: 0,
                linkname: safeMemberPath(h.linkname ?? '', what),
              };
              break;
            default:
              yield { ...common, path, kind: 'other', size: 0 };
          }
        }
      } finally {
        entry.resume();
      }
    }
  } catch (e) {
    throw layerError(e, what);
  } finally {
    extract.destroy();
    tarStream.destroy();
  }
}
