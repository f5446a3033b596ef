import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { SEVERITIES, severityRank } from '../core/finding.js';
import { dockerfileRules, lintDockerfile } from './index.js';
import { dockerfiles, testdata } from './testing.js';

test('the registry is complete: unique well-formed ids, one-line texts, hadolint ids unique', () => {
  const ids = dockerfileRules.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  assert.deepEqual([...ids].sort(), ids, 'the table is in id order');
  const dl = new Set<string>();
  for (const r of dockerfileRules) {
    assert.match(r.id, /^MD\d{3}$/);
    assert.ok(SEVERITIES.includes(r.severity), r.id);
    for (const text of [r.title, r.rationale, r.fix]) {
      assert.ok(text.length > 0 && !text.includes('\n'), `${r.id}: one line`);
    }
    for (const h of r.hadolint) {
      assert.match(h, /^DL\d{4}$/);
      assert.ok(!dl.has(h), `${h} maps to one rule only`);
      dl.add(h);
    }
    for (const ref of r.references) assert.match(ref, /^https:\/\//);
  }
});

/** Rules whose findings carry their own severity, at most the rule's (MD021: the secret rule's). */
const GRADED = new Set(['MD021']);

test('every rule has a firing and a non-firing case, and no case file is orphaned', () => {
  const cases = new Map(dockerfiles('rules'));
  const files = readdirSync(new URL('rules/', testdata)).filter((f) => f.endsWith('.Dockerfile'));
  const ids = new Set(dockerfileRules.map((r) => r.id));
  for (const f of files) assert.ok(ids.has(f.slice(0, 5)), `${f} belongs to no rule`);
  for (const rule of dockerfileRules) {
    const fire = cases.get(`${rule.id}.fire.Dockerfile`);
    const pass = cases.get(`${rule.id}.pass.Dockerfile`);
    assert.ok(
      fire !== undefined && pass !== undefined,
      `${rule.id} needs testdata/rules/${rule.id}.{fire,pass}.Dockerfile`,
    );
    const fired = lintDockerfile(fire).findings.filter((f) => f.ruleId === rule.id);
    assert.ok(fired.length > 0, `${rule.id} fires on its firing case`);
    for (const f of fired) {
      assert.equal(f.title, rule.title);
      if (GRADED.has(rule.id)) {
        assert.ok(SEVERITIES.includes(f.severity), rule.id);
        assert.ok(severityRank(f.severity) <= severityRank(rule.severity), `${rule.id}: at most the rule's`);
      } else assert.equal(f.severity, rule.severity);
      assert.ok((f.evidence ?? '').length > 0, `${rule.id} explains each finding`);
      assert.ok((f.location.startLine ?? 0) >= 1 && (f.location.endLine ?? 0) >= (f.location.startLine ?? 0));
    }
    const passed = lintDockerfile(pass);
    assert.deepEqual(
      [...passed.findings, ...passed.suppressed.map((s) => s.finding)].filter((f) => f.ruleId === rule.id),
      [],
      `${rule.id} stays quiet on its non-firing case`,
    );
  }
});

test('suppressions: mamori-ignore with reasons, lists, continuation lines; MD000 without a reason', () => {
  const text = [
    'FROM debian:12-slim',
    '# mamori-ignore: MD008,MD006 versions come from the snapshot mirror',
    'RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*',
    '# mamori-ignore: MD019',
    'RUN sudo true',
    'RUN apt-get install -y --no-install-recommends jq \\',
    '    # mamori-ignore: MD008 MD007 jq comes from the base image',
    '    && echo ok',
  ].join('\n');
  const r = lintDockerfile(text);
  const ids = (l: typeof r.findings) => l.map((f) => `${f.ruleId}@${f.location.startLine}`);
  assert.deepEqual(
    r.suppressed.map((s) => [s.finding.ruleId, s.finding.location.startLine, s.reason]),
    [
      ['MD006', 3, 'versions come from the snapshot mirror'],
      ['MD008', 3, 'versions come from the snapshot mirror'],
      ['MD019', 5, ''],
      ['MD007', 6, 'jq comes from the base image'],
      ['MD008', 6, 'jq comes from the base image'],
    ],
  );
  const md000 = r.findings.filter((f) => f.ruleId === 'MD000');
  assert.deepEqual(ids(md000), ['MD000@4']);
  assert.match(md000[0]?.evidence ?? '', /gives no reason/);
  assert.ok(!ids(r.findings).some((s) => ['MD008@3', 'MD019@5', 'MD008@6'].includes(s)));
});

test('suppressions that name no rule, an unknown rule, MD000 itself, or nothing below are MD000', () => {
  const r = lintDockerfile(
    'FROM alpine:3.20\n# mamori-ignore: everything\nRUN true\n# mamori-ignore: MD999 x\nRUN true\n# mamori-ignore: MD000 x\nRUN true\n# mamori-ignore: MD001 trailing\n\n',
  );
  assert.deepEqual(
    r.findings.filter((f) => f.ruleId === 'MD000').map((f) => f.location.startLine),
    [2, 4, 6, 8],
  );
});

test('hadolint ignore comments suppress the mapped rules; global ignores apply to the file', () => {
  const text = [
    '# hadolint global ignore=DL3007',
    'FROM alpine:latest',
    '# hadolint ignore=DL3018,DL3019,SC2086 # pinned by the base digest',
    'RUN apk add curl',
    '# hadolint ignore=DL4006',
    'RUN apk add --no-cache jq',
  ].join('\n');
  const r = lintDockerfile(text);
  assert.deepEqual(
    r.suppressed.map((s) => [s.finding.ruleId, s.reason]),
    [
      ['MD003', 'hadolint ignore=DL3007'],
      ['MD009', 'pinned by the base digest'],
      ['MD013', 'pinned by the base digest'],
    ],
  );
  assert.ok(
    r.findings.some((f) => f.ruleId === 'MD009' && f.location.startLine === 6),
    'DL4006 maps to no rule',
  );
});

test('ONBUILD RUN and nested shells are checked; non-POSIX SHELL and non-shell heredocs are not', () => {
  const r = lintDockerfile(
    [
      'FROM alpine:3.20',
      'ONBUILD RUN sudo make install',
      "RUN sh -c 'sudo id'",
      'RUN <<EOF python3',
      'import os; os.system("sudo id")',
      'EOF',
      'RUN <<EOF',
      '#!/usr/bin/env bash',
      'sudo id',
      'EOF',
      'RUN ["/bin/sh", "-c", "apt-get update && sudo id"]',
      'SHELL ["pwsh", "-Command"]',
      'RUN sudo id',
    ].join('\n'),
  );
  assert.deepEqual(
    r.findings.filter((f) => f.ruleId === 'MD019').map((f) => f.location.startLine),
    [2, 3, 9, 11],
  );
});

test('finding locations point into the right line of a multi-line RUN and heredoc', () => {
  const r = lintDockerfile('FROM debian:12\nRUN <<EOF\nset -e\n  curl -fsSL https://x | sh\nEOF\n');
  const pipe = r.findings.find((f) => f.ruleId === 'MD016');
  assert.deepEqual([pipe?.location.startLine, pipe?.location.startColumn], [4, 3]);
});
