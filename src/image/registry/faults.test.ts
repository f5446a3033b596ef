/**
 * Misbehaving servers. A real registry does not lie about sizes, reset
 * connections or redirect to another host on demand, so these tests put
 * small Node servers in front of (or in place of) it to inject exactly one
 * fault each; everything that a real registry can serve comes from one.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { isMamoriError } from '../../core/index.js';
import { RegistryClient, type RegistryOptions } from './index.js';
import { buildTestImage, pushImage, startDistribution, type Distribution } from './testing.js';

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const D1 = `sha256:${'1'.repeat(64)}`;
const MANIFEST = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}');

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

interface Served {
  readonly host: string;
  close(): Promise<void>;
}

async function serve(handler: http.RequestListener, address = '127.0.0.1'): Promise<Served> {
  const server = http.createServer((req, res) => {
    if (req.url === '/v2/') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const port = (server.address() as { port: number }).port;
  return {
    host: `${address}:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const fast: RegistryOptions = { tlsVerify: false, retries: 2, retryBaseDelayMs: 1 };
const client = (s: Served, opts: RegistryOptions = fast) =>
  new RegistryClient({ registry: s.host, repository: 'evil/repo' }, opts);

describe('redirects in front of a real registry', () => {
  let reg: Distribution;
  let work: string;
  let front: Served;
  let cdn: Served;
  let loop: Served;
  const cdnAuth: Array<string | undefined> = [];
  const sameAuth: Array<string | undefined> = [];
  const basic = `Basic ${Buffer.from('u:p').toString('base64')}`;

  const upstream = (path: string, res: http.ServerResponse, headers: http.OutgoingHttpHeaders = {}) => {
    http.get(`${reg.url}${path}`, { headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'mamori-regfault-'));
    reg = await startDistribution();
    const image = await buildTestImage(work, { '/f': 'redirected bytes\n' });
    await pushImage(image.ref, `${reg.host}/evil/repo:1`);
    cdn = await serve((req, res) => {
      cdnAuth.push(req.headers.authorization);
      upstream(`/v2/evil/repo/blobs/${(req.url ?? '').split('/').pop() ?? ''}`, res);
    }, '127.0.0.2');
    front = await serve((req, res) => {
      const url = req.url ?? '';
      if (req.headers.authorization !== basic) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="front"' }).end();
      } else if (url.startsWith('/same/')) {
        sameAuth.push(req.headers.authorization);
        res.writeHead(307, { location: `http://${cdn.host}/cdn/${url.slice('/same/'.length)}` }).end();
      } else if (url.includes('/blobs/')) {
        res.writeHead(302, { location: `/same/${url.split('/').pop() ?? ''}` }).end();
      } else {
        upstream(url, res, { accept: req.headers.accept ?? '' });
      }
    });
    loop = await serve((req, res) => res.writeHead(302, { location: req.url ?? '/' }).end());
  });
  after(async () => {
    await front?.close();
    await cdn?.close();
    await loop?.close();
    await reg?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('follows redirects; Authorization stays on the registry host and is dropped for another host', async () => {
    const c = client(front, { ...fast, credentials: { username: 'u', password: 'p', source: 'test' } });
    try {
      const m = await c.fetchManifest('1', 1 << 20);
      const doc = JSON.parse(m.bytes.toString('utf8')) as { layers: Array<{ digest: string; size: number }> };
      const layer = doc.layers[0];
      assert.ok(layer);
      const bytes = await readAll(await c.openBlob(layer.digest, layer.size));
      assert.equal(sha256(bytes), layer.digest);
      assert.deepEqual(sameAuth, [basic]);
      assert.deepEqual(cdnAuth, [undefined]);
    } finally {
      await c.close();
    }
  });

  test('more than 5 redirects is an error', async () => {
    const c = client(loop);
    await assert.rejects(
      c.openBlob(D1),
      (e) => isMamoriError(e, 'REGISTRY') && /more than 5 redirects/.test(e.message),
    );
    await c.close();
  });
});

describe('bounded reads', () => {
  let written = 0;
  let s: Served;
  before(async () => {
    s = await serve((req, res) => {
      const path = req.url ?? '';
      if (path.endsWith('/manifests/lying')) {
        res.writeHead(200, { 'content-length': String(10 ** 12), 'content-type': 'application/json' });
        res.write('{"schemaVersion":2');
      } else if (path.endsWith('/manifests/endless')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = (): void => {
          while (!res.destroyed && written < 1024 ** 3) {
            written += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        pump();
      } else if (path.endsWith('/manifests/short')) {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('{"schemaVersion":2');
        setImmediate(() => res.socket?.destroy());
      } else if (path.endsWith('/manifests/generic-v1')) {
        res.writeHead(200, { 'content-type': 'application/json', 'docker-content-digest': 'sha256:not-hex' });
        res.end('{"schemaVersion":1,"name":"evil/repo","fsLayers":[]}');
      } else if (path.endsWith('/manifests/generic-v2')) {
        res.writeHead(200, {
          'content-type': 'text/plain; charset=utf-8',
          'docker-content-digest': 'sha256:bad',
        });
        res.end(MANIFEST);
      } else if (path.endsWith(`/blobs/${D1}`) && req.headers['x-case'] === undefined) {
        // 2000 bytes, chunked, for a blob the caller expects to be 1000.
        res.writeHead(200);
        res.write(Buffer.alloc(1000, 1));
        res.end(Buffer.alloc(1000, 2));
      } else {
        res.writeHead(404).end();
      }
    });
  });
  after(() => s.close());

  test('a Content-Length above maxBytes is LIMIT_EXCEEDED at once', async () => {
    const c = client(s);
    await assert.rejects(c.fetchManifest('lying', 4096), (e) => isMamoriError(e, 'LIMIT_EXCEEDED'));
    await c.close();
  });

  test('an endless body is cut at maxBytes without reading it all', async () => {
    const c = client(s);
    await assert.rejects(c.fetchManifest('endless', 1 << 20), (e) => isMamoriError(e, 'LIMIT_EXCEEDED'));
    await c.close();
    // The server stops when the connection drops; give its last write a turn.
    await sleep(50);
    assert.ok(written < 64 * 1024 * 1024, `server wrote ${written} bytes`);
  });

  test('a body shorter than its Content-Length is a NETWORK error', async () => {
    const c = client(s);
    await assert.rejects(c.fetchManifest('short', 1 << 20), (e) => isMamoriError(e, 'NETWORK'));
    await c.close();
  });

  test('generic content types: schema 1 sniffed and refused, schema 2 passed with an empty media type', async () => {
    const c = client(s);
    try {
      await assert.rejects(c.fetchManifest('generic-v1', 1 << 20), (e) =>
        isMamoriError(e, 'INVALID_MANIFEST'),
      );
      const m = await c.fetchManifest('generic-v2', 1 << 20);
      assert.equal(m.mediaType, '');
      assert.equal(m.digest, undefined, 'an invalid Docker-Content-Digest is dropped');
      assert.deepEqual(m.bytes, MANIFEST);
    } finally {
      await c.close();
    }
  });

  test('a blob body longer than its known size is cut with SIZE_MISMATCH', async () => {
    const c = client(s);
    try {
      await assert.rejects(readAll(await c.openBlob(D1, 1000)), (e) => isMamoriError(e, 'SIZE_MISMATCH'));
      await assert.rejects(readAll(await c.openBlob(D1, 5000)), (e) => isMamoriError(e, 'SIZE_MISMATCH'));
      assert.equal((await readAll(await c.openBlob(D1, 2000))).length, 2000);
    } finally {
      await c.close();
    }
  });
});

describe('blob Content-Length against the known size', () => {
  test('a mismatch fails before reading', async () => {
    const s = await serve((_req, res) => res.writeHead(200, { 'content-length': '3' }).end('abc'));
    const c = client(s);
    try {
      await assert.rejects(
        c.openBlob(D1, 4),
        (e) => isMamoriError(e, 'SIZE_MISMATCH') && /is 3 bytes, expected 4/.test(e.message),
      );
    } finally {
      await c.close();
      await s.close();
    }
  });
});

describe('retries', () => {
  test('503, 429 with Retry-After and a connection reset are retried for GETs', async () => {
    const hits = new Map<string, number>();
    const s = await serve((req, res) => {
      const path = req.url ?? '';
      const n = (hits.get(path) ?? 0) + 1;
      hits.set(path, n);
      const ok = (): void => {
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(MANIFEST);
      };
      if (path.endsWith('/flaky503')) {
        if (n === 1) res.writeHead(503).end('busy');
        else ok();
      } else if (path.endsWith('/flaky429')) {
        if (n === 1) res.writeHead(429, { 'retry-after': '0' }).end();
        else ok();
      } else if (path.endsWith('/reset')) {
        if (n === 1) req.socket.destroy();
        else ok();
      } else if (path.endsWith('/always503')) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"errors":[{"code":"UNAVAILABLE","message":"try \\u001b[31mlater"}]}');
      } else {
        res.writeHead(404).end();
      }
    });
    const c = client(s);
    try {
      for (const tag of ['flaky503', 'flaky429', 'reset']) {
        assert.deepEqual((await c.fetchManifest(tag, 1 << 20)).bytes, MANIFEST, tag);
        assert.equal(hits.get(`/v2/evil/repo/manifests/${tag}`), 2, tag);
      }
      await assert.rejects(c.fetchManifest('always503', 1 << 20), (e) => {
        assert.ok(isMamoriError(e, 'REGISTRY'));
        assert.match(
          e.message,
          /try later \(UNAVAILABLE\)/,
          'the message is kept, control characters are not',
        );
        return true;
      });
      assert.equal(hits.get('/v2/evil/repo/manifests/always503'), 3, 'the first attempt and 2 retries');
    } finally {
      await c.close();
      await s.close();
    }
  });
});

describe('error responses', () => {
  test('registry error codes map to MamoriError codes with the registry message', async () => {
    const body = (code: string, message: string) =>
      JSON.stringify({ errors: [{ code, message, detail: {} }] });
    const s = await serve((req, res) => {
      const tag = (req.url ?? '').split('/').pop();
      const json = { 'content-type': 'application/json' };
      if (tag === 'denied')
        res.writeHead(403, json).end(body('DENIED', 'requested access to the resource is denied'));
      else if (tag === 'unknown')
        res.writeHead(404, json).end(body('NAME_UNKNOWN', 'repository name not known'));
      else if (tag === 'html') res.writeHead(500, { 'content-type': 'text/html' }).end('<html>oops</html>');
      else if (tag === 'teapot') res.writeHead(418).end('short and stout');
      else res.writeHead(401, json).end(body('UNAUTHORIZED', 'authentication required'));
    });
    const c = client(s, { ...fast, retries: 0 });
    const expect = async (tag: string, code: Parameters<typeof isMamoriError>[1], msg: RegExp) => {
      await assert.rejects(c.fetchManifest(tag, 1 << 20), (e) => {
        assert.ok(isMamoriError(e, code), `${tag}: ${String(e)}`);
        assert.match(e.message, msg);
        return true;
      });
    };
    try {
      await expect('denied', 'DENIED', /requested access to the resource is denied \(DENIED\)/);
      await expect('unknown', 'NOT_FOUND', /repository name not known/);
      await expect('html', 'REGISTRY', /HTTP 500$/);
      await expect('teapot', 'REGISTRY', /HTTP 418: short and stout/);
      // A 401 without a challenge cannot be answered: UNAUTHORIZED.
      await expect('auth', 'UNAUTHORIZED', /authentication required/);
    } finally {
      await c.close();
      await s.close();
    }
  });

  test('a server without /v2/ is not a registry', async () => {
    const server = http.createServer((_req, res) => res.writeHead(404).end('no'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const c = new RegistryClient({ registry: `127.0.0.1:${port}`, repository: 'a' }, fast);
    await assert.rejects(
      c.fetchManifest('x', 100),
      (e) => isMamoriError(e, 'REGISTRY') && /does not serve/.test(e.message),
    );
    await c.close();
    await new Promise((resolve) => server.close(resolve));
  });

  test('a token realm that is not HTTP(S) is refused', async () => {
    const server = http.createServer((_req, res) =>
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="file:///etc/passwd",service="x"' }).end(),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const c = new RegistryClient({ registry: `127.0.0.1:${port}`, repository: 'a' }, fast);
    await assert.rejects(
      c.fetchManifest('x', 100),
      (e) => isMamoriError(e, 'REGISTRY') && /token realm/.test(e.message),
    );
    await c.close();
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('timeouts', () => {
  test('a server that stops answering is a NETWORK error; a slow reader is not', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024, 7);
    const s = await serve((req, res) => {
      const path = req.url ?? '';
      if (path.endsWith('/manifests/hang')) return; // never answers
      if (path.endsWith(`/blobs/${D1}`)) {
        res.writeHead(200, { 'content-length': String(big.length * 2) });
        res.write(big); // then stalls
        return;
      }
      res.writeHead(200, { 'content-length': String(big.length) }).end(big);
    });
    const c = client(s, { ...fast, readTimeoutMs: 400 });
    try {
      await assert.rejects(
        c.fetchManifest('hang', 100),
        (e) => isMamoriError(e, 'NETWORK') && /no data/.test(e.message),
      );
      await assert.rejects(
        readAll(await c.openBlob(D1)),
        (e) => isMamoriError(e, 'NETWORK') && /no data/.test(e.message),
      );
      // The reader pauses for several read timeouts; the transfer still completes.
      const body = await c.openBlob(`sha256:${'2'.repeat(64)}`, big.length);
      await sleep(1500);
      assert.equal((await readAll(body)).length, big.length);
    } finally {
      await c.close();
      await s.close();
    }
  });
});
