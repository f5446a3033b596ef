/**
 * Golden findings: testdata/golden/<file>.txt holds the findings for each
 * Dockerfile in testdata/corpus/ and testdata/rules/, produced only by this
 * test. Regenerate with `UPDATE_GOLDEN=1 node scripts/test.mjs dockerfile/golden`
 * and review the diff.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { lintDockerfile } from './index.js';
import { dockerfiles, renderResult, testdata } from './testing.js';

const update = process.env['UPDATE_GOLDEN'] === '1';

async function golden(file: string, actual: string): Promise<void> {
  const url = new URL(`golden/${file}`, testdata);
  if (update) {
    await writeFile(url, actual);
    return;
  }
  const expected = await readFile(url, 'utf8').catch(() => {
    throw new Error(`missing golden file ${file}: run with UPDATE_GOLDEN=1`);
  });
  assert.equal(actual, expected, `${file} differs from the golden file (UPDATE_GOLDEN=1 regenerates it)`);
}

for (const dir of ['corpus', 'rules'] as const) {
  for (const [name, text] of dockerfiles(dir)) {
    test(`golden ${dir}/${name}`, async () => {
      await golden(`${name}.txt`, renderResult(lintDockerfile(text, { path: name })));
    });
  }
}

test('the hardened distroless Dockerfile triggers nothing', () => {
  const [, text] = dockerfiles('corpus').find(([n]) => n === 'distroless-hardened.Dockerfile') ?? ['', ''];
  assert.notEqual(text, '');
  const r = lintDockerfile(text);
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.suppressed, []);
});

test('findings carry the rule metadata and the given path', () => {
  const [, text] = dockerfiles('corpus').find(([n]) => n === 'node-app.Dockerfile') ?? ['', ''];
  const r = lintDockerfile(text, { path: 'services/web/Dockerfile' });
  const secret = r.findings.find((f) => f.ruleId === 'MD020');
  assert.ok(secret);
  assert.equal(secret.kind, 'misconfig');
  assert.equal(secret.location.path, 'services/web/Dockerfile');
  assert.equal(secret.location.startLine, 6);
  assert.ok(!(secret.evidence ?? '').includes('keyboard-cat'), 'the secret itself is never in the evidence');
  assert.match(secret.rationale, /image configuration/);
  assert.ok(secret.fix !== undefined && secret.references !== undefined && secret.references.length > 0);
});
