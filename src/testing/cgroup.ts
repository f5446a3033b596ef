/** Throwaway cgroup v2 directories for tests and benchmarks of the runtime sensor. */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The unified (v2) cgroup hierarchy: `/sys/fs/cgroup/unified` on hybrid hosts, else `/sys/fs/cgroup`. */
export function unifiedCgroupRoot(): string {
  return existsSync('/sys/fs/cgroup/unified/cgroup.procs') ? '/sys/fs/cgroup/unified' : '/sys/fs/cgroup';
}

export interface TestCgroup {
  readonly dir: string;
  /** Inode number of the directory: what bpftrace's `cgroup` builtin reports. */
  readonly id: string;
  /** Removes the directory (retries while its last processes exit). */
  remove(): Promise<void>;
}

/** A fresh cgroup v2 directory `<prefix>-<hex>` under the unified root. */
export async function makeTestCgroup(prefix: string): Promise<TestCgroup> {
  const dir = join(unifiedCgroupRoot(), `${prefix}-${randomBytes(6).toString('hex')}`);
  await mkdir(dir);
  const id = (await stat(dir, { bigint: true })).ino.toString();
  return {
    dir,
    id,
    remove: async () => {
      for (let i = 0; i < 100; i++) {
        try {
          await rmdir(dir);
          return;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
}
