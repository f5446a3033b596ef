import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  MediaTypes,
  RegistryError,
  catalogBody,
  compareLexical,
  digestOf,
  filterReferrers,
  filtersAppliedHeader,
  isTag,
  nextLink,
  pageFromLookahead,
  paginateSorted,
  parseArtifactTypeFilter,
  parsePageQuery,
  referrersIndex,
  sortLexical,
  tagListBody,
  type Descriptor,
  type PageQuery,
} from './index.js';

const OPTS = { maxLimit: 100 };
const q = (s: string): URLSearchParams => new URLSearchParams(s);
const isBadParameter = (name: string) => (e: unknown) =>
  e instanceof RegistryError &&
  e.code === 'UNSUPPORTED' &&
  e.status === 400 &&
  e.message.includes(`"${name}"`);

describe('n and last', () => {
  test('are read from URLSearchParams and from parsed query objects', () => {
    assert.deepEqual(parsePageQuery(q(''), OPTS), { limit: undefined, last: undefined });
    assert.deepEqual(parsePageQuery(q(''), { ...OPTS, defaultLimit: 50 }), { limit: 50, last: undefined });
    assert.deepEqual(parsePageQuery(q('n=5&last=v1'), OPTS), { limit: 5, last: 'v1' });
    assert.deepEqual(parsePageQuery(q('n=0'), OPTS), { limit: 0, last: undefined });
    assert.deepEqual(parsePageQuery(q('n=&last='), OPTS), { limit: undefined, last: undefined });
    assert.deepEqual(parsePageQuery({ n: ['3', '9'], last: 'a' }, OPTS), { limit: 3, last: 'a' });
    assert.deepEqual(parsePageQuery({ last: 'v2' }, OPTS), { limit: undefined, last: 'v2' });
  });

  test('a larger n than the maximum is clamped', () => {
    assert.equal(parsePageQuery(q('n=100000'), OPTS).limit, 100);
    assert.equal(parsePageQuery(q(''), { defaultLimit: 1000, maxLimit: 10 }).limit, 10);
  });

  test('a malformed n is refused with 400', () => {
    for (const n of ['-1', 'abc', '1.5', '+1', '1e3', '0x10', ' 1', '9'.repeat(16)]) {
      assert.throws(() => parsePageQuery(q(`n=${encodeURIComponent(n)}`), OPTS), isBadParameter('n'), n);
    }
    assert.throws(() => parsePageQuery({ n: 5 }, OPTS), isBadParameter('n'));
    assert.throws(() => parsePageQuery(q(`last=${'a'.repeat(1025)}`), OPTS), isBadParameter('last'));
  });
});

describe('lexical order', () => {
  test('is byte order: uppercase before lowercase, "." and "-" before digits', () => {
    assert.deepEqual(sortLexical(['b', 'a', 'B', '1.0', '1-0', '10', '_x', 'A']), [
      '1-0',
      '1.0',
      '10',
      'A',
      'B',
      '_x',
      'a',
      'b',
    ]);
  });

  test('equals the order of the UTF-8 bytes (Go sort.Strings) for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        assert.equal(compareLexical(a, b), Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
      { numRuns: 3000 },
    );
    // A character above the surrogates sorts before one beyond the BMP, as in UTF-8.
    assert.equal(compareLexical('\uffff', '\u{10000}'), -1);
  });
});

describe('paging a sorted list', () => {
  const tags = ['a', 'b', 'c', 'd', 'e'];
  const page = (limit: number | undefined, last?: string): PageQuery => ({ limit, last });

  test('n and last as in spec.md "Listing Tags"', () => {
    assert.deepEqual(paginateSorted(tags, page(undefined)), { items: tags, next: undefined });
    assert.deepEqual(paginateSorted(tags, page(2)), { items: ['a', 'b'], next: 'b' });
    assert.deepEqual(paginateSorted(tags, page(2, 'b')), { items: ['c', 'd'], next: 'd' });
    assert.deepEqual(paginateSorted(tags, page(2, 'd')), { items: ['e'], next: undefined });
    assert.deepEqual(paginateSorted(tags, page(3, 'c')), { items: ['d', 'e'], next: undefined });
    assert.deepEqual(paginateSorted(tags, page(undefined, 'c')), { items: ['d', 'e'], next: undefined });
    // `last` need not be a listed value.
    assert.deepEqual(paginateSorted(tags, page(2, 'bb')), { items: ['c', 'd'], next: 'd' });
    assert.deepEqual(paginateSorted(tags, page(2, 'z')), { items: [], next: undefined });
    // n = 0: an empty list and no Link.
    assert.deepEqual(paginateSorted(tags, page(0)), { items: [], next: undefined });
  });

  test('exactly n items when more remain (the spec allows fewer only with a Link)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ maxLength: 6 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 10 }),
        (raw, n) => {
          const sorted = sortLexical(raw);
          const first = paginateSorted(sorted, page(n));
          assert.equal(first.items.length, Math.min(n, sorted.length));
          assert.equal(first.next !== undefined, sorted.length > n);
        },
      ),
    );
  });

  test('following Link headers walks the whole list once, in order', () => {
    const tag = fc.string({ unit: fc.constantFrom(...'aZ9._-'), minLength: 1, maxLength: 8 }).filter(isTag);
    fc.assert(
      fc.property(fc.uniqueArray(tag, { maxLength: 60 }), fc.integer({ min: 1, max: 9 }), (raw, n) => {
        const sorted = sortLexical(raw);
        const seen: string[] = [];
        let url: URL | undefined = new URL(`http://registry.test/v2/lib/app/tags/list?n=${n}`);
        while (url) {
          const p = paginateSorted(sorted, parsePageQuery(url.searchParams, OPTS));
          seen.push(...p.items);
          if (p.next === undefined) break;
          const link = nextLink(url.pathname, { n, last: p.next });
          const m = /^<([^>]+)>; rel="next"$/.exec(link);
          assert.ok(m?.[1], link);
          url = new URL(m[1], url);
        }
        assert.deepEqual(seen, sorted);
      }),
      { numRuns: 300 },
    );
  });

  test('a store page fetched with LIMIT n + 1', () => {
    const key = (r: { name: string }): string => r.name;
    const rows = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
    assert.deepEqual(pageFromLookahead(rows, 2, key), { items: rows.slice(0, 2), next: 'b' });
    assert.deepEqual(pageFromLookahead(rows, 3, key), { items: rows, next: undefined });
    assert.deepEqual(pageFromLookahead(rows, undefined, key), { items: rows, next: undefined });
    assert.deepEqual(pageFromLookahead(rows, 0, key), { items: [], next: undefined });
  });
});

describe('Link header', () => {
  test('is RFC 5988 with rel="next", relative to the registry', () => {
    assert.equal(
      nextLink('/v2/lib/app/tags/list', { n: 2, last: 'v1.0' }),
      '</v2/lib/app/tags/list?n=2&last=v1.0>; rel="next"',
    );
    assert.equal(
      nextLink('/v2/_catalog', { n: 10, last: 'team/app' }),
      '</v2/_catalog?n=10&last=team%2Fapp>; rel="next"',
    );
    const d = digestOf(Buffer.from('s'));
    assert.equal(
      nextLink(`/v2/lib/app/referrers/${d}`, { n: 1, last: d }, { artifactType: 'application/spdx+json' }),
      `</v2/lib/app/referrers/${d}?n=1&last=${encodeURIComponent(d)}&artifactType=application%2Fspdx%2Bjson>; rel="next"`,
    );
  });

  test('refuses a path that could break the header', () => {
    for (const p of [
      'v2/x',
      '/v2/x>; rel="prev"',
      '/v2/x\r\nSet-Cookie: a',
      '/v2/x?n=1',
      '/v2/x#f',
      '/v2/a b',
    ]) {
      assert.throws(
        () => nextLink(p, { n: 1, last: 'a' }),
        (e: unknown) => e instanceof RegistryError,
        p,
      );
    }
  });
});

describe('bodies', () => {
  test('tag list and catalog', () => {
    assert.deepEqual(tagListBody('lib/app', ['a', 'b']), { name: 'lib/app', tags: ['a', 'b'] });
    assert.deepEqual(tagListBody('lib/app', []), { name: 'lib/app', tags: [] });
    assert.deepEqual(catalogBody(['a/b']), { repositories: ['a/b'] });
  });
});

describe('referrers', () => {
  const sbom: Descriptor = {
    mediaType: MediaTypes.ociManifest,
    digest: digestOf(Buffer.from('1')),
    size: 1,
    artifactType: 'application/spdx+json',
  };
  const sig: Descriptor = {
    mediaType: MediaTypes.ociManifest,
    digest: digestOf(Buffer.from('2')),
    size: 2,
    artifactType: 'application/vnd.example.signature.v1',
  };
  const idx: Descriptor = { mediaType: MediaTypes.ociIndex, digest: digestOf(Buffer.from('3')), size: 3 };

  test('no filter: everything, and no OCI-Filters-Applied header', () => {
    const r = filterReferrers([sbom, sig, idx], parseArtifactTypeFilter(q('')));
    assert.deepEqual(r, { manifests: [sbom, sig, idx], filtersApplied: [] });
    assert.equal(filtersAppliedHeader(r.filtersApplied), undefined);
  });

  test('an artifactType filter keeps the exact matches and is reported', () => {
    const r = filterReferrers(
      [sbom, sig, idx],
      parseArtifactTypeFilter(q('artifactType=application/spdx%2Bjson')),
    );
    assert.deepEqual(r.manifests, [sbom]);
    assert.equal(filtersAppliedHeader(r.filtersApplied), 'artifactType');
    assert.deepEqual(filterReferrers([sig], 'application/spdx+json').manifests, []);
    assert.equal(filtersAppliedHeader(['artifactType', 'other']), 'artifactType,other');
  });

  test('a malformed artifactType is a bad request', () => {
    assert.throws(() => parseArtifactTypeFilter(q('artifactType=sbom')), isBadParameter('artifactType'));
  });

  test('the response is an OCI image index', () => {
    assert.deepEqual(referrersIndex([sbom]), {
      schemaVersion: 2,
      mediaType: MediaTypes.ociIndex,
      manifests: [sbom],
    });
    assert.deepEqual(referrersIndex([]).manifests, []);
  });
});
