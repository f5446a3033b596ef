import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readRuntimeState } from './state.js';

describe('readRuntimeState', () => {
  let root: string;
  const limits = { maxBytes: 64 * 1024 };
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'mamori-state-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  async function state(id: string, content: string | Buffer): Promise<void> {
    await mkdir(join(root, id), { recursive: true });
    await writeFile(join(root, id, 'state.json'), content);
  }

  async function read(id: string): Promise<{ state: unknown; problems: string[] }> {
    const problems: string[] = [];
    const s = await readRuntimeState(root, id, limits, (m) => problems.push(m));
    return { state: s, problems };
  }

  it('reads bundle, rootfs, pid and annotations like runc writes them', async () => {
    const bundle = join(root, 'bundle-ok');
    await mkdir(bundle);
    await writeFile(join(bundle, 'config.json'), JSON.stringify({ annotations: { a: 'from-config', n: 5 } }));
    await state(
      'ok',
      JSON.stringify({
        id: 'ok',
        init_process_pid: 4242,
        init_process_start: 99,
        config: { rootfs: '/r', labels: ['a=from-labels', `bundle=${bundle}`, 'junk', 7] },
      }),
    );
    const { state: s, problems } = await read('ok');
    assert.deepEqual(s, {
      root,
      id: 'ok',
      bundle,
      rootfs: '/r',
      pid: 4242,
      pidStart: '99',
      annotations: { a: 'from-config' },
    });
    assert.deepEqual(problems, []);
  });

  it('falls back to the labels when the bundle is gone', async () => {
    await state('nobundle', JSON.stringify({ config: { labels: ['k=v=w', 'bundle=/nonexistent-mamori'] } }));
    const { state: s } = await read('nobundle');
    assert.deepEqual(s, { root, id: 'nobundle', bundle: '/nonexistent-mamori', annotations: { k: 'v=w' } });
  });

  it('handles hostile documents: too large, not JSON, wrong types, symlinks', async () => {
    await state('huge', Buffer.alloc(limits.maxBytes + 1, 0x20));
    await state('invalid', '{"id": "x", ');
    await state('array', '[1,2]');
    await state(
      'types',
      JSON.stringify({
        init_process_pid: '12',
        init_process_start: { x: 1 },
        config: { rootfs: 5, labels: { bundle: '/x' } },
      }),
    );
    await state(
      'badpid',
      JSON.stringify({ init_process_pid: -3, config: { rootfs: 'relative', labels: ['bundle=rel'] } }),
    );
    await mkdir(join(root, 'link'));
    await symlink('/etc/hostname', join(root, 'link', 'state.json'));

    const huge = await read('huge');
    assert.deepEqual(huge.state, { root, id: 'huge', annotations: {} });
    assert.match(huge.problems.join(), /larger than 65536 bytes/);
    const invalid = await read('invalid');
    assert.deepEqual(invalid.state, { root, id: 'invalid', annotations: {} });
    assert.match(invalid.problems.join(), /is not JSON/);
    assert.match((await read('array')).problems.join(), /not a JSON object/);
    assert.deepEqual((await read('types')).state, { root, id: 'types', annotations: {} });
    assert.deepEqual((await read('badpid')).state, { root, id: 'badpid', annotations: {} });
    const link = await read('link');
    assert.deepEqual(link.state, { root, id: 'link', annotations: {} });
    assert.match(link.problems.join(), /could not be read/);
  });

  it('gives undefined for unknown or unsafe ids', async () => {
    assert.equal((await read('absent')).state, undefined);
    assert.equal((await read('..')).state, undefined);
    assert.equal((await read('../x')).state, undefined);
  });
});
