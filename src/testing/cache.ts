/** A build cache for test fixtures that are too large to commit (real images, root filesystems). */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export function testCacheDir(): string {
  return process.env.MAMORI_TEST_CACHE ?? join(tmpdir(), 'mamori-test-cache');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds `name` once into the cache: concurrent test processes wait for the
 * one holding the lock; a lock left by a dead process is taken over; a
 * half-built result is never used (the `done` marker is written last).
 */
export async function cached(name: string, build: (dir: string) => Promise<void>): Promise<string> {
  const root = testCacheDir();
  const dir = join(root, name);
  const done = join(dir, '.done');
  if (existsSync(done)) return dir;
  await mkdir(root, { recursive: true });
  const lock = join(root, `${name}.lock`);
  const deadline = Date.now() + 20 * 60 * 1000;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      if (existsSync(done)) return dir;
      const pid = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => 'NaN'));
      if (Number.isInteger(pid) && !alive(pid)) await rm(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for the fixture build lock ${lock}`);
      await sleep(500);
    }
  }
  try {
    if (existsSync(done)) return dir;
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await build(dir);
    await writeFile(done, new Date().toISOString());
    return dir;
  } finally {
    await rm(join(lock, 'pid'), { force: true });
    await rmdir(lock).catch(() => {});
  }
}
