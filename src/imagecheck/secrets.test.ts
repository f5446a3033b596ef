/**
 * Secrets in the image config: AWS-style keys generated at test time in
 * Env, Labels, the entrypoint and the history are reported with redacted
 * evidence naming where they are, and never appear anywhere in the result —
 * not even in the findings of other rules that quote the history.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import { createSecretScanner } from '../secret/index.js';
import { checkImage } from './index.js';
import { isCredentialAssignment, isCredentialName } from './secrets.js';
import { analyzeSpec, variantSpec } from './testing.js';

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** An AWS-style access key id, random on every run: never a real credential. */
function awsKeyId(): string {
  let s = 'AKIA';
  for (let i = 0; i < 16; i++) s += B32[randomInt(B32.length)];
  return s;
}

const HEX = 'b'.repeat(64);

test('known-format secrets in Env, Labels, Cmd and history: redacted, located, never leaked', async () => {
  const [envKey, labelKey, argKey, cmdKey] = [awsKeyId(), awsKeyId(), awsKeyId(), awsKeyId()];
  const analysis = await analyzeSpec(
    await variantSpec({
      config: {
        Env: ['PATH=/usr/bin:/bin', `AWS_ACCESS_KEY_ID=${envKey}`],
        Labels: { 'com.example.deploy-key': labelKey, 'org.opencontainers.image.title': 'app' },
        Cmd: ['--key', cmdKey],
      },
      history: [
        { created_by: `/bin/sh -c #(nop) ADD file:${HEX} in / ` },
        {
          created_by: `RUN |1 DEPLOY_KEY=${argKey} /bin/sh -c curl -fsSL -H "X-Key: ${argKey}" https://get.example.com/i.sh | sh # buildkit`,
        },
        // The same Env key again in the history ENV entry: one finding, not two.
        { created_by: `ENV AWS_ACCESS_KEY_ID=${envKey}`, empty_layer: true },
      ],
    }),
  );
  const { findings, surface } = checkImage(analysis);
  const secrets = findings.filter((f) => f.kind === 'secret');
  assert.deepEqual(secrets.map((f) => f.evidence?.replace(/AKIA\*{5} \(20 chars\)$/, 'REDACTED')).sort(), [
    'Cmd: REDACTED',
    'Env AWS_ACCESS_KEY_ID: REDACTED',
    'Label com.example.deploy-key: REDACTED',
    'history[1]: REDACTED',
  ]);
  for (const f of secrets) {
    assert.equal(f.ruleId, 'aws-access-token');
    assert.equal(f.location.path, 'image-config');
    assert.equal(f.location.startLine, undefined);
  }
  assert.equal(secrets.find((f) => f.evidence?.startsWith('history'))?.location.layer?.index, 1);
  // The pipe-to-shell finding quotes the RUN: with the key masked.
  const md016 = findings.find((f) => f.ruleId === 'MD016');
  assert.match(md016?.evidence ?? '', /X-Key: \*{20}/);
  const all = JSON.stringify({ findings, surface });
  for (const k of [envKey, labelKey, argKey, cmdKey]) {
    assert.ok(!all.includes(k), 'a secret leaked into the result');
    assert.ok(!all.includes(k.slice(4)), 'part of a secret leaked into the result');
  }
});

test('secrets: false reports none of the scanner findings but still masks what others quote', async () => {
  const key = awsKeyId();
  const analysis = await analyzeSpec(
    await variantSpec({
      history: [
        { created_by: `/bin/sh -c #(nop) ADD file:${HEX} in / ` },
        { created_by: `/bin/sh -c sudo curl -H "X-Key: ${key}" https://x.example/ -o /tmp/a` },
      ],
    }),
  );
  const { findings } = checkImage(analysis, { secrets: false });
  assert.deepEqual(
    findings.map((f) => f.ruleId),
    ['MD019'],
  );
  assert.ok(!JSON.stringify(findings).includes(key));
  // A scanner passed in is the one used (an allow-list would apply).
  const withScanner = checkImage(analysis, { secrets: createSecretScanner() });
  assert.equal(withScanner.findings.filter((f) => f.kind === 'secret').length, 1);
});

test('credential names with values the secret rules miss: reported once, redacted; placeholders are not', async () => {
  const analysis = await analyzeSpec(
    await variantSpec({
      config: {
        Env: ['PATH=/usr/bin:/bin', 'DB_PASSWORD=hunter2hunter', 'SMTP_PASS=x', 'NPM_TOKEN=${NPM_TOKEN}'],
        Labels: { 'com.example.adminPassword': 'letmein1', 'com.example.password-file': '/run/secrets/pw' },
      },
      history: [
        { created_by: `/bin/sh -c #(nop) ADD file:${HEX} in / ` },
        { created_by: 'RUN |2 GITHUB_TOKEN=abc123abc FOO=bar /bin/sh -c make # buildkit' },
        { created_by: 'ENV API_KEY=temporary-value', empty_layer: true },
        { created_by: 'ENV DB_PASSWORD=hunter2hunter', empty_layer: true },
      ],
    }),
  );
  const { findings } = checkImage(analysis);
  const mi004 = findings.filter((f) => f.ruleId === 'MI004').map((f) => f.evidence);
  assert.deepEqual(mi004.sort(), [
    'Env DB_PASSWORD holds a value: hu***** (13 chars)',
    'Label com.example.adminPassword holds a value: ***** (8 chars)',
    'history[1] (layer 1): build argument GITHUB_TOKEN was recorded with its value: ***** (9 chars)',
    'history[2]: ENV API_KEY was set to a value later replaced, which the history keeps: te***** (15 chars)',
  ]);
  const json = JSON.stringify(findings);
  for (const v of ['hunter2hunter', 'letmein1', 'abc123abc', 'temporary-value']) assert.ok(!json.includes(v));
});

test('a secret in a shell-form command is not quoted by the shell-form finding', async () => {
  const key = awsKeyId();
  const analysis = await analyzeSpec(
    await variantSpec({
      add: [{ name: 'bin' }, { name: 'bin/sh', content: 'x', mode: 0o755 }],
      config: { Entrypoint: ['/bin/sh', '-c', `/app/server --key ${key}`] },
    }),
  );
  const { findings } = checkImage(analysis);
  assert.deepEqual(findings.map((f) => f.ruleId).sort(), ['MI005', 'aws-access-token']);
  assert.match(findings.find((f) => f.ruleId === 'MI005')?.evidence ?? '', /holds a secret, reported apart/);
  assert.ok(!JSON.stringify(findings).includes(key));
});

test('credential names', () => {
  for (const n of [
    'DB_PASSWORD',
    'PASSWORD',
    'mysqlRootPassword',
    'GITHUB_TOKEN',
    'AWS_SECRET_ACCESS_KEY',
    'STRIPE_API_KEY',
    'SECRET_KEY_BASE',
    'JWT_SECRET',
    'SMTP_PASS',
    'DB_PWD',
    'com.example.api-token',
    'GOOGLE_CREDENTIALS',
  ]) {
    assert.equal(isCredentialName(n), true, n);
  }
  for (const n of [
    'PATH',
    'PWD',
    'OLDPWD',
    'GPG_KEY',
    'TOKEN_TTL',
    'PASSWORD_FILE',
    'POSTGRES_PASSWORD_FILE',
    'SECRET_NAME',
    'KEYRING',
    'BYPASS',
    'PASSWORD_MIN_LENGTH',
  ]) {
    assert.equal(isCredentialName(n), false, n);
  }
});

test('placeholders and references under a credential name are not credentials', () => {
  for (const v of [
    '',
    ' ',
    'x',
    'changeme',
    'CHANGE_ME',
    '${DB_PASSWORD}',
    '$TOKEN',
    '<your-token>',
    'xxxxxxxx',
    '/run/secrets/db',
    'vault:secret/data/db#pw',
    'true',
    'null',
    'password',
    '{{ .Values.pw }}',
  ]) {
    assert.equal(isCredentialAssignment('DB_PASSWORD', v), false, JSON.stringify(v));
  }
  for (const v of ['hunter2', 'letmein1', 's3cr3t!', 'admin123'])
    assert.equal(isCredentialAssignment('DB_PASSWORD', v), true, v);
});

/**
 * Env of official images as published (docker-library/repo-info:
 * python:3.12-slim-bookworm, php:8.3-cli, httpd:2.4, tomcat:10.1, all
 * linux/amd64): key fingerprints and download checksums, none a secret.
 */
const OFFICIAL_ENV = [
  'GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305',
  'PYTHON_SHA256=5c8462af5790baf43a321a1559dbe0db06d1be4300fb85fb53c40060668e548a',
  'GPG_KEYS=1198C0117593497A5EC5C199286AF1F9897469DC C28D937575603EB4ABB725861C0779DC5C0A9DE4 AFD8691FDAEDF03BDF6E460563F15A9B715376CA',
  'PHP_SHA256=8698ec1f9402fa5e5e872ae3d0916b62f5f27503c1fbfc9cc3521e113355ea92',
  'HTTPD_SHA256=68c74d4df38c26bed4dfbdb8f3baf1eb532f3872357becc1bba5d136f6b63c06',
  'TOMCAT_SHA512=992a8e88fc9c0338445f018a1e4a2757c9e71708dba795e2864c9b1613f2b3b9b19c048e787682deae6d6bff9971defc746e31282085d52ef1d32192e09f7a0f',
];

test('OpenPGP key ids and checksums published in Env and history are not secrets; the same hex under API_KEY is', async () => {
  const analysis = await analyzeSpec(
    await variantSpec({
      config: { Env: ['PATH=/usr/bin:/bin', ...OFFICIAL_ENV] },
      history: [
        { created_by: `/bin/sh -c #(nop) ADD file:${HEX} in / ` },
        ...OFFICIAL_ENV.map((e) => ({ created_by: `ENV ${e}`, empty_layer: true })),
      ],
    }),
  );
  assert.deepEqual(
    checkImage(analysis).findings.filter((f) => f.kind === 'secret' || f.ruleId === 'MI004'),
    [],
  );

  const fingerprint = '7169605F62C751356D054A26A821E680E5FA6305';
  const leaked = await analyzeSpec(
    await variantSpec({
      config: { Env: ['PATH=/usr/bin:/bin', `GPG_KEY=${fingerprint}`, `API_KEY=${fingerprint}`] },
    }),
  );
  const found = checkImage(leaked).findings.filter((f) => f.kind === 'secret');
  assert.deepEqual(
    found.map((f) => [f.ruleId, f.evidence]),
    [['generic-api-key', 'Env API_KEY: 7169***** (40 chars)']],
  );
});
