import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { lstat, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { isMamoriError } from '../../core/index.js';
import { parsePolicy } from '../../policy/index.js';
import { startRegistryServer } from '../../registry/server/index.js';
import {
  createWebhookCertificates,
  ipBytes,
  parseCaBundle,
  renewServingCertificate,
  writeCertificateFiles,
} from './index.js';

const run = promisify(execFile);
const SERVICE = 'mamori';
const NAMESPACE = 'mamori-system';
const SERVER_NAME = `${SERVICE}.${NAMESPACE}.svc`;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamori-k8s-certs-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** POSTs an AdmissionReview the way the API server does: TLS to SERVER_NAME, trusting only the CA bundle. */
function review(port: number, ca: string, servername: string): Promise<{ status: number; body: string }> {
  const body = JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'c0ffee',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'prod',
      operation: 'CREATE',
      userInfo: { username: 'alice' },
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'app', image: 'nginx', securityContext: { privileged: true } }] },
      },
    },
  });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/admission/validate?timeout=10s',
        ca,
        servername,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('webhook certificates', () => {
  it('writes a CA and a serving certificate that openssl verifies, with the Service names as SANs', async () => {
    const out = join(dir, 'certs');
    const certs = await createWebhookCertificates({
      service: SERVICE,
      namespace: NAMESPACE,
      days: 30,
      extraNames: ['127.0.0.1', 'Webhook.Example.com', '::1'],
    });
    const paths = await writeCertificateFiles(out, certs);
    for (const f of ['ca.key', 'tls.key'] as const)
      assert.equal((await lstat(paths[f])).mode & 0o777, 0o600, f);
    for (const f of ['ca.crt', 'tls.crt'] as const)
      assert.equal((await lstat(paths[f])).mode & 0o777, 0o644, f);
    assert.equal((await lstat(out)).mode & 0o777, 0o700);

    const verify = await run('openssl', [
      'verify',
      '-x509_strict',
      '-purpose',
      'sslserver',
      '-CAfile',
      paths['ca.crt'],
      paths['tls.crt'],
    ]);
    assert.match(verify.stdout, /tls\.crt: OK/);
    const text = (await run('openssl', ['x509', '-in', paths['tls.crt'], '-noout', '-text'])).stdout;
    assert.match(
      text,
      /DNS:mamori\.mamori-system\.svc, DNS:mamori\.mamori-system\.svc\.cluster\.local, DNS:mamori\.mamori-system, DNS:mamori, DNS:webhook\.example\.com, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/,
    );
    assert.match(text, /Extended Key Usage: *\n *TLS Web Server Authentication\n/);
    assert.match(text, /Basic Constraints: critical\n *CA:FALSE/);
    assert.match(text, /Subject: CN *= *mamori\.mamori-system\.svc/);
    const caText = (await run('openssl', ['x509', '-in', paths['ca.crt'], '-noout', '-text'])).stdout;
    assert.match(caText, /Basic Constraints: critical\n *CA:TRUE, pathlen:0/);
    assert.match(caText, /Key Usage: critical\n *Digital Signature, Certificate Sign, CRL Sign/);
    // The keys are well-formed PKCS#8 EC keys that belong to their certificates.
    for (const [key, cert] of [
      ['tls.key', 'tls.crt'],
      ['ca.key', 'ca.crt'],
    ] as const) {
      await run('openssl', ['pkey', '-in', paths[key], '-check', '-noout']);
      const fromKey = (await run('openssl', ['pkey', '-in', paths[key], '-pubout'])).stdout;
      const fromCert = (await run('openssl', ['x509', '-in', paths[cert], '-noout', '-pubkey'])).stdout;
      assert.equal(fromKey, fromCert);
    }
    const leaf = new X509Certificate(certs.tlsCert);
    const days = (Date.parse(leaf.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > 29.9 && days <= 30, `valid for ${days} days`);
    assert.equal(parseCaBundle(certs.caCert, 'ca.crt').certificates.length, 1);
  });

  it('serves the admission webhook over HTTPS to a client that trusts only ca.crt', async () => {
    const out = join(dir, 'serve');
    const paths = await writeCertificateFiles(
      out,
      await createWebhookCertificates({ service: SERVICE, namespace: NAMESPACE, days: 1 }),
    );
    const server = await startRegistryServer({
      listen: '127.0.0.1:0',
      data: join(dir, 'serve-data'),
      adminPassword: 'k8s-certs-test-password',
      scanning: { enabled: false },
      tls: { cert: paths['tls.crt'], key: paths['tls.key'] },
      admission: { policy: parsePolicy({ rules: [{ name: 'restricted', podSecurity: 'restricted' }] }) },
    });
    try {
      const port = Number(new URL(server.url).port);
      const ca = await readFile(paths['ca.crt'], 'utf8');
      const r = await review(port, ca, SERVER_NAME);
      assert.equal(r.status, 200, r.body);
      const json = JSON.parse(r.body) as { response: { uid: string; allowed: boolean } };
      assert.equal(json.response.uid, 'c0ffee');
      assert.equal(json.response.allowed, false);
      // The same connection checks fail for a name the certificate does not carry and without the CA.
      await assert.rejects(review(port, ca, 'mamori.other.svc'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      const stranger = await createWebhookCertificates({ service: SERVICE, namespace: NAMESPACE, days: 1 });
      await assert.rejects(review(port, stranger.caCert, SERVER_NAME), {
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      });
    } finally {
      await server.close();
    }
  });

  it('never overwrites existing files without force, and replaces links rather than following them', async () => {
    const out = join(dir, 'again');
    const certs = await createWebhookCertificates({ service: 'hook', namespace: 'ns', days: 2 });
    await writeCertificateFiles(out, certs);
    const second = await createWebhookCertificates({ service: 'hook', namespace: 'ns', days: 2 });
    await assert.rejects(writeCertificateFiles(out, second), (e: unknown) => {
      assert.ok(isMamoriError(e, 'INVALID_ARGUMENT'));
      assert.match(e.message, /already holds ca\.crt, ca\.key, tls\.crt, tls\.key; pass --force/);
      return true;
    });
    assert.equal(await readFile(join(out, 'tls.crt'), 'utf8'), certs.tlsCert);
    const victim = join(dir, 'victim.txt');
    await writeFile(victim, 'keep me');
    await rm(join(out, 'tls.key'));
    await symlink(victim, join(out, 'tls.key'));
    await writeCertificateFiles(out, second, { force: true });
    assert.equal(await readFile(join(out, 'tls.crt'), 'utf8'), second.tlsCert);
    assert.equal(await readFile(join(out, 'tls.key'), 'utf8'), second.tlsKey);
    assert.ok((await lstat(join(out, 'tls.key'))).isFile());
    assert.equal((await lstat(join(out, 'tls.key'))).mode & 0o777, 0o600);
    assert.equal(await readFile(victim, 'utf8'), 'keep me');
    assert.deepEqual(
      (await readdir(out)).sort(),
      ['ca.crt', 'ca.key', 'tls.crt', 'tls.key'],
      'no temporary files left',
    );
  });

  it('renews the serving certificate with the existing CA, which openssl still verifies it against', async () => {
    const out = join(dir, 'renew');
    const now = new Date();
    const first = await createWebhookCertificates({ service: SERVICE, namespace: NAMESPACE, days: 30, now });
    await writeCertificateFiles(out, first);
    const renewed = await renewServingCertificate({
      service: SERVICE,
      namespace: NAMESPACE,
      days: 365,
      extraNames: ['10.0.0.12'],
      now,
      caCert: first.caCert,
      caKey: first.caKey,
    });
    await writeCertificateFiles(out, renewed, { force: true, only: ['tls.crt', 'tls.key'] });
    assert.equal(await readFile(join(out, 'ca.crt'), 'utf8'), first.caCert, 'the CA is kept');
    assert.equal(await readFile(join(out, 'ca.key'), 'utf8'), first.caKey);
    assert.notEqual(await readFile(join(out, 'tls.crt'), 'utf8'), first.tlsCert);
    assert.notEqual(renewed.tlsKey, first.tlsKey, 'a new key');
    const { stdout } = await run('openssl', [
      'verify',
      '-CAfile',
      join(out, 'ca.crt'),
      '-purpose',
      'sslserver',
      join(out, 'tls.crt'),
    ]);
    assert.match(stdout, /tls\.crt: OK/);
    const leaf = new X509Certificate(renewed.tlsCert);
    assert.match(leaf.subjectAltName ?? '', /DNS:mamori\.mamori-system\.svc/);
    assert.match(leaf.subjectAltName ?? '', /IP Address:10\.0\.0\.12/);
    assert.ok(leaf.checkHost(SERVER_NAME));
    // Asked for 365 days, capped at the CA's 30.
    assert.equal(
      new Date(leaf.validTo).getTime(),
      new Date(new X509Certificate(first.caCert).validTo).getTime(),
    );

    const other = await createWebhookCertificates({ service: SERVICE, namespace: NAMESPACE, days: 30 });
    const base = { service: SERVICE, namespace: NAMESPACE, days: 30 };
    const refused = (p: Promise<unknown>, re: RegExp) =>
      assert.rejects(p, (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT') && re.test(e.message));
    await refused(
      renewServingCertificate({ ...base, caCert: first.caCert, caKey: other.caKey }),
      /ca\.key does not belong to ca\.crt/,
    );
    await refused(
      renewServingCertificate({ ...base, caCert: first.tlsCert, caKey: first.tlsKey }),
      /ca\.crt is not a CA certificate/,
    );
    await refused(
      renewServingCertificate({ ...base, caCert: 'garbage', caKey: first.caKey }),
      /ca\.crt is not a PEM certificate/,
    );
    await refused(
      renewServingCertificate({ ...base, caCert: first.caCert, caKey: 'garbage' }),
      /ca\.key is not a PEM private key/,
    );
    await refused(
      renewServingCertificate({
        ...base,
        caCert: first.caCert,
        caKey: first.caKey,
        now: new Date(now.getTime() + 30 * 86_400_000),
      }),
      /the CA expires .*make a new CA/,
    );
  });

  it('refuses bad names, validity and output directories with one-line errors', async () => {
    const bad = async (p: Promise<unknown>, re: RegExp) =>
      assert.rejects(p, (e: unknown) => isMamoriError(e) && re.test(e.message) && !e.message.includes('\n'));
    const base = { service: SERVICE, namespace: NAMESPACE, days: 1 };
    await bad(
      createWebhookCertificates({ ...base, service: 'Mamori_Hook' }),
      /--service: "Mamori_Hook" is not a Service name/,
    );
    await bad(
      createWebhookCertificates({ ...base, namespace: '-x' }),
      /--namespace: "-x" is not a namespace name/,
    );
    await bad(
      createWebhookCertificates({ ...base, days: 0 }),
      /--days must be a whole number from 1 to 3650/,
    );
    await bad(createWebhookCertificates({ ...base, days: 1.5 }), /--days/);
    await bad(
      createWebhookCertificates({ ...base, extraNames: ['bad name!'] }),
      /--dns: "bad name!" is neither a DNS name nor an IP address/,
    );
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    await bad(
      writeCertificateFiles(file, await createWebhookCertificates(base)),
      /cannot write the certificates to .*a-file: not a directory/,
    );
  });

  it('encodes IPv4 and IPv6 SANs as the 4 or 16 bytes RFC 5280 wants', () => {
    assert.deepEqual([...ipBytes('10.0.0.1')], [10, 0, 0, 1]);
    assert.deepEqual([...ipBytes('::1')], [...Array<number>(15).fill(0), 1]);
    assert.deepEqual(
      [...ipBytes('2001:db8::ffff:10.0.0.1')],
      [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1],
    );
  });
});
