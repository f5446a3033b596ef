/**
 * Authentication against a real docker-registry: htpasswd Basic auth, and
 * token auth with the full Bearer challenge flow through a token server that
 * signs JWTs the registry verifies against its rootcertbundle.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { isMamoriError } from '../../core/index.js';
import { openRegistryStore, resolveCredentials, type Credentials } from './index.js';
import {
  buildTestImage,
  inspectRaw,
  pushImage,
  startDistribution,
  startTokenServer,
  type Distribution,
  type TestImage,
  type TokenServer,
} from './testing.js';

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

function creds(username: string, password: string): Credentials {
  return { username, password, source: 'test' };
}

/** The manifest as skopeo sees it (`skopeo inspect --raw`). */
function skopeoRaw(reg: Distribution, repoTag: string, skopeoCreds?: string): Promise<Buffer> {
  return inspectRaw(`${reg.host}/${repoTag}`, skopeoCreds !== undefined ? { creds: skopeoCreds } : {});
}

/** Fetches the manifest and every blob, checking them against skopeo's raw manifest and their digests. */
async function pullAndVerify(
  reg: Distribution,
  repo: string,
  tag: string,
  c: Credentials | undefined,
  raw: Buffer,
) {
  const s = openRegistryStore({ registry: reg.host, repository: repo }, { tlsVerify: false, credentials: c });
  try {
    const m = await s.fetchManifest(tag, 1 << 20);
    assert.equal(sha256(m.bytes), sha256(raw));
    const doc = JSON.parse(m.bytes.toString('utf8')) as {
      config: { digest: string; size: number };
      layers: [];
    };
    for (const d of [doc.config, ...(doc.layers as Array<{ digest: string; size: number }>)]) {
      assert.equal(sha256(await readAll(await s.openBlob(d.digest, d.size))), d.digest);
    }
  } finally {
    await s.close();
  }
}

describe('htpasswd Basic auth', () => {
  let reg: Distribution;
  let work: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'mamori-regauth-'));
    reg = await startDistribution({ htpasswd: { alice: 'wonderland' } });
    const image = await buildTestImage(work, { '/hello.txt': 'basic\n' });
    await pushImage(image.ref, `${reg.host}/team/app:1.0`, { creds: 'alice:wonderland' });
  });
  after(async () => {
    await reg?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('pulls with the right password', async () => {
    const raw = await skopeoRaw(reg, 'team/app:1.0', 'alice:wonderland');
    await pullAndVerify(reg, 'team/app', '1.0', creds('alice', 'wonderland'), raw);
  });

  test('a wrong password is UNAUTHORIZED and names where the credentials came from', async () => {
    const s = openRegistryStore(
      { registry: reg.host, repository: 'team/app' },
      { tlsVerify: false, credentials: creds('alice', 'nope') },
    );
    await assert.rejects(s.fetchManifest('1.0', 1 << 20), (e) => {
      assert.ok(isMamoriError(e, 'UNAUTHORIZED'));
      assert.match(e.message, /credentials from test/);
      return true;
    });
    await s.close();
  });

  test('no credentials is UNAUTHORIZED with a hint', async () => {
    const s = openRegistryStore({ registry: reg.host, repository: 'team/app' }, { tlsVerify: false });
    await assert.rejects(s.fetchManifest('1.0', 1 << 20), (e) => {
      assert.ok(isMamoriError(e, 'UNAUTHORIZED'));
      assert.match(e.message, /--creds/);
      return true;
    });
    await s.close();
  });

  test('credentials found in a containers auth.json under a temporary HOME', async () => {
    const home = join(work, 'home-basic');
    await mkdir(join(home, '.config', 'containers'), { recursive: true });
    const auth = Buffer.from('alice:wonderland').toString('base64');
    await writeFile(
      join(home, '.config', 'containers', 'auth.json'),
      JSON.stringify({ auths: { [reg.host]: { auth } } }),
    );
    const c = await resolveCredentials(reg.host, { env: {}, homeDir: home, repository: 'team/app' });
    assert.equal(c?.username, 'alice');
    await pullAndVerify(reg, 'team/app', '1.0', c, await skopeoRaw(reg, 'team/app:1.0', 'alice:wonderland'));
  });
});

describe('token auth (Bearer challenge flow)', () => {
  let tokens: TokenServer;
  let reg: Distribution;
  let work: string;
  let image: TestImage;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'mamori-regtoken-'));
    tokens = await startTokenServer({
      users: {
        alice: { password: 'wonderland', repositories: ['team/*', 'public/*'] },
        bob: { password: 'builder', repositories: [] },
      },
      refreshTokens: { 'refresh-for-alice': 'alice' },
      anonymousPull: ['public/app'],
    });
    reg = await startDistribution({ token: tokens });
    image = await buildTestImage(work, { '/hello.txt': 'token\n' });
    await pushImage(image.ref, `${reg.host}/team/app:1.0`, { creds: 'alice:wonderland' });
    await pushImage(image.ref, `${reg.host}/public/app:1.0`, { creds: 'alice:wonderland' });
  });
  after(async () => {
    await reg?.stop();
    await tokens?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('pulls with a token for the repository scope, fetched once and cached', async () => {
    const raw = await skopeoRaw(reg, 'team/app:1.0', 'alice:wonderland');
    const before = tokens.requests.length;
    await pullAndVerify(reg, 'team/app', '1.0', creds('alice', 'wonderland'), raw);
    const mine = tokens.requests.slice(before);
    assert.equal(mine.length, 1, 'one token serves the manifest and every blob');
    assert.deepEqual(mine[0]?.scopes, ['repository:team/app:pull']);
    assert.equal(mine[0]?.user, 'alice');
    assert.equal(mine[0]?.service, tokens.service);
  });

  test('anonymous pull where the token server allows it', async () => {
    const raw = await skopeoRaw(reg, 'public/app:1.0');
    const before = tokens.requests.length;
    await pullAndVerify(reg, 'public/app', '1.0', undefined, raw);
    assert.equal(tokens.requests[before]?.user, undefined);
  });

  test('a wrong password is UNAUTHORIZED from the token server', async () => {
    const s = openRegistryStore(
      { registry: reg.host, repository: 'team/app' },
      { tlsVerify: false, credentials: creds('alice', 'nope') },
    );
    await assert.rejects(s.fetchManifest('1.0', 1 << 20), (e) => {
      assert.ok(isMamoriError(e, 'UNAUTHORIZED'));
      assert.match(e.message, /token server/);
      assert.match(e.message, /incorrect username or password/);
      return true;
    });
    await s.close();
  });

  test('a user the token server grants nothing gets UNAUTHORIZED after one retry with the challenge scope', async () => {
    const before = tokens.requests.length;
    const s = openRegistryStore(
      { registry: reg.host, repository: 'team/app' },
      { tlsVerify: false, credentials: creds('bob', 'builder') },
    );
    await assert.rejects(s.fetchManifest('1.0', 1 << 20), (e) => {
      assert.ok(isMamoriError(e, 'UNAUTHORIZED'));
      assert.match(e.message, /credentials from test/);
      return true;
    });
    await s.close();
    const mine = tokens.requests.slice(before);
    assert.equal(mine.length, 2, 'the first token, then one retry for the scope in the 401 challenge');
    assert.ok(mine[1]?.scopes.includes('repository:team/app:pull'));
  });

  test('a missing tag behind token auth is NOT_FOUND', async () => {
    const s = openRegistryStore(
      { registry: reg.host, repository: 'team/app' },
      { tlsVerify: false, credentials: creds('alice', 'wonderland') },
    );
    await assert.rejects(s.fetchManifest('absent', 1 << 20), (e) => isMamoriError(e, 'NOT_FOUND'));
    await s.close();
  });

  test('an identity token from a docker config.json is exchanged as an OAuth2 refresh token', async () => {
    const home = join(work, 'home-token');
    await mkdir(join(home, '.docker'), { recursive: true });
    const config = { auths: { [`http://${reg.host}/v1/`]: { identitytoken: 'refresh-for-alice' } } };
    await writeFile(join(home, '.docker', 'config.json'), JSON.stringify(config));
    const c = await resolveCredentials(reg.host, { env: {}, homeDir: home });
    assert.equal(c?.identityToken, 'refresh-for-alice');
    const raw = await skopeoRaw(reg, 'team/app:1.0', 'alice:wonderland');
    const before = tokens.requests.length;
    await pullAndVerify(reg, 'team/app', '1.0', c, raw);
    const mine = tokens.requests.slice(before).filter((r) => r.user !== undefined && r.method === 'POST');
    assert.equal(mine[0]?.grantType, 'refresh_token');
    assert.equal(mine[0]?.user, 'alice');
  });
});

describe('token responses with only access_token', () => {
  test('are accepted', async () => {
    const work = await mkdtemp(join(tmpdir(), 'mamori-regtoken2-'));
    const tokens = await startTokenServer({
      users: { alice: { password: 'pw', repositories: ['x/y'] } },
      tokenField: 'access_token',
    });
    const reg = await startDistribution({ token: tokens });
    try {
      const image = await buildTestImage(work, { '/a': 'a' });
      await pushImage(image.ref, `${reg.host}/x/y:t`, { creds: 'alice:pw' });
      await pullAndVerify(reg, 'x/y', 't', creds('alice', 'pw'), await skopeoRaw(reg, 'x/y:t', 'alice:pw'));
    } finally {
      await reg.stop();
      await tokens.stop();
      await rm(work, { recursive: true, force: true });
    }
  });
});
