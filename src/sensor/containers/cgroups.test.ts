import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCgroupIndex } from './cgroups.js';

// The index only needs a directory tree: a temp dir stands in for the hierarchy.
describe('createCgroupIndex', () => {
  let root: string;
  const ino = async (rel: string): Promise<string> =>
    (await stat(join(root, rel), { bigint: true })).ino.toString();
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'mamori-cgroups-'));
    await mkdir(join(root, 'system.slice/docker-x.scope/init.scope'), { recursive: true });
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('maps inodes to paths, finds cgroups made after the first walk, forgets', async () => {
    const index = createCgroupIndex({ root, rewalkMs: 0 });
    assert.equal(await index.path(await ino('')), '/');
    assert.equal(
      await index.path(await ino('system.slice/docker-x.scope/init.scope')),
      '/system.slice/docker-x.scope/init.scope',
    );
    await mkdir(join(root, 'late'));
    const late = await ino('late');
    assert.equal(await index.path(late), '/late');
    assert.equal(await index.idOf('/late'), late);
    await rmdir(join(root, 'late'));
    index.forget(late);
    assert.equal(await index.path(late), undefined);
    assert.equal(await index.idOf('/late'), undefined);
    assert.equal(await index.idOf('/../etc'), undefined);
    assert.equal(await index.path('12abc'), undefined);
  });

  it('stays within its bounds', async () => {
    const shallow = createCgroupIndex({ root, maxDepth: 1, rewalkMs: 0 });
    assert.equal(await shallow.path(await ino('system.slice/docker-x.scope')), undefined);
    assert.equal(await shallow.path(await ino('system.slice')), '/system.slice');
    const small = createCgroupIndex({ root, maxEntries: 2, rewalkMs: 0 });
    assert.equal(await small.path(await ino('system.slice/docker-x.scope/init.scope')), undefined);
  });

  it('shares one walk between concurrent misses', async () => {
    const index = createCgroupIndex({ root, rewalkMs: 50 });
    const id = await ino('system.slice');
    const all = await Promise.all([index.path(id), index.path(id), index.path('1'), index.path('2')]);
    assert.deepEqual(all, ['/system.slice', '/system.slice', undefined, undefined]);
  });
});
