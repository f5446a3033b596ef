/**
 * MD021 runs mamori's secret scanner on the Dockerfile: every secret rule,
 * its false-positive guards, and each finding placed on the secret's exact
 * characters in the file (continuation lines, heredocs, `# escape=`,
 * multi-byte text before the secret). Secrets are made at test time (keys
 * by node:crypto, tokens from a hash), never a real credential.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import type { RuleFinding } from '../core/finding.js';
import { isMamoriError } from '../core/errors.js';
import { createSecretScanner, parseAllowList } from '../secret/index.js';
import type { SecretScanner } from '../secret/index.js';
import { lintDockerfile } from './index.js';
import type { LintResult } from './index.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `n` characters of `alphabet`, the same for the same seed on every run. */
function token(seed: string, alphabet: string, n: number): string {
  let out = '';
  for (let k = 0; out.length < n; k++) {
    for (const b of createHash('sha256').update(`${seed}:${k}`).digest()) {
      if (out.length < n) out += alphabet[b % alphabet.length];
    }
  }
  return out;
}

const GITHUB = `ghp_${token('github', ALNUM, 36)}`;
const AWS_ID = `AKIA${token('aws', UPPER_B32, 16)}`;
const GENERIC = token('generic', ALNUM, 24);

function jwt(): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'ci-deploy', iat: 1_700_000_000 })}`;
  const sig = createHmac('sha256', token('jwt-key', ALNUM, 32))
    .update(head)
    .digest('base64url');
  return `${head}.${sig}`;
}

function pem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function md021(r: LintResult): RuleFinding[] {
  return r.findings.filter((f) => f.ruleId === 'MD021');
}

type At = [startLine: number, startColumn: number, endLine: number, endColumn: number];

function at(f: RuleFinding | undefined): At | undefined {
  if (f === undefined) return undefined;
  const l = f.location;
  return [l.startLine ?? 0, l.startColumn ?? 0, l.endLine ?? 0, l.endColumn ?? 0];
}

/** Where `needle` is in `text`: 1-based line and column of its first and the column after its last character. */
function where(text: string, needle: string): At {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, 'the fixture holds the secret');
  const lines = text.slice(0, i).split('\n');
  const line = lines.length;
  const column = (lines[lines.length - 1] as string).length + 1;
  return [line, column, line, column + needle.length];
}

/** Lints and checks that no secret, nor any 8 characters of one, is in the serialised result. */
function lint(text: string, secrets: readonly string[], secretScanner?: SecretScanner): LintResult {
  const r = lintDockerfile(text, secretScanner === undefined ? {} : { secrets: secretScanner });
  const json = JSON.stringify(r);
  for (const s of secrets) {
    for (let k = 0; k + 8 <= s.length; k += 4) {
      assert.ok(!json.includes(s.slice(k, k + 8)), 'no part of a secret is in the findings');
    }
  }
  return r;
}

test('a GitHub token in a RUN curl header: exact place, CRITICAL, redacted evidence', () => {
  const text = `FROM alpine:3.20\nRUN curl -fsSL -H "Authorization: token ${GITHUB}" https://api.github.com/user\n`;
  const found = md021(lint(text, [GITHUB]));
  assert.equal(found.length, 1);
  assert.deepEqual(at(found[0]), where(text, GITHUB));
  assert.equal(found[0]?.severity, 'CRITICAL');
  assert.equal(found[0]?.evidence, 'RUN holds GitHub personal access token: ghp_***** (40 chars)');
  assert.equal(found[0]?.kind, 'misconfig');
  assert.equal(found[0]?.title, 'Credential in a known key format');
});

test('a PEM private key in a heredoc: the whole block, HIGH, the key never shown', () => {
  const key = pem();
  const body = key.trimEnd().split('\n');
  const text = `FROM alpine:3.20\nCOPY <<EOF /etc/ssl/private/server.key\n${key}EOF\nUSER nobody\n`;
  const found = md021(lint(text, body.slice(1, -1)));
  assert.equal(found.length, 1);
  const last = body[body.length - 1] as string;
  assert.deepEqual(at(found[0]), [3, 1, 2 + body.length, last.length + 1]);
  assert.equal(found[0]?.severity, 'HIGH');
  assert.match(
    found[0]?.evidence ?? '',
    /^COPY holds Private key: -----BEGIN PRIVATE KEY----- \*{5} \(\d+ chars\)$/,
  );

  // `<<-` strips leading tabs: columns still count them.
  const tabbed = `FROM alpine:3.20\nRUN <<-EOF\n\tcat > /k <<'K'\n${body.map((l) => `\t${l}`).join('\n')}\n\tK\nEOF\n`;
  const chomped = md021(lint(tabbed, body.slice(1, -1)));
  assert.deepEqual(at(chomped[0]), [4, 2, 3 + body.length, last.length + 2]);
});

test('an AWS key id as an ARG default, quoted or not: CRITICAL at the id itself', () => {
  const text = `ARG AWS_ACCESS_KEY_ID=${AWS_ID}\nFROM alpine:3.20\nARG DEPLOY="--id \\"${AWS_ID}\\" --region eu-west-1"\n`;
  const r = lint(text, [AWS_ID]);
  const found = md021(r);
  assert.deepEqual(found.map(at), [
    [1, 23, 1, 43],
    [3, 20, 3, 40],
  ]);
  assert.equal(text.split('\n')[2]?.slice(19, 39), AWS_ID, 'the quoted id is found past the escaped quote');
  assert.deepEqual(
    found.map((f) => f.evidence),
    [
      'ARG AWS_ACCESS_KEY_ID holds AWS access key ID: AKIA***** (20 chars)',
      'ARG DEPLOY holds AWS access key ID: AKIA***** (20 chars)',
    ],
  );
  assert.ok(found.every((f) => f.severity === 'CRITICAL'));
});

test('a JWT in a LABEL: MEDIUM, inside the quotes', () => {
  const t = jwt();
  const text = `FROM alpine:3.20\nLABEL org.opencontainers.image.vendor="acme" com.acme.session="${t}"\n`;
  const found = md021(lint(text, [t]));
  assert.equal(found.length, 1);
  assert.deepEqual(at(found[0]), where(text, t));
  assert.equal(found[0]?.severity, 'MEDIUM');
  assert.match(
    found[0]?.evidence ?? '',
    /^LABEL com\.acme\.session holds JSON Web Token: eyJh\*{5} \(\d+ chars\)$/,
  );
});

test('a published OpenPGP fingerprint is no finding; the same hex under a secret name in RUN is', () => {
  const fpr = 'A035C8C19219BA821ECEA86B64E628F8D684696D';
  const published = [
    'FROM python:3.12-slim',
    `ENV GPG_KEY=${fpr}`,
    `RUN key='${fpr}'; gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys "$key"`,
  ].join('\n');
  const r = lint(published, []);
  assert.deepEqual(
    r.findings.filter((f) => f.ruleId === 'MD021' || f.ruleId === 'MD020'),
    [],
  );
  const secret = `FROM python:3.12-slim\nRUN signing_secret='${fpr}' ./release\n`;
  assert.deepEqual(
    md021(lint(secret, [])).map((f) => [f.severity, f.evidence]),
    [['MEDIUM', 'RUN holds Generic secret assignment: A035***** (40 chars)']],
  );
});

test('placeholders and documentation examples are no finding', () => {
  const text = [
    'FROM node:20-slim',
    'RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc',
    'RUN curl -H "Authorization: token ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" https://api.github.com',
    'RUN echo "api_key=your-api-key-here" > /etc/app.conf && echo "password=changeme" >> /etc/app.conf',
    'ENV DOC_KEY_ID=AKIAIOSFODNN7EXAMPLE',
    'LABEL com.acme.token="<token>"',
  ].join('\n');
  assert.deepEqual(md021(lint(text, [])), []);
});

test('no second finding next to MD020: a generic assignment in a value MD020 reports is left out', () => {
  const text = [
    'FROM eclipse-temurin:21-jre',
    `ENV DB_PASSWORD=${GENERIC}`,
    `ARG DB_CREDENTIALS="password=${GENERIC}"`,
    `ENV JAVA_OPTS="-Xmx512m -Dspring.datasource.password=${GENERIC}"`,
    `RUN DB_PASSWORD=${GENERIC} ./migrate`,
  ].join('\n');
  const r = lint(text, [GENERIC]);
  const lines = text.split('\n');
  const col = (line: number) => (lines[line - 1] as string).indexOf(GENERIC) + 1;
  assert.deepEqual(
    r.findings
      .filter((f) => f.ruleId === 'MD020' || f.ruleId === 'MD021')
      .map((f) => [f.ruleId, f.severity, ...(at(f) ?? [])]),
    [
      ['MD020', 'HIGH', 2, 17, 2, 17 + GENERIC.length],
      ['MD020', 'HIGH', 3, 20, 3, 31 + GENERIC.length],
      ['MD021', 'MEDIUM', 4, col(4), 4, col(4) + GENERIC.length],
      ['MD021', 'MEDIUM', 5, col(5), 5, col(5) + GENERIC.length],
    ],
  );
});

test('continuation lines: the finding is on the line and column the secret is written at', () => {
  const text = [
    'FROM alpine:3.20',
    'RUN set -eux; \\',
    '    # a comment line inside the continuation',
    '    curl -fsSL \\',
    `      -H "Authorization: Bearer ${GITHUB}" \\`,
    '      https://api.github.com/user',
    'ENV CI_CONFIG="region=eu-west-1 \\',
    `    key_id=${AWS_ID}"`,
  ].join('\n');
  const found = md021(lint(text, [GITHUB, AWS_ID]));
  assert.deepEqual(found.map(at), [where(text, GITHUB), where(text, AWS_ID)]);
  assert.deepEqual(
    found.map((f) => f.location.startLine),
    [5, 8],
  );
});

test('`# escape=`` files: backtick continuations and escaped quotes are mapped', () => {
  const bt = '`';
  const text = [
    `# escape=${bt}`,
    'FROM mcr.microsoft.com/windows/servercore:ltsc2022',
    `RUN Invoke-WebRequest -Uri https://api.github.com/user ${bt}`,
    `    -Headers @{Authorization="token ${GITHUB}"}`,
    `ENV DEPLOY_ARGS="--id ${bt}`,
    `  ${AWS_ID} --note ${bt}`,
    `  ${bt}"${AWS_ID}${bt}""`,
  ].join('\n');
  const found = md021(lint(text, [GITHUB, AWS_ID]));
  assert.deepEqual(found.map(at), [where(text, GITHUB), [6, 3, 6, 23], [7, 5, 7, 25]]);
  assert.deepEqual(
    found.map((f) => f.evidence?.split(' holds ')[0]),
    ['RUN', 'ENV DEPLOY_ARGS', 'ENV DEPLOY_ARGS'],
  );
});

test('multi-byte text before the secret does not shift its column', () => {
  const text = `FROM alpine:3.20\nRUN echo "café ☕ 𝄞 ключ" && curl -H "Authorization: token ${GITHUB}" https://x\n`;
  const found = md021(lint(text, [GITHUB]));
  assert.deepEqual(at(found[0]), where(text, GITHUB));
});

test('a caller-built scanner is used: its allow-list applies, by rule and by file line', () => {
  const key = pem();
  const text = `FROM alpine:3.20\nCOPY <<EOF /k\n${key}EOF\nRUN curl -H "X-Id: ${AWS_ID}" https://x\n`;
  assert.equal(md021(lint(text, [AWS_ID])).length, 2);
  const allow = parseAllowList(
    [
      'disable: [aws-access-token]',
      'findings:',
      '  - fingerprint: "private-key:Dockerfile:3"',
      '    reason: throw-away key of the test',
    ].join('\n'),
  );
  assert.deepEqual(md021(lint(text, [AWS_ID], createSecretScanner({ allow }))), []);
  const shared = createSecretScanner();
  assert.equal(md021(lint(text, [AWS_ID], shared)).length, 2);
  assert.equal(md021(lint(text, [AWS_ID], shared)).length, 2, 'a scanner serves many files');
  assert.throws(
    () => lintDockerfile(text, { secrets: {} as SecretScanner }),
    (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT'),
  );
});
