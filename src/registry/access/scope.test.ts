import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isMamoriError } from '../../core/index.js';
import { isRepositoryName } from '../spec/index.js';
import { formatChallenge, formatScope, parseScope, parseScopes } from './scope.js';

describe('parseScope', () => {
  it('reads repository and catalog scopes', () => {
    assert.deepEqual(parseScope('repository:library/alpine:pull'), {
      type: 'repository',
      name: 'library/alpine',
      actions: ['pull'],
    });
    assert.deepEqual(parseScope('repository:a/b/c:push,pull,pull').actions, ['pull', 'push']);
    assert.deepEqual(parseScope('repository:a:*').actions, ['pull', 'push', 'delete']);
    assert.deepEqual(parseScope('repository:a:delete').actions, ['delete']);
    assert.deepEqual(parseScope('registry:catalog:*'), { type: 'registry', name: 'catalog', actions: ['*'] });
  });

  it('rejects malformed and hostile scopes', () => {
    const hostile = [
      '',
      ':',
      '::',
      'repository',
      'repository:foo',
      'repository::pull',
      'repository:foo:',
      'repository:foo:pull,',
      'repository:foo:,pull',
      'repository:foo:pull,,push',
      'repository:foo:PULL',
      'repository:foo:admin',
      'repository:foo:pull push',
      'repository:Foo:pull',
      'repository:/foo:pull',
      'repository:foo/:pull',
      'repository:foo/../bar:pull',
      'repository:localhost:5000/foo:pull',
      'repository:foo:pull:push',
      'repository(plugin):foo:pull',
      'Repository:foo:pull',
      'registry:catalog:pull',
      'registry:catalog:',
      'registry:other:*',
      'image:foo:pull',
      '__proto__:foo:pull',
      'repository:foo\u0000:pull',
      'repository:fo\u00f6:pull',
      'repository:foo:pull\n',
      ` repository:foo:pull`,
      `repository:${'a'.repeat(300)}:pull`,
      `repository:a:${'pull,'.repeat(200)}pull`,
    ];
    for (const s of hostile) {
      assert.throws(
        () => parseScope(s),
        (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
        JSON.stringify(s),
      );
    }
    for (const v of [undefined, null, 42, {}, ['repository:a:pull']]) {
      assert.throws(
        () => parseScope(v),
        (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
      );
    }
  });

  it('either parses to a valid repository name and known actions or throws INVALID_ARGUMENT (fuzz)', () => {
    const pieces = fc.constantFrom(
      'repository',
      'registry',
      'catalog',
      'a',
      'b/c',
      ':',
      ',',
      'pull',
      'push',
      'delete',
      '*',
      '/',
      '.',
      '-',
      '_',
      'é',
      ' ',
      '\0',
      'A',
      '',
    );
    const arbitrary = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.array(pieces, { maxLength: 12 }).map((p) => p.join('')),
    );
    fc.assert(
      fc.property(arbitrary, (s) => {
        let scope;
        try {
          scope = parseScope(s);
        } catch (e) {
          assert.ok(isMamoriError(e, 'INVALID_ARGUMENT'), String(e));
          return;
        }
        if (scope.type === 'repository') {
          assert.ok(isRepositoryName(scope.name));
          assert.ok(
            scope.actions.length > 0 && scope.actions.every((a) => ['pull', 'push', 'delete'].includes(a)),
          );
          assert.deepEqual(parseScope(formatScope(scope)), scope, 'round trip');
        } else {
          assert.equal(s, 'registry:catalog:*');
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('splits space-separated scopes, merges actions per resource and bounds the count', () => {
    assert.deepEqual(
      parseScopes(['repository:a:pull repository:b:push', '', 'repository:a:push', 'registry:catalog:*']),
      [
        { type: 'repository', name: 'a', actions: ['pull', 'push'] },
        { type: 'repository', name: 'b', actions: ['push'] },
        { type: 'registry', name: 'catalog', actions: ['*'] },
      ],
    );
    assert.throws(() => parseScopes(['repository:a:pull', 'repository:b:bogus']), /malformed scope/);
    assert.throws(
      () => parseScopes([Array.from({ length: 33 }, (_, i) => `repository:r${i}:pull`).join(' ')]),
      /more than 32/,
    );
  });
});

describe('formatChallenge', () => {
  it('writes the challenge exactly as Distribution does', () => {
    assert.equal(
      formatChallenge('https://registry.example/service/token', 'mamori-registry'),
      'Bearer realm="https://registry.example/service/token",service="mamori-registry"',
    );
    assert.equal(
      formatChallenge('https://registry.example/service/token', 'mamori-registry', {
        repository: 'library/alpine',
        actions: ['pull', 'push'],
      }),
      'Bearer realm="https://registry.example/service/token",service="mamori-registry",scope="repository:library/alpine:pull,push"',
    );
    assert.equal(
      formatChallenge('r', 's', { repository: 'Bad"Name', actions: ['pull'] }),
      'Bearer realm="r",service="s"',
      'an invalid name is never echoed into the header',
    );
  });
});
