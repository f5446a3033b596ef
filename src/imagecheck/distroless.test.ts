/**
 * No false positives: a clean distroless-style image (one layer, a real
 * static binary as a non-root exec-form entrypoint, a healthcheck, root and
 * nonroot accounts, files owned by root) gives no finding at all, a score of
 * 100 and nothing to suggest.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACCOUNTS_ANALYZER, checkImage, ELF_ANALYZER } from './index.js';
import { analyzeSpec, variantSpec } from './testing.js';

test('clean distroless-style image: zero findings, score 100, no suggestion', async () => {
  const analysis = await analyzeSpec(await variantSpec({}));
  assert.equal(analysis.inventory.source.layers.length, 1);
  const r = checkImage(analysis);
  assert.deepEqual(r.findings, []);
  assert.equal(r.surface.score, 100);
  assert.deepEqual(r.surface.items, []);
  assert.deepEqual(r.surface.penalties, []);
  assert.equal(r.surface.packages.count, 0);
  assert.equal(r.surface.suggestion, undefined);
  // The static binary was read as such: the checks saw it.
  assert.deepEqual(r.surface.contributors[0]?.name, '/app');
});

test('the checks read the clean image as intended: a static entrypoint, both account databases', async () => {
  const analysis = await analyzeSpec(await variantSpec({}));
  const facts = analysis.layers[0]?.analysis.facts ?? [];
  assert.deepEqual(
    facts.filter((f) => f.c === ELF_ANALYZER).map((f) => [f.p, f.f]),
    [['/app/server', { needed: [] }]],
  );
  assert.deepEqual(
    facts
      .filter((f) => f.c === ACCOUNTS_ANALYZER)
      .map((f) => f.p)
      .sort(),
    ['/etc/group', '/etc/passwd'],
  );
  // Without the secret scanner's findings it is just as clean.
  assert.deepEqual(checkImage(analysis, { secrets: false }).findings, []);
});
