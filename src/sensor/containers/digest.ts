/**
 * sha256 of the executable a process runs, read through /proc/PID/exe: that
 * link opens the very file the kernel mapped, even inside another mount
 * namespace and even when it has been deleted or replaced since. It only
 * works while the process lives. Once it has exited, the file it ran is
 * looked for at the caller's fallback path (the container's root plus the
 * path exec'd) and taken only if it is that very file by the kernel's
 * identity of the exec (inode and ctime, see openIdentified): what lies at
 * a path now, or where a container's symbolic link leads from the host,
 * is otherwise not hashed. Results are cached by (device, inode, size, mtime,
 * ctime), so a binary run a thousand times is read once; and by the
 * kernel's identity of the file exec'd (ExecEvent.exeId: device, inode,
 * ctime — any write changes the ctime), which answers without a system
 * call.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { lruSet } from '../../core/lru.js';

export interface ExecutableHasherOptions {
  /** Where procfs is mounted (default `/proc`). */
  readonly procRoot?: string;
  /** Larger executables are not hashed (default 256 MiB). */
  readonly maxBytes?: number;
  /** Digests remembered (default 4096). */
  readonly cacheSize?: number;
}

export interface ExecutableHasher {
  /**
   * `sha256:<hex>` of the executable process `pid` runs, or undefined when
   * the process is gone, the file is not a regular file or is over the size
   * cap, or its inode is not `expectedInode` (decimal; when the exec event
   * carries the inode of the file exec'd, this tells a process that has
   * exec'd again since from the one the event was about — a path cannot,
   * as `/bin/sh` runs `/usr/bin/dash`). `exeId` is the exec event's
   * kernel identity of the file (`device:inode:sec.nsec` of its ctime).
   */
  digest(pid: number, expectedInode?: string, exeId?: string, fallback?: string): Promise<string | undefined>;
}

/** Linux O_PATH (x86_64 and arm64): a descriptor that names a file without opening it. */
const O_PATH = 0o10000000;

/**
 * When the process is gone: the file at `path` (a container's root plus
 * the path exec'd), but only if it is the very file of the exec — a regular
 * file with the inode and ctime of `exeId`. It is first taken with O_PATH
 * (whatever a symbolic link in the container points at is named, never
 * opened: no device or FIFO is opened), checked with fstat, and only then
 * opened for reading through /proc/self/fd.
 */
async function openIdentified(path: string, exeId: string): Promise<FileHandle | undefined> {
  const id = parseExeId(exeId);
  if (id === undefined) return undefined;
  let ref: FileHandle | undefined;
  try {
    ref = await open(path, O_PATH);
    const st = await ref.stat({ bigint: true });
    if (!st.isFile() || st.ino.toString() !== id.ino || st.ctimeNs !== id.ctimeNs) return undefined;
    return await open(`/proc/self/fd/${ref.fd}`, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  } finally {
    await ref?.close().catch(() => undefined);
  }
}

export function createExecutableHasher(opts: ExecutableHasherOptions = {}): ExecutableHasher {
  const procRoot = opts.procRoot ?? '/proc';
  const maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
  const cacheSize = Math.max(1, opts.cacheSize ?? 4096);
  const cache = new Map<string, string>();
  const byExeId = new Map<string, string>();
  const remember = (m: Map<string, string>, k: string, v: string): void => lruSet(m, k, v, cacheSize);

  return {
    async digest(pid, expectedInode, exeId, fallback) {
      if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
      const known = exeId === undefined ? undefined : byExeId.get(exeId);
      if (known !== undefined) {
        remember(byExeId, exeId!, known);
        return known;
      }
      const id = exeId === undefined ? undefined : parseExeId(exeId);
      const inode = expectedInode ?? id?.ino;
      const link = join(procRoot, String(pid), 'exe');
      let fh: FileHandle | undefined;
      try {
        fh = await open(link, constants.O_RDONLY);
      } catch {
        if (fallback !== undefined && exeId !== undefined) fh = await openIdentified(fallback, exeId);
        if (fh === undefined) return undefined;
      }
      try {
        const st = await fh.stat({ bigint: true });
        if (!st.isFile() || st.size > BigInt(maxBytes)) return undefined;
        if (inode !== undefined && st.ino.toString() !== inode) return undefined;
        // The file as exec'd, unchanged since: its digest may answer for that identity from now on.
        const same = id !== undefined && st.ctimeNs === id.ctimeNs;
        const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
        const hit = cache.get(key);
        if (hit) {
          remember(cache, key, hit);
          if (same) remember(byExeId, exeId!, hit);
          return hit;
        }
        const hash = createHash('sha256');
        const buf = Buffer.alloc(1024 * 1024);
        let total = 0;
        for (;;) {
          const { bytesRead } = await fh.read(buf, 0, buf.length, null);
          if (bytesRead === 0) break;
          total += bytesRead;
          if (total > maxBytes) return undefined;
          hash.update(buf.subarray(0, bytesRead));
        }
        const digest = `sha256:${hash.digest('hex')}`;
        remember(cache, key, digest);
        // Unchanged while it was read, too (a write during the read changes the ctime).
        const after = await fh.stat({ bigint: true });
        if (same && after.ctimeNs === id.ctimeNs) remember(byExeId, exeId!, digest);
        return digest;
      } catch {
        return undefined;
      } finally {
        await fh.close().catch(() => undefined);
      }
    },
  };
}

/** `device:inode:sec.nsec` → the inode (decimal) and the ctime in ns; undefined when malformed. */
function parseExeId(exeId: string): { ino: string; ctimeNs: bigint } | undefined {
  const m = /^\d{1,20}:(\d{1,20}):(\d{1,20})\.(\d{1,9})$/.exec(exeId);
  if (!m) return undefined;
  return { ino: m[1]!, ctimeNs: BigInt(m[2]!) * 1_000_000_000n + BigInt(m[3]!) };
}
