/**
 * Hostile input: a config of the wrong types (as a library caller could
 * hand over), absurd owners in the tar headers, and images made to flood
 * the report. The checks stay bounded and never throw.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageConfig } from '../image/index.js';
import { checkImage, MAX_FINDINGS_PER_RULE } from './index.js';
import { analyzeSpec, checkVariant, variantSpec } from './testing.js';

test('a config with fields of the wrong types is read defensively', async () => {
  const analysis = await analyzeSpec(await variantSpec({}));
  const junk = [
    {
      User: 42,
      Env: 'PATH=/bin',
      Entrypoint: { 0: '/app/server' },
      Labels: ['a'],
      ExposedPorts: '22/tcp',
      Healthcheck: { Test: 'NONE' },
    },
    {
      Env: [null, 1, 'NOEQUALS', '=empty', 'A=b=c'],
      Cmd: [1, 2],
      Volumes: [1],
      Healthcheck: { Test: [null, 'CMD'] },
    },
    { Entrypoint: [''], Cmd: null, WorkingDir: 'relative', Labels: { k: 1, DB_PASSWORD: 'letmein1' } },
  ];
  for (const config of junk) {
    const bad = { ...analysis, config: { ...analysis.config, config } as unknown as ImageConfig };
    const r = checkImage(bad);
    assert.ok(Array.isArray(r.findings));
  }
  const noConfig = checkImage({ ...analysis, config: undefined } as never);
  assert.deepEqual(noConfig.findings, []);
  const badHistory = checkImage({
    ...analysis,
    config: {
      ...analysis.config,
      history: [null, 7, { created_by: 5 }, { created_by: 'RUN /bin/sh -c sudo x # buildkit' }],
    } as unknown as ImageConfig,
  });
  assert.deepEqual(
    badHistory.findings.map((f) => f.ruleId),
    ['MD019'],
  );
});

test('absurd owners in tar headers are judged like any undefined owner', async () => {
  const r = await checkVariant({
    add: [
      { name: 'srv', uid: 2 ** 31, gid: 2 ** 31 },
      { name: 'srv/x', content: 'x', uid: 0o7777777, gid: 0 },
    ],
  });
  assert.deepEqual(r.findings.map((f) => f.evidence?.replace(/:.*/, '')).sort(), [
    `1 path owned by gid ${2 ** 31}, which /etc/group does not name`,
    `1 path owned by uid ${0o7777777}, which /etc/passwd does not name`,
    `1 path owned by uid ${2 ** 31}, which /etc/passwd does not name`,
  ]);
});

test('a flood of findings is capped per rule, the rest summed up in one', async () => {
  const add = Array.from({ length: 300 }, (_, i) => ({
    name: `srv/f${String(i).padStart(3, '0')}`,
    content: 'x',
    mode: 0o666,
  }));
  const r = await checkVariant({ add: [{ name: 'srv' }, ...add] });
  const ww = r.findings.filter((f) => f.ruleId === 'MI021');
  assert.equal(ww.length, MAX_FINDINGS_PER_RULE + 1);
  assert.ok(ww.some((f) => /^250 more findings of this rule, the first: \/srv\/f050/.test(f.evidence ?? '')));
  assert.equal(r.surface.counts['world-writable'], 300);
  assert.equal(r.surface.items.length, 200);
});

test('evidence and fixes quoting image paths are single bounded lines', async () => {
  const evil = `app/${'\u001b[31m\n'.repeat(3)}${'x'.repeat(2000)}`;
  const r = await checkVariant({ add: [{ name: evil, content: 'x', mode: 0o4755 }] });
  const f = r.findings.find((x) => x.ruleId === 'MI020');
  assert.ok(f);
  for (const s of [f.evidence ?? '', f.fix ?? '']) {
    assert.ok(!s.includes('\n') && !s.includes('\u001b'));
    assert.ok(s.length <= 600);
  }
});
