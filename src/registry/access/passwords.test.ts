import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it, mock } from 'node:test';
import { isMamoriError } from '../../core/index.js';
import {
  checkPassword,
  DEFAULT_SCRYPT,
  generateSecret,
  hashPassword,
  hashSecret,
  verifyPasswordHash,
  verifySecretHash,
} from './passwords.js';

const FORMAT = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

describe('password hashing', () => {
  it('stores scrypt with a random salt and its cost parameters, and verifies', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    const ma = FORMAT.exec(a);
    const mb = FORMAT.exec(b);
    assert.ok(ma && mb, a);
    assert.deepEqual(ma.slice(1, 4).map(Number), [DEFAULT_SCRYPT.ln, DEFAULT_SCRYPT.r, DEFAULT_SCRYPT.p]);
    assert.equal(Buffer.from(ma[4] ?? '', 'base64').length, 16, '16-byte salt');
    assert.notEqual(ma[4], mb[4], 'salts differ');
    assert.notEqual(a, b);
    // The stored hash is plain RFC 7914 scrypt: Node's own scrypt recomputes it.
    const direct = crypto.scryptSync('correct horse battery', Buffer.from(ma[4] ?? '', 'base64'), 32, {
      N: 2 ** DEFAULT_SCRYPT.ln,
      r: DEFAULT_SCRYPT.r,
      p: DEFAULT_SCRYPT.p,
      maxmem: 64 * 1024 * 1024,
    });
    assert.equal(direct.toString('base64').replace(/=+$/, ''), ma[5]);
    assert.equal(await verifyPasswordHash(a, 'correct horse battery'), true);
    assert.equal(await verifyPasswordHash(b, 'correct horse battery'), true);
    assert.equal(await verifyPasswordHash(a, 'correct horse batterY'), false);
    assert.equal(await verifyPasswordHash(a, ''), false);
  });

  it('honours the parameters written in the hash and bounds them', async () => {
    const cheap = await hashPassword('correct horse battery', { ln: 10, r: 8, p: 1 });
    assert.match(cheap, /^\$scrypt\$ln=10,r=8,p=1\$/);
    assert.equal(await verifyPasswordHash(cheap, 'correct horse battery'), true);
    const tampered = cheap.replace('ln=10', 'ln=11');
    assert.equal(await verifyPasswordHash(tampered, 'correct horse battery'), false);
    const huge = cheap.replace('ln=10', 'ln=40');
    assert.equal(await verifyPasswordHash(huge, 'correct horse battery'), false, 'refused before any work');
    for (const bad of [
      '',
      'plain',
      '$scrypt$',
      cheap.slice(0, -4),
      `${cheap}$`,
      cheap.replace('$scrypt$', '$bcrypt$'),
    ]) {
      assert.equal(await verifyPasswordHash(bad, 'correct horse battery'), false, bad);
    }
    for (const params of [
      { ln: 9, r: 8, p: 1 },
      { ln: 21, r: 8, p: 1 },
      { ln: 15, r: 0, p: 1 },
      { ln: 15.5, r: 8, p: 1 },
      { ln: 20, r: 16, p: 1 },
    ]) {
      await assert.rejects(hashPassword('correct horse battery', params), (e) =>
        isMamoriError(e, 'INVALID_ARGUMENT'),
      );
    }
  });

  it('compares with crypto.timingSafeEqual, also when the lengths differ', async () => {
    const hash = await hashPassword('correct horse battery', { ln: 10, r: 8, p: 1 });
    const spy = mock.method(crypto, 'timingSafeEqual');
    try {
      assert.equal(await verifyPasswordHash(hash, 'correct horse battery'), true);
      assert.equal(await verifyPasswordHash(hash, 'wrong password!'), false);
      const shorter = hash.replace(/\$[^$]+$/, '$AAAAAAAAAAAAAAAAAAAAAA');
      assert.equal(await verifyPasswordHash(shorter, 'correct horse battery'), false);
      assert.equal(spy.mock.callCount(), 3);
      const secret = generateSecret();
      assert.equal(verifySecretHash(hashSecret(secret), secret), true);
      assert.equal(verifySecretHash(hashSecret(secret), `${secret}x`), false);
      assert.equal(spy.mock.callCount(), 5);
    } finally {
      spy.mock.restore();
    }
  });

  it('refuses passwords shorter than 8 characters, over 1 KiB or holding NUL', () => {
    assert.match(checkPassword('1234567') ?? '', /at least 8/);
    assert.equal(checkPassword('12345678'), undefined);
    assert.equal(checkPassword('🔑🔑🔑🔑🔑🔑🔑🔑'), undefined, 'characters, not UTF-16 units');
    assert.match(checkPassword('🔑🔑🔑🔑') ?? '', /at least 8/);
    assert.match(checkPassword('x'.repeat(1025)) ?? '', /at most/);
    assert.match(checkPassword('abcdefgh\0') ?? '', /NUL/);
    assert.match(checkPassword(undefined) ?? '', /string/);
  });

  it('generates 32-byte robot secrets stored as SHA-256', () => {
    const s = generateSecret();
    assert.equal(Buffer.from(s, 'base64url').length, 32);
    assert.notEqual(s, generateSecret());
    const h = hashSecret(s);
    assert.equal(h, `$sha256$${crypto.createHash('sha256').update(s).digest('hex')}`);
    assert.equal(verifySecretHash('$sha256$zz', s), false);
    assert.equal(verifySecretHash(h, undefined), false);
  });
});
