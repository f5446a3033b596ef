import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  assertSameSigns,
  assertTotalPreorder,
  neighbourPairs,
  phpVersions,
  sample,
  tokens,
} from '../testing.js';
import { composer, normalizeComposer, phpVersionCompare } from './composer.js';

test('composer: Packagist order', () => {
  const ordered = [
    'dev-feature',
    'dev-main',
    '1.0.0-dev',
    '1.0.0-alpha1',
    '1.0.0-beta',
    'v1.0.0-beta.2',
    '1.0.0-RC1',
    '1.0.0',
    '1.0.0-p1',
    '1.0.1',
    '1.x-dev',
    '2.0',
    '2023.01.01',
  ];
  for (let i = 0; i < ordered.length; i++) {
    for (let j = 0; j < ordered.length; j++) {
      assert.equal(
        Math.sign(composer.compare(ordered[i]!, ordered[j]!)),
        Math.sign(i - j),
        `${ordered[i]} vs ${ordered[j]}`,
      );
    }
  }
  assert.equal(composer.compare('v1.0', '1.0.0.0'), 0);
  assert.equal(composer.compare('1.0.0+build', '1.0.0'), 0);
  assert.ok(
    !composer.isValid('1.0.0.0.0') && !composer.isValid('not-a-version') && composer.isValid('dev-anything'),
  );
});

const version = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.constantFrom('', '', 'v', 'V'),
        fc.constantFrom('0', '1', '2', '10', '123456', '2023', '20230101'),
        tokens(['.0', '.1', '.10', '.x', '.*', '-01', '01'], 3),
        fc.constantFrom(
          '',
          '',
          '-dev',
          '.dev',
          'dev',
          '-alpha',
          '-a1',
          '-beta.2',
          'b3',
          '-RC1',
          'rc',
          '-p1',
          '.pl2',
          '-patch',
          '-stable',
          '-STABLE',
          '-beta1-dev',
        ),
        fc.constantFrom('', '', '+build', '@dev', '@stable', ' as 1.0'),
      )
      .map(([v, a, b, c, d]) => v + a + b + c + d),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'dev-main',
      'dev-feature/x',
      'master',
      'trunk',
      'DEV-x',
      '1.x-dev',
      'v2.x-dev',
      'feature-dev',
    ),
  },
  { weight: 1, arbitrary: tokens(['1', '0', '.', '-', 'a', 'b', 'dev', 'p', 'rc', 'x', ' '], 6) },
);

test('composer: normalisation identical to Composer\\Semver\\VersionParser::normalize', async () => {
  const { values, label } = sample(version, 600);
  const native = await phpVersions('normalize', values);
  const bad = values.flatMap((v, i) =>
    (normalizeComposer(v) ?? null) === native[i]
      ? []
      : [`${JSON.stringify(v)}: php ${native[i]}, mamori ${normalizeComposer(v)}`],
  );
  assert.deepEqual(bad.slice(0, 20), [], `${bad.length} differ (${label})`);
});

test('composer: PHP version_compare ported exactly', async () => {
  const raw = fc.oneof(
    version,
    fc.string({ unit: fc.constantFrom(...'0129.-_+#abdelpRC'.split('')), maxLength: 10 }),
  );
  const { values, label } = sample(raw, 500);
  const pairs = neighbourPairs(values, 6);
  assertSameSigns(
    pairs,
    (a, b) => phpVersionCompare(a, b),
    await phpVersions('version_compare', pairs),
    label,
  );
});

test('composer: a total preorder, branches and invalid versions included', () => {
  const { values } = sample(version, 200);
  assertTotalPreorder(composer.compare, values);
});
