/**
 * The token dance with real clients: the registry app with this module's
 * authorizer and token endpoint, driven by skopeo (pushes an umoci-built
 * image, Basic → Bearer through the challenge) and curl (Basic on /v2
 * directly, the challenge header). Needs the Debian packages skopeo, umoci
 * and curl; skipped, saying so, where they are missing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import type { RegistryAuthorizer } from '../http/auth.js';
import { createRegistryApp } from '../http/index.js';
import { createFsBlobStore } from '../storage/index.js';
import type { AccessControl } from './access.js';
import type { AccessAuthorizer } from './authorizer.js';
import { tokenEndpoint } from './endpoint.js';
import { openTestAccess, type TestAccess } from './testing.js';

const run = promisify(execFile);
const PASSWORD = 'correct horse battery';
const missing = ['skopeo', 'umoci', 'curl'].filter((t) => !existsSync(`/usr/bin/${t}`));
const skip = missing.length > 0 ? `needs ${missing.join(', ')} (Debian packages of the same names)` : false;

describe('token authentication with skopeo and curl', { skip }, () => {
  let t: TestAccess;
  let access: AccessControl;
  let app: FastifyInstance;
  let host = '';
  let work = '';
  let robotSecret = '';
  before(async () => {
    t = await openTestAccess({ now: () => Date.now() });
    access = t.access;
    await access.users.create('root', PASSWORD, { admin: true });
    await access.users.create('dev', PASSWORD);
    await access.users.create('viewer', PASSWORD);
    await access.projects.create('team');
    await access.projects.create('pub', { public: true });
    await access.projects.members.add('team', 'dev', 'developer');
    await access.projects.members.add('team', 'viewer', 'guest');
    ({ secret: robotSecret } = await access.robots.create({
      name: 'ci',
      permissions: [{ project: 'team', actions: ['pull'] }],
    }));

    // The realm names the port, known once listening: the app gets a forwarder.
    const holder: { auth?: AccessAuthorizer } = {};
    const current = (): AccessAuthorizer => {
      if (!holder.auth) throw new Error('authorizer not ready');
      return holder.auth;
    };
    const forward: RegistryAuthorizer = {
      authenticate: (h, r) => current().authenticate(h, r),
      permitted: (c, r, w) => current().permitted(c, r, w),
      canList: (c, r) => current().canList(c, r),
      challenge: (s) => current().challenge(s),
    };
    const storage = await createFsBlobStore(join(t.keyDir, '..', 'blobs'), { fsync: false });
    app = createRegistryApp({
      storage,
      state: t.state,
      authorizer: forward,
      hooks: {
        preparePush: async (caller, repository) =>
          void (await current().ensureProjectForPush(caller, repository)),
      },
    });
    app.get('/service/token', async (request, reply) => {
      const url = request.raw.url ?? '';
      const r = await tokenEndpoint(access, {
        query: new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : ''),
        headers: request.headers,
        remoteAddress: request.raw.socket.remoteAddress ?? '',
      });
      return reply.code(r.status).headers(r.headers).send(r.json);
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP port');
    host = `127.0.0.1:${address.port}`;
    holder.auth = access.authorizer({ realm: `http://${host}/service/token` });

    work = await mkdtemp(join(tmpdir(), 'mamori-access-skopeo-'));
    const image = `${join(work, 'layout')}:img`;
    await run('umoci', ['init', '--layout', join(work, 'layout')]);
    await run('umoci', ['new', '--image', image]);
    const bundle = join(work, 'bundle');
    await run('umoci', ['unpack', '--rootless', '--image', image, bundle]);
    await writeFile(join(bundle, 'rootfs', 'hello.txt'), 'hello\n');
    await run('umoci', ['repack', '--image', image, bundle]);
  });
  after(async () => {
    await app?.close();
    await t?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const skopeo = (...args: string[]) =>
    run('skopeo', [...args], {
      env: { ...process.env, HOME: work, REGISTRY_AUTH_FILE: join(work, 'auth.json') },
    });
  const push = (repo: string, creds: string) =>
    skopeo(
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      creds,
      `oci:${join(work, 'layout')}:img`,
      `docker://${host}/${repo}`,
    );
  const inspect = (repo: string, creds?: string) =>
    skopeo(
      'inspect',
      '--raw',
      '--tls-verify=false',
      ...(creds ? ['--creds', creds] : ['--no-creds']),
      `docker://${host}/${repo}`,
    );

  it('lets a developer push and a guest, a robot and (on a public project) anyone pull', async () => {
    await push('team/app:v1', `dev:${PASSWORD}`);
    assert.match((await inspect('team/app:v1', `viewer:${PASSWORD}`)).stdout, /schemaVersion/);
    assert.match((await inspect('team/app:v1', `robot$ci:${robotSecret}`)).stdout, /schemaVersion/);
    await assert.rejects(inspect('team/app:v1'), /unauthorized|authentication required|denied/i);
    await assert.rejects(
      push('team/app:v2', `viewer:${PASSWORD}`),
      /denied|unauthorized|authentication required/i,
    );
    await assert.rejects(
      inspect('team/app:v1', `dev:wrong password`),
      /unauthorized|authentication required|invalid username/i,
    );
    await push('pub/app:v1', `root:${PASSWORD}`);
    assert.match((await inspect('pub/app:v1')).stdout, /schemaVersion/);
  });

  it("creates a project for a system admin's first push, private", async () => {
    await assert.rejects(
      push('devproj/app:v1', `dev:${PASSWORD}`),
      /denied|unauthorized|authentication required/i,
    );
    assert.equal(await access.projects.get('devproj'), undefined);
    await push('adminproj/app:v1', `root:${PASSWORD}`);
    assert.equal((await access.projects.get('adminproj'))?.public, false);
    await assert.rejects(inspect('adminproj/app:v1', `dev:${PASSWORD}`));
  });

  it('answers curl with the Bearer challenge, and takes Basic credentials on /v2 directly', async () => {
    const { stdout } = await run('curl', ['-s', '-i', `http://${host}/v2/team/app/tags/list`]);
    assert.match(stdout, /^HTTP\/1\.1 401/);
    const challenge = /^www-authenticate: (.*)\r$/im.exec(stdout)?.[1];
    assert.equal(
      challenge,
      `Bearer realm="http://${host}/service/token",service="mamori-registry",scope="repository:team/app:pull"`,
    );
    const tags = await run('curl', [
      '-s',
      '-f',
      '-u',
      `viewer:${PASSWORD}`,
      `http://${host}/v2/team/app/tags/list`,
    ]);
    assert.deepEqual(JSON.parse(tags.stdout), { name: 'team/app', tags: ['v1'] });
    const token = await run('curl', [
      '-s',
      '-f',
      '-u',
      `viewer:${PASSWORD}`,
      `http://${host}/service/token?service=mamori-registry&scope=registry:catalog:*`,
    ]);
    const bearer = (JSON.parse(token.stdout) as { token: string }).token;
    const catalog = await run('curl', [
      '-s',
      '-f',
      '-H',
      `Authorization: Bearer ${bearer}`,
      `http://${host}/v2/_catalog`,
    ]);
    assert.deepEqual(JSON.parse(catalog.stdout), { repositories: ['pub/app', 'team/app'] });
  });
});
