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
import { isCredentialName, isPlaceholderValue, isPublicKeyId } from './secrets.js';
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

test('placeholders and references are not credentials', () => {
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
    assert.equal(isPlaceholderValue(v), true, JSON.stringify(v));
  }
  for (const v of ['hunter2', 'letmein1', 's3cr3t!', 'admin123'])
    assert.equal(isPlaceholderValue(v), false, v);
});

test('OpenPGP key ids published in Env are not secrets', () => {
  assert.equal(isPublicKeyId('GPG_KEY', 'A035C8C19219BA821ECEA86B64E628F8D684696D'), true);
  assert.equal(
    isPublicKeyId(
      'NODE_GPG_KEYS',
      '4ED778F539E3634C779C87C6D7062848A1AB005C 141F07595B7B3FFE74309A937405533BE57C7D57',
    ),
    true,
  );
  assert.equal(isPublicKeyId('GPG_KEY', 'not-hex-at-all-but-a-password'), false);
  assert.equal(isPublicKeyId('API_KEY', 'A035C8C19219BA821ECEA86B64E628F8D684696D'), false);
});
