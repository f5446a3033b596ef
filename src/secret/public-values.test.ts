/**
 * Published values that look like tokens: OpenPGP key ids and download
 * checksums, as official images use them to verify downloads, are reported by
 * no rule, while the same hex under a credential's name, or a key id no gpg
 * command uses, still is. testdata/public-values holds Dockerfiles written
 * for these tests around real published values, and published image configs;
 * its README says where each value was published.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createSecretScanner, isSecretPlaceholder } from './index.js';

const DIR = join(import.meta.dirname, 'testdata', 'public-values');

interface ImageConfig {
  readonly image: string;
  readonly env: readonly string[];
  readonly history: readonly string[];
}

async function fixture(name: string): Promise<string> {
  return readFile(join(DIR, name), 'utf8');
}

/** Rule ids of the findings in `text`, scanned as a file at `path` and as config text. */
function found(text: string, path = '/build/Dockerfile'): string[] {
  const s = createSecretScanner({ defaultSkips: false });
  const asFile = s.scanBuffer(path, Buffer.from(text, 'utf8')).map((f) => f.ruleId);
  const asText = s.scanText(path, text).map((f) => f.ruleId);
  assert.deepEqual(asText, asFile);
  return asFile;
}

/** `text` with `from` replaced everywhere, asserting it occurs. */
function edit(text: string, from: string | RegExp, to: string): string {
  const out = text.replaceAll(from, to);
  assert.notEqual(out, text, `fixture no longer contains ${String(from)}`);
  return out;
}

const FPR = '7169605F62C751356D054A26A821E680E5FA6305'; // python:3.12's GPG_KEY
const SHA256 = '5c8462af5790baf43a321a1559dbe0db06d1be4300fb85fb53c40060668e548a'; // python:3.12.14's PYTHON_SHA256

describe('published key ids and checksums', () => {
  test('Dockerfiles and a versions.json that verify downloads with published values: no rule reports anything', async () => {
    // image-configs.json holds config entries as JSON strings; they are scanned one by one below.
    const names = (await readdir(DIR)).filter((n) => n.endsWith('.Dockerfile') || n === 'versions.json');
    assert.equal(names.length, 10);
    for (const name of names) {
      assert.deepEqual(found(await fixture(name), `/build/${name}`), [], name);
    }
  });

  test('each real form is reported once its key context is taken away', async () => {
    // The name says gpg: renamed to a credential's name, the fingerprint is a finding.
    const nginx = await fixture('gpgkeys-variable.Dockerfile');
    assert.deepEqual(found(edit(nginx, 'NGINX_GPGKEYS="', 'NGINX_API_KEYS="')), ['generic-api-key']);
    const php = await fixture('versions.json');
    assert.ok(found(edit(php, '"gpgKeys"', '"apiKeys"')).every((id) => id === 'generic-api-key'));
    assert.ok(found(edit(php, '"gpgKeys"', '"apiKeys"')).length >= 3);
    // `key='…'` is a key id because gpg receives "$key"; passed to curl instead, it is a finding.
    const mysql = await fixture('key-variable.Dockerfile');
    assert.deepEqual(found(edit(mysql, '"$key"', '"$other"')), ['generic-api-key']);
    // A checksum's name ends with its digest: under another name the same 128 hex is a finding.
    const alpine = await fixture('key-sha512.Dockerfile');
    assert.deepEqual(found(edit(alpine, 'KEY_SHA512="', 'KEY_SECRET="')), ['generic-api-key']);
  });

  test('published image configs: Env entries and history, none reported; the values under API_KEY are', async () => {
    const configs = JSON.parse(await fixture('image-configs.json')) as ImageConfig[];
    const s = createSecretScanner();
    let hex = 0;
    for (const c of configs) {
      for (const text of [...c.env, ...c.history]) {
        assert.deepEqual(s.scanText('image-config', text), [], `${c.image}: ${text.slice(0, 60)}`);
        // The same value under a credential's name is reported.
        const m = /^(?:ENV )?[A-Z_]*(?:GPG_KEYS?|SHA256|SHA512)=([0-9A-Fa-f]{40,128})/.exec(text);
        if (m === null) continue;
        hex++;
        const ids = s.scanText('image-config', `API_KEY=${m[1]!}`).map((f) => f.ruleId);
        assert.deepEqual(ids, ['generic-api-key'], `${c.image}: API_KEY=${m[1]!.slice(0, 8)}…`);
      }
    }
    assert.ok(hex >= 8, `only ${hex} key ids and checksums in the configs`);
  });

  const quiet: Record<string, string> = {
    'GPG_KEY in Env': `GPG_KEY=${FPR}`,
    'ENV GPG_KEYS, a list': `ENV GPG_KEYS=${FPR} A035C8C19219BA821ECEA86B64E628F8D684696D`,
    NODE_GPG_KEYS: `NODE_GPG_KEYS=${FPR}`,
    'OpenPGP fingerprint name': `SIGNING_KEY_FINGERPRINT=${FPR}`,
    // The long id of the OpenSSL release key rabbitmq names in OPENSSL_PGP_KEY_IDS.
    'long key id with 0x': 'ENV PGP_KEY=0x216094DFD0CB81EF',
    'v6 fingerprint (64 hex)': `OPENPGP_KEY=${SHA256}`,
    "git's user.signingkey": `[user]\n\tsigningkey = ${FPR}\n`,
    'a --…key option of gpg': `RUN gpg --batch --default-key=${FPR} --sign file\n`,
    'apt-key option': `RUN apt-key adv --recv-keys=0x${FPR}\n`,
    'shell variable gpg receives': `key='${FPR}'; \\\n  gpg --batch --keyserver keyserver.ubuntu.com \\\n    --recv-keys "$key"\n`,
    'shell variable gpg receives, ${} form': `KEY=${FPR}; gpg --recv-keys "\${KEY}"\n`,
    'list gpg receives through a loop': `KEYS="${FPR} A035C8C19219BA821ECEA86B64E628F8D684696D"; \\\n  for k in $KEYS; do \\\n    gpg --recv-keys "$k"; \\\n  done\n`,
    'key id as a gpg argument, no assignment': `RUN gpg --recv-keys 0x${FPR}\n`,
    'sha512 checksum': `&& KEY_SHA512="${SHA256}${SHA256}" \\\n`,
    'sha256 checksum, camel case': `apiKeySha256: "${SHA256}"\n`,
    'generic checksum word': `DOCKER_KEY_CHECKSUM=${SHA256}`,
    'md5 checksum': `AUTH_PLUGIN_MD5=${SHA256.slice(0, 32)}`,
    'sha384 checksum': `API_KEY_SHA384=${SHA256}${SHA256.slice(0, 32)}`,
    'sha3-256 checksum': `API_KEY_SHA3_256=${SHA256}`,
  };
  for (const [what, text] of Object.entries(quiet)) {
    test(`not reported: ${what}`, () => assert.deepEqual(found(text), []));
  }

  const loud: Record<string, string> = {
    'fingerprint-shaped value under API_KEY': `API_KEY=${FPR}`,
    'under SECRET': `SECRET=${FPR}`,
    'under a plain key with no gpg use': `key=${FPR}`,
    'a KEYS list no gpg command uses': `KEYS="${FPR} A035C8C19219BA821ECEA86B64E628F8D684696D"\n`,
    'JWT signing key': `JWT_SIGNINGKEY=${FPR}`,
    'gpg name that also names a secret': `GPG_PRIVATE_KEY=${FPR}`,
    'gpg secret': `GPG_SECRET=${FPR}`,
    'gpg name, not a key id length': `GPG_KEY=${FPR}abcd`,
    'variable used by curl, gpg later on another key': `key='${FPR}'; curl -H "X-Key: $key" https://x; gpg --recv-keys "$other"\n`,
    'loop variable sent to curl': `KEYS="${FPR}"; for k in $KEYS; do curl -H "X: $k" https://x; done; gpg --recv-keys "$other"\n`,
    'option of another command after a gpg command': `gpg --verify x.asc; curl --api-key=${FPR}\n`,
    'option of another command': `curl --api-key=${FPR}\n`,
    'checksum name, wrong length for the digest': `API_KEY_SHA256=${FPR}`,
    'sha384 name, sha256 length': `API_KEY_SHA384=${SHA256}`,
    "a password's digest": `DB_PASSWORD_SHA256=${SHA256}`,
  };
  for (const [what, text] of Object.entries(loud)) {
    test(`reported: ${what}`, () => assert.deepEqual(found(text), ['generic-api-key']));
  }
});

describe('isSecretPlaceholder', () => {
  test('stand-ins, references and pointers', () => {
    for (const v of [
      '',
      '   ',
      'x',
      'ab',
      'true',
      'none',
      'disabled',
      'changeme',
      'CHANGE_ME',
      'replace-with-your-token',
      '<your-token>',
      '[secret]',
      'xxxxxxxx',
      '********',
      'password',
      'password123',
      'token1',
      'admin',
      'my-api-key',
      '${DB_PASSWORD}',
      '$TOKEN',
      '{{ .Values.pw }}',
      '%(password)s',
      '<%= ENV["TOKEN"] %>',
      '%DB_PASSWORD%',
      '/run/secrets/db',
      './secrets/api.key',
      'file:/etc/app/token',
      'vault:secret/data/db#pw',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf',
      'not-a-secret',
      'x'.repeat(10_000),
    ]) {
      assert.equal(isSecretPlaceholder(v), true, JSON.stringify(v.slice(0, 40)));
    }
  });

  test('real credentials, weak ones included, are not stand-ins', () => {
    for (const v of [
      'hunter2',
      'letmein1',
      's3cr3t!',
      'admin123',
      'root1234',
      FPR,
      'ghp_' + 'a1B2c3D4'.repeat(4) + 'e5F6',
      '/k8Dj2+abc=',
    ]) {
      assert.equal(isSecretPlaceholder(v), false, v);
    }
  });
});
