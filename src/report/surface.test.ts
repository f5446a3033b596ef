import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderFindingsTable } from './findings-table.js';
import { renderSurfaceText, type SurfaceSummary } from './surface.js';

const SURFACE: SurfaceSummary = {
  score: 47,
  packages: { count: 161, bytes: 292_988_928 },
  penalties: [
    { reason: '4 shells', points: 15 },
    { reason: '161 OS packages', points: 16.4 },
  ],
  contributors: [
    { kind: 'package', name: 'libperl5.36', bytes: 29_568_000, files: 391, layer: 0 },
    { kind: 'path', name: '/app', bytes: 1_500_000, files: 3 },
  ],
  suggestion: 'the entrypoint /app/server is a static binary: a scratch base removes 161 of 161 packages',
};

test('the attack surface reads as a score, its penalties, the largest contributors and the suggestion', () => {
  assert.equal(
    renderSurfaceText(SURFACE),
    [
      'Attack surface: minimality 47/100 (100 = minimal), 161 OS packages (293.0 MB)',
      '  lost points for: 4 shells (−15), 161 OS packages (−16.4)',
      '  largest: libperl5.36 29.6 MB (layer 0), /app 1.5 MB',
      '  suggestion: the entrypoint /app/server is a static binary: a scratch base removes 161 of 161 packages',
      '',
    ].join('\n'),
  );
  // A minimal image: the score alone.
  assert.equal(
    renderSurfaceText({ score: 100, packages: { count: 0, bytes: 0 }, penalties: [], contributors: [] }),
    'Attack surface: minimality 100/100 (100 = minimal), 0 OS packages\n',
  );
  // After the tables of the scan.
  const table = renderFindingsTable({ target: 'img', findings: [] }, { surface: SURFACE });
  assert.match(table, /^img: 0 vulnerabilities\n\nAttack surface: minimality 47\/100/);
});

test('a malformed surface renders as nothing or drops its bad parts; text is terminal-safe', () => {
  assert.equal(renderSurfaceText(undefined), '');
  for (const bad of [null, 'x', 42, { score: 'high' }, { score: -1 }, { score: Number.NaN }]) {
    assert.equal(renderSurfaceText(bad as unknown as SurfaceSummary), '');
  }
  const odd = {
    score: 80,
    packages: 'many',
    penalties: [{ reason: 'a\u001b[31mred', points: 5 }, { reason: 7, points: 1 }, null],
    contributors: [{ name: 'x'.repeat(1000), bytes: 1e6 }, { name: 'y' }, 'z'],
    suggestion: ['not', 'a', 'string'],
  } as unknown as SurfaceSummary;
  const text = renderSurfaceText(odd);
  assert.ok(!text.includes('\u001b'));
  assert.match(text, /^Attack surface: minimality 80\/100 \(100 = minimal\)\n/);
  assert.match(text, /lost points for: a\\u\{1b\}\[31mred \(−5\)\n/);
  assert.match(text, /largest: x{127}… 1\.0 MB\n$/);
});
