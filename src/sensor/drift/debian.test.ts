/**
 * Drift checks on the real Debian 12 test image (mmdebstrap + umoci): the
 * index's hashes are sha256sum's on the unpacked root filesystem, symlink
 * chains resolve as in the container, and the root-filesystem fallback
 * indexes the same executables as the layers.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type DebianImage, debianImage } from '../../testing/images.js';
import { buildExecutableIndex, indexFromRootfs } from './build.js';
import { parseIndex } from './cache.js';
import { checkDrift } from './check.js';
import type { ExecutableIndex } from './types.js';

const run = promisify(execFile);

/** sha256sum of a path of the unpacked rootfs (the host follows its relative symlinks as the container would). */
async function sha256sum(rootfs: string, path: string): Promise<string> {
  const { stdout } = await run('sha256sum', [join(rootfs, path)]);
  return `sha256:${stdout.split(' ')[0] ?? ''}`;
}

let img: DebianImage;
let cacheDir: string;
let index: ExecutableIndex;

describe('Debian 12 image', { timeout: 30 * 60 * 1000 }, () => {
  before(async () => {
    img = await debianImage();
    cacheDir = await mkdtemp(join(tmpdir(), 'mamori-drift-cache-'));
    index = await buildExecutableIndex(`oci:${img.layout}:${img.tag}`, { cacheDir });
  });
  after(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  test('/usr/bin/python3 and /bin/sh are in the image with sha256sum hashes', async () => {
    for (const [path, real] of [
      ['/usr/bin/python3', '/usr/bin/python3.11'],
      ['/bin/sh', '/usr/bin/dash'],
    ] as const) {
      const want = await sha256sum(img.rootfs, path);
      const r = checkDrift(index, path, want);
      assert.equal(r.status, 'in-image', path);
      assert.equal(r.path, real);
      assert.equal(r.expected, want);
      assert.equal(index.files.get(real)?.sha256, want);
    }
    assert.equal(
      checkDrift(index, '/bin/sh', await sha256sum(img.rootfs, '/usr/bin/python3')).status,
      'modified',
    );
  });

  test('the Go binary of the last layer is attributed to it', async () => {
    const r = checkDrift(
      index,
      '/usr/local/bin/mamori-fixture',
      await sha256sum(img.rootfs, '/usr/local/bin/mamori-fixture'),
    );
    assert.equal(r.status, 'in-image');
    assert.equal(r.layer, 2);
  });

  test('a path the image lacks is not-in-image; a wrong hash is modified with the expected one', async () => {
    const dash = await sha256sum(img.rootfs, '/usr/bin/dash');
    assert.equal(checkDrift(index, '/tmp/xmrig', dash).status, 'not-in-image');
    assert.equal(checkDrift(index, '/usr/bin/nc', dash).status, 'not-in-image');
    const r = checkDrift(index, '/bin/sh', `sha256:${'0'.repeat(64)}`);
    assert.equal(r.status, 'modified');
    assert.equal(r.expected, dash);
    assert.equal(r.layer, 0);
  });

  test('the root-filesystem fallback indexes the same executables and symlinks', async () => {
    const fromDir = await indexFromRootfs(img.rootfs);
    assert.equal(fromDir.source.kind, 'rootfs');
    assert.ok(index.files.size > 300, `only ${index.files.size} executables`);
    const strip = (i: ExecutableIndex) => [...i.files].map(([p, f]) => [p, f.sha256, f.size, f.mode]).sort();
    assert.deepEqual(strip(fromDir), strip(index));
    assert.deepEqual([...fromDir.symlinks].sort(), [...index.symlinks].sort());
  });

  test('the index is cached under the config digest, and a second build gives it back', async () => {
    const digest = index.source.configDigest ?? '';
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    const entry = join(cacheDir, 'drift', 'v1', `${digest.replace(':', '-')}.json`);
    assert.deepEqual(parseIndex(await readFile(entry, 'utf8')), index);
    const again = await buildExecutableIndex(`oci:${img.layout}:${img.tag}`, { cacheDir });
    assert.deepEqual(again, index);
  });
});
