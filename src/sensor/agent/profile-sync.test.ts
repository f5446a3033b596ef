import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProfileEngine } from '../profile/index.js';
import { ProfileSync, requestModeChange } from './profile-sync.js';

describe('mode requests to a running agent', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'mamori-sync-'));
  });
  after(async () => rm(tmp, { recursive: true, force: true }));

  it('applies fresh requests, ignores stale and hostile ones, and removes them all', async () => {
    let now = 1000;
    const engine = new ProfileEngine({ clock: () => now });
    const w = engine.registerContainer({ id: 'c1', runtime: 'runc', image: 'debian:12' }, [
      'python3',
      '-m',
      'http.server',
    ]);
    assert.ok(w);
    const other = engine.registerContainer({ id: 'c2', runtime: 'runc', image: 'debian:12' }, ['sleep', '1']);
    assert.ok(other);
    const sync = new ProfileSync(tmp, engine);
    now = 2000;
    await requestModeChange(tmp, w.id, 'protect');
    const dir = join(tmp, 'mode-requests');
    await writeFile(join(dir, `${other.id}.json`), JSON.stringify({ mode: 'monitor', time: 10 }));
    await writeFile(join(dir, 'ffffffffffffffff.json'), '{"mode":"monitor","time":1e15}');
    await writeFile(join(dir, '0000000000000000.json'), 'x'.repeat(10_000));
    await mkdir(join(dir, '1111111111111111.json'));
    await writeFile(join(dir, '../mode-requests/README'), 'not a request');
    const changed = await sync.poll();
    assert.deepEqual(changed, [{ id: w.id, name: w.name, mode: 'protect' }]);
    assert.equal(engine.get(w.id)?.mode, 'protect');
    assert.equal(engine.get(other.id)?.mode, 'learn', 'a request older than the last mode change is stale');
    assert.deepEqual((await readdir(dir)).sort(), ['1111111111111111.json', 'README']);
  });
});
