// Reliability of the registry process: SIGKILL in the middle of a chunked
// upload, a full disk under the data directory, and many concurrent pushes
// of images that share layers. Real server processes, real HTTP, real files.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ociImageManifest } from '../http/testing.js';
import { startRegistryServer } from './index.js';

const run = promisify(execFile);
const SERVE = join(import.meta.dirname, 'testdata', 'serve.ts');
const PASSWORD = 'reliability-admin-password';
const AUTH = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'mamori-reliability-'));
});
after(() => rm(work, { recursive: true, force: true }));

interface Served {
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

async function serve(data: string): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVE, data], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MAMORI_ADMIN_PASSWORD: PASSWORD },
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const line = /^(http\S+)\n/.exec(out);
      if (line?.[1]) resolve(line[1]);
    });
    void exited.then(() => reject(new Error(`server exited: ${err}`)));
  });
  return { url, child, exited };
}

function call(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { authorization: AUTH, ...(init.headers ?? {}) } });
}

describe('registry reliability', () => {
  it('SIGKILL during a chunked upload: the upload survives with a prefix of what was sent and resumes from its Range', async () => {
    const data = join(work, 'kill-upload');
    const blob = randomBytes(3 * 1024 * 1024);
    const first = blob.subarray(0, 1024 * 1024);
    const second = blob.subarray(1024 * 1024);
    const digest = sha(blob);

    const a = await serve(data);
    const start = await call(`${a.url}/v2/team/app/blobs/uploads/`, { method: 'POST' });
    assert.equal(start.status, 202);
    const location = start.headers.get('location') ?? '';
    const uploadUrl = new URL(location, a.url).pathname;
    const p1 = await call(`${a.url}${uploadUrl}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream', 'content-range': `0-${first.length - 1}` },
      body: first,
    });
    assert.equal(p1.status, 202);
    assert.equal(p1.headers.get('range'), `0-${first.length - 1}`);

    // The second chunk is half sent when the server dies.
    const { port } = new URL(a.url);
    const inFlight = request({
      host: '127.0.0.1',
      port,
      method: 'PATCH',
      path: uploadUrl,
      headers: {
        authorization: AUTH,
        'content-type': 'application/octet-stream',
        'content-length': String(second.length),
        'content-range': `${first.length}-${blob.length - 1}`,
      },
    });
    const failed = new Promise<void>((resolve) => {
      inFlight.on('error', () => resolve());
      inFlight.on('response', (r) => {
        r.resume();
        resolve();
      });
    });
    inFlight.write(second.subarray(0, second.length / 2));
    await new Promise((r) => setTimeout(r, 300));
    a.child.kill('SIGKILL');
    await a.exited;
    inFlight.destroy();
    await failed;

    const b = await serve(data);
    try {
      const status = await call(`${b.url}${uploadUrl}`);
      assert.equal(status.status, 204, 'the upload session survived the crash');
      // What reached the disk before the kill is a prefix of the blob: the client resumes after it.
      const m = /^0-([0-9]+)$/.exec(status.headers.get('range') ?? '');
      assert.ok(m, `Range of the surviving upload: ${status.headers.get('range')}`);
      const have = Number(m[1]) + 1;
      assert.ok(have >= first.length && have < blob.length, `${have} bytes survived`);
      assert.equal((await call(`${b.url}/v2/team/app/blobs/${digest}`, { method: 'HEAD' })).status, 404);
      const p2 = await call(`${b.url}${uploadUrl}`, {
        method: 'PATCH',
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${have}-${blob.length - 1}`,
        },
        body: blob.subarray(have),
      });
      assert.equal(p2.status, 202);
      const put = await call(`${b.url}${uploadUrl}?digest=${digest}`, { method: 'PUT' });
      assert.equal(put.status, 201);
      const got = Buffer.from(await (await call(`${b.url}/v2/team/app/blobs/${digest}`)).arrayBuffer());
      assert.equal(sha(got), digest);
    } finally {
      b.child.kill('SIGTERM');
      await b.exited;
    }
  });

  it('a full disk under the data directory: 507 with a clear error, nothing half-written, later pushes work', async (t) => {
    const mnt = join(work, 'full');
    await mkdir(mnt);
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mnt]);
    } catch (e) {
      t.skip(
        `cannot mount a tmpfs here (needs root): ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
      );
      return;
    }
    t.after(() => run('umount', [mnt]));
    const server = await startRegistryServer({
      listen: '127.0.0.1:0',
      data: join(mnt, 'data'),
      adminPassword: PASSWORD,
      scanning: { enabled: false },
    });
    try {
      const big = randomBytes(8 * 1024 * 1024);
      const res = await call(`${server.url}/v2/team/big/blobs/uploads/?digest=${sha(big)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: big,
      });
      assert.equal(res.status, 507);
      const body = (await res.json()) as { errors: { message: string }[] };
      assert.match(body.errors[0]?.message ?? '', /no space left/);
      assert.equal(
        (await call(`${server.url}/v2/team/big/blobs/${sha(big)}`, { method: 'HEAD' })).status,
        404,
      );
      assert.deepEqual(await readdir(join(mnt, 'data', 'storage', 'tmp')), [], 'no partial file is left');
      const small = randomBytes(64 * 1024);
      const ok = await call(`${server.url}/v2/team/big/blobs/uploads/?digest=${sha(small)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: small,
      });
      assert.equal(ok.status, 201);
    } finally {
      await server.close();
    }
  });

  it('50 concurrent pushes of images sharing layers: every image complete and verifiable afterwards', async () => {
    const server = await startRegistryServer({
      listen: '127.0.0.1:0',
      data: join(work, 'concurrent'),
      adminPassword: PASSWORD,
      scanning: { enabled: false },
    });
    try {
      const shared = [randomBytes(512 * 1024), randomBytes(256 * 1024)];
      const images = Array.from({ length: 50 }, (_, i) => {
        const own = randomBytes(32 * 1024 + i);
        const config = Buffer.from(
          JSON.stringify({
            architecture: 'amd64',
            os: 'linux',
            n: i,
            rootfs: { type: 'layers', diff_ids: [] },
          }),
        );
        const layers = [...shared, own];
        const manifest = ociImageManifest(config, layers);
        // Ten repositories, five tags each: pushes race on the same repositories and blobs.
        return { repo: `team/app${i % 10}`, tag: `v${i}`, config, layers, manifest };
      });
      const push = async (img: (typeof images)[number]): Promise<void> => {
        for (const blob of [img.config, ...img.layers]) {
          const head = await call(`${server.url}/v2/${img.repo}/blobs/${sha(blob)}`, { method: 'HEAD' });
          if (head.status === 200) continue;
          // Chunked for the big shared layers, monolithic for the rest.
          if (blob.length > 100 * 1024) {
            const start = await call(`${server.url}/v2/${img.repo}/blobs/uploads/`, { method: 'POST' });
            assert.equal(start.status, 202);
            let loc = new URL(start.headers.get('location') ?? '', server.url).toString();
            const half = Math.floor(blob.length / 2);
            const patch = await call(loc, {
              method: 'PATCH',
              headers: { 'content-type': 'application/octet-stream', 'content-range': `0-${half - 1}` },
              body: blob.subarray(0, half),
            });
            assert.equal(patch.status, 202);
            loc = new URL(patch.headers.get('location') ?? '', server.url).toString();
            const sep = loc.includes('?') ? '&' : '?';
            const put = await call(`${loc}${sep}digest=${sha(blob)}`, {
              method: 'PUT',
              headers: { 'content-type': 'application/octet-stream' },
              body: blob.subarray(half),
            });
            assert.equal(put.status, 201, await put.text());
          } else {
            const res = await call(`${server.url}/v2/${img.repo}/blobs/uploads/?digest=${sha(blob)}`, {
              method: 'POST',
              headers: { 'content-type': 'application/octet-stream' },
              body: blob,
            });
            assert.equal(res.status, 201, await res.text());
          }
        }
        const res = await call(`${server.url}/v2/${img.repo}/manifests/${img.tag}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
          body: img.manifest,
        });
        assert.equal(res.status, 201, await res.text());
      };
      await Promise.all(images.map(push));
      for (const img of images) {
        const m = await call(`${server.url}/v2/${img.repo}/manifests/${img.tag}`, {
          headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
        });
        assert.equal(m.status, 200);
        assert.equal(sha(Buffer.from(await m.arrayBuffer())), sha(img.manifest));
        for (const blob of [img.config, ...img.layers]) {
          const b = await call(`${server.url}/v2/${img.repo}/blobs/${sha(blob)}`);
          assert.equal(b.status, 200);
          assert.equal(sha(Buffer.from(await b.arrayBuffer())), sha(blob));
        }
      }
      const tags = await call(`${server.url}/v2/team/app3/tags/list`);
      assert.deepEqual(((await tags.json()) as { tags: string[] }).tags, ['v13', 'v23', 'v3', 'v33', 'v43']);
    } finally {
      await server.close();
    }
  });
});
