import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { lstat, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { main } from './main.js';
import { capture } from './testing.js';

const sh = promisify(execFile);
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamori-cli-admission-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function run(args: string[]) {
  const c = capture();
  const code = await main(args, c.io);
  return { code, ...c.text() };
}

type Webhook = {
  name: string;
  clientConfig: { caBundle: string; service?: Record<string, unknown>; url?: string };
  failurePolicy: string;
  timeoutSeconds: number;
  sideEffects: string;
  namespaceSelector: { matchExpressions: { values: string[] }[] };
  reinvocationPolicy?: string;
};
function docs(yaml: string): { kind: string; webhooks: Webhook[] }[] {
  return parseAllDocuments(yaml).map((d) => {
    assert.deepEqual(d.errors, []);
    return d.toJS() as { kind: string; webhooks: Webhook[] };
  });
}

describe('mamori admission', () => {
  it('certs writes the four files; manifests embeds ca.crt as the caBundle', async () => {
    const out = join(dir, 'tls');
    const c = await run([
      'admission',
      'certs',
      '--out',
      out,
      '--service',
      'hook',
      '-n',
      'security',
      '--days',
      '7',
      '--dns',
      'hook.example.com',
      '10.1.2.3',
    ]);
    assert.equal(c.code, 0, c.stderr);
    assert.match(
      c.stdout,
      /names: hook\.security\.svc, hook\.security\.svc\.cluster\.local, hook\.security, hook, hook\.example\.com, 10\.1\.2\.3/,
    );
    assert.match(
      c.stdout,
      /kubectl -n security create secret tls hook-webhook-tls --cert .*tls\.crt --key .*tls\.key/,
    );
    assert.equal((await lstat(join(out, 'tls.key'))).mode & 0o777, 0o600);
    assert.equal((await lstat(join(out, 'ca.key'))).mode & 0o777, 0o600);
    const verified = await sh('openssl', ['verify', '-CAfile', join(out, 'ca.crt'), join(out, 'tls.crt')]);
    assert.match(verified.stdout, /: OK$/m);
    const ext = await sh('openssl', [
      'x509',
      '-in',
      join(out, 'tls.crt'),
      '-noout',
      '-ext',
      'subjectAltName,extendedKeyUsage',
    ]);
    assert.match(ext.stdout, /DNS:hook\.security\.svc, .*DNS:hook\.example\.com, IP Address:10\.1\.2\.3/);
    assert.match(ext.stdout, /TLS Web Server Authentication/);

    const again = await run(['admission', 'certs', '--out', out, '--service', 'hook', '-n', 'security']);
    assert.equal(again.code, 2);
    assert.match(
      again.stderr,
      /^mamori: error: .*tls already holds ca\.crt, ca\.key, tls\.crt, tls\.key; pass --force to replace them\n$/,
    );
    const before = await readFile(join(out, 'tls.crt'), 'utf8');
    const forced = await run([
      'admission',
      'certs',
      '--out',
      out,
      '--service',
      'hook',
      '-n',
      'security',
      '--force',
    ]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.notEqual(await readFile(join(out, 'tls.crt'), 'utf8'), before);

    // Rotation: a new serving certificate from the same CA; the caBundle stays what it was.
    const caBefore = await readFile(join(out, 'ca.crt'), 'utf8');
    const tls = await readFile(join(out, 'tls.crt'), 'utf8');
    const renewed = await run([
      'admission',
      'certs',
      '--out',
      out,
      '--service',
      'hook',
      '-n',
      'security',
      '--renew',
    ]);
    assert.equal(renewed.code, 0, renewed.stderr);
    assert.match(renewed.stdout, /^kept .*ca\.crt and .*ca\.key \(the CA\)/);
    assert.equal(await readFile(join(out, 'ca.crt'), 'utf8'), caBefore);
    assert.notEqual(await readFile(join(out, 'tls.crt'), 'utf8'), tls);

    const m = await run([
      'admission',
      'manifests',
      '--service',
      'hook',
      '--namespace',
      'security',
      '--ca-bundle',
      join(out, 'ca.crt'),
      '--mutating',
      '--timeout-seconds',
      '3',
      '--failure-policy',
      'Ignore',
      '--exclude-namespace',
      'monitoring',
      'logging',
    ]);
    assert.equal(m.code, 0, m.stderr);
    const [v, mu] = docs(m.stdout);
    assert.equal(v?.kind, 'ValidatingWebhookConfiguration');
    assert.equal(mu?.kind, 'MutatingWebhookConfiguration');
    const ca = await readFile(join(out, 'ca.crt'), 'utf8');
    for (const [doc, path] of [
      [v, '/admission/validate'],
      [mu, '/admission/mutate'],
    ] as const) {
      const w = doc?.webhooks[0] as Webhook;
      assert.equal(Buffer.from(w.clientConfig.caBundle, 'base64').toString('utf8'), ca);
      assert.deepEqual(w.clientConfig.service, { name: 'hook', namespace: 'security', path, port: 443 });
      assert.equal(w.failurePolicy, 'Ignore');
      assert.equal(w.timeoutSeconds, 3);
      assert.equal(w.sideEffects, 'NoneOnDryRun');
      assert.deepEqual(w.namespaceSelector.matchExpressions[0]?.values, [
        'kube-system',
        'security',
        'monitoring',
        'logging',
      ]);
    }
    assert.equal(mu?.webhooks[0]?.reinvocationPolicy, 'IfNeeded');

    const url = await run([
      'admission',
      'manifests',
      '--url',
      'https://10.0.0.5:8443',
      '-n',
      'mamori',
      '--ca-bundle',
      join(out, 'ca.crt'),
    ]);
    assert.equal(url.code, 0, url.stderr);
    const [only, ...rest] = docs(url.stdout);
    assert.equal(rest.length, 0);
    assert.equal(only?.webhooks[0]?.clientConfig.url, 'https://10.0.0.5:8443/admission/validate');
    assert.deepEqual(only?.webhooks[0]?.namespaceSelector.matchExpressions[0]?.values, [
      'kube-system',
      'mamori',
    ]);
  });

  it('reports each mistake in one line with exit 2', async () => {
    const out = join(dir, 'errs');
    assert.equal((await run(['admission', 'certs', '--out', out])).code, 0);
    const garbage = join(dir, 'garbage.pem');
    await writeFile(
      garbage,
      '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
    );
    const file = join(dir, 'plain-file');
    await writeFile(file, 'x');
    const svc = ['admission', 'manifests', '--service', 'mamori', '-n', 'mamori'];
    const cases: [string[], RegExp][] = [
      [svc, /--ca-bundle FILE is required/],
      [[...svc, '--ca-bundle', join(dir, 'missing.crt')], /--ca-bundle: .*missing\.crt: no such file/],
      [
        [...svc, '--ca-bundle', join(out, 'tls.crt')],
        /holds no CA certificate \(pass the CA's ca\.crt, not the serving certificate tls\.crt\)/,
      ],
      [[...svc, '--ca-bundle', join(out, 'tls.key')], /holds a private key, not a certificate/],
      [[...svc, '--ca-bundle', garbage], /certificate 1 is not valid X\.509 \(broken PEM\)/],
      [
        ['admission', 'manifests', '--ca-bundle', join(out, 'ca.crt')],
        /give --service NAME --namespace NS .* or --url https:\/\/HOST:PORT/,
      ],
      [
        ['admission', 'manifests', '--service', 'mamori', '--ca-bundle', join(out, 'ca.crt')],
        /--service needs --namespace/,
      ],
      [
        [...svc, '--url', 'https://x:1', '--ca-bundle', join(out, 'ca.crt')],
        /either --service .* or --url .*, not both/,
      ],
      [
        ['admission', 'manifests', '--url', 'http://x:1', '--ca-bundle', join(out, 'ca.crt')],
        /--url must be https:\/\//,
      ],
      [
        [...svc, '--ca-bundle', join(out, 'ca.crt'), '--timeout-seconds', '0'],
        /--timeout-seconds must be a whole number from 1 to 30/,
      ],
      [
        [...svc, '--ca-bundle', join(out, 'ca.crt'), '--failure-policy', 'Retry'],
        /Allowed choices are Fail, Ignore/,
      ],
      [
        ['admission', 'certs', '--out', join(dir, 'x'), '--days', '0'],
        /--days must be a whole number from 1 to 3650/,
      ],
      [
        ['admission', 'certs', '--out', join(dir, 'x'), '--dns', 'a..b'],
        /--dns: "a\.\.b" is neither a DNS name nor an IP address/,
      ],
      [
        ['admission', 'certs', '--out', file],
        /cannot write the certificates to .*plain-file: not a directory/,
      ],
      [
        ['admission', 'certs', '--out', join(dir, 'no-ca-here'), '--renew'],
        /--renew: .*no-ca-here\/ca\.crt: no such file \(run without --renew to make a CA\)/,
      ],
    ];
    for (const [args, re] of cases) {
      const r = await run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, re, args.join(' '));
      const first = r.stderr.split('\n')[0] ?? '';
      assert.match(first, re, `the first line says it all: ${r.stderr}`);
    }
  });

  it('--help answers with examples', async () => {
    const certs = await run(['admission', 'certs', '--help']);
    assert.equal(certs.code, 0);
    assert.match(
      certs.stdout,
      /Examples:\n {2}mamori admission certs --out \.\/webhook-tls --service mamori --namespace mamori-system/,
    );
    assert.match(certs.stdout, /kubectl -n mamori-system create secret tls/);
    const manifests = await run(['admission', 'manifests', '--help']);
    assert.match(manifests.stdout, /sideEffects NoneOnDryRun/);
    assert.match(manifests.stdout, /--ca-bundle \.\/webhook-tls\/ca\.crt \| kubectl apply -f -/);
    const top = await run(['--help']);
    assert.match(top.stdout, /admission +Set up Kubernetes to call mamori's admission webhook/);
  });
});
