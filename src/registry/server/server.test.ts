import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { MamoriError } from '../../core/index.js';
import { selfSignedCert } from '../../image/registry/testing-tools.js';
import { parseListen, startRegistryServer } from './index.js';

const run = promisify(execFile);

async function sh(cmd: string, args: string[]): Promise<string> {
  const { stdout } = await run(cmd, args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** A one-layer image tagged `app` in an OCI layout, built with umoci. */
async function buildImage(work: string): Promise<string> {
  const layout = join(work, 'layout');
  const image = `${layout}:app`;
  await sh('umoci', ['init', '--layout', layout]);
  await sh('umoci', ['new', '--image', image]);
  await sh('umoci', ['config', '--image', image, '--architecture', 'amd64', '--os', 'linux']);
  const bundle = join(work, 'bundle');
  await sh('umoci', ['unpack', '--rootless', '--image', image, bundle]);
  await sh('sh', ['-c', `echo hello > '${join(bundle, 'rootfs', 'hello.txt')}'`]);
  await sh('umoci', ['repack', '--image', image, bundle]);
  return image;
}

const PASSWORD = 'server-test-admin-password';
const CREDS = `admin:${PASSWORD}`;
const BASIC = { authorization: `Basic ${Buffer.from(CREDS).toString('base64')}` };
const start = (data: string, extra: Partial<Parameters<typeof startRegistryServer>[0]> = {}) =>
  startRegistryServer({
    listen: '127.0.0.1:0',
    data,
    adminPassword: PASSWORD,
    scanning: { enabled: false },
    ...extra,
  });

async function inspectDigest(host: string, ref: string): Promise<string> {
  const out = await sh('skopeo', [
    'inspect',
    '--tls-verify=false',
    '--creds',
    CREDS,
    '--raw',
    `docker://${host}/${ref}`,
  ]);
  assert.ok(out.length > 0);
  const d = await sh('skopeo', [
    'inspect',
    '--tls-verify=false',
    '--creds',
    CREDS,
    '--format',
    '{{.Digest}}',
    `docker://${host}/${ref}`,
  ]);
  return d.trim();
}

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'mamori-registry-server-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('parseListen', () => {
  it('accepts host:port and bracketed IPv6', () => {
    assert.deepEqual(parseListen('127.0.0.1:5000'), { host: '127.0.0.1', port: 5000 });
    assert.deepEqual(parseListen('localhost:0'), { host: 'localhost', port: 0 });
    assert.deepEqual(parseListen('[::1]:65535'), { host: '::1', port: 65535 });
  });
  it('rejects bad addresses with MamoriError', () => {
    for (const bad of [
      '',
      '5000',
      '127.0.0.1:',
      '127.0.0.1:65536',
      'host:-1',
      'h st:80',
      '::1:80',
      'a:b',
      'x'.repeat(400),
    ]) {
      assert.throws(() => parseListen(bad), MamoriError, bad);
    }
  });
});

describe('startRegistryServer', () => {
  it('serves /v2/ (signed in) and the probes, keeps pushed images across restarts', async () => {
    const data = join(work, 'data');
    const image = await buildImage(work);
    let server = await start(data);
    const host = new URL(server.url).host;
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:[0-9]+$/);
    assert.notEqual(new URL(server.url).port, '0');
    try {
      const anonymous = await fetch(`${server.url}/v2/`);
      assert.equal(anonymous.status, 401);
      assert.equal(
        anonymous.headers.get('www-authenticate'),
        `Bearer realm="${server.url}/service/token",service="mamori-registry"`,
      );
      assert.equal((await fetch(`${server.url}/v2/`, { headers: BASIC })).status, 200);
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
      assert.equal(((await stat(data)).mode & 0o777).toString(8), '700');
      await sh('skopeo', [
        'copy',
        '--dest-tls-verify=false',
        '--dest-creds',
        CREDS,
        `oci:${image}`,
        `docker://${host}/team/app:1`,
      ]);
    } finally {
      await server.close();
    }
    const before = await (async () => {
      server = await start(data);
      try {
        return await inspectDigest(new URL(server.url).host, 'team/app:1');
      } finally {
        await server.close();
      }
    })();
    assert.match(before, /^sha256:[0-9a-f]{64}$/);
    // A third start still sees the same manifest.
    server = await start(data);
    try {
      assert.equal(await inspectDigest(new URL(server.url).host, 'team/app:1'), before);
      const tags = JSON.parse(
        await sh('skopeo', [
          'list-tags',
          '--tls-verify=false',
          '--creds',
          CREDS,
          `docker://${new URL(server.url).host}/team/app`,
        ]),
      ) as { Tags: string[] };
      assert.deepEqual(tags.Tags, ['1']);
    } finally {
      await server.close();
    }
    await assert.rejects(fetch(`${server.url}/healthz`));
  });

  it('reports not ready (503) when the storage root is gone, healthy all the same', async () => {
    const data = join(work, 'gone');
    const server = await start(data);
    try {
      assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
      await rm(join(data, 'storage'), { recursive: true, force: true });
      assert.equal((await fetch(`${server.url}/readyz`)).status, 503);
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    } finally {
      await server.close();
    }
  });

  it('serves HTTPS with the given certificate', async () => {
    const key = join(work, 'key.pem');
    const cert = join(work, 'cert.pem');
    await selfSignedCert(key, cert, '127.0.0.1', ['IP:127.0.0.1']);
    const server = await start(join(work, 'tls-data'), { tls: { cert, key } });
    try {
      assert.match(server.url, /^https:\/\//);
      const code = await sh('curl', [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '--cacert',
        cert,
        '-u',
        CREDS,
        `${server.url}/v2/`,
      ]);
      assert.equal(code, '200');
      // Without the CA the handshake is refused.
      await assert.rejects(sh('curl', ['-s', '-o', '/dev/null', `${server.url}/v2/`]));
    } finally {
      await server.close();
    }
  });

  it('rejects a missing TLS file and a bad listen address before creating anything', async () => {
    const data = join(work, 'never');
    await assert.rejects(
      startRegistryServer({
        listen: '127.0.0.1:0',
        data,
        tls: { cert: join(work, 'nope'), key: join(work, 'nope') },
      }),
      /cannot read TLS certificate/,
    );
    // A key given as the certificate, a certificate given as the key, a key of another pair.
    const tlsKey = join(work, 'bad-tls.key');
    const tlsCert = join(work, 'bad-tls.crt');
    await selfSignedCert(tlsKey, tlsCert, '127.0.0.1', ['IP:127.0.0.1']);
    await writeFile(
      join(work, 'other.key'),
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      }),
    );
    for (const [cert, key, message] of [
      [tlsKey, tlsKey, /TLS certificate .* is not a PEM certificate/],
      [tlsCert, tlsCert, /TLS key .* is not a PEM private key/],
      [tlsCert, join(work, 'other.key'), /TLS key .* does not belong to the certificate/],
    ] as const) {
      await assert.rejects(startRegistryServer({ listen: '127.0.0.1:0', data, tls: { cert, key } }), message);
    }
    await assert.rejects(startRegistryServer({ listen: 'nope', data }), MamoriError);
    await assert.rejects(stat(data), { code: 'ENOENT' });
  });
});
