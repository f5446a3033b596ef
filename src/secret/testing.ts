/**
 * Fixtures for the secret rules: for every rule, files that hold a real
 * secret of its kind (made at test time: keys by ssh-keygen, openssl and
 * node:crypto, tokens from a seeded random generator, never a real
 * credential) and look-alikes that must not be reported.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RuleFinding } from '../core/index.js';

const run = promisify(execFile);

export interface PositiveFixture {
  readonly path: string;
  readonly text: string;
  /** The secrets it holds: none of them may appear in any output. */
  readonly secrets: readonly string[];
  /** 1-based line on which the (first) reported location starts. */
  readonly line: number;
  /** Findings of the rule expected in the file (default 1). */
  readonly count?: number;
}

export interface NegativeFixture {
  readonly path: string;
  readonly text: string;
}

export interface RuleFixtures {
  readonly positives: readonly PositiveFixture[];
  readonly negatives: readonly NegativeFixture[];
}

/** A small seeded generator (mulberry32), so fixtures are the same on every run. */
export function randomText(seed: number): (alphabet: string, n: number) => string {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (alphabet, n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
    return s;
  };
}

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const B64 = ALNUM + '+/';
const UPPER_B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** 1-based line of the first occurrence of `needle` in `text`. */
export function lineOf(text: string, needle: string): number {
  const i = text.indexOf(needle);
  if (i === -1) throw new Error(`fixture does not contain ${needle.slice(0, 8)}…`);
  return text.slice(0, i).split('\n').length;
}

function pos(path: string, text: string, secret: string, locate = secret): PositiveFixture {
  return { path, text, secrets: [secret], line: lineOf(text, locate) };
}

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');

/** A JWT signed with ES256 (node:crypto) and one with HS256. */
function jwts(): string[] {
  const now = 1_700_000_000;
  const es = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const h1 = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: 'k1' }));
  const p1 = b64url(
    JSON.stringify({ sub: 'svc-build', iss: 'https://auth.internal', iat: now, exp: now + 3600 }),
  );
  const s1 = sign('sha256', Buffer.from(`${h1}.${p1}`), { key: es.privateKey, dsaEncoding: 'ieee-p1363' });
  const h2 = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const p2 = b64url(JSON.stringify({ sub: '1234567890', name: 'deploy', admin: true, iat: now }));
  const s2 = createHmac('sha256', 'k3y-for-the-fixture').update(`${h2}.${p2}`).digest('base64url');
  return [`${h1}.${p1}.${b64url(s1)}`, `${h2}.${p2}.${s2}`];
}

async function sshKey(dir: string, name: string, args: readonly string[]): Promise<string> {
  const file = join(dir, name);
  await run('ssh-keygen', ['-q', '-f', file, '-C', 'build@ci', ...args]);
  return readFile(file, 'utf8');
}

async function opensslTraditionalDsa(): Promise<string> {
  const params = await run('openssl', ['dsaparam', '-genkey', '-noout', '1024']);
  const child = execFile('openssl', ['pkey', '-traditional']);
  const out: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer | string) => out.push(Buffer.from(b)));
  child.stdin?.end(params.stdout);
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`openssl pkey exited ${code}`))));
  });
  return Buffer.concat(out).toString('utf8');
}

/** Private keys of every PEM flavour, made by ssh-keygen, openssl and node:crypto in `dir`. */
export async function privateKeys(
  dir: string,
): Promise<{ plain: Record<string, string>; encrypted: Record<string, string> }> {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    plain: {
      id_rsa: await sshKey(dir, 'id_rsa', ['-t', 'rsa', '-b', '2048', '-N', '']),
      id_ed25519: await sshKey(dir, 'id_ed25519', ['-t', 'ed25519', '-N', '']),
      'rsa-pkcs1.pem': await sshKey(dir, 'rsa-pem', ['-t', 'rsa', '-b', '2048', '-N', '', '-m', 'PEM']),
      'ec-sec1.pem': ec.privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
      'pkcs8.key': rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      'dsa.pem': await opensslTraditionalDsa(),
    },
    encrypted: {
      id_ed25519_pass: await sshKey(dir, 'id_ed25519_pass', ['-t', 'ed25519', '-N', 'correct horse battery']),
      'rsa-enc-pkcs1.pem': rsa.privateKey
        .export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'fixture-pass' })
        .toString(),
      'pkcs8-enc.pem': ec.privateKey
        .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'fixture-pass' })
        .toString(),
    },
  };
}

/** Fixtures for every built-in rule, by rule id. Keys are generated in `dir`. */
export async function ruleFixtures(dir: string): Promise<Record<string, RuleFixtures>> {
  const r = randomText(20240611);
  const keys = await privateKeys(dir);
  const gcpKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const publicPem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();

  const akid = 'AKIA' + r(UPPER_B32, 16);
  const aksecret = r(B64, 40);
  const awsCredentials = `[default]\naws_access_key_id = ${akid}\naws_secret_access_key = ${aksecret}\nregion = eu-west-1\n`;

  const saJson = (key: string) =>
    JSON.stringify(
      {
        type: 'service_account',
        project_id: 'build-pipeline-271828',
        private_key_id: r('0123456789abcdef', 40),
        private_key: key,
        client_email: 'ci-deployer@build-pipeline-271828.iam.gserviceaccount.com',
        client_id: r('0123456789', 21),
        auth_uri: 'https://accounts.google.com/o/oauth2/auth',
        token_uri: 'https://oauth2.googleapis.com/token',
      },
      null,
      2,
    ) + '\n';
  const saText = saJson(gcpKey);
  const saKeyJson = JSON.stringify(gcpKey).slice(1, -1);

  const gapi = 'AIzaSy' + r(ALNUM + '_-', 33);
  const storageKey = r(B64, 86) + '==';
  const sbKey = r(B64, 43) + '=';
  const sasSig = r(ALNUM, 40) + '%2B' + r(ALNUM, 6) + '%3D';
  const adSecret = r(ALNUM, 3) + '8Q~' + r(ALNUM + '_~.-', 34);
  const tok = (prefix: string, n: number) => prefix + r(ALNUM, n);
  const ghp = tok('ghp_', 36);
  const gho = tok('gho_', 36);
  const ghs = tok('ghs_', 36);
  const ghr = tok('ghr_', 36);
  const ghfg = 'github_pat_' + r(ALNUM, 22) + '_' + r(ALNUM, 59);
  const glpat = 'glpat-' + r(ALNUM + '_-', 20);
  const xoxb = `xoxb-${r('0123456789', 12)}-${r('0123456789', 13)}-${r(ALNUM, 24)}`;
  const xoxbLegacy = `xoxb-${r('0123456789', 9)}-${r(ALNUM, 24)}`;
  const xoxp = `xoxp-${r('0123456789', 12)}-${r('0123456789', 12)}-${r('0123456789', 13)}-${r('0123456789abcdef', 32)}`;
  const xapp = `xapp-1-A${r('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', 10)}-${r('0123456789', 13)}-${r('0123456789abcdef', 64)}`;
  const xoxs = `xoxs-${r('0123456789', 10)}-${r('0123456789', 10)}-${r('0123456789', 12)}-${r('0123456789abcdef', 64)}`;
  const xoxa = `xoxa-2-${r(ALNUM, 36)}`;
  const hook = `https://hooks.slack.com/services/T${r('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', 8)}/B${r('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', 10)}/${r(ALNUM, 24)}`;
  const sk = tok('sk_live_', 24);
  const rk = tok('rk_live_', 24);
  const skTest = tok('sk_test_', 24);
  const npmTok = 'npm_' + r(ALNUM, 36);
  const pypi = 'pypi-AgEIcHlwaS5vcmc' + r(ALNUM + '_-', 150);
  const [jwtEs, jwtHs] = jwts() as [string, string];
  const dockerAuth = Buffer.from(`ci-bot:${r(ALNUM, 20)}`).toString('base64');
  const identityToken = r(ALNUM, 48);
  const npmrcToken = r(ALNUM, 40);
  const npmAuth = Buffer.from(`deployer:${r(ALNUM, 16)}`).toString('base64');
  const netrcPass = r(ALNUM + '!#%', 18);
  const gitPass = 'ghp_' + r(ALNUM, 36);
  const pypircPass = r(ALNUM, 24);
  const genericVal = r(ALNUM, 32);
  const genericB64 = r(B64, 40);
  // A separate generator, so the values above stay as they were.
  const h = randomText(40);
  const keyId = h('0123456789ABCDEF', 40);
  const checksum = h('0123456789abcdef', 128);

  const plainPositive = (name: string, pem: string) =>
    pos(`/root/.ssh/${name}`, pem, pem.trim(), '-----BEGIN');
  return {
    'private-key': {
      positives: [
        ...Object.entries(keys.plain).map(([n, pem]) => plainPositive(n, pem)),
        // A key embedded in source, with escaped newlines.
        pos(
          '/app/config.py',
          `TLS = {\n  "key": ${JSON.stringify(keys.plain['pkcs8.key'])},\n}\n`,
          keys.plain['pkcs8.key']!.trim(),
          '-----BEGIN',
        ),
      ],
      negatives: [
        { path: '/etc/ssl/public.pem', text: publicPem },
        {
          path: '/app/README',
          text: 'Put your key in key.pem:\n-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n',
        },
        {
          path: '/app/notes.txt',
          text: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC...snip...\n-----END PRIVATE KEY-----\n',
        },
        ...Object.entries(keys.encrypted).map(([n, pem]) => ({ path: `/root/.ssh/${n}`, text: pem })),
      ],
    },
    'encrypted-private-key': {
      positives: Object.entries(keys.encrypted).map(([n, pem]) =>
        pos(`/root/.ssh/${n}`, pem, pem.trim(), '-----BEGIN'),
      ),
      negatives: [
        { path: '/root/.ssh/id_rsa', text: keys.plain['id_rsa']! },
        { path: '/etc/ssl/public.pem', text: publicPem },
      ],
    },
    'aws-access-token': {
      positives: [
        pos('/root/.aws/credentials', awsCredentials, akid),
        pos('/app/.env', `AWS_ACCESS_KEY_ID="${akid}"\n`, akid),
      ],
      negatives: [
        { path: '/usr/local/README', text: 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n' },
        {
          path: '/app/a.txt',
          text: `id=AKIA${'A'.repeat(16)}\nid2=AKIA${r(UPPER_B32, 15)}\nakia${r(UPPER_B32, 16).toLowerCase()}\n`,
        },
      ],
    },
    'aws-secret-access-key': {
      positives: [
        pos('/root/.aws/credentials', awsCredentials, aksecret),
        pos(
          '/app/creds.json',
          `{\n  "AccessKey": {\n    "AccessKeyId": "${akid}",\n    "SecretAccessKey": "${aksecret}"\n  }\n}\n`,
          aksecret,
        ),
      ],
      negatives: [
        {
          path: '/root/.aws/credentials',
          text: 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
        },
        { path: '/app/sum.txt', text: `checksum = ${r(B64, 40)}\n` },
        { path: '/app/x.env', text: `AWS_SECRET_ACCESS_KEY=${'a'.repeat(40)}\n` },
      ],
    },
    'gcp-service-account': {
      positives: [pos('/app/gcp-sa.json', saText, saKeyJson, '"private_key"')],
      negatives: [
        {
          path: '/app/adc.json',
          text: JSON.stringify({
            type: 'external_account',
            audience: '//iam.googleapis.com/x',
            private_key: 'none',
          }),
        },
        {
          path: '/app/sa-redacted.json',
          text: saJson('-----BEGIN PRIVATE KEY-----\\n<redacted>\\n-----END PRIVATE KEY-----\\n'),
        },
      ],
    },
    'gcp-api-key': {
      positives: [
        pos('/app/static/config.js', `const firebase = { apiKey: "${gapi}", projectId: "demo" };\n`, gapi),
      ],
      negatives: [
        // A public key Google ships in its own clients (allow-listed by gitleaks too).
        { path: '/app/x.js', text: 'key = "AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU"\n' },
        { path: '/app/y.js', text: `key = "AIza${'a'.repeat(35)}"\n` },
      ],
    },
    'azure-storage-account-key': {
      positives: [
        pos(
          '/app/appsettings.json',
          `{\n  "Storage": "DefaultEndpointsProtocol=https;AccountName=buildlogs;AccountKey=${storageKey};EndpointSuffix=core.windows.net"\n}\n`,
          storageKey,
        ),
        pos('/app/.env', `AZURE_STORAGE_KEY=${storageKey}\n`, storageKey),
      ],
      negatives: [
        { path: '/app/appsettings.json', text: '{"Storage": "UseDevelopmentStorage=true"}\n' },
        {
          path: '/app/dev.env',
          text: 'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==\n',
        },
      ],
    },
    'azure-shared-access-key': {
      positives: [
        pos(
          '/app/.env',
          `SERVICEBUS=Endpoint=sb://orders.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${sbKey}\n`,
          sbKey,
        ),
      ],
      negatives: [
        {
          path: '/app/.env',
          text: 'SERVICEBUS=Endpoint=sb://orders.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=<key>\n',
        },
      ],
    },
    'azure-sas-token': {
      positives: [
        pos(
          '/app/run.sh',
          `curl "https://acct.blob.core.windows.net/c/b.tar?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&spr=https&sig=${sasSig}"\n`,
          sasSig,
        ),
      ],
      negatives: [
        {
          path: '/app/run.sh',
          text: 'curl "https://acct.blob.core.windows.net/c/b.tar?sv=2022-11-02&ss=b&sp=r&sig=${SAS_SIG}"\n',
        },
      ],
    },
    'azure-ad-client-secret': {
      positives: [pos('/app/appsettings.json', `{"ClientSecret": "${adSecret}"}\n`, adSecret)],
      negatives: [{ path: '/app/appsettings.json', text: '{"ClientSecret": "abc8Q~short"}\n' }],
    },
    'github-pat': {
      positives: [pos('/app/.env', `GITHUB_TOKEN=${ghp}\n`, ghp)],
      negatives: [
        { path: '/app/.env', text: `GITHUB_TOKEN=ghp_${'x'.repeat(36)}\nOTHER=ghp_${r(ALNUM, 20)}\n` },
      ],
    },
    'github-oauth': {
      positives: [
        pos('/root/.config/gh/hosts.yml', `github.com:\n    oauth_token: ${gho}\n    user: builder\n`, gho),
      ],
      negatives: [
        { path: '/root/.config/gh/hosts.yml', text: 'github.com:\n    oauth_token: gho_your_token_here\n' },
      ],
    },
    'github-app-token': {
      positives: [pos('/app/ci.sh', `export GH_TOKEN=${ghs}\n`, ghs)],
      negatives: [{ path: '/app/ci.sh', text: `export GH_TOKEN=ghs_${'0'.repeat(36)}\n` }],
    },
    'github-refresh-token': {
      positives: [pos('/app/tokens.json', `{"refresh_token": "${ghr}"}\n`, ghr)],
      negatives: [{ path: '/app/tokens.json', text: '{"refresh_token": "ghr_..."}\n' }],
    },
    'github-fine-grained-pat': {
      positives: [pos('/app/.env', `GH_PAT=${ghfg}\n`, ghfg)],
      negatives: [{ path: '/app/.env', text: 'GH_PAT=github_pat_11AAAAAA_short\n' }],
    },
    'gitlab-pat': {
      positives: [pos('/app/.gitlab-token', `${glpat}\n`, glpat)],
      negatives: [{ path: '/app/README', text: 'token: glpat-xxxxxxxxxxxxxxxxxxxx\n' }],
    },
    'slack-bot-token': {
      positives: [pos('/app/bot.env', `SLACK_BOT_TOKEN=${xoxb}\n`, xoxb)],
      negatives: [{ path: '/app/bot.env', text: 'SLACK_BOT_TOKEN=xoxb-your-bot-token\n' }],
    },
    'slack-legacy-bot-token': {
      positives: [pos('/app/bot.env', `SLACK_TOKEN=${xoxbLegacy}\n`, xoxbLegacy)],
      negatives: [{ path: '/app/bot.env', text: 'SLACK_TOKEN=xoxb-123-abc\n' }],
    },
    'slack-user-token': {
      positives: [pos('/app/user.env', `SLACK_USER_TOKEN=${xoxp}\n`, xoxp)],
      negatives: [{ path: '/app/user.env', text: 'SLACK_USER_TOKEN=xoxp-0000\n' }],
    },
    'slack-app-token': {
      positives: [pos('/app/app.env', `SLACK_APP_TOKEN=${xapp}\n`, xapp)],
      negatives: [{ path: '/app/app.env', text: 'SLACK_APP_TOKEN=xapp-<token>\n' }],
    },
    'slack-legacy-token': {
      positives: [pos('/app/legacy.env', `SLACK=${xoxs}\n`, xoxs)],
      negatives: [{ path: '/app/legacy.env', text: 'SLACK=xoxs-1-2-3\n' }],
    },
    'slack-legacy-workspace-token': {
      positives: [pos('/app/ws.env', `SLACK=${xoxa}\n`, xoxa)],
      negatives: [{ path: '/app/ws.env', text: 'SLACK=xoxa-short\n' }],
    },
    'slack-webhook-url': {
      positives: [pos('/app/notify.sh', `curl -X POST -d @msg.json ${hook}\n`, hook)],
      negatives: [
        { path: '/app/notify.sh', text: 'curl -X POST https://hooks.slack.com/services/T000/B000/XXXX\n' },
      ],
    },
    'stripe-access-token': {
      positives: [
        pos('/app/.env', `STRIPE_SECRET_KEY=${sk}\n`, sk),
        pos('/app/.env2', `STRIPE_RESTRICTED=${rk}\n`, rk),
      ],
      negatives: [
        {
          path: '/app/.env',
          text: `STRIPE_PUBLISHABLE=pk_live_${r(ALNUM, 24)}\nSTRIPE_KEY=sk_live_xxxxxxxxxxxxxxxx\n`,
        },
      ],
    },
    'stripe-test-token': {
      positives: [pos('/app/.env.test', `STRIPE_SECRET_KEY=${skTest}\n`, skTest)],
      negatives: [{ path: '/app/.env', text: `STRIPE_SECRET_KEY=${sk}\n` }],
    },
    'npm-access-token': {
      // In an .npmrc the npmrc-auth-token finding replaces this one (same bytes); elsewhere this rule reports it.
      positives: [
        pos(
          '/app/publish.sh',
          `curl -H "Authorization: Bearer ${npmTok}" https://registry.npmjs.org/\n`,
          npmTok,
        ),
      ],
      negatives: [
        {
          path: '/app/.env',
          text: `npm_config_cache=/tmp/npm-cache-dir-for-builds\nNPM=npm_${'a'.repeat(36)}\n`,
        },
      ],
    },
    'pypi-upload-token': {
      positives: [pos('/root/.config/pypi-token', `${pypi}\n`, pypi)],
      negatives: [{ path: '/app/README', text: 'password = pypi-AgEIcHlwaS5vcmc...\n' }],
    },
    jwt: {
      positives: [
        pos('/app/.env', `API_BEARER=${jwtEs}\n`, jwtEs),
        pos('/app/client.py', `headers = {"Authorization": "Bearer ${jwtHs}"}\n`, jwtHs),
      ],
      negatives: [
        // Three base64url parts, but the header has no "alg".
        {
          path: '/app/x.txt',
          text: `t=${b64url('{"typ":"JWT","foo":"barbazqux"}')}.${b64url('{"sub":"1234567890abc"}')}.${r(ALNUM, 43)}\n`,
        },
        { path: '/app/y.txt', text: `t=eyJ${r(ALNUM, 30)}.eyJ${r(ALNUM, 30)}.${r(ALNUM, 43)}\n` },
      ],
    },
    'docker-config-auth': {
      positives: [
        pos(
          '/root/.docker/config.json',
          `{\n  "auths": {\n    "registry.example.com": {\n      "auth": "${dockerAuth}"\n    }\n  }\n}\n`,
          dockerAuth,
        ),
        {
          ...pos(
            '/run/containers/0/auth.json',
            `{"auths":{"quay.io":{"auth":"${dockerAuth}","identitytoken":"${identityToken}"}}}\n`,
            dockerAuth,
          ),
          secrets: [dockerAuth, identityToken],
          count: 2,
        },
      ],
      negatives: [
        {
          path: '/root/.docker/config.json',
          text: '{\n  "auths": {\n    "registry.example.com": {}\n  },\n  "credsStore": "desktop"\n}\n',
        },
        {
          path: '/root/.docker/config.json',
          text: `{"auths":{"r":{"auth":"${Buffer.from('no-colon-here').toString('base64')}"}}}\n`,
        },
        {
          path: '/root/.docker/config.json',
          text: `{"auths":{"r":{"auth":"${Buffer.from('user:${REGISTRY_PASSWORD}').toString('base64')}"}}}\n`,
        },
      ],
    },
    'npmrc-auth-token': {
      positives: [
        pos(
          '/root/.npmrc',
          `registry=https://npm.internal/\n//npm.internal/:_authToken=${npmrcToken}\n`,
          npmrcToken,
        ),
        pos('/app/.npmrc', `_auth=${npmAuth}\nemail=ci@example.com\n`, npmAuth),
        // An npm_… access token as the _authToken: reported once, by this rule.
        pos('/home/ci/.npmrc', `//registry.npmjs.org/:_authToken=${npmTok}\n`, npmTok),
      ],
      negatives: [
        { path: '/app/.npmrc', text: '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n' },
        { path: '/app/.npmrc', text: `_auth=${Buffer.from('nocolon').toString('base64')}\n` },
      ],
    },
    'netrc-password': {
      positives: [
        pos('/root/.netrc', `machine git.internal.example\nlogin deploy\npassword ${netrcPass}\n`, netrcPass),
        pos('/home/app/.netrc', `machine pypi.internal login ci password ${netrcPass}x\n`, `${netrcPass}x`),
      ],
      negatives: [
        { path: '/root/.netrc', text: 'machine example.com\nlogin me\npassword <your-password>\n' },
        {
          path: '/usr/share/app/netrc.example',
          text: `machine example.com login me password ${netrcPass}\n`,
        },
      ],
    },
    'git-credentials': {
      positives: [pos('/root/.git-credentials', `https://builder:${gitPass}@github.com\n`, gitPass)],
      negatives: [
        { path: '/root/.git-credentials', text: 'https://builder:${GIT_TOKEN}@github.com\n' },
        { path: '/app/urls.txt', text: `https://builder:${gitPass.slice(4)}@github.com\n` },
      ],
    },
    'pypirc-password': {
      positives: [
        pos(
          '/root/.pypirc',
          `[distutils]\nindex-servers = internal\n\n[internal]\nrepository = https://pypi.internal/\nusername = ci\npassword = ${pypircPass}\n`,
          pypircPass,
        ),
      ],
      negatives: [
        { path: '/root/.pypirc', text: '[pypi]\nusername = __token__\npassword = <your PyPI token>\n' },
        { path: '/app/setup.cfg', text: `[upload]\npassword = ${pypircPass}\n` },
      ],
    },
    'generic-api-key': {
      positives: [
        pos('/app/config.yaml', `database:\n  host: db\n  password: "${genericVal}"\n`, genericVal),
        pos('/app/settings.ini', `[service]\napi_key = ${genericB64}\n`, genericB64),
        pos('/app/app.py', `CLIENT_SECRET = "${genericVal}x"\n`, `${genericVal}x`),
        // A fingerprint-shaped value under a credential's name is a credential.
        pos('/app/.env', `NODE_ENV=production\nAPI_KEY=${keyId}\n`, keyId),
      ],
      negatives: [
        {
          path: '/app/config.yaml',
          text: [
            'password: "changeme"',
            'api_key: "${API_KEY}"',
            'token: "<your-token>"',
            'secret: "xxxxxxxxxxxxxxxx"',
            'public_key: "' + r(B64, 40) + '"',
            'key_id: "' + r(ALNUM, 20) + '"',
            'token_type: "Bearer-' + r(ALNUM, 12) + '"',
            'password_file: /run/secrets/db_password',
            '',
          ].join('\n'),
        },
        {
          path: '/app/app.py',
          text: 'password = os.environ["DB_PASSWORD"]\ntoken = self.fetch_token(scope)\nkey = hashlib.sha256\n',
        },
        { path: '/app/app.js', text: 'const apiKey = process.env.API_KEY_2024;\n' },
        // Published by design: an OpenPGP fingerprint named for gpg, a download's checksum.
        {
          path: '/build/Dockerfile',
          text: `ENV GPG_KEY=${keyId}\nRUN key='${keyId}'; gpg --recv-keys "$key"\nENV KEY_SHA512=${checksum}\n`,
        },
      ],
    },
  };
}

/** Every string a finding could print, joined: a secret must appear in none. */
export function outputOf(findings: readonly RuleFinding[]): string {
  return (
    JSON.stringify(findings) +
    findings.map((f) => `${f.evidence ?? ''} ${f.title} ${f.location.path}`).join('\n')
  );
}

/**
 * Asserts that neither a secret nor any 8-character piece of it is in the
 * output; the rules' fixed texts (titles, references) are left out of the
 * piece search, since a secret's public prefix (`https://`) may occur there.
 */
export function assertNoLeak(findings: readonly RuleFinding[], secrets: readonly string[]): void {
  const out = outputOf(findings);
  const derived = outputOf(
    findings.map(({ title: _t, rationale: _r, fix: _f, references: _x, ...rest }) => ({
      ...rest,
      title: '',
      rationale: '',
    })),
  );
  for (const s of secrets) {
    assert.ok(!out.includes(s), 'the secret itself is in the output');
    for (let i = 0; i + 8 <= s.length; i++) {
      const piece = s.slice(i, i + 8);
      if (/^[-A-Z ]+$/.test(piece)) continue; // PEM armour such as "-----BEGIN" is not secret
      assert.ok(!derived.includes(piece), `a piece of the secret ("${piece.slice(0, 2)}…") is in the output`);
    }
  }
}
