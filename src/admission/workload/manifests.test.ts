import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMamoriError } from '../../core/errors.js';
import { readManifests } from './index.js';

test('JSON documents read as YAML', () => {
  const r = readManifests(
    '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},"spec":{"containers":[]}}',
  );
  assert.deepEqual(r.errors, []);
  assert.equal(r.manifests[0]?.object.kind, 'Pod');
});

test('a bad document is reported with its number and the others still read', () => {
  const r = readManifests('kind: Pod\n---\nkind: [unclosed\n---\n- a list\n---\nkind: Service\n');
  assert.deepEqual(
    r.manifests.map((m) => [m.object.kind, m.document]),
    [
      ['Pod', 0],
      ['Service', 3],
    ],
  );
  assert.equal(r.errors.length, 2);
  assert.match(r.errors[0] ?? '', /^document 1: /);
  assert.equal(r.errors[1], 'document 2: must be an object');
});

test('duplicate keys are an error, so a second "privileged" cannot hide the first', () => {
  const r = readManifests('kind: Pod\nspec:\n  a: 1\n  a: 2\n');
  assert.deepEqual(r.manifests, []);
  assert.equal(r.errors.length, 1);
});

test('an alias bomb is refused', () => {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 10; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    lines.push(
      `${cur}: &${cur} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`,
    );
  }
  const r = readManifests(`kind: Pod\n${lines.join('\n')}\n`);
  assert.deepEqual(r.manifests, []);
  assert.match(r.errors.join(), /document 0: .*alias/i);
});

test('a few aliases, as Helm charts use, are fine', () => {
  const r = readManifests('kind: Pod\nx: &l {a: 1}\ny: *l\n');
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.manifests[0]?.object.y, { a: 1 });
});

test('size and document limits throw LIMIT_EXCEEDED', () => {
  const limits = { maxBytes: 100, maxDocuments: 3, maxAliasCount: 10, maxItems: 10 };
  assert.throws(
    () => readManifests('x'.repeat(101), limits),
    (e) => isMamoriError(e, 'LIMIT_EXCEEDED'),
  );
  assert.throws(
    () => readManifests('a: 1\n---\na: 1\n---\na: 1\n---\na: 1\n', limits),
    (e) => isMamoriError(e, 'LIMIT_EXCEEDED'),
  );
});

test('List items beyond the limit are dropped with one error', () => {
  const items = Array.from({ length: 5 }, (_, i) => `  - {kind: Pod, metadata: {name: p${i}}}`).join('\n');
  const r = readManifests(`kind: List\nitems:\n${items}\n`, {
    maxBytes: 1e6,
    maxDocuments: 10,
    maxAliasCount: 10,
    maxItems: 3,
  });
  assert.equal(r.manifests.length, 3);
  assert.deepEqual(r.errors, ['document 0: more than 3 list items']);
});

test('non-text input is refused with INVALID_ARGUMENT', () => {
  assert.throws(
    () => readManifests(42 as unknown as string),
    (e) => isMamoriError(e, 'INVALID_ARGUMENT'),
  );
});

test('empty input and comment-only documents yield nothing', () => {
  assert.deepEqual(readManifests(''), { manifests: [], errors: [] });
  assert.deepEqual(readManifests('# nothing\n---\n---\n'), { manifests: [], errors: [] });
});
