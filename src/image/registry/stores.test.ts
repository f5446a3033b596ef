import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestRegistry, type TestRegistry } from '../../registry/http/testing.js';
import { Pusher } from '../../admission/signature/testing.js';
import { registryStores } from './index.js';

let reg: TestRegistry;
before(async () => {
  reg = await startTestRegistry();
});
after(() => reg.close());

describe('registryStores', () => {
  it('looks credentials up on first read, once per repository, and reuses the client', async () => {
    const host = new URL(reg.url).host;
    await new Pusher(reg.url, 'team/a').image('a');
    await new Pusher(reg.url, 'team/b').image('b');
    const asked: string[] = [];
    const stores = registryStores(host, {
      credentials: async (repository) => {
        asked.push(repository);
        return undefined;
      },
      client: { insecure: true },
      max: 1,
    });
    const a = stores('team/a');
    assert.deepEqual(asked, [], 'nothing is looked up before a read');
    await a.fetchManifest('latest', 1 << 20);
    await stores('team/a').fetchManifest('latest', 1 << 20);
    assert.deepEqual(asked, ['team/a']);
    await stores('team/b').fetchManifest('latest', 1 << 20);
    // With max 1, team/a's client was closed for team/b; a new read makes a new one.
    await stores('team/a').fetchManifest('latest', 1 << 20);
    assert.deepEqual(asked, ['team/a', 'team/b', 'team/a']);
  });

  it('forgets a repository whose client could not be made', async () => {
    let calls = 0;
    const stores = registryStores('127.0.0.1:1', {
      credentials: async () => {
        calls++;
        throw new Error('helper failed');
      },
      client: { insecure: true, retries: 0, connectTimeoutMs: 1000 },
    });
    await assert.rejects(stores('Bad Name').fetchManifest('latest', 1024));
    await assert.rejects(stores('Bad Name').fetchManifest('latest', 1024));
    assert.equal(calls, 2, 'a failed client is not cached');
  });
});
