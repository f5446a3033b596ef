// `mamori policy test` with image rules against a real mamori server: the
// tag pinned and the signature (made with openssl) checked over the
// Distribution API, the scan result read from the server's REST API — the
// same verdicts the webhook gives — and --offline for the unknown case.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  Pusher,
  makeKey,
  pushTagSignatures,
  signWithOpenssl,
  simpleSigningPayload,
} from '../admission/signature/testing.js';
import { startRegistryServer, type RegistryServer } from '../registry/server/index.js';
import { importFeed, openVulnDb } from '../vulndb/index.js';
import { main } from './main.js';
import { capture } from './testing.js';

const TRACKER = fileURLToPath(new URL('../vulndb/testdata/debian/tracker.json', import.meta.url));
const ADMIN = 'policy-images-password';
let dir: string;
let server: RegistryServer;
let host: string;
let digest: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamori-cli-policy-images-'));
  const dbPath = join(dir, 'vuln.db');
  const db = await openVulnDb(dbPath);
  try {
    await importFeed(db, TRACKER);
  } finally {
    db.close();
  }
  server = await startRegistryServer({
    listen: '127.0.0.1:0',
    data: join(dir, 'data'),
    adminPassword: ADMIN,
    scanning: { vulnDb: dbPath },
    gc: { intervalMs: 0 },
  });
  host = new URL(server.url).host;
  const key = await makeKey(dir, 'release', 'ed25519');
  await writeFile(join(dir, 'release.pub'), key.publicPem);
  const p = new Pusher(server.url, 'team/web', {
    authorization: `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}`,
  });
  const image = await p.image('web');
  digest = image.digest;
  const payload = simpleSigningPayload(digest, `${host}/team/web`);
  await pushTagSignatures(p, digest, [{ payload, signature: await signWithOpenssl(dir, key, payload) }]);
  // Wait for the scan on push.
  for (let i = 0; i < 100; i++) {
    if ((await server.services.scanning?.result('team/web', digest))?.status === 'scanned') break;
    await sleep(100);
  }
  // The key is named by a path relative to the policy file.
  await writeFile(
    join(dir, 'policy.yaml'),
    `rules:
  - name: release
    images:
      allowedRegistries: ["${host}"]
      mutateToDigest: true
      requireDigest: true
      requireScan: true
      maxSeverity: critical
      signatures: { keys: [./release.pub] }
`,
  );
  await writeFile(
    join(dir, 'pod.yaml'),
    `apiVersion: v1
kind: Pod
metadata: { name: web, namespace: prod }
spec:
  containers:
    - { name: web, image: "${host}/team/web:latest" }
    - { name: other, image: "${host}/team/missing:1" }
`,
  );
});
after(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(args: string[], env: Record<string, string> = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const c = capture();
    const code = await main(args, c.io);
    return { code, ...c.text() };
  } finally {
    process.env = saved;
  }
}

describe('mamori policy test with image look-ups', () => {
  it('pins, verifies and reads the scan result like the webhook; the missing image is denied with the reason', async () => {
    const r = await run(
      [
        'policy',
        'test',
        '-p',
        join(dir, 'policy.yaml'),
        '--insecure-registry',
        host,
        '--mamori-server',
        server.url,
        '-f',
        'json',
        join(dir, 'pod.yaml'),
      ],
      { MAMORI_USERNAME: 'admin', MAMORI_PASSWORD: ADMIN },
    );
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as {
      objects: { verdict: { denials: { path: string; control: string; message: string }[] } }[];
    };
    const denials = out.objects[0]?.verdict.denials ?? [];
    // The first container passed every image check: pinned, scanned, signed.
    assert.deepEqual(
      denials.filter((d) => d.path.startsWith('spec.containers[0]')),
      [],
      JSON.stringify(denials),
    );
    const other = denials.filter((d) => d.path === 'spec.containers[1].image').map((d) => d.control);
    assert.ok(other.includes('image.digest') && other.includes('image.signature'), other.join());
    assert.match(r.stderr, /could not pin .*team\/missing:1/);
  });

  it('without look-ups (--offline) the same image is denied: its facts are unknown', async () => {
    const r = await run([
      'policy',
      'test',
      '-p',
      join(dir, 'policy.yaml'),
      '--offline',
      join(dir, 'pod.yaml'),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /spec\.containers\[0\]\.image: .*has not been scanned by mamori/);
    assert.match(r.stdout, /spec\.containers\[0\]\.image: .*no valid signature/);
  });
});
