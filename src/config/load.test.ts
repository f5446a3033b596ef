import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMamoriError } from '../core/index.js';
import { ConfigError, allSettings, describeConfig, loadServerConfig } from './index.js';
import type { LoadServerConfigOptions, ServerConfig } from './index.js';

const TESTDATA = new URL('./testdata/', import.meta.url).pathname;
const fixture = (name: string): string => join(TESTDATA, name);

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-config-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Loads with an empty working directory unless told otherwise. */
function load(opts: Partial<LoadServerConfigOptions> & { cwd: string }): Promise<ServerConfig> {
  return loadServerConfig({ env: {}, ...opts });
}

/** The problems of a ConfigError thrown by `p`. */
async function problems(p: Promise<unknown>): Promise<readonly string[]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  assert.fail('expected a ConfigError');
}

test('without file, environment or flags every setting has its default and the result is frozen', async () => {
  await withDir(async (cwd) => {
    const c = await load({ cwd });
    assert.equal(c.file, undefined);
    assert.deepEqual(c.server, {
      listen: '127.0.0.1:5000',
      data: './mamori-data',
      tls: undefined,
      log: { level: 'info', format: 'json' },
      state: { driver: 'sqlite', url: undefined },
      storage: { driver: 'filesystem', s3: undefined },
      auth: {
        realm: 'http://127.0.0.1:5000/service/token',
        service: 'mamori',
        tokenTtl: 300_000,
        anonymousPull: false,
      },
      scanning: { enabled: true, concurrency: 1, vulnDb: undefined, rescanInterval: 3_600_000 },
      gc: { interval: 86_400_000, gracePeriod: 3_600_000, uploadMaxAge: 86_400_000 },
      audit: { syslog: undefined },
      metrics: { enabled: true },
      admission: {
        policy: undefined,
        budget: 2000,
        failurePolicy: 'Fail',
        registryNames: [],
        cacheTtl: 30_000,
      },
    });
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.server) && Object.isFrozen(c.server.gc));
    assert.throws(() => {
      (c.server.gc as { interval: number }).interval = 1;
    }, TypeError);
  });
});

test('the file is --config, else $MAMORI_CONFIG, else ./mamori.yaml', async () => {
  await withDir(async (cwd) => {
    await writeFile(join(cwd, 'mamori.yaml'), 'server:\n  listen: 127.0.0.1:7001\n');
    const other = join(cwd, 'other.yaml');
    await writeFile(other, 'server:\n  listen: 127.0.0.1:7002\n');
    assert.equal((await load({ cwd })).server.listen, '127.0.0.1:7001');
    assert.equal((await load({ cwd })).file, join(cwd, 'mamori.yaml'));
    assert.equal((await load({ cwd, env: { MAMORI_CONFIG: other } })).server.listen, '127.0.0.1:7002');
    const explicit = await load({ cwd, env: { MAMORI_CONFIG: other }, file: fixture('minimal.yaml') });
    assert.equal(explicit.server.listen, '127.0.0.1:5001');
    // A file named explicitly must exist.
    await assert.rejects(load({ cwd, file: join(cwd, 'missing.yaml') }), /cannot read config file/);
  });
});

test('a file with every setting: values, durations in ms, secrets from files beside it', async () => {
  await withDir(async (cwd) => {
    const c = await load({ cwd, file: fixture('full.yaml') });
    const s = c.server;
    assert.equal(s.listen, '0.0.0.0:5443');
    assert.equal(s.data, '/var/lib/mamori');
    assert.deepEqual(s.tls, { cert: '/etc/mamori/tls.crt', key: '/etc/mamori/tls.key' });
    assert.deepEqual(s.log, { level: 'debug', format: 'pretty' });
    // The password file's content (with characters that need escaping) goes into the URL.
    assert.equal(s.state.driver, 'postgres');
    const url = new URL(s.state.url ?? '');
    assert.equal(decodeURIComponent(url.password), 'pa:ss/w@rd%');
    assert.equal(url.username, 'mamori');
    assert.equal(url.hostname, 'db.internal');
    assert.deepEqual(s.storage, {
      driver: 's3',
      s3: {
        endpoint: 'http://minio.internal:9000',
        region: 'eu-west-1',
        bucket: 'mamori-blobs',
        prefix: 'registry/',
        accessKeyId: 'AKIAEXAMPLEEXAMPLE00',
        secretAccessKey: 's3-secret-from-file',
        forcePathStyle: true,
      },
    });
    assert.deepEqual(s.auth, {
      realm: 'https://registry.example.com/service/token',
      service: 'registry.example.com',
      tokenTtl: 600_000,
      anonymousPull: true,
    });
    assert.deepEqual(s.scanning, {
      enabled: false,
      concurrency: 4,
      vulnDb: '/var/lib/mamori/vuln.db',
      rescanInterval: 6 * 3_600_000,
    });
    assert.deepEqual(s.gc, {
      interval: 12 * 3_600_000,
      gracePeriod: 9_000_000,
      uploadMaxAge: 2 * 86_400_000,
    });
    assert.deepEqual(s.audit, {
      syslog: { address: { protocol: 'tcp', host: '::1', port: 6514 }, facility: 10 },
    });
    assert.deepEqual(s.metrics, { enabled: false });
  });
});

test('relative paths in the file are taken from its directory, in flags from the working directory', async () => {
  await withDir(async (dir) => {
    await writeFile(join(dir, 'm.yaml'), 'server:\n  data: ./d\n  tls: { cert: c.pem, key: k.pem }\n');
    const c = await load({ cwd: dir, file: join(dir, 'm.yaml') });
    assert.equal(c.server.data, join(dir, 'd'));
    assert.deepEqual(c.server.tls, { cert: join(dir, 'c.pem'), key: join(dir, 'k.pem') });
    const f = await load({ cwd: dir, file: join(dir, 'm.yaml'), flags: { data: 'rel' } });
    assert.equal(f.server.data, 'rel');
  });
});

test('precedence: flags over environment over file over defaults', async () => {
  await withDir(async (dir) => {
    const file = join(dir, 'm.yaml');
    await writeFile(file, 'server:\n  listen: 127.0.0.1:6001\n  log: { level: warn }\n  data: /from/file\n');
    const env = { MAMORI_LISTEN: '127.0.0.1:6002', MAMORI_LOG_LEVEL: 'error' };
    const flags = { listen: '127.0.0.1:6003' };
    const all = await load({ cwd: dir, file, env, flags });
    assert.equal(all.server.listen, '127.0.0.1:6003');
    assert.equal(all.server.log.level, 'error');
    assert.equal(all.server.data, '/from/file');
    const noFlag = await load({ cwd: dir, file, env });
    assert.equal(noFlag.server.listen, '127.0.0.1:6002');
    const fileOnly = await load({ cwd: dir, file, env: { MAMORI_LISTEN: '' } });
    assert.equal(fileOnly.server.listen, '127.0.0.1:6001', 'an empty variable counts as unset');
  });
});

test('MAMORI_DATA_DIR is still read, with a deprecation warning; MAMORI_DATA wins over it', async () => {
  await withDir(async (cwd) => {
    const warnings: string[] = [];
    const legacy = await load({
      cwd,
      env: { MAMORI_DATA_DIR: '/legacy' },
      onWarning: (w) => warnings.push(w),
    });
    assert.equal(legacy.server.data, '/legacy');
    assert.deepEqual(warnings, ['MAMORI_DATA_DIR is deprecated: use MAMORI_DATA']);
    const both = await load({ cwd, env: { MAMORI_DATA_DIR: '/legacy', MAMORI_DATA: '/new' } });
    assert.equal(both.server.data, '/new');
  });
});

/** One valid value per documented environment variable, and where it lands. */
const ENV_CASES: readonly [string, string, (c: ServerConfig) => unknown, unknown][] = [
  ['MAMORI_LISTEN', '[::1]:5005', (c) => c.server.listen, '[::1]:5005'],
  ['MAMORI_DATA', '/srv/data', (c) => c.server.data, '/srv/data'],
  ['MAMORI_TLS_CERT', '/c.pem', (c) => c.server.tls?.cert, '/c.pem'],
  ['MAMORI_TLS_KEY', '/k.pem', (c) => c.server.tls?.key, '/k.pem'],
  ['MAMORI_LOG_LEVEL', 'trace', (c) => c.server.log.level, 'trace'],
  ['MAMORI_LOG_FORMAT', 'pretty', (c) => c.server.log.format, 'pretty'],
  ['MAMORI_STATE_DRIVER', 'postgres', (c) => c.server.state.driver, 'postgres'],
  ['MAMORI_STATE_URL', 'postgres://u@h:5432/d', (c) => c.server.state.url, 'postgres://u:pw@h:5432/d'],
  ['MAMORI_STATE_PASSWORD', 'pw', (c) => new URL(c.server.state.url ?? '').password, 'pw'],
  ['MAMORI_STORAGE_DRIVER', 's3', (c) => c.server.storage.driver, 's3'],
  [
    'MAMORI_S3_ENDPOINT',
    'http://127.0.0.1:9000',
    (c) => c.server.storage.s3?.endpoint,
    'http://127.0.0.1:9000',
  ],
  ['MAMORI_S3_REGION', 'eu-central-1', (c) => c.server.storage.s3?.region, 'eu-central-1'],
  ['MAMORI_S3_BUCKET', 'blobs', (c) => c.server.storage.s3?.bucket, 'blobs'],
  ['MAMORI_S3_PREFIX', 'a/b', (c) => c.server.storage.s3?.prefix, 'a/b/'],
  ['MAMORI_S3_ACCESS_KEY_ID', 'AKID', (c) => c.server.storage.s3?.accessKeyId, 'AKID'],
  ['MAMORI_S3_SECRET_ACCESS_KEY', 'sk', (c) => c.server.storage.s3?.secretAccessKey, 'sk'],
  ['MAMORI_S3_FORCE_PATH_STYLE', 'yes', (c) => c.server.storage.s3?.forcePathStyle, true],
  ['MAMORI_AUTH_REALM', 'https://r.example/token', (c) => c.server.auth.realm, 'https://r.example/token'],
  ['MAMORI_AUTH_SERVICE', 'svc', (c) => c.server.auth.service, 'svc'],
  ['MAMORI_AUTH_TOKEN_TTL', '90s', (c) => c.server.auth.tokenTtl, 90_000],
  ['MAMORI_AUTH_ANONYMOUS_PULL', 'true', (c) => c.server.auth.anonymousPull, true],
  ['MAMORI_SCAN_ENABLED', 'off', (c) => c.server.scanning.enabled, false],
  ['MAMORI_SCAN_CONCURRENCY', '8', (c) => c.server.scanning.concurrency, 8],
  ['MAMORI_SCAN_VULN_DB', '/db/vuln.db', (c) => c.server.scanning.vulnDb, '/db/vuln.db'],
  ['MAMORI_SCAN_RESCAN_INTERVAL', '0', (c) => c.server.scanning.rescanInterval, 0],
  ['MAMORI_GC_INTERVAL', '1h30m', (c) => c.server.gc.interval, 5_400_000],
  ['MAMORI_GC_GRACE_PERIOD', '10m', (c) => c.server.gc.gracePeriod, 600_000],
  ['MAMORI_GC_UPLOAD_MAX_AGE', '48h', (c) => c.server.gc.uploadMaxAge, 172_800_000],
  [
    'MAMORI_AUDIT_SYSLOG_ADDRESS',
    'udp://logs.example',
    (c) => c.server.audit.syslog?.address,
    { protocol: 'udp', host: 'logs.example', port: 514 },
  ],
  ['MAMORI_AUDIT_SYSLOG_FACILITY', 'local5', (c) => c.server.audit.syslog?.facility, 21],
  ['MAMORI_METRICS_ENABLED', 'false', (c) => c.server.metrics.enabled, false],
  [
    'MAMORI_ADMISSION_POLICY',
    '/etc/mamori/policy.yaml',
    (c) => c.server.admission.policy,
    '/etc/mamori/policy.yaml',
  ],
  ['MAMORI_ADMISSION_BUDGET', '500ms', (c) => c.server.admission.budget, 500],
  ['MAMORI_ADMISSION_FAILURE_POLICY', 'Ignore', (c) => c.server.admission.failurePolicy, 'Ignore'],
  [
    'MAMORI_ADMISSION_REGISTRY_NAMES',
    'Registry.example.com, 10.0.0.5:5000',
    (c) => c.server.admission.registryNames,
    ['registry.example.com', '10.0.0.5:5000'],
  ],
  ['MAMORI_ADMISSION_CACHE_TTL', '1m', (c) => c.server.admission.cacheTtl, 60_000],
];

test('every documented environment variable sets its setting', async () => {
  await withDir(async (cwd) => {
    const env = Object.fromEntries(ENV_CASES.map(([name, value]) => [name, value]));
    const c = await load({ cwd, env });
    for (const [name, , get, expected] of ENV_CASES) assert.deepEqual(get(c), expected, name);
    // The table above covers every variable of the settings table, and the README documents each.
    const readme = await readFile(new URL('./README.md', import.meta.url), 'utf8');
    for (const s of allSettings()) {
      assert.ok(
        ENV_CASES.some(([name]) => name === s.env[0]),
        `${s.env[0]} has no case here`,
      );
      for (const name of s.env) assert.ok(readme.includes(`\`${name}\``), `${name} is not in README.md`);
      assert.ok(readme.includes(`\`${s.path}\``), `${s.path} is not in README.md`);
    }
  });
});

test('unknown keys are errors with a "did you mean" hint, at the top level and inside server', async () => {
  await withDir(async (cwd) => {
    assert.deepEqual(await problems(load({ cwd, file: fixture('typos.yaml') })), [
      'unknown top-level key "sever" (did you mean "server"?)',
      'server.gc: unknown key "intreval" (did you mean "interval"?)',
      'server.storage.s3: unknown key "secret_access_key" (did you mean "secretAccessKey"?)',
    ]);
  });
});

test('bad values are all reported, each naming its key', async () => {
  await withDir(async (cwd) => {
    const err = await load({ cwd, file: fixture('bad-values.yaml') }).catch((e: unknown) => e);
    assert.ok(isMamoriError(err, 'INVALID_ARGUMENT'));
    assert.ok(err instanceof ConfigError);
    assert.deepEqual(err.problems, [
      'server.listen: invalid listen address "localhost:99999": port must be a number from 0 to 65535',
      'server.log.level: expected one of trace, debug, info, warn, error, silent, got "loud"',
      'server.auth.tokenTtl: expected a duration like 30s, 5m, 24h, got 300',
      'server.scanning.enabled: expected true or false, got "maybe"',
      'server.scanning.concurrency: expected a whole number from 1 to 64, got 0',
      'server.gc.interval: expected a duration like 30s, 5m, 24h (0 disables), got "soon"',
      'server.audit.syslog.address: expected udp://HOST:PORT or tcp://HOST:PORT, got "http://logs.example.com"',
    ]);
    assert.match(err.message, /^invalid configuration \(.*bad-values\.yaml\):\n {2}server\.listen: /);
  });
});

test('environment and flag errors name the variable or flag and the key', async () => {
  await withDir(async (cwd) => {
    assert.deepEqual(
      await problems(load({ cwd, env: { MAMORI_GC_INTERVAL: 'soon' }, flags: { logLevel: 'loud' } })),
      [
        '--log-level (server.log.level): expected one of trace, debug, info, warn, error, silent, got "loud"',
        'MAMORI_GC_INTERVAL (server.gc.interval): expected a duration like 30s, 5m, 24h (0 disables), got "soon"',
      ],
    );
    // A bad file value is reported even though the environment overrides it.
    await writeFile(join(cwd, 'mamori.yaml'), 'server:\n  gc:\n    interval: soon\n');
    assert.deepEqual(await problems(load({ cwd, env: { MAMORI_GC_INTERVAL: '1h' } })), [
      'server.gc.interval: expected a duration like 30s, 5m, 24h (0 disables), got "soon"',
    ]);
  });
});

test('cross-setting rules', async () => {
  await withDir(async (cwd) => {
    const p = (env: NodeJS.ProcessEnv): Promise<readonly string[]> => problems(load({ cwd, env }));
    assert.deepEqual(await p({ MAMORI_TLS_CERT: '/c.pem' }), [
      'server.tls: cert and key must be given together (key is missing)',
    ]);
    assert.deepEqual(await p({ MAMORI_STATE_DRIVER: 'postgres' }), [
      'server.state.url: required with driver postgres (or set MAMORI_STATE_URL)',
    ]);
    assert.deepEqual(await p({ MAMORI_STATE_URL: 'postgres://u@h/d' }), [
      'server.state: url and password are only used with driver postgres',
    ]);
    assert.deepEqual(
      await p({
        MAMORI_STATE_DRIVER: 'postgres',
        MAMORI_STATE_URL: 'postgres://u:a@h/d',
        MAMORI_STATE_PASSWORD: 'b',
      }),
      ['server.state.password: the state URL already holds a password'],
    );
    assert.deepEqual(await p({ MAMORI_STORAGE_DRIVER: 's3' }), [
      'server.storage.s3.bucket: required with driver s3',
    ]);
    assert.deepEqual(
      await p({ MAMORI_STORAGE_DRIVER: 's3', MAMORI_S3_BUCKET: 'b12', MAMORI_S3_ACCESS_KEY_ID: 'a' }),
      ['server.storage.s3: accessKeyId and secretAccessKey must be given together'],
    );
    assert.deepEqual(await problems(load({ cwd, file: fixture('both-secret.yaml') })), [
      'server.storage.s3.secretAccessKey and server.storage.s3.secretAccessKeyFile: give the secret or its file, not both',
    ]);
    const warnings: string[] = [];
    await load({ cwd, env: { MAMORI_S3_BUCKET: 'b12' }, onWarning: (w) => warnings.push(w) });
    assert.deepEqual(warnings, [
      'server.storage.s3 settings are ignored: server.storage.driver is filesystem',
    ]);
  });
});

test('secrets from *_FILE variables; the variable beats the file setting', async () => {
  await withDir(async (cwd) => {
    const secretFile = join(cwd, 'sk');
    await writeFile(secretFile, 'from-env-file\r\n');
    const env = {
      MAMORI_STORAGE_DRIVER: 's3',
      MAMORI_S3_BUCKET: 'bucket',
      MAMORI_S3_ACCESS_KEY_ID: 'AKID',
      MAMORI_S3_SECRET_ACCESS_KEY_FILE: secretFile,
    };
    const c = await load({ cwd, env });
    assert.equal(c.server.storage.s3?.secretAccessKey, 'from-env-file');
    const over = await load({
      cwd,
      env: { ...env, MAMORI_S3_SECRET_ACCESS_KEY_FILE: '' },
      file: fixture('full.yaml'),
    });
    assert.equal(over.server.storage.s3?.secretAccessKey, 's3-secret-from-file');
    assert.deepEqual(await problems(load({ cwd, env: { ...env, MAMORI_S3_SECRET_ACCESS_KEY: 'x' } })), [
      'MAMORI_S3_SECRET_ACCESS_KEY (server.storage.s3.secretAccessKey) and MAMORI_S3_SECRET_ACCESS_KEY_FILE (server.storage.s3.secretAccessKey): give the secret or its file, not both',
    ]);
    const missing = await problems(
      load({ cwd, env: { ...env, MAMORI_S3_SECRET_ACCESS_KEY_FILE: join(cwd, 'nope') } }),
    );
    assert.equal(missing.length, 1, 'no follow-up "must be given together" problem');
    assert.match(
      missing[0] ?? '',
      /^MAMORI_S3_SECRET_ACCESS_KEY_FILE \(server\.storage\.s3\.secretAccessKey\): cannot read secret file .*nope/,
    );
  });
});

test('the token realm follows the listen address and TLS; port 0 leaves it unset', async () => {
  await withDir(async (cwd) => {
    const realm = async (env: NodeJS.ProcessEnv): Promise<string | undefined> =>
      (await load({ cwd, env })).server.auth.realm;
    assert.equal(await realm({ MAMORI_LISTEN: '[::1]:5000' }), 'http://[::1]:5000/service/token');
    assert.equal(
      await realm({ MAMORI_LISTEN: 'reg.example:443', MAMORI_TLS_CERT: '/c', MAMORI_TLS_KEY: '/k' }),
      'https://reg.example:443/service/token',
    );
    assert.equal(await realm({ MAMORI_LISTEN: '127.0.0.1:0' }), undefined);
    const warnings: string[] = [];
    await load({ cwd, env: { MAMORI_LISTEN: '0.0.0.0:5000' }, onWarning: (w) => warnings.push(w) });
    assert.deepEqual(warnings, [
      'server.auth.realm is derived from the wildcard address 0.0.0.0:5000: set it to the URL clients use',
    ]);
  });
});

test('reserved sections pass through; describeConfig names them without printing them', async () => {
  await withDir(async (cwd) => {
    const c = await load({ cwd, file: fixture('reserved.yaml') });
    assert.deepEqual(Object.keys(c.sections), ['policy', 'webhooks']);
    assert.deepEqual(c.sections.policy, { blockSeverity: 'CRITICAL' });
    assert.ok(Object.isFrozen(c.sections.policy));
    const text = describeConfig(c);
    assert.ok(!text.includes('hook-secret-value'));
    assert.match(text, /# also configured \(not shown\): policy, webhooks/);
  });
});

test('describeConfig redacts every secret and its output loads back to the same configuration', async () => {
  await withDir(async (cwd) => {
    const c = await load({ cwd, file: fixture('full.yaml') });
    const text = describeConfig(c);
    for (const secret of ['pa:ss', 'pa%3Ass', 's3-secret-from-file'])
      assert.ok(!text.includes(secret), secret);
    assert.match(text, /url: postgres:\/\/mamori:\[redacted\]@db\.internal:5432\/mamori/);
    assert.match(text, /secretAccessKey: "?\[redacted\]"?/);
    assert.match(text, /interval: 12h\n/);
    assert.match(text, /gracePeriod: 2h30m\n/);
    assert.match(text, /facility: authpriv\n/);
    // Printed back as mamori.yaml (without the redacted secrets), it loads to the same settings.
    const printed = join(cwd, 'printed.yaml');
    await writeFile(
      printed,
      text
        .replace(/ *secretAccessKey: .*\n/, '')
        .replace(/ *accessKeyId: .*\n/, '')
        .replace(/url: .*/, 'url: postgres://mamori@db.internal:5432/mamori'),
    );
    const again = await load({ cwd, file: printed });
    const strip = (x: ServerConfig): unknown => ({
      ...x.server,
      state: { driver: x.server.state.driver },
      storage: { ...x.server.storage, s3: { ...x.server.storage.s3, accessKeyId: 0, secretAccessKey: 0 } },
    });
    assert.deepEqual(strip(again), strip(c));
    // The defaults too.
    const d = await load({ cwd });
    await writeFile(printed, describeConfig(d));
    // (A relative path printed into a file is read from the file's directory.)
    assert.deepEqual((await load({ cwd, file: printed })).server, {
      ...d.server,
      data: join(cwd, 'mamori-data'),
    });
  });
});
