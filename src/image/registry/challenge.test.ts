import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { challengeParam, parseWwwAuthenticate } from './index.js';
import { quoteParam } from './challenge.js';

test('a Docker Hub challenge with a quoted scope containing commas', () => {
  const h =
    'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"';
  assert.deepEqual(parseWwwAuthenticate(h), [
    {
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:samalba/my-app:pull,push',
      },
    },
  ]);
});

test('several challenges, escapes, case and whitespace', () => {
  const h = 'Basic realm="a, b", BEARER Realm = "x\\"y\\\\z" , error=insufficient_scope,scope="s1 s2"';
  assert.deepEqual(parseWwwAuthenticate(h), [
    { scheme: 'basic', params: { realm: 'a, b' } },
    { scheme: 'bearer', params: { realm: 'x"y\\z', error: 'insufficient_scope', scope: 's1 s2' } },
  ]);
  assert.deepEqual(parseWwwAuthenticate(['Basic realm="r"', 'Bearer realm="t"']), [
    { scheme: 'basic', params: { realm: 'r' } },
    { scheme: 'bearer', params: { realm: 't' } },
  ]);
});

test('token68, bare schemes and duplicates', () => {
  assert.deepEqual(parseWwwAuthenticate('Negotiate abc+/d==, Basic dXNlcjpwYXNz'), [
    { scheme: 'negotiate', params: {}, token68: 'abc+/d==' },
    { scheme: 'basic', params: {}, token68: 'dXNlcjpwYXNz' },
  ]);
  assert.deepEqual(parseWwwAuthenticate('Bearer'), [{ scheme: 'bearer', params: {} }]);
  assert.deepEqual(parseWwwAuthenticate('Bearer, Basic realm=x'), [
    { scheme: 'bearer', params: {} },
    { scheme: 'basic', params: { realm: 'x' } },
  ]);
  assert.deepEqual(parseWwwAuthenticate('Bearer realm="a", realm="b"'), [
    { scheme: 'bearer', params: { realm: 'a' } },
  ]);
});

test('malformed headers give what can be read and never throw', () => {
  assert.deepEqual(parseWwwAuthenticate(undefined), []);
  assert.deepEqual(parseWwwAuthenticate(''), []);
  assert.deepEqual(parseWwwAuthenticate(',,,  ,'), []);
  assert.deepEqual(parseWwwAuthenticate('Bearer realm="unterminated'), [
    { scheme: 'bearer', params: { realm: 'unterminated' } },
  ]);
  assert.deepEqual(parseWwwAuthenticate('Bearer ,,, realm="x"'), [
    { scheme: 'bearer', params: { realm: 'x' } },
  ]);
  assert.deepEqual(parseWwwAuthenticate('"junk", Bearer realm="x"'), [
    { scheme: 'bearer', params: { realm: 'x' } },
  ]);
  assert.deepEqual(parseWwwAuthenticate('Bearer realm="x" junk, Basic'), [
    { scheme: 'bearer', params: { realm: 'x' } },
    { scheme: 'basic', params: {} },
  ]);
  const ch = parseWwwAuthenticate('Bearer __proto__="p", constructor="c"')[0];
  assert.ok(ch);
  assert.equal(challengeParam(ch, '__proto__'), 'p');
  assert.equal(challengeParam(ch, 'constructor'), 'c');
  assert.equal(challengeParam(ch, 'toString'), undefined);
  assert.equal(({} as Record<string, unknown>)['p'], undefined);
  assert.ok(parseWwwAuthenticate('Bearer a=b,'.repeat(5000)).length <= 16);
});

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 40,
});
const ows = fc.constantFrom('', ' ', '  ', '\t');
const scheme = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/);
const paramName = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/);
const challenge = fc.record({
  scheme,
  params: fc.uniqueArray(fc.tuple(paramName, printable), { maxLength: 5, selector: (p) => p[0] }),
});

test('fuzz: arbitrary input never throws and stays bounded', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
      const out = parseWwwAuthenticate(s);
      assert.ok(out.length <= 16);
      for (const c of out) {
        assert.match(c.scheme, /^[!#$%&'*+.^_`|~0-9a-z-]+$/);
        assert.ok(Object.keys(c.params).length <= 32);
      }
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('Bearer', ' ', ',', '=', '"', '\\', 'realm', 'x', '\t', '=='), {
        maxLength: 60,
      }),
      (parts) => {
        parseWwwAuthenticate(parts.join(''));
      },
    ),
    { numRuns: 2000 },
  );
});

test('fuzz: formatted challenges parse back to the same schemes and parameters', () => {
  fc.assert(
    fc.property(fc.array(challenge, { minLength: 1, maxLength: 4 }), ows, ows, (list, sp1, sp2) => {
      const header = list
        .map((c) => {
          const params = c.params.map(([n, v]) => `${n}${sp1}=${sp1}${quoteParam(v)}`).join(`${sp2},${sp1}`);
          return params ? `${c.scheme} ${params}` : c.scheme;
        })
        .join(`${sp2},${sp1}`);
      const parsed = parseWwwAuthenticate(header);
      assert.deepEqual(
        parsed,
        list.map((c) => ({ scheme: c.scheme.toLowerCase(), params: Object.fromEntries(c.params) })),
        header,
      );
    }),
    { numRuns: 1000 },
  );
});
