// The image rules through `mamori server`'s webhooks, with the registry's
// own images: a tag pinned to its digest by /admission/mutate, the scan
// result read from the registry (scan on push), cosign signatures made with
// openssl read from its storage — and the denials when any of them is
// missing. Plain HTTP here: the HTTPS path is admission.test.ts's subject.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  Pusher,
  makeKey,
  pushReferrerSignatures,
  signWithOpenssl,
  simpleSigningPayload,
  type TestKey,
} from '../../admission/signature/testing.js';
import { parsePolicy } from '../../policy/index.js';
import { importFeed, openVulnDb } from '../../vulndb/index.js';
import { type RegistryServer, startRegistryServer } from './index.js';

const TRACKER = fileURLToPath(new URL('../../vulndb/testdata/debian/tracker.json', import.meta.url));
const ADMIN = 'admission-images-password';
const auth = { authorization: `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}` };
let work: string;
let server: RegistryServer;
let host: string;
let key: TestKey;
let signed: { digest: string; size: number };
let unsigned: { digest: string; size: number };

type Answer = {
  response: {
    uid: string;
    allowed: boolean;
    status?: { message: string };
    warnings?: string[];
    patchType?: string;
    patch?: string;
  };
};

async function post(path: string, object: unknown, uid: string): Promise<Answer> {
  const res = await fetch(new URL(path, server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid,
        kind: { group: '', version: 'v1', kind: 'Pod' },
        resource: { group: '', version: 'v1', resource: 'pods' },
        name: 'app',
        namespace: 'prod',
        operation: 'CREATE',
        userInfo: { username: 'system:serviceaccount:ci:deployer' },
        object,
      },
    }),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as Answer;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

const pod = (image: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'app', namespace: 'prod' },
  spec: { containers: [{ name: 'app', image }] },
});

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'mamori-admission-images-'));
  key = await makeKey(work, 'release', 'ec');
  const dbPath = join(work, 'vuln.db');
  const db = await openVulnDb(dbPath);
  try {
    await importFeed(db, TRACKER);
  } finally {
    db.close();
  }
  // The policy names the registry by host:port, so the port is chosen first.
  const port = await freePort();
  host = `127.0.0.1:${port}`;
  server = await startRegistryServer({
    listen: host,
    data: join(work, 'data'),
    adminPassword: ADMIN,
    // A real vulnerability database (Debian tracker test feed): the rule requires a full scan.
    scanning: { vulnDb: dbPath },
    gc: { intervalMs: 0 },
    admission: {
      policy: parsePolicy({
        rules: [
          {
            name: 'release-images',
            match: { namespaces: ['prod'] },
            images: {
              allowedRegistries: [host],
              mutateToDigest: true,
              requireDigest: true,
              requireScan: true,
              maxSeverity: 'critical',
              signatures: { keys: [key.publicPem] },
            },
          },
        ],
      }),
    },
  });
  const p = new Pusher(server.url, 'team/app', auth);
  signed = await p.image('signed');
  const payload = simpleSigningPayload(signed.digest, `${host}/team/app`);
  await pushReferrerSignatures(p, signed, [
    { payload, signature: await signWithOpenssl(work, key, payload) },
  ]);
  unsigned = await new Pusher(server.url, 'team/unsigned', auth).image('unsigned');
});
after(async () => {
  await server?.close();
  await rm(work, { recursive: true, force: true });
});

function patched(a: Answer): { op: string; path: string; value: string }[] {
  assert.equal(a.response.patchType, 'JSONPatch');
  return JSON.parse(Buffer.from(a.response.patch ?? '', 'base64').toString('utf8')) as {
    op: string;
    path: string;
    value: string;
  }[];
}

describe('image rules against the registry itself', () => {
  it('pins a tag to its digest, then admits the signed, scanned image', async () => {
    const m = await post('/admission/mutate', pod(`${host}/team/app:latest`), 'm-1');
    assert.equal(m.response.allowed, true);
    assert.deepEqual(patched(m), [
      { op: 'replace', path: '/spec/containers/0/image', value: `${host}/team/app:latest@${signed.digest}` },
    ]);
    // The scan on push finishes in the background: the verdict is "queued" until then.
    let last: Answer | undefined;
    for (let i = 0; i < 100; i++) {
      last = await post('/admission/validate', pod(`${host}/team/app:latest@${signed.digest}`), `v-${i}`);
      if (last.response.allowed) break;
      assert.match(last.response.status?.message ?? '', /image\.scan|not been scanned/);
      await sleep(200);
    }
    assert.equal(last?.response.allowed, true, last?.response.status?.message);
  });

  it('denies an unsigned image, naming the missing signature and the fix', async () => {
    const a = await post('/admission/validate', pod(`${host}/team/unsigned@${unsigned.digest}`), 'u-1');
    assert.equal(a.response.allowed, false);
    assert.match(
      a.response.status?.message ?? '',
      /\[release-images\] spec\.containers\[0\]\.image: image .* has no valid signature from a trusted key: no signature found/,
    );
    assert.match(a.response.status?.message ?? '', /fix: sign .*team\/unsigned@sha256:/);
  });

  it('warns when a tag cannot be pinned, and the validation denies it with the reason', async () => {
    const m = await post('/admission/mutate', pod(`${host}/team/app:no-such-tag`), 'm-2');
    assert.equal(m.response.allowed, true);
    assert.equal(m.response.patch, undefined);
    assert.match(m.response.warnings?.join() ?? '', /could not pin .*: tag no-such-tag not found/);
    const v = await post('/admission/validate', pod(`${host}/team/app:no-such-tag`), 'v-x');
    assert.equal(v.response.allowed, false);
    assert.match(
      v.response.status?.message ?? '',
      /could not be pinned to a digest \(tag no-such-tag not found\)/,
    );
  });

  it('denies images of other registries without contacting them', async () => {
    const a = await post('/admission/validate', pod('evil.example.com/app:1'), 'e-1');
    assert.equal(a.response.allowed, false);
    assert.match(a.response.status?.message ?? '', /does not come from an allowed registry/);
  });
});
