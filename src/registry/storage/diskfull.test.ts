// Disk full on a real, tiny tmpfs (needs root / CAP_SYS_ADMIN to mount; skipped otherwise).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createFsBlobStore, isStorageError } from './index.js';
import { collect, pieces, readAllStream, sha256 } from './testdata/helpers.js';

const run = promisify(execFile);

test('a blob larger than the free space fails with NO_SPACE, leaves nothing and the store keeps working', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-storage-'));
  const mnt = join(dir, 'mnt');
  await mkdir(mnt);
  let mounted = false;
  // One hook, in order: unmount first, then remove the directory.
  t.after(async () => {
    if (mounted) await run('umount', [mnt]);
    await rm(dir, { recursive: true, force: true });
  });
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);
    mounted = true;
  } catch (e) {
    t.skip(
      `cannot mount a tmpfs here (needs root): ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    );
    return;
  }
  const root = join(mnt, 'store');
  const store = await createFsBlobStore(root);

  const big = randomBytes(4 * 1024 * 1024);
  await assert.rejects(store.put(sha256(big), pieces(big, 64 * 1024), big.length), (e: unknown) => {
    assert.ok(isStorageError(e, 'NO_SPACE'), String(e));
    assert.equal(e.status, 507);
    assert.match(e.message, /no space left/);
    return true;
  });
  assert.deepEqual(await readdir(join(root, 'tmp')), [], 'the partial temp file was removed');
  assert.deepEqual(await collect(store.list()), []);

  const small = randomBytes(100_000);
  assert.deepEqual(await store.put(sha256(small), pieces(small, 10_000)), {
    digest: sha256(small),
    size: small.length,
  });

  // A chunk that does not fit is rolled back; the session continues once space allows.
  const s = await store.startUpload();
  const head = randomBytes(512 * 1024);
  await store.append(s.id, 0, pieces(head, 64 * 1024));
  await assert.rejects(store.append(s.id, head.length, pieces(big, 64 * 1024)), (e: unknown) =>
    isStorageError(e, 'NO_SPACE'),
  );
  assert.equal((await store.getUpload(s.id))?.size, head.length);
  const tail = randomBytes(1000);
  const whole = Buffer.concat([head, tail]);
  assert.deepEqual(await store.commit(s.id, sha256(whole), pieces(tail, 100)), {
    digest: sha256(whole),
    size: whole.length,
  });
  const o = await store.open(sha256(whole));
  assert.ok(o);
  assert.deepEqual(await readAllStream(o.stream), whole);
  assert.deepEqual(await readdir(join(root, 'tmp')), []);
});
