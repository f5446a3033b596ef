import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isMamoriError } from '../core/index.js';
import { createSecretScanner, loadAllowList, parseAllowList, secretHash } from './index.js';
import { ALNUM, randomText } from './testing.js';

const here = new URL('./testdata/', import.meta.url);
const r = randomText(99);

function rejects(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseAllowList(text, 'allow.yaml'),
    (e) => isMamoriError(e, 'INVALID_ARGUMENT') && pattern.test(e.message),
    pattern.source,
  );
}

describe('secret allow-list', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamori-secret-allow-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a complete file loads, frozen', async () => {
    const a = await loadAllowList(new URL('allow.yaml', here).pathname);
    assert.deepEqual(a.disabledRules, ['jwt']);
    assert.deepEqual(a.paths, ['/opt/app/fixtures/**']);
    assert.equal(a.values.length, 2);
    assert.ok(a.values[1]!.flags.includes('i'));
    assert.deepEqual(
      a.findings.map((f) => f.kind),
      ['location', 'hash'],
    );
    assert.deepEqual(a.findings[0], {
      kind: 'location',
      ruleId: 'github-pat',
      path: '/app/.env',
      line: 3,
      reason: 'revoked 2024-05-01, kept for the integration test',
    });
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a.findings));
    assert.deepEqual(parseAllowList('', 'empty.yaml').findings, []);
  });

  test('every kind of entry suppresses exactly what it names', () => {
    const ghp = () => 'ghp_' + r(ALNUM, 36);
    const [t1, t2, t3, t4] = [ghp(), ghp(), ghp(), ghp()];
    const jwtLike = 'sk_live_' + r(ALNUM, 24);
    const file = Buffer.from(`A=${t1}\nB=${t2}\nC=${t3}\nD=dummy-${r(ALNUM, 10)}\nE=${jwtLike}\n`);
    const allow = parseAllowList(
      [
        'disable: [stripe-access-token]',
        'paths: ["/opt/fixtures/**"]',
        'values: ["^ghp_' + t3.slice(4, 14) + '"]',
        'findings:',
        '  - fingerprint: "github-pat:/app/.env:1"',
        '    reason: rotated',
        `  - fingerprint: "${secretHash(t2)}"`,
        '    reason: public demo token',
      ].join('\n'),
    );
    const s = createSecretScanner({ allow });
    assert.deepEqual(s.scanBuffer('/app/.env', file), []);
    assert.equal(s.wants('/opt/fixtures/x/y.env'), false);
    // The same secrets at other places are still reported.
    const other = s.scanBuffer('/app/other.env', Buffer.from(`X=${t1}\n${t4}\n`));
    assert.deepEqual(
      other.map((f) => [f.ruleId, f.location.startLine]),
      [
        ['github-pat', 1],
        ['github-pat', 2],
      ],
    );
    assert.equal(createSecretScanner().scanBuffer('/app/.env', file).length, 4);
  });

  test('loading reads a real file and refuses a missing one, a directory and a big one', async () => {
    const p = join(dir, 'allow.yaml');
    await writeFile(p, await readFile(new URL('allow.yaml', here)));
    assert.equal((await loadAllowList(p)).source, p);
    await assert.rejects(loadAllowList(join(dir, 'nope.yaml')), (e) => isMamoriError(e, 'NOT_FOUND'));
    await assert.rejects(loadAllowList(dir), (e) => isMamoriError(e, 'INVALID_ARGUMENT'));
    const big = join(dir, 'big.yaml');
    await writeFile(big, '#'.repeat(1024 * 1024 + 10));
    await assert.rejects(loadAllowList(big), (e) => isMamoriError(e, 'LIMIT_EXCEEDED'));
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, Buffer.from([0x64, 0x69, 0xff, 0xfe]));
    await assert.rejects(
      loadAllowList(bad),
      (e) => isMamoriError(e, 'INVALID_ARGUMENT') && /UTF-8/.test(e.message),
    );
  });

  test('strict validation names the line and the problem', () => {
    rejects('disable: [jwt]\nunknown: 1\n', /allow\.yaml:2: unknown: unknown key/);
    rejects('disable: [no-such-rule]\n', /allow\.yaml:1: disable\[0\]: unknown rule "no-such-rule"/);
    rejects('disable: jwt\n', /disable: must be a list, got a string/);
    rejects('values:\n  - "("\n', /allow\.yaml:2: values\[0\]: not a valid regular expression/);
    rejects('values: ["(?i)secret"]\n', /inline flags/);
    rejects(
      'findings:\n  - fingerprint: "github-pat:/app/.env:3"\n',
      /allow\.yaml:2: findings\[0\]\.reason: required/,
    );
    rejects(
      'findings:\n  - fingerprint: "github-pat:/app/.env:3"\n    reason: "  "\n',
      /findings\[0\]\.reason: must not be empty/,
    );
    rejects(
      'findings:\n  - fingerprint: "github-pat:/app/.env"\n    reason: x\n',
      /expected "ruleId:path:line"/,
    );
    rejects(
      'findings:\n  - fingerprint: "github-pat:/app/.env:0"\n    reason: x\n',
      /line must be a positive integer/,
    );
    rejects('findings:\n  - fingerprint: "nope:/app/.env:3"\n    reason: x\n', /unknown rule "nope"/);
    rejects(
      'findings:\n  - fingerprint: "sha256:abc"\n    reason: x\n',
      /expected "ruleId:path:line" or "sha256:<64 hex digits>"/,
    );
    rejects(
      'findings:\n  - fingerprint: x\n    reason: y\n    secret: z\n',
      /findings\[0\]\.secret: unknown key/,
    );
    rejects('findings: [1]\n', /findings\[0\]: must be a mapping, got a number/);
    rejects('paths: [1]\n', /paths\[0\]: must be a string, got a number/);
    rejects('a: 1\na: 2\n', /invalid YAML/);
    rejects('- a\n- b\n', /must be a mapping, got a list/);
  });
});
