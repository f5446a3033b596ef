/**
 * Bearer tokens: round trip, scope escalation, and forged tokens built with
 * jose (alg none, HS256 keyed with the public key, another ES256 key, RS256)
 * or signed with the server's own key but carrying bad claims.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { isMamoriError } from '../../core/index.js';
import type { Caller, RepositoryAction } from '../http/auth.js';
import type { AccessControl } from './access.js';
import { openAccess, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from './index.js';
import { parseScopes } from './scope.js';
import { FAST_SCRYPT, openTestAccess, type TestAccess } from './testing.js';

const PASSWORD = 'correct horse battery';
const ALL: RepositoryAction[] = ['pull', 'push', 'delete'];
const sorted = (s: Set<RepositoryAction>): RepositoryAction[] => ALL.filter((a) => s.has(a));
const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('bearer tokens', () => {
  let t: TestAccess;
  let access: AccessControl;
  let dev: Caller;
  let serverKey: crypto.KeyObject;
  before(async () => {
    t = await openTestAccess();
    access = t.access;
    await access.users.create('dev', PASSWORD);
    await access.users.create('guest', PASSWORD);
    await access.projects.create('priv');
    await access.projects.create('pub', { public: true });
    await access.projects.members.add('priv', 'dev', 'developer');
    await access.projects.members.add('priv', 'guest', 'guest');
    const c = await access.login('dev', PASSWORD);
    assert.ok(c);
    dev = c;
    serverKey = crypto.createPrivateKey(await readFile(join(t.keyDir, PRIVATE_KEY_FILE), 'utf8'));
  });
  after(() => t.close());

  const claims = (over: JWTPayload = {}): JWTPayload => {
    const iat = Math.floor(t.clock.now / 1000);
    return {
      iss: 'mamori-token-issuer',
      sub: 'dev',
      aud: 'mamori-registry',
      iat,
      nbf: iat,
      exp: iat + 300,
      jti: 'x',
      access: [{ type: 'repository', name: 'priv/app', actions: ['pull', 'push'] }],
      ...over,
    };
  };
  const signed = (payload: JWTPayload, key: crypto.KeyObject | Uint8Array = serverKey, alg = 'ES256') =>
    new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).sign(key);
  const refused = async (token: string, message?: RegExp) =>
    assert.rejects(
      access.verifyBearer(token),
      (e) => isMamoriError(e, 'UNAUTHORIZED') && (!message || message.test(e.message)),
    );

  it('round-trips: the claims of the spec, ES256, a 5-minute lifetime', async () => {
    const issued = await access.issueToken(dev, parseScopes(['repository:priv/app:pull,push']));
    assert.equal(issued.expiresIn, 300);
    assert.equal(issued.issuedAt, new Date(t.clock.now).toISOString());
    const header = decodeProtectedHeader(issued.token);
    assert.equal(header.alg, 'ES256');
    assert.equal(header.typ, 'JWT');
    assert.equal(typeof header.kid, 'string');
    const c = decodeJwt(issued.token);
    assert.equal(c.iss, 'mamori-token-issuer');
    assert.equal(c.sub, 'dev');
    assert.equal(c.aud, 'mamori-registry');
    assert.equal(c.iat, t.clock.now / 1000);
    assert.equal(c.nbf, c.iat);
    assert.equal(c.exp, (c.iat ?? 0) + 300);
    assert.match(String(c.jti), /^[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(c['access'], [{ type: 'repository', name: 'priv/app', actions: ['pull', 'push'] }]);

    const caller = await access.verifyBearer(issued.token);
    assert.deepEqual(caller, { name: 'dev', anonymous: false, via: 'bearer' });
    assert.deepEqual(sorted(await access.permitted(caller, 'priv/app', ALL)), ['pull', 'push']);
    assert.deepEqual(
      sorted(await access.permitted(caller, 'priv/other', ALL)),
      [],
      'only the repositories in the token',
    );
    // The signature is plain ECDSA P-256 over header.payload, checkable without jose.
    const [h, p, s] = issued.token.split('.');
    const ok = crypto.verify(
      'sha256',
      Buffer.from(`${h}.${p}`),
      {
        key: crypto.createPublicKey(await readFile(join(t.keyDir, PUBLIC_KEY_FILE), 'utf8')),
        dsaEncoding: 'ieee-p1363',
      },
      Buffer.from(s ?? '', 'base64url'),
    );
    assert.ok(ok);
    const opts = { lifetime: 60 };
    const short = await t.reopen({ tokenLifetimeSeconds: opts.lifetime });
    assert.equal((await short.issueToken(dev, [])).expiresIn, 60);
  });

  it('grants the intersection of what was asked and what is allowed, never more', async () => {
    const guest = await access.login('guest', PASSWORD);
    assert.ok(guest);
    const t1 = await access.issueToken(
      guest,
      parseScopes(['repository:priv/app:pull,push,delete', 'repository:pub/x:push']),
    );
    assert.deepEqual(decodeJwt(t1.token)['access'], [
      { type: 'repository', name: 'priv/app', actions: ['pull'] },
      { type: 'repository', name: 'pub/x', actions: [] },
    ]);
    const anon = await access.issueToken(
      access.anonymous(),
      parseScopes(['repository:pub/x:pull', 'repository:priv/app:pull']),
    );
    const c = decodeJwt(anon.token);
    assert.equal(c.sub, '');
    assert.deepEqual(c['access'], [
      { type: 'repository', name: 'pub/x', actions: ['pull'] },
      { type: 'repository', name: 'priv/app', actions: [] },
    ]);
    const anonCaller = await access.verifyBearer(anon.token);
    assert.equal(anonCaller.anonymous, true);
    assert.deepEqual(sorted(await access.permitted(anonCaller, 'pub/x', ALL)), ['pull']);
    assert.deepEqual(sorted(await access.permitted(anonCaller, 'priv/app', ALL)), []);
    // A bearer asking for more through issueToken stays within its token.
    const pullOnly = await access.verifyBearer(
      (await access.issueToken(dev, parseScopes(['repository:priv/app:pull']))).token,
    );
    const more = await access.issueToken(
      pullOnly,
      parseScopes(['repository:priv/app:push', 'registry:catalog:*']),
    );
    assert.deepEqual(decodeJwt(more.token)['access'], [
      { type: 'repository', name: 'priv/app', actions: [] },
      { type: 'registry', name: 'catalog', actions: [] },
    ]);
  });

  it('bounds a bearer by the account rights of now', async () => {
    await access.users.create('temp', PASSWORD);
    await access.projects.members.add('priv', 'temp', 'developer');
    const temp = await access.login('temp', PASSWORD);
    assert.ok(temp);
    const bearer = await access.verifyBearer(
      (await access.issueToken(temp, parseScopes(['repository:priv/app:pull,push']))).token,
    );
    await access.projects.members.update('priv', 'temp', 'guest');
    assert.deepEqual(sorted(await access.permitted(bearer, 'priv/app', ALL)), ['pull']);
    await access.projects.members.remove('priv', 'temp');
    assert.deepEqual(sorted(await access.permitted(bearer, 'priv/app', ALL)), []);
  });

  it('honours catalog grants in canList', async () => {
    const scopes = parseScopes(['repository:priv/app:pull']);
    const without = await access.verifyBearer((await access.issueToken(dev, scopes)).token);
    const withCatalog = await access.verifyBearer(
      (await access.issueToken(dev, [...scopes, ...parseScopes(['registry:catalog:*'])])).token,
    );
    assert.equal(await access.canList(without, 'priv/app'), false);
    assert.equal(await access.canList(withCatalog, 'priv/app'), true);
    assert.equal(await access.canList(withCatalog, 'priv/other'), true, 'the account may pull it');
    assert.equal(await access.canList(withCatalog, 'secret/app'), false);
  });

  it('refuses alg none, HS256 keyed with the public key, other keys and other algorithms', async () => {
    await refused(new UnsecuredJWT(claims()).encode());
    await refused(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims())}.`);
    await refused(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims())}.AAAA`);
    const publicPem = await readFile(join(t.keyDir, PUBLIC_KEY_FILE));
    const publicDer = crypto.createPublicKey(publicPem).export({ type: 'spki', format: 'der' });
    for (const secret of [publicPem, publicDer, Buffer.from(publicPem.toString().trim())]) {
      await refused(await signed(claims(), new Uint8Array(secret), 'HS256'), /algorithm/);
    }
    const other = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const kid = decodeProtectedHeader((await access.issueToken(dev, [])).token).kid;
    await refused(
      await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid }).sign(other),
      /signature/,
    );
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    await refused(await signed(claims(), rsa, 'RS256'), /algorithm/);
    const p384 = crypto.generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
    await refused(await signed(claims(), p384, 'ES384'), /algorithm/);
    // A key embedded in the header is not trusted.
    const jwk = crypto.createPublicKey(other).export({ format: 'jwk' });
    await refused(
      await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', jwk: { ...jwk } }).sign(other),
    );
  });

  it('refuses tokens signed by the server key with wrong issuer, audience, times or claims', async () => {
    assert.ok(
      await access.verifyBearer(await signed(claims())),
      'the forging helper makes acceptable tokens',
    );
    const now = Math.floor(t.clock.now / 1000);
    await refused(await signed(claims({ aud: 'other-registry' })), /aud/);
    await refused(await signed(claims({ aud: ['other', 'another'] })), /aud/);
    await refused(await signed(claims({ iss: 'someone-else' })), /iss/);
    await refused(await signed(claims({ exp: now - 61 })), /expired/);
    await refused(await signed(claims({ nbf: now + 61 })), /nbf/);
    await refused(await signed(claims({ iat: now - 400, nbf: now - 400, exp: now + 1000 })), /expired/);
    assert.ok(
      await access.verifyBearer(await signed(claims({ exp: now - 30 }))),
      '30 s of clock skew is tolerated',
    );
    for (const missing of ['exp', 'nbf', 'iat', 'jti', 'sub', 'aud', 'iss']) {
      const c = claims();
      delete c[missing];
      await refused(await signed(c), new RegExp(missing));
    }
    for (const bad of [
      'all',
      [{ type: 'repository', name: 'priv/app', actions: ['pull', 'admin'] }],
      [{ type: 'repository', name: 'Priv/App', actions: ['pull'] }],
      [{ type: 'registry', name: 'catalog', actions: ['pull'] }],
      [null],
    ]) {
      await refused(await signed(claims({ access: bad })), /access/);
    }
    await refused(await signed(claims({ sub: 'nobody' })), /account/);
    await refused(await signed(claims({ sub: 'robot$nobody' })), /account/);
  });

  it('refuses a token once it expires, and tampered or malformed ones', async () => {
    const { token } = await access.issueToken(dev, parseScopes(['repository:priv/app:pull']));
    assert.ok(await access.verifyBearer(token));
    t.clock.now += 361_000;
    try {
      await refused(token, /expired/);
    } finally {
      t.clock.now -= 361_000;
    }
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as JWTPayload;
    const escalated = {
      ...payload,
      access: [{ type: 'repository', name: 'priv/app', actions: ['pull', 'push', 'delete'] }],
    };
    await refused(`${h}.${b64url(escalated)}.${s}`);
    await refused(`${h}.${b64url({ ...payload, sub: 'admin' })}.${s}`);
    await refused(`${b64url({ alg: 'ES256', typ: 'JWT', crit: ['b64'], b64: false })}.${p}.${s}`);
    const sig = Buffer.from(s ?? '', 'base64url');
    sig[5] = (sig[5] ?? 0) ^ 1;
    await refused(`${h}.${p}.${sig.toString('base64url')}`);
    for (const junk of [
      '',
      'abc',
      'a.b',
      'a.b.c',
      `${token}.x`,
      `${token} `,
      'x'.repeat(20_000),
      `${h}.${p}`,
      '..',
      '\u0000.\u0000.\u0000',
    ]) {
      await refused(junk);
    }
  });

  it("refuses a deleted or disabled user's tokens and an expired or disabled robot's", async () => {
    await access.users.create('quitter', PASSWORD);
    const q = await access.login('quitter', PASSWORD);
    assert.ok(q);
    const qt = (await access.issueToken(q, [])).token;
    await access.users.setDisabled('quitter', true);
    await refused(qt, /account/);
    await access.users.setDisabled('quitter', false);
    assert.ok(await access.verifyBearer(qt));
    await access.users.delete('quitter');
    await refused(qt, /account/);

    const { secret } = await access.robots.create({
      name: 'ci',
      expiresAt: t.clock.now + 120_000,
      permissions: [{ project: 'priv', actions: ['pull'] }],
    });
    const robot = await access.login('robot$ci', secret);
    assert.ok(robot);
    const rt = (await access.issueToken(robot, parseScopes(['repository:priv/app:pull,push']))).token;
    assert.equal(decodeJwt(rt).sub, 'robot$ci');
    assert.deepEqual(decodeJwt(rt)['access'], [{ type: 'repository', name: 'priv/app', actions: ['pull'] }]);
    assert.deepEqual(sorted(await access.permitted(await access.verifyBearer(rt), 'priv/app', ALL)), [
      'pull',
    ]);
    await access.robots.setDisabled('robot$ci', true);
    await refused(rt, /account/);
    await access.robots.setDisabled('robot$ci', false);
    t.clock.now += 120_000;
    try {
      await refused((await access.issueToken(robot, [])).token, /account/);
    } finally {
      t.clock.now -= 120_000;
    }
  });
});

describe('signing key', () => {
  it('is generated once as a 0600 P-256 PEM, reused on restart, and refused when exposed or of another type', async () => {
    const t = await openTestAccess();
    try {
      const path = join(t.keyDir, PRIVATE_KEY_FILE);
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.equal((await stat(t.keyDir)).mode & 0o777, 0o700);
      const pem = await readFile(path, 'utf8');
      assert.match(pem, /^-----BEGIN PRIVATE KEY-----/);
      assert.equal(crypto.createPrivateKey(pem).asymmetricKeyDetails?.namedCurve, 'prime256v1');
      await t.access.users.create('u', PASSWORD);
      const u = await t.access.login('u', PASSWORD);
      assert.ok(u);
      const { token } = await t.access.issueToken(u, []);

      const again = await t.reopen();
      assert.equal(await readFile(path, 'utf8'), pem, 'not regenerated');
      assert.equal(again.publicKeyPem, t.access.publicKeyPem);
      assert.ok(await again.verifyBearer(token), 'tokens survive a restart');
      const [a, b] = await Promise.all([t.reopen(), t.reopen()]);
      assert.equal(a.publicKeyPem, b.publicKeyPem);

      const otherDir = join(t.keyDir, '..', 'other-keys');
      const other = await t.reopen({ keyDir: otherDir });
      await assert.rejects(other.verifyBearer(token), (e) => isMamoriError(e, 'UNAUTHORIZED'));
      const twoAtOnce = await Promise.all(
        [0, 1, 2].map(() => openAccess(t.state, { keyDir: join(otherDir, 'race'), scrypt: FAST_SCRYPT })),
      );
      assert.equal(new Set(twoAtOnce.map((x) => x.publicKeyPem)).size, 1, 'one key wins a race to create it');

      await chmod(path, 0o644);
      await assert.rejects(t.reopen(), /chmod 600/);
      await chmod(path, 0o600);
      const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      await writeFile(join(otherDir, PRIVATE_KEY_FILE), rsa.export({ type: 'pkcs8', format: 'pem' }), {
        mode: 0o600,
      });
      await assert.rejects(t.reopen({ keyDir: otherDir }), /P-256/);
      await writeFile(join(otherDir, PRIVATE_KEY_FILE), 'not a key', { mode: 0o600 });
      await assert.rejects(t.reopen({ keyDir: otherDir }), /not a PEM private key/);
    } finally {
      await t.close();
    }
  });
});
