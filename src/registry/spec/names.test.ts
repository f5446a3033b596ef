import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  MAX_REPOSITORY_NAME_LENGTH,
  RegistryError,
  checkDigest,
  checkReference,
  checkRepositoryName,
  checkTag,
  digestOf,
  isDigest,
  isRepositoryName,
  isTag,
  matchesDigest,
  parseDigest,
  parseReference,
  parseRepositoryName,
  referrersTag,
} from './index.js';

const HEX64 = 'b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7';

describe('repository names', () => {
  const valid = [
    'a',
    '0',
    'library/ubuntu',
    'foo/bar/baz',
    'my.registry-name/with_underscores/and__double',
    'a-----b',
    'a.b.c',
    'a_b__c',
    // the spec's examples of names: "library/ubuntu" and names under a host-less path
    'project/team/app',
    'a'.repeat(MAX_REPOSITORY_NAME_LENGTH),
    `${'a'.repeat(127)}/${'b'.repeat(127)}`,
  ];
  for (const name of valid) {
    test(`accepts ${name.slice(0, 40)}`, () => {
      assert.equal(checkRepositoryName(name), undefined);
      assert.equal(parseRepositoryName(name), name);
    });
  }

  const invalid: [unknown, RegExp][] = [
    ['', /empty/],
    ['a'.repeat(MAX_REPOSITORY_NAME_LENGTH + 1), /256 characters long, longer than the limit of 255/],
    ['Library/ubuntu', /must be lowercase/],
    ['library/Ubuntu', /must be lowercase/],
    ['..', /component 1 \("\.\."\) is a relative path segment/],
    ['foo/../bar', /component 2 \("\.\."\) is a relative path segment/],
    ['foo/./bar', /component 2 \("\."\) is a relative path segment/],
    ['foo..bar', /repeats separators/],
    ['foo._bar', /repeats separators/],
    ['foo___bar', /repeats separators/],
    ['/foo', /must not start with "\/"/],
    ['foo/', /must not end with "\/"/],
    ['foo//bar', /empty path component \("\/\/"\) after component 1/],
    ['-foo', /must start and end with a lowercase letter or digit/],
    ['foo-', /must start and end with a lowercase letter or digit/],
    ['foo/_bar', /component 2 .* must start and end/],
    ['foo bar', /the character " "/],
    ['foo:bar', /the character ":"/],
    ['foo@sha256', /the character "@"/],
    ['foo\\bar', /the character "\\\\"/],
    ['föo', /the character "ö"/],
    ['foo\nbar', /the character "\\n"/],
    [42, /must be a string/],
    [undefined, /must be a string/],
  ];
  for (const [name, reason] of invalid) {
    test(`rejects ${JSON.stringify(name)?.slice(0, 40) ?? String(name)}`, () => {
      assert.match(checkRepositoryName(name) ?? '', reason);
      assert.throws(
        () => parseRepositoryName(name),
        (e: unknown) =>
          e instanceof RegistryError &&
          e.code === 'NAME_INVALID' &&
          e.status === 400 &&
          reason.test(e.message),
      );
    });
  }

  test('agrees with the spec grammar on arbitrary strings', () => {
    const spec = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
    const alphabet = fc.constantFrom('a', 'z', '0', '9', '.', '_', '-', '/', 'A', ' ', ':');
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 40 }), (s) => {
        assert.equal(isRepositoryName(s), spec.test(s));
      }),
      { numRuns: 3000 },
    );
  });

  test('never throws anything but RegistryError', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        try {
          parseRepositoryName(v);
        } catch (e) {
          assert.ok(e instanceof RegistryError);
        }
      }),
    );
  });
});

describe('tags', () => {
  const valid = ['latest', 'v1.2.3', '_private', 'A-Z_a.z', '0', 'a'.repeat(128), '1.0.0-rc.1'];
  for (const t of valid) test(`accepts ${t.slice(0, 40)}`, () => assert.equal(checkTag(t), undefined));
  const invalid: [unknown, RegExp][] = [
    ['', /empty/],
    ['a'.repeat(129), /129 characters long, longer than the limit of 128/],
    ['.hidden', /must start with a letter, a digit or "_"/],
    ['-dash', /must start with a letter, a digit or "_"/],
    ['v1+build', /the character "\+"/],
    ['a/b', /the character "\/"/],
    ['a:b', /the character ":"/],
    ['tag with space', /the character " "/],
    [null, /must be a string/],
  ];
  for (const [t, reason] of invalid) {
    test(`rejects ${JSON.stringify(t)?.slice(0, 40)}`, () => assert.match(checkTag(t) ?? '', reason));
  }
  test('agrees with the spec grammar on arbitrary strings', () => {
    const spec = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
    const alphabet = fc.constantFrom('a', 'Z', '5', '.', '_', '-', '+', '/', ':', ' ');
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 140 }), (s) => assert.equal(isTag(s), spec.test(s))),
      { numRuns: 3000 },
    );
  });
});

describe('digests', () => {
  test('accepts sha256 and sha512 digests of real content', () => {
    const bytes = Buffer.from('hello');
    const d256 = digestOf(bytes);
    const d512 = digestOf(bytes, 'sha512');
    assert.equal(d256, `sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    assert.deepEqual(parseDigest(d256), { digest: d256, algorithm: 'sha256', encoded: d256.slice(7) });
    assert.equal(parseDigest(d512).encoded.length, 128);
    assert.ok(matchesDigest(bytes, d256));
    assert.ok(matchesDigest(bytes, d512));
    assert.ok(!matchesDigest(Buffer.from('hellO'), d256));
  });

  const invalid: [unknown, RegExp][] = [
    ['', /empty/],
    [HEX64, /no "algorithm:" prefix/],
    [`sha256:${HEX64.toUpperCase()}`, /lowercase hex/],
    [`SHA256:${HEX64}`, /algorithm "SHA256" must be lowercase/],
    [`sha256:${HEX64.slice(1)}`, /64 hex characters, not 63/],
    [`sha256:${HEX64}0`, /64 hex characters, not 65/],
    [`sha512:${HEX64}`, /128 hex characters, not 64/],
    [`sha256:${HEX64.slice(1)}g`, /must be hex/],
    // registered in the image-spec, but content under it cannot be verified here
    [`blake3:${HEX64}`, /"blake3" is not supported/],
    ['multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8', /is not supported/],
    ['sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564', /is not supported/],
    ['sha256:', /does not match the digest grammar/],
    [':abc', /does not match the digest grammar/],
    ['sha256::abc', /does not match the digest grammar/],
    [`sha256:${HEX64}\n`, /does not match the digest grammar/],
    ['x'.repeat(300), /longer than 256/],
    [12, /must be a string/],
  ];
  for (const [d, reason] of invalid) {
    test(`rejects ${JSON.stringify(d)?.slice(0, 50)}`, () => {
      assert.match(checkDigest(d) ?? '', reason);
      assert.ok(!isDigest(d));
      assert.throws(
        () => parseDigest(d),
        (e: unknown) => e instanceof RegistryError && e.code === 'DIGEST_INVALID' && e.status === 400,
      );
    });
  }

  test('the algorithm of a supported digest must match its content', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.constantFrom('sha256', 'sha512' as const),
        (b, alg) => {
          const d = digestOf(b, alg);
          assert.ok(isDigest(d));
          assert.ok(matchesDigest(b, d));
        },
      ),
    );
  });
});

describe('references', () => {
  test('a tag', () => assert.deepEqual(parseReference('v1.0'), { kind: 'tag', tag: 'v1.0' }));
  test('a digest', () =>
    assert.deepEqual(parseReference(`sha256:${HEX64}`), {
      kind: 'digest',
      digest: `sha256:${HEX64}`,
      algorithm: 'sha256',
      encoded: HEX64,
    }));
  test('an invalid digest is DIGEST_INVALID', () => {
    assert.match(checkReference('sha256:abc') ?? '', /64 hex characters/);
    assert.throws(
      () => parseReference('sha256:abc'),
      (e: unknown) => e instanceof RegistryError && e.code === 'DIGEST_INVALID',
    );
  });
  test('an invalid tag is MANIFEST_INVALID with the reason', () => {
    assert.throws(
      () => parseReference('-x'),
      (e: unknown) =>
        e instanceof RegistryError &&
        e.code === 'MANIFEST_INVALID' &&
        e.status === 400 &&
        /must start/.test(e.message),
    );
    assert.throws(
      () => parseReference({}),
      (e: unknown) => e instanceof RegistryError,
    );
  });
});

describe('referrers tag schema', () => {
  // The table of spec.md "Referrers Tag Schema".
  const rows: [string, string][] = [
    [`sha256:${'a'.repeat(64)}`, `sha256-${'a'.repeat(64)}`],
    [`sha512:${'a'.repeat(128)}`, `sha512-${'a'.repeat(64)}`],
    [
      'test+algorithm+using+algorithm+separators+and+lots+of+characters+to+excercise+overall+truncation:alsoSome=InTheEncodedSectionToShowHyphenReplacementAndLotsAndLotsOfCharactersToExcerciseEncodedTruncation',
      'test-algorithm-using-algorithm-s-alsoSome-InTheEncodedSectionToShowHyphenReplacementAndLotsAndLot',
    ],
  ];
  for (const [digest, tag] of rows) {
    test(`maps ${digest.slice(0, 30)}…`, () => {
      assert.equal(referrersTag(digest), tag);
      assert.ok(isTag(tag));
    });
  }
  test('rejects what is not a digest', () => {
    assert.throws(
      () => referrersTag('nope'),
      (e: unknown) => e instanceof RegistryError && e.code === 'DIGEST_INVALID',
    );
  });
});
