/** The token endpoint and the RegistryAuthorizer, as the HTTP layer calls them. */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { isMamoriError } from '../../core/index.js';
import { isRegistryError } from '../spec/index.js';
import type { AccessControl } from './access.js';
import { tokenEndpoint, type TokenResponse } from './index.js';
import { parseScopes } from './scope.js';
import { openTestAccess, type TestAccess } from './testing.js';

const PASSWORD = 'correct horse battery';
const REALM = 'https://registry.example/service/token';
const basic = (user: string, password: string): IncomingHttpHeaders => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

function tokenOf(r: TokenResponse): string {
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const j = r.json as Record<string, unknown>;
  assert.equal(typeof j['token'], 'string');
  assert.equal(j['access_token'], j['token']);
  return j['token'] as string;
}

describe('token endpoint', () => {
  let t: TestAccess;
  let access: AccessControl;
  let robotSecret = '';
  before(async () => {
    t = await openTestAccess();
    access = t.access;
    await access.users.create('dev', PASSWORD);
    await access.projects.create('priv');
    await access.projects.create('pub', { public: true });
    await access.projects.members.add('priv', 'dev', 'developer');
    ({ secret: robotSecret } = await access.robots.create({
      name: 'ci',
      permissions: [{ project: 'priv', actions: ['pull'] }],
    }));
  });
  after(() => t.close());

  const get = (query: string, headers: IncomingHttpHeaders = {}) =>
    tokenEndpoint(access, { query: new URLSearchParams(query), headers, remoteAddress: '192.0.2.1' });

  it('gives an anonymous token with pull on public projects only', async () => {
    const r = await get(
      'service=mamori-registry&scope=repository:pub/app:pull,push&scope=repository:priv/app:pull',
    );
    const token = tokenOf(r);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['cache-control'], 'no-store');
    const j = r.json as Record<string, unknown>;
    assert.equal(j['expires_in'], 300);
    assert.equal(j['issued_at'], new Date(t.clock.now).toISOString());
    const c = decodeJwt(token);
    assert.equal(c.sub, '');
    assert.deepEqual(c['access'], [
      { type: 'repository', name: 'pub/app', actions: ['pull'] },
      { type: 'repository', name: 'priv/app', actions: [] },
    ]);
  });

  it('gives an authenticated token for Basic credentials of users and robots', async () => {
    const r = await get(
      'service=mamori-registry&account=dev&scope=repository:priv/app:pull,push,delete registry:catalog:*',
      basic('dev', PASSWORD),
    );
    assert.deepEqual(decodeJwt(tokenOf(r))['access'], [
      { type: 'repository', name: 'priv/app', actions: ['pull', 'push'] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
    ]);
    const login = await get('service=mamori-registry&account=dev', basic('dev', PASSWORD));
    assert.deepEqual(decodeJwt(tokenOf(login))['access'], [], 'docker login asks for no scope');
    const robot = await get('scope=repository:priv/app:pull,push', basic('robot$ci', robotSecret));
    const rc = decodeJwt(tokenOf(robot));
    assert.equal(rc.sub, 'robot$ci');
    assert.deepEqual(rc['access'], [{ type: 'repository', name: 'priv/app', actions: ['pull'] }]);
  });

  it('answers bad credentials with one 401, whether the account exists or not', async () => {
    const wrong = await get('service=mamori-registry', basic('dev', 'not the password'));
    const unknown = await get('service=mamori-registry', basic('nobody', PASSWORD));
    const robot = await get('service=mamori-registry', basic('robot$ci', 'guess'));
    for (const r of [wrong, unknown, robot]) {
      assert.equal(r.status, 401);
      assert.deepEqual(r.json, {
        errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }],
      });
      assert.equal(r.headers['www-authenticate'], 'Basic realm="mamori-registry"');
    }
    for (const authorization of [
      'Basic !!!',
      'Basic ' + Buffer.from('nocolon').toString('base64'),
      'Bearer x.y.z',
      'Negotiate abc',
    ]) {
      assert.equal((await get('', { authorization })).status, 401, authorization);
    }
  });

  it('refuses malformed scopes, a foreign service and a mismatched account with 400', async () => {
    const scope = await get('scope=repository:Bad:pull');
    assert.equal(scope.status, 400);
    assert.equal((scope.json as Record<string, unknown>)['error'], 'invalid_scope');
    assert.equal((await get('service=other&scope=repository:pub/app:pull')).status, 400);
    assert.equal((await get('account=someone', basic('dev', PASSWORD))).status, 400);
    assert.equal(
      (await get(Array.from({ length: 40 }, (_, i) => `scope=repository:r${i}:pull`).join('&'))).status,
      400,
    );
  });

  it('supports the OAuth2 password grant', async () => {
    const post = (body: string) =>
      tokenEndpoint(access, {
        method: 'POST',
        query: new URLSearchParams(),
        headers: {},
        remoteAddress: '192.0.2.1',
        body: new URLSearchParams(body),
      });
    const ok = await post(
      'grant_type=password&username=dev&password=correct+horse+battery&service=mamori-registry&client_id=docker&scope=repository:priv/app:pull,push+repository:priv/b:delete',
    );
    tokenOf(ok);
    assert.equal((ok.json as Record<string, unknown>)['scope'], 'repository:priv/app:pull,push');
    const bad = await post('grant_type=password&username=dev&password=nope&service=mamori-registry');
    assert.equal(bad.status, 401);
    const refresh = await post('grant_type=refresh_token&refresh_token=x&service=mamori-registry');
    assert.equal(refresh.status, 400);
    assert.equal((refresh.json as Record<string, unknown>)['error'], 'unsupported_grant_type');
  });
});

describe('authorizer', () => {
  let t: TestAccess;
  let access: AccessControl;
  before(async () => {
    t = await openTestAccess();
    access = t.access;
    await access.users.create('dev', PASSWORD);
    await access.projects.create('priv');
    await access.projects.members.add('priv', 'dev', 'developer');
  });
  after(() => t.close());

  it('authenticates no credentials, Basic and Bearer, and refuses the rest with UNAUTHORIZED', async () => {
    const auth = access.authorizer({ realm: REALM });
    const anon = await auth.authenticate({}, '192.0.2.1');
    assert.deepEqual(anon, { name: 'anonymous', anonymous: true, via: 'none' });
    const viaBasic = await auth.authenticate(basic('dev', PASSWORD), '192.0.2.1');
    assert.deepEqual(viaBasic, { name: 'dev', anonymous: false, via: 'basic' });
    assert.deepEqual(
      [...(await auth.permitted(viaBasic, 'priv/app', ['pull', 'push', 'delete']))],
      ['pull', 'push'],
    );
    assert.equal(await auth.canList(viaBasic, 'priv/app'), true);
    assert.equal(await auth.canList(anon, 'priv/app'), false);

    const { token } = await access.issueToken(viaBasic, parseScopes(['repository:priv/app:pull']));
    const viaBearer = await auth.authenticate({ authorization: `Bearer ${token}` }, '192.0.2.1');
    assert.deepEqual(viaBearer, { name: 'dev', anonymous: false, via: 'bearer' });
    assert.deepEqual([...(await auth.permitted(viaBearer, 'priv/app', ['pull', 'push']))], ['pull']);
    assert.equal(await auth.canList(viaBearer, 'priv/app'), false, 'no registry:catalog:* in the token');

    for (const authorization of [
      basic('dev', 'wrong password').authorization,
      basic('nobody', PASSWORD).authorization,
      'Bearer not-a-token',
      `Bearer ${token}x`,
      'Digest username="dev"',
      'Basic',
      `Basic ${'A'.repeat(30_000)}`,
    ]) {
      await assert.rejects(
        auth.authenticate({ authorization }, '192.0.2.1'),
        (e) => isRegistryError(e, 'UNAUTHORIZED') && e.status === 401,
        authorization?.slice(0, 40),
      );
    }
  });

  it('formats the challenge as Distribution does and checks its values', () => {
    const auth = access.authorizer({ realm: REALM, service: 'mamori-registry' });
    assert.equal(auth.challenge(), `Bearer realm="${REALM}",service="mamori-registry"`);
    assert.equal(
      auth.challenge({ repository: 'priv/app', actions: ['pull', 'push'] }),
      `Bearer realm="${REALM}",service="mamori-registry",scope="repository:priv/app:pull,push"`,
    );
    assert.throws(
      () => access.authorizer({ realm: 'https://x/"evil' }),
      (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
    );
    assert.throws(
      () => access.authorizer({ realm: 'https://x/\r\nSet-Cookie: a=b' }),
      (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
    );
    assert.throws(() => access.authorizer({ realm: REALM, service: 'other' }), /differs/);
  });

  it('creates a project for a system admin pushing to it, through the authorizer', async () => {
    await access.users.create('root', PASSWORD, { admin: true });
    const auth = access.authorizer({ realm: REALM });
    const root = await auth.authenticate(basic('root', PASSWORD), '192.0.2.1');
    assert.deepEqual([...(await auth.permitted(root, 'newproj/app', ['push']))], ['push']);
    assert.equal(await auth.ensureProjectForPush(root, 'newproj/app'), true);
    const { token } = await access.issueToken(root, parseScopes(['repository:other/app:pull']));
    const pullOnly = await auth.authenticate({ authorization: `Bearer ${token}` }, '192.0.2.1');
    assert.equal(await auth.ensureProjectForPush(pullOnly, 'other/app'), false, 'the token holds no push');
  });
});
