/** The root-filesystem fallback on a directory made here: modes, links, loops, bounds, and nothing followed outside. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isMamoriError } from '../../core/index.js';
import { indexFromRootfs } from './build.js';
import { checkDrift } from './check.js';

const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
let work: string;
let rootfs: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'mamori-drift-rootfs-'));
  rootfs = join(work, 'rootfs');
  await mkdir(join(rootfs, 'usr/bin'), { recursive: true });
  await mkdir(join(rootfs, 'app'), { recursive: true });
  await writeFile(join(work, 'outside'), 'outside the root');
  await writeFile(join(rootfs, 'usr/bin/tool'), 'tool', { mode: 0o755 });
  await chmod(join(rootfs, 'usr/bin/tool'), 0o755);
  await link(join(rootfs, 'usr/bin/tool'), join(rootfs, 'usr/bin/tool2'));
  await writeFile(join(rootfs, 'app/run'), 'run', { mode: 0o700 });
  await chmod(join(rootfs, 'app/run'), 0o700);
  await writeFile(join(rootfs, 'app/config'), 'config', { mode: 0o644 });
  await symlink('usr/bin', join(rootfs, 'bin'));
  await symlink(join(work, 'outside'), join(rootfs, 'usr/bin/escape'));
  await symlink('loop', join(rootfs, 'loop'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('indexes the executables of a directory, resolving links inside it only', async () => {
  const index = await indexFromRootfs(rootfs);
  assert.deepEqual([...index.files.keys()].sort(), ['/app/run', '/usr/bin/tool', '/usr/bin/tool2']);
  assert.equal(index.files.get('/app/run')?.mode, 0o700);
  assert.equal(index.files.get('/app/run')?.layerDigest, undefined);
  assert.equal(checkDrift(index, '/bin/tool2', sha('tool')).status, 'in-image');
  // An absolute link target is the container's path, never the host's.
  assert.equal(checkDrift(index, '/bin/escape', sha('outside the root')).status, 'not-in-image');
  assert.equal(checkDrift(index, '/loop', sha('tool')).status, 'unknown');
  assert.equal(checkDrift(index, '/app/config', sha('config')).status, 'not-in-image');
});

test('bounds the members read and refuses what is not a directory', async () => {
  await assert.rejects(indexFromRootfs(rootfs, { maxEntries: 3 }), (e) => isMamoriError(e, 'LIMIT_EXCEEDED'));
  await assert.rejects(indexFromRootfs(join(work, 'outside')), (e) => isMamoriError(e, 'INVALID_ARGUMENT'));
  await assert.rejects(indexFromRootfs(join(work, 'absent')), (e) => isMamoriError(e, 'NOT_FOUND'));
});
