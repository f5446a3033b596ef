/**
 * The access model's behaviour, defined once and run on SQLite
 * (access.test.ts) and PostgreSQL (postgres.test.ts).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it, mock } from 'node:test';
import { isMamoriError } from '../../core/index.js';
import type { Caller, RepositoryAction } from '../http/auth.js';
import type { AccessControl } from './access.js';
import { type OpenState, openTestAccess, type TestAccess } from './testing.js';

const ALL: RepositoryAction[] = ['pull', 'push', 'delete'];
const PASSWORD = 'correct horse battery';

const sorted = (s: Set<RepositoryAction>): RepositoryAction[] => ALL.filter((a) => s.has(a));

async function login(access: AccessControl, name: string, password = PASSWORD): Promise<Caller> {
  const c = await access.login(name, password);
  assert.ok(c, `${name} logs in`);
  return c;
}

export function defineAccessTests(label: string, openState: OpenState): void {
  describe(`access model (${label})`, () => {
    let t: TestAccess;
    let access: AccessControl;
    before(async () => {
      t = await openTestAccess({}, openState);
      access = t.access;
      await access.users.create('root', PASSWORD, { admin: true });
      for (const u of ['padmin', 'maint', 'dev', 'guest', 'stranger']) await access.users.create(u, PASSWORD);
      await access.projects.create('priv');
      await access.projects.create('pub', { public: true });
      await access.projects.members.add('priv', 'padmin', 'admin');
      await access.projects.members.add('priv', 'maint', 'maintainer');
      await access.projects.members.add('priv', 'dev', 'developer');
      await access.projects.members.add('priv', 'guest', 'guest');
    });
    after(() => t.close());

    it('grants Harbor role actions; system admins everything; public projects pull to all', async () => {
      const callers: Record<string, Caller> = { anonymous: access.anonymous() };
      for (const u of ['root', 'padmin', 'maint', 'dev', 'guest', 'stranger'])
        callers[u] = await login(access, u);
      const expected: Record<string, Record<string, RepositoryAction[]>> = {
        root: { 'priv/app': ALL, 'pub/app': ALL, 'ghost/app': ALL },
        padmin: { 'priv/app': ALL, 'pub/app': ['pull'], 'ghost/app': [] },
        maint: { 'priv/app': ALL, 'pub/app': ['pull'], 'ghost/app': [] },
        dev: { 'priv/app': ['pull', 'push'], 'pub/app': ['pull'], 'ghost/app': [] },
        guest: { 'priv/app': ['pull'], 'pub/app': ['pull'], 'ghost/app': [] },
        stranger: { 'priv/app': [], 'pub/app': ['pull'], 'ghost/app': [] },
        anonymous: { 'priv/app': [], 'pub/app': ['pull'], 'ghost/app': [] },
      };
      for (const [who, byRepo] of Object.entries(expected)) {
        const caller = callers[who];
        assert.ok(caller);
        for (const [repo, actions] of Object.entries(byRepo)) {
          assert.deepEqual(sorted(await access.permitted(caller, repo, ALL)), actions, `${who} on ${repo}`);
          // Deeper repositories of the same project, and any wanted subset.
          const deep = repo.replace('/app', '/team/deep/app');
          assert.deepEqual(sorted(await access.permitted(caller, deep, ALL)), actions, `${who} on ${deep}`);
          assert.deepEqual(
            sorted(await access.permitted(caller, repo, ['delete'])),
            actions.filter((a) => a === 'delete'),
          );
        }
        assert.equal(await access.canList(caller, 'priv/app'), byRepo['priv/app']?.includes('pull'));
      }
    });

    it('tells whether a caller is a system admin and its role in a project', async () => {
      const root = await login(access, 'root');
      const dev = await login(access, 'dev');
      assert.equal(await access.isAdmin(root), true);
      assert.equal(await access.isAdmin(dev), false);
      assert.equal(await access.isAdmin(access.anonymous()), false);
      assert.equal(await access.isAdmin({ name: 'root', anonymous: false, via: 'basic' }), false, 'forged');
      assert.equal(await access.roleOf(dev, 'priv'), 'developer');
      assert.equal(await access.roleOf(dev, 'pub'), undefined);
      assert.equal(await access.roleOf(root, 'priv'), undefined, 'admins are not members');
      assert.equal(await access.roleOf(access.anonymous(), 'priv'), undefined);
    });

    it('gives nothing on invalid repository names and nothing to forged caller objects', async () => {
      const root = await login(access, 'root');
      for (const bad of ['', 'Priv/app', '/priv', 'priv//app', '../priv', 'priv/app:tag', 'a'.repeat(300)]) {
        assert.equal((await access.permitted(root, bad, ALL)).size, 0, JSON.stringify(bad));
      }
      const forged: Caller = { name: 'root', anonymous: false, via: 'basic' };
      assert.deepEqual(sorted(await access.permitted(forged, 'priv/app', ALL)), []);
      assert.deepEqual(sorted(await access.permitted(forged, 'pub/app', ALL)), ['pull']);
      assert.equal(await access.ensureProjectForPush(forged, 'forged/app'), false);
    });

    it('follows role changes, removals, public flips and project deletion at once', async () => {
      await access.users.create('mover', PASSWORD);
      await access.projects.create('flip');
      const mover = await login(access, 'mover');
      const anon = access.anonymous();
      await access.projects.members.add('flip', 'mover', 'guest');
      assert.deepEqual(sorted(await access.permitted(mover, 'flip/x', ALL)), ['pull']);
      await access.projects.members.update('flip', 'mover', 'developer');
      assert.deepEqual(sorted(await access.permitted(mover, 'flip/x', ALL)), ['pull', 'push']);
      assert.deepEqual(await access.projects.members.list('flip'), [
        { project: 'flip', user: 'mover', role: 'developer', created: t.clock.now },
      ]);
      assert.equal(await access.projects.members.remove('flip', 'mover'), true);
      assert.equal(await access.projects.members.remove('flip', 'mover'), false);
      assert.deepEqual(sorted(await access.permitted(mover, 'flip/x', ALL)), []);
      await access.projects.setPublic('flip', true);
      assert.deepEqual(sorted(await access.permitted(anon, 'flip/x', ALL)), ['pull']);
      await access.projects.setPublic('flip', false);
      assert.deepEqual(sorted(await access.permitted(anon, 'flip/x', ALL)), []);
      await access.projects.members.add('flip', 'mover', 'maintainer');
      assert.equal(await access.projects.delete('flip'), true);
      await access.projects.create('flip');
      assert.deepEqual(await access.projects.members.list('flip'), [], 'memberships went with the project');
      assert.deepEqual(sorted(await access.permitted(mover, 'flip/x', ALL)), []);
      await assert.rejects(access.projects.members.add('nope', 'mover', 'guest'), (e) =>
        isMamoriError(e, 'NOT_FOUND'),
      );
      await assert.rejects(access.projects.members.add('flip', 'nobody', 'guest'), (e) =>
        isMamoriError(e, 'NOT_FOUND'),
      );
      await assert.rejects(access.projects.members.add('flip', 'mover', 'owner' as 'admin'), (e) =>
        isMamoriError(e, 'INVALID_ARGUMENT'),
      );
      await assert.rejects(access.projects.create('flip'), /already exists/);
      for (const bad of ['Flip', 'a/b', '', '-x', 'x-', 'a'.repeat(256)]) {
        await assert.rejects(access.projects.create(bad), (e) => isMamoriError(e, 'INVALID_ARGUMENT'), bad);
      }
      assert.deepEqual(
        (await access.projects.list()).map((p) => [p.name, p.public]),
        [
          ['flip', false],
          ['priv', false],
          ['pub', true],
        ],
      );
    });

    it('lets a system admin push to a new project, creating it private; nobody else', async () => {
      const root = await login(access, 'root');
      const dev = await login(access, 'dev');
      assert.equal(await access.ensureProjectForPush(dev, 'devnew/app'), false);
      assert.equal(await access.projects.get('devnew'), undefined);
      assert.equal(await access.ensureProjectForPush(access.anonymous(), 'anonnew/app'), false);
      assert.equal(await access.ensureProjectForPush(root, 'fresh/team/app'), true);
      assert.equal(await access.ensureProjectForPush(root, 'fresh/other'), false, 'exists now');
      assert.deepEqual(await access.projects.get('fresh'), {
        name: 'fresh',
        public: false,
        created: t.clock.now,
      });
      assert.equal(await access.ensureProjectForPush(root, 'Bad/Name'), false);
    });

    it('refuses disabled and deleted users; keeps one enabled system admin', async () => {
      await access.users.create('leaver', PASSWORD);
      await access.projects.members.add('priv', 'leaver', 'developer');
      const before = await login(access, 'leaver');
      await access.users.setDisabled('leaver', true);
      assert.equal(await access.login('leaver', PASSWORD), undefined);
      assert.deepEqual(
        sorted(await access.permitted(before, 'priv/app', ALL)),
        [],
        'a live caller loses its rights',
      );
      await access.users.setDisabled('leaver', false);
      assert.ok(await access.login('leaver', PASSWORD));
      assert.equal(await access.users.delete('leaver'), true);
      assert.equal(await access.users.delete('leaver'), false);
      assert.equal(await access.login('leaver', PASSWORD), undefined);
      assert.deepEqual(sorted(await access.permitted(before, 'priv/app', ALL)), []);
      assert.ok(!(await access.projects.members.list('priv')).some((m) => m.user === 'leaver'));

      await assert.rejects(access.users.setAdmin('root', false), /last enabled system administrator/);
      await assert.rejects(access.users.setDisabled('root', true), /last enabled system administrator/);
      await assert.rejects(access.users.delete('root'), /last enabled system administrator/);
      await access.users.create('root2', PASSWORD, { admin: true });
      await access.users.setAdmin('root2', false);
      assert.equal((await access.users.get('root2'))?.admin, false);
      await assert.rejects(access.users.setAdmin('ghost', true), (e) => isMamoriError(e, 'NOT_FOUND'));
    });

    it('validates user names and passwords', async () => {
      for (const bad of [
        '',
        'Admin',
        'a:b',
        'anonymous',
        'robot$x',
        'a b',
        'a/b',
        '.a',
        'a\u0000',
        'é',
        'a'.repeat(256),
      ]) {
        await assert.rejects(
          access.users.create(bad, PASSWORD),
          (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
          bad,
        );
      }
      await access.users.create('a.b_c-d@e+f', PASSWORD);
      await access.users.create('x'.repeat(255), PASSWORD);
      for (const bad of ['', 'short', '1234567', 'x'.repeat(2000), 'abcdefg\u0000h']) {
        await assert.rejects(access.users.create('pw', bad), (e) => isMamoriError(e, 'INVALID_ARGUMENT'));
      }
      await assert.rejects(access.users.create('dev', PASSWORD), /already exists/);
      assert.deepEqual(await access.users.get('dev'), {
        name: 'dev',
        admin: false,
        disabled: false,
        created: t.clock.now,
      });
      assert.equal(await access.users.get('nobody'), undefined);
      assert.ok((await access.users.list()).some((u) => u.name === 'root' && u.admin));
      assert.equal(await access.users.verifyPassword('dev', PASSWORD), true);
      assert.equal(await access.users.verifyPassword('dev', PASSWORD + 'x'), false);
      assert.equal(await access.users.verifyPassword('nobody', PASSWORD), false);
    });

    it('authenticates robots by secret, within their projects, until expired, disabled or deleted', async () => {
      const start = t.clock.now;
      const { robot, secret } = await access.robots.create({
        name: 'ci',
        description: 'pipeline',
        expiresAt: start + 60_000,
        permissions: [
          { project: 'priv', actions: ['push', 'pull'] },
          { project: 'pub', actions: ['delete'] },
        ],
      });
      assert.equal(robot.name, 'robot$ci');
      assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(robot.permissions, [
        { project: 'priv', actions: ['pull', 'push'] },
        { project: 'pub', actions: ['delete'] },
      ]);
      assert.deepEqual(await access.robots.get('robot$ci'), robot);
      assert.ok(!JSON.stringify(await access.robots.list()).includes(secret), 'the secret is not kept');

      assert.equal(await access.login('robot$ci', 'wrong'), undefined);
      assert.equal(await access.login('robot$nobody', secret), undefined);
      assert.equal(await access.login('ci', secret), undefined, 'the robot$ prefix is required');
      const ci = await access.login('robot$ci', secret);
      assert.ok(ci);
      assert.deepEqual(ci, { name: 'robot$ci', anonymous: false, via: 'basic' });
      assert.deepEqual(sorted(await access.permitted(ci, 'priv/app', ALL)), ['pull', 'push']);
      assert.deepEqual(sorted(await access.permitted(ci, 'pub/app', ALL)), ['pull', 'delete']);
      assert.deepEqual(sorted(await access.permitted(ci, 'other/app', ALL)), []);
      assert.equal(await access.ensureProjectForPush(ci, 'robotnew/app'), false);

      t.clock.now = start + 60_000;
      assert.equal(await access.login('robot$ci', secret), undefined, 'expired');
      assert.deepEqual(sorted(await access.permitted(ci, 'priv/app', ALL)), []);
      await access.robots.setExpiry('robot$ci', null);
      assert.ok(await access.login('robot$ci', secret));
      await access.robots.setDisabled('ci', true);
      assert.equal(await access.login('robot$ci', secret), undefined, 'disabled');
      assert.deepEqual(sorted(await access.permitted(ci, 'priv/app', ALL)), []);
      await access.robots.setDisabled('ci', false);
      const fresh = await access.robots.regenerateSecret('robot$ci');
      assert.equal(await access.login('robot$ci', secret), undefined, 'old secret');
      assert.ok(await access.login('robot$ci', fresh));
      assert.equal(await access.robots.delete('robot$ci'), true);
      assert.equal(await access.login('robot$ci', fresh), undefined, 'deleted');
      t.clock.now = start;

      await assert.rejects(
        access.robots.create({ name: 'bad', permissions: [{ project: 'nope', actions: ['pull'] }] }),
        (e) => isMamoriError(e, 'NOT_FOUND'),
      );
      assert.equal(await access.robots.get('bad'), undefined, 'nothing left of the failed create');
      for (const input of [
        { name: 'Bad', permissions: [] },
        { name: 'robot$', permissions: [] },
        { name: 'x', permissions: [{ project: 'priv', actions: [] }] },
        { name: 'x', permissions: [{ project: 'priv', actions: ['admin'] }] },
        {
          name: 'x',
          permissions: [
            { project: 'priv', actions: ['pull'] },
            { project: 'priv', actions: ['push'] },
          ],
        },
        { name: 'x', expiresAt: start - 1, permissions: [] },
      ]) {
        await assert.rejects(
          access.robots.create(input as Parameters<AccessControl['robots']['create']>[0]),
          (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
          JSON.stringify(input),
        );
      }
      await access.robots.create({ name: 'gone', permissions: [{ project: 'priv', actions: ['pull'] }] });
      await access.projects.create('temp');
      await access.robots.create({ name: 'temp', permissions: [{ project: 'temp', actions: ['pull'] }] });
      await access.projects.delete('temp');
      assert.deepEqual(
        (await access.robots.get('temp'))?.permissions,
        [],
        'permissions went with the project',
      );
    });

    it('remembers password checks briefly, and forgets them when the password changes anywhere', async () => {
      await access.users.create('cached', PASSWORD);
      const spy = mock.method(crypto, 'scrypt');
      try {
        await login(access, 'cached');
        const first = spy.mock.callCount();
        assert.ok(first >= 1);
        await login(access, 'cached');
        assert.equal(spy.mock.callCount(), first, 'the second login did not run scrypt');
        assert.equal(await access.login('cached', 'wrong password'), undefined);
        const beforeUnknown = spy.mock.callCount();
        assert.equal(await access.login('no-such-user', PASSWORD), undefined);
        assert.equal(spy.mock.callCount(), beforeUnknown + 1, 'an unknown name costs one scrypt too');

        const replica = await t.reopen();
        await replica.users.setPassword('cached', 'the new password');
        assert.equal(
          await access.login('cached', PASSWORD),
          undefined,
          'a change on another replica is seen',
        );
        await login(access, 'cached', 'the new password');

        t.clock.now += 31_000;
        const n = spy.mock.callCount();
        await login(access, 'cached', 'the new password');
        assert.ok(spy.mock.callCount() > n, 'the entry expired');
        t.clock.now -= 31_000;
      } finally {
        spy.mock.restore();
      }
    });

    it('bootstraps the first administrator once', async () => {
      const fresh = await openTestAccess({}, openState);
      try {
        const first = await fresh.access.bootstrapAdmin();
        assert.equal(first.created, true);
        assert.equal(first.name, 'admin');
        assert.match(first.password ?? '', /^[A-Za-z0-9_-]{32}$/);
        const again = await fresh.access.bootstrapAdmin();
        assert.deepEqual(again, { created: false, name: 'admin' }, 'no password the second time');
        assert.deepEqual(await fresh.access.bootstrapAdmin('another password'), {
          created: false,
          name: 'admin',
        });
        const admin = await login(fresh.access, 'admin', first.password);
        assert.deepEqual(sorted(await fresh.access.permitted(admin, 'any/repo', ALL)), ALL);
        assert.equal((await fresh.access.users.list()).length, 1);
      } finally {
        await fresh.close();
      }
      const given = await openTestAccess({}, openState);
      try {
        await assert.rejects(given.access.bootstrapAdmin('short'), (e) =>
          isMamoriError(e, 'INVALID_ARGUMENT'),
        );
        assert.deepEqual(await given.access.bootstrapAdmin('from the environment'), {
          created: true,
          name: 'admin',
        });
        await login(given.access, 'admin', 'from the environment');
        const parallel = await Promise.all([given.access.bootstrapAdmin(), given.access.bootstrapAdmin()]);
        assert.ok(parallel.every((r) => !r.created));
      } finally {
        await given.close();
      }
    });
  });
}
