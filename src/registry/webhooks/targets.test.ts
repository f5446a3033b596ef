import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isMamoriError } from '../../core/index.js';
import { checkTargetUrl, openWebhooks, type Webhooks } from './index.js';
import { type TempDb, tempDb } from './testing.js';

const invalid = (e: unknown): boolean => isMamoriError(e, 'INVALID_ARGUMENT');
const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('webhook targets', () => {
  let db: TempDb;
  let hooks: Webhooks;
  before(async () => {
    db = await tempDb('webhook-targets');
    hooks = await openWebhooks(await db.open());
  });
  after(() => db.cleanup());

  it('creates, reads, lists, updates and deletes targets; the secret is shown once', async () => {
    const a = await hooks.createTarget({
      project: 'lib',
      url: 'https://ci.example/hook?x=1',
      events: ['push', 'push'],
    });
    assert.match(a.secret, /^[0-9a-f]{64}$/, 'a generated secret');
    assert.deepEqual(a.events, ['push']);
    assert.equal(a.enabled, true);
    const b = await hooks.createTarget({
      project: 'lib',
      url: 'http://10.0.0.1:8080/x',
      secret: 's3cret',
      events: ['scan.completed', 'policy.violation'],
      enabled: false,
    });
    assert.equal(b.secret, 's3cret');
    await hooks.createTarget({ project: 'other', url: 'http://h/', events: ['*'] });
    const got = await hooks.getTarget(a.id);
    assert.ok(got);
    assert.equal('secret' in got, false, 'reads never show the secret');
    assert.deepEqual(
      (await hooks.listTargets({ project: 'lib' })).map((t) => [t.id, t.events, t.enabled]),
      [
        [a.id, ['push']],
        [b.id, ['policy.violation', 'scan.completed'], false],
      ].map(([id, ev, en]) => [id, ev, en ?? true]),
    );
    assert.equal((await hooks.listTargets()).length, 3);
    const changed = await hooks.updateTarget(b.id, {
      enabled: true,
      events: ['*'],
      url: 'https://new.example/',
    });
    assert.deepEqual([changed.enabled, changed.events, changed.url], [true, ['*'], 'https://new.example/']);
    await assert.rejects(hooks.updateTarget(9999, { enabled: false }), (e: unknown) =>
      isMamoriError(e, 'NOT_FOUND'),
    );
    await assert.rejects(hooks.updateTarget(b.id, { url: 'ftp://x/' }), invalid);
    assert.equal(await hooks.deleteTarget(b.id), true);
    assert.equal(await hooks.deleteTarget(b.id), false);
    assert.equal(await hooks.getTarget(b.id), undefined);
    await assert.rejects(hooks.getTarget(0), invalid);
  });

  it('refuses URLs that are not plain http(s), carry credentials or are malformed', async () => {
    const bad: unknown[] = [
      'ftp://example.com/hook',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/plain,hi',
      'gopher://example.com/',
      'http://user:pass@example.com/',
      'https://token@example.com/',
      'http://:pass@example.com/',
      'https://example.com/#frag',
      'https://example.com/#',
      'not a url',
      '/relative/path',
      '',
      'http://example.com/\nHost: evil',
      'http://exa mple.com/',
      `https://example.com/${'a'.repeat(3000)}`,
      42,
      undefined,
    ];
    for (const url of bad) {
      await assert.rejects(
        hooks.createTarget({ project: 'lib', url: url as string, events: ['push'] }),
        invalid,
        String(url),
      );
    }
    assert.equal(
      checkTargetUrl('HTTPS://Example.COM:443/a b'.replace(' ', '%20')),
      'https://example.com/a%20b',
    );
    assert.equal(checkTargetUrl('http://[::1]:9000/h'), 'http://[::1]:9000/h');
  });

  it('refuses bad projects, event filters and secrets', async () => {
    const base = { project: 'lib', url: 'https://h/', events: ['push'] };
    const bad: object[] = [
      { ...base, project: 'Lib' },
      { ...base, project: 'lib/app' },
      { ...base, project: '' },
      { ...base, events: [] },
      { ...base, events: ['Push'] },
      { ...base, events: [42] },
      { ...base, events: 'push' },
      { ...base, events: Array.from({ length: 33 }, (_, i) => `e${i}`) },
      { ...base, secret: '' },
      { ...base, secret: 'x'.repeat(257) },
      { ...base, enabled: 'yes' },
    ];
    for (const b of bad) {
      await assert.rejects(
        hooks.createTarget(b as Parameters<Webhooks['createTarget']>[0]),
        invalid,
        JSON.stringify(b),
      );
    }
  });

  it('queues one delivery per enabled target of the project whose filter wants the event', async () => {
    const db2 = await tempDb('webhook-filter');
    try {
      const h = await openWebhooks(await db2.open());
      const push = await h.createTarget({ project: 'lib', url: 'http://a/', events: ['push'] });
      const all = await h.createTarget({ project: 'lib', url: 'http://b/', events: ['*'] });
      await h.createTarget({ project: 'lib', url: 'http://c/', events: ['scan.completed'], enabled: false });
      await h.createTarget({ project: 'other', url: 'http://d/', events: ['push'] });
      assert.equal(
        (await h.emit({ type: 'push', project: 'lib', repository: 'lib/app', tag: 'v1', digest: DIGEST }))
          .deliveries,
        2,
      );
      assert.equal(
        (await h.emit({ type: 'scan.completed', project: 'lib', data: { critical: 2 } })).deliveries,
        1,
      );
      assert.equal((await h.emit({ type: 'pull', project: 'nobody' })).deliveries, 0);
      const queued = await h.deliveries({ status: 'pending' });
      assert.deepEqual(
        queued.map((d) => [d.targetId, d.eventType]),
        [
          [all.id, 'scan.completed'],
          [all.id, 'push'],
          [push.id, 'push'],
        ],
      );
      assert.deepEqual(
        (await h.deliveries({ target: push.id })).map((d) => d.eventType),
        ['push'],
      );
      const body = JSON.parse(queued[2]?.body ?? '') as Record<string, unknown>;
      assert.deepEqual(Object.keys(body), ['id', 'type', 'time', 'project', 'repository', 'digest', 'tag']);
      assert.equal(body.repository, 'lib/app');

      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const badEvents: unknown[] = [
        null,
        { type: 'Push', project: 'lib' },
        { type: 'push', project: 'Lib' },
        { type: 'push', project: 'lib', repository: 'other/app' },
        { type: 'push', project: 'lib', repository: 'lib/App' },
        { type: 'push', project: 'lib', digest: 'sha256:xyz' },
        { type: 'push', project: 'lib', tag: '-bad' },
        { type: 'push', project: 'lib', data: cyclic },
        { type: 'push', project: 'lib', data: 10n },
      ];
      for (const e of badEvents) await assert.rejects(h.emit(e as Parameters<Webhooks['emit']>[0]), invalid);
      await assert.rejects(h.emit({ type: 'push', project: 'lib', data: 'x'.repeat(70_000) }), (e: unknown) =>
        isMamoriError(e, 'LIMIT_EXCEEDED'),
      );
      assert.equal((await h.deliveries()).length, 3, 'refused events queued nothing');
    } finally {
      await db2.cleanup();
    }
  });
});
