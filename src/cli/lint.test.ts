import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { assertValidSarif } from '../report/testdata/validate.js';
import { main } from './main.js';
import { capture } from './testing.js';

let dir: string;
let file: string;
const DOCKERFILE = `FROM ubuntu:latest
RUN apt-get update && apt-get install -y curl
# mamori-ignore: MD023 the image is only run by a test harness
EXPOSE 22
CMD node server.js
`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamori-lint-'));
  file = join(dir, 'Dockerfile');
  await writeFile(file, DOCKERFILE);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Out {
  ruleFindings: Array<{ ruleId: string; severity: string; location: { path: string; startLine?: number } }>;
  suppressedRules: Array<{ finding: { ruleId: string }; reason: string; source: string }>;
}

test('mamori lint dockerfile reports rule findings with their lines, honours suppressions, gates on --fail-on', async () => {
  const c = capture();
  assert.equal(await main(['lint', 'dockerfile', file, '-f', 'json'], c.io), 0);
  const out = JSON.parse(c.text().stdout) as Out;
  const ids = new Set(out.ruleFindings.map((f) => f.ruleId));
  // Root user, latest tag, apt without --no-install-recommends, shell-form CMD.
  for (const id of ['MD001', 'MD003']) assert.ok(ids.has(id), `${id} in ${[...ids].join(' ')}`);
  const latest = out.ruleFindings.find((f) => f.ruleId === 'MD003');
  assert.equal(latest?.location.startLine, 1);
  assert.equal(latest?.location.path, file);
  const expose = out.suppressedRules.map((s) => [s.finding.ruleId, s.reason]);
  assert.deepEqual(expose, [['MD023', 'the image is only run by a test harness']]);
  assert.match(out.suppressedRules[0]?.source ?? '', /^inline:.+:\d+$/);
  // SARIF keeps it too, as a suppressed result.
  const s = capture();
  assert.equal(await main(['lint', 'dockerfile', file, '-f', 'sarif'], s.io), 0);
  const results = (
    JSON.parse(s.text().stdout) as {
      runs: Array<{ results: Array<{ ruleId: string; suppressions?: unknown[] }> }>;
    }
  ).runs[0]?.results;
  assert.equal(results?.find((r) => r.ruleId === 'MD023')?.suppressions?.length, 1);
  assert.ok(!ids.has('MD023'));

  const gate = capture();
  assert.equal(await main(['lint', 'dockerfile', file, '--fail-on', 'LOW'], gate.io), 1);
  assert.match(gate.text().stderr, /gate failed/);
  assert.match(gate.text().stdout, /MD001/);
});

test('stdin, SARIF output, and clear errors', async () => {
  const c = capture();
  const io = { ...c.io, stdin: Readable.from([Buffer.from('FROM scratch\nCOPY app /app\nUSER 1000\n')]) };
  assert.equal(await main(['lint', 'dockerfile', '-', '-f', 'sarif'], io), 0);
  assertValidSarif(c.text().stdout);
  const sarif = JSON.parse(c.text().stdout) as { runs: Array<{ results: Array<{ ruleId: string }> }> };
  assert.ok(!sarif.runs[0]?.results.some((r) => r.ruleId === 'MD001'), 'USER 1000 is not root');

  const missing = capture();
  assert.equal(await main(['lint', 'dockerfile', join(dir, 'nope')], missing.io), 2);
  assert.match(missing.text().stderr, /mamori: error: .*nope/);
});

test('--secret-config: a secret the allow-list accepts is not reported; a bad allow-list is a clear error', async () => {
  // A GitHub token made for the test (never a real one), written into a RUN line.
  const token = `ghp_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`;
  const df = join(dir, 'Dockerfile.secret');
  await writeFile(
    df,
    `FROM scratch\nUSER 1000\nRUN curl -H "Authorization: token ${token}" https://example.org/\n`,
  );
  const plain = capture();
  assert.equal(await main(['lint', 'dockerfile', df, '-f', 'json'], plain.io), 0);
  const ids = (JSON.parse(plain.text().stdout) as Out).ruleFindings.map((f) => f.ruleId);
  assert.ok(ids.includes('MD021'), ids.join(' '));
  assert.ok(!plain.text().stdout.includes(token));

  const allow = join(dir, 'allow.yaml');
  await writeFile(allow, 'disable: [github-pat]\n');
  const allowed = capture();
  assert.equal(await main(['lint', 'dockerfile', df, '-f', 'json', '--secret-config', allow], allowed.io), 0);
  assert.ok(!(JSON.parse(allowed.text().stdout) as Out).ruleFindings.some((f) => f.ruleId === 'MD021'));

  await writeFile(allow, 'disable: [no-such-rule]\n');
  const bad = capture();
  assert.equal(await main(['lint', 'dockerfile', df, '--secret-config', allow], bad.io), 2);
  assert.match(bad.text().stderr, /mamori: error: .*no-such-rule/);
});
