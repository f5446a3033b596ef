// The admission webhook as the Kubernetes API server calls it: HTTPS POSTs
// of AdmissionReview v1 JSON to /admission/validate?timeout=10s, checked
// against the server's certificate. Allowed, denied and warned reviews,
// malformed and oversized bodies (a clean 400/413, the server keeps
// serving), a Deployment's pod template, and the decision log.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { selfSignedCert } from '../../image/registry/testing-tools.js';
import { parsePolicy } from '../../policy/index.js';
import { type RegistryServer, startRegistryServer } from './index.js';

let work: string;
let server: RegistryServer;
let ca: Buffer;

function post(
  body: Buffer | string,
  path = '/admission/validate?timeout=10s',
): Promise<{ status: number; json: unknown }> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        ca,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as unknown) : undefined }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const review = (object: unknown, namespace: string, uid: string) =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      name: 'web',
      namespace,
      operation: 'CREATE',
      userInfo: { username: 'alice', groups: ['system:authenticated'] },
      object,
      dryRun: false,
    },
  });
const deployment = (securityContext: Record<string, unknown>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'app', image: 'nginx:1', securityContext }] },
    },
  },
});
type Answer = {
  response: { uid: string; allowed: boolean; status?: { message: string }; warnings?: string[] };
};

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'mamori-admission-'));
  const key = join(work, 'key.pem');
  const cert = join(work, 'cert.pem');
  await selfSignedCert(key, cert, '127.0.0.1', ['IP:127.0.0.1']);
  ca = await readFile(cert);
  server = await startRegistryServer({
    listen: '127.0.0.1:0',
    data: join(work, 'data'),
    tls: { cert, key },
    adminPassword: 'admission-test-password',
    scanning: { enabled: false },
    gc: { intervalMs: 0 },
    admission: {
      policy: parsePolicy({
        rules: [
          { name: 'prod-restricted', podSecurity: 'restricted:v1.30', match: { namespaces: ['prod'] } },
          { name: 'dev-baseline', mode: 'warn', podSecurity: 'baseline', match: { namespaces: ['dev'] } },
        ],
      }),
    },
  });
});
after(async () => {
  await server?.close();
  await rm(work, { recursive: true, force: true });
});

describe('admission webhook over HTTPS', () => {
  it('denies a privileged Deployment in prod with the rule, the template path and the fix', async () => {
    const r = await post(review(deployment({ privileged: true }), 'prod', 'uid-1'));
    assert.equal(r.status, 200);
    const a = (r.json as Answer).response;
    assert.equal(a.uid, 'uid-1');
    assert.equal(a.allowed, false);
    assert.match(
      a.status?.message ?? '',
      /\[prod-restricted\] spec\.template\.spec\.containers\[0\]\.securityContext\.privileged: privileged .* — fix: /,
    );
  });

  it('admits with warnings in warn mode, and admits what the policy does not select', async () => {
    const dev = ((await post(review(deployment({ privileged: true }), 'dev', 'uid-2'))).json as Answer)
      .response;
    assert.equal(dev.allowed, true);
    assert.match(dev.warnings?.[0] ?? '', /^\[dev-baseline\] /);
    const other = ((await post(review(deployment({ privileged: true }), 'tools', 'uid-3'))).json as Answer)
      .response;
    assert.deepEqual(other, { uid: 'uid-3', allowed: true });
  });

  it('answers malformed and oversized bodies cleanly and keeps serving', async () => {
    const bad = await post(
      '{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": 7}}',
    );
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.json), /uid/);
    const junk = await post('\u0000\u0001not json');
    assert.equal(junk.status, 400);
    const big = await post(Buffer.alloc(4 * 1024 * 1024 + 100, 0x20)).catch((e: unknown) => ({
      status: -1,
      json: String(e),
    }));
    assert.ok(big.status === 413 || big.status === -1, `oversized: ${big.status}`);
    const again = ((await post(review(deployment({}), 'tools', 'uid-4'))).json as Answer).response;
    assert.equal(again.allowed, true, 'still serving');
  });

  it('judges ephemeral containers added through pods/ephemeralcontainers (kubectl debug)', async () => {
    const body = (privileged: boolean, uid: string) =>
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid,
          kind: { group: '', version: 'v1', kind: 'Pod' },
          resource: { group: '', version: 'v1', resource: 'pods' },
          subResource: 'ephemeralcontainers',
          name: 'web-0',
          namespace: 'prod',
          operation: 'UPDATE',
          userInfo: { username: 'bob' },
          object: {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'web-0', namespace: 'prod' },
            spec: {
              securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
              containers: [
                {
                  name: 'app',
                  image: 'nginx:1',
                  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                },
              ],
              ephemeralContainers: [
                {
                  name: 'debugger',
                  image: 'busybox:1',
                  targetContainerName: 'app',
                  securityContext: privileged
                    ? { privileged: true }
                    : { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                },
              ],
            },
          },
        },
      });
    const denied = ((await post(body(true, 'uid-e1'))).json as Answer).response;
    assert.equal(denied.allowed, false);
    assert.match(denied.status?.message ?? '', /spec\.ephemeralContainers\[0\]\.securityContext\.privileged/);
    const allowed = ((await post(body(false, 'uid-e2'))).json as Answer).response;
    assert.equal(allowed.allowed, true, allowed.status?.message);
  });

  it('logs each decision in the audit log', async () => {
    await server.services.audit.flush();
    const page = await server.services.audit.query({ action: 'admission', limit: 100 });
    const got = page.events.map((e) => `${e.actor} ${e.result} ${e.resource.reference ?? ''}`);
    assert.ok(got.includes('alice denied prod/Deployment/web'), got.join('\n'));
    assert.ok(got.includes('alice success dev/Deployment/web'), got.join('\n'));
    const metrics = await server.services.metrics.expose();
    assert.match(metrics, /mamori_admission_requests_total\{webhook="validate",outcome="denied"\} [1-9]/);
    assert.match(metrics, /mamori_admission_requests_total\{webhook="validate",outcome="invalid"\} [1-9]/);
    assert.match(metrics, /mamori_admission_duration_seconds_count\{webhook="validate"\} [1-9]/);
  });
});
