import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { createMetrics, createRequestObserver, instrument } from './index.js';
import { parseExposition, requestOnce, sampleValue, startInstrumentedRegistry } from './testing.js';
import type { InstrumentedRegistry, RawResponse, Sample } from './testing.js';

const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Requests counted on the OCI routes (everything but `other`). */
function countedV2(samples: readonly Sample[]): number {
  return samples
    .filter((x) => x.name === 'mamori_http_requests_total' && x.labels.route !== 'other')
    .reduce((n, x) => n + x.value, 0);
}

describe('instrumented registry', () => {
  let reg: InstrumentedRegistry;
  before(async () => {
    reg = await startInstrumentedRegistry();
  });
  after(async () => {
    await reg.close();
  });
  const req = (path: string, init?: RequestInit): Promise<Response> => fetch(reg.url + path, init);

  it('serves the Prometheus text format with the registry and process metrics', async () => {
    const res = await req('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of [
      'mamori_http_requests_total',
      'mamori_http_request_duration_seconds',
      'mamori_http_received_bytes_total',
      'mamori_http_sent_bytes_total',
      'mamori_blob_uploads_total',
      'mamori_pushes_total',
      'mamori_pulls_total',
      'mamori_auth_failures_total',
      'mamori_scan_jobs_queued',
      'mamori_scan_jobs_running',
      'mamori_scan_jobs_total',
      'mamori_scan_duration_seconds',
      'mamori_gc_runs_total',
      'mamori_gc_freed_bytes_total',
      'mamori_audit_events_total',
      'mamori_webhook_deliveries_total',
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
    const samples = parseExposition(text);
    assert.ok(sampleValue(samples, 'process_resident_memory_bytes') > 0);
  });

  it('counts a push and pulls by result, requests by route kind, and bytes both ways', async () => {
    // Each request on its own connection: the bytes counted for a route are exactly its requests'.
    const call = (
      method: string,
      path: string,
      body?: Buffer | string,
      headers: Record<string, string> = {},
    ): Promise<RawResponse> => requestOnce(reg.url + path, { method, body, headers });
    const name = 'team/app';
    const layer = randomBytes(64 * 1024);
    const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
    // Monolithic upload of the layer.
    assert.equal((await call('POST', `/v2/${name}/blobs/uploads/?digest=${sha(layer)}`, layer)).status, 201);
    // Chunked upload of the config: POST (session), PATCH, PUT.
    const start = await call('POST', `/v2/${name}/blobs/uploads/`);
    assert.equal(start.status, 202);
    const patch = await call('PATCH', String(start.headers.location), config, {
      'content-type': 'application/octet-stream',
      'content-range': `0-${config.length - 1}`,
    });
    assert.equal(patch.status, 202);
    const next = String(patch.headers.location);
    const put = await call('PUT', `${next}${next.includes('?') ? '&' : '?'}digest=${sha(config)}`);
    assert.equal(put.status, 201, put.body.toString());
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha(config),
        size: config.length,
      },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length },
      ],
    });
    const push = await call('PUT', `/v2/${name}/manifests/1.0`, manifest, {
      'content-type': 'application/vnd.oci.image.manifest.v1+json',
    });
    assert.equal(push.status, 201);
    assert.equal((await call('GET', `/v2/${name}/manifests/1.0`)).status, 200);
    assert.equal((await call('GET', `/v2/${name}/manifests/missing`)).status, 404);
    assert.equal((await call('GET', `/v2/${name}/blobs/${sha(layer)}`)).body.length, layer.length);
    assert.equal((await call('GET', '/v2/')).status, 200);

    // onResponse runs when the response has been handed to the socket, which may be after the
    // client read it: scrape until all nine registry requests have been counted.
    let s = await reg.scrape();
    for (let i = 0; i < 200 && countedV2(s) < 9; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      s = await reg.scrape();
    }
    assert.equal(
      countedV2(s),
      9,
      JSON.stringify(
        s.filter((x) => x.name === 'mamori_http_requests_total').map((x) => [x.labels, x.value]),
      ),
    );
    const requests = (labels: Record<string, string>): number =>
      sampleValue(s, 'mamori_http_requests_total', labels);
    assert.equal(requests({ method: 'PUT', route: 'manifest', status: '201' }), 1);
    assert.equal(requests({ method: 'GET', route: 'manifest', status: '200' }), 1);
    assert.equal(requests({ method: 'GET', route: 'manifest', status: '404' }), 1);
    assert.equal(requests({ method: 'POST', route: 'upload-start', status: '201' }), 1);
    assert.equal(requests({ method: 'POST', route: 'upload-start', status: '202' }), 1);
    assert.equal(requests({ method: 'PATCH', route: 'upload', status: '202' }), 1);
    assert.equal(requests({ method: 'PUT', route: 'upload', status: '201' }), 1);
    assert.equal(requests({ method: 'GET', route: 'blob', status: '200' }), 1);
    assert.equal(requests({ method: 'GET', route: 'base', status: '200' }), 1);
    assert.equal(sampleValue(s, 'mamori_pushes_total', { result: 'ok' }), 1);
    assert.equal(sampleValue(s, 'mamori_pulls_total', { result: 'ok' }), 1);
    assert.equal(sampleValue(s, 'mamori_pulls_total', { result: 'not_found' }), 1);
    assert.equal(sampleValue(s, 'mamori_blob_uploads_total', { result: 'ok' }), 2);
    assert.equal(
      sampleValue(s, 'mamori_http_request_duration_seconds_count', { method: 'PUT', route: 'manifest' }),
      1,
    );
    assert.equal(
      sampleValue(s, 'mamori_http_request_duration_seconds_bucket', {
        method: 'PUT',
        route: 'manifest',
        le: '+Inf',
      }),
      1,
    );
    // Wire bytes: the 64 KiB body in, the 64 KiB blob out, plus headers (well under 4 KiB).
    const inBytes = sampleValue(s, 'mamori_http_received_bytes_total', { route: 'upload-start' });
    assert.ok(inBytes >= layer.length && inBytes < layer.length + 4096, String(inBytes));
    const outBytes = sampleValue(s, 'mamori_http_sent_bytes_total', { route: 'blob' });
    assert.ok(outBytes >= layer.length && outBytes < layer.length + 4096, String(outBytes));
    // No label carries the repository name or a digest.
    assert.ok(
      !s.some((x) => Object.values(x.labels).some((v) => v.includes('team') || v.includes('sha256'))),
    );
  });

  it('keeps label cardinality bounded under 1,000 hostile URLs', async () => {
    const before = new Set((await reg.scrape()).map((x) => `${x.name}${JSON.stringify(x.labels)}`));
    const methods = ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'POST'];
    for (let i = 0; i < 1000; i++) {
      const noise = randomBytes(6).toString('hex');
      const paths = [
        `/v2/${noise}/manifests/${noise}`,
        `/v2/${noise}/blobs/sha256:${noise}`,
        `/${noise}?x=${noise}`,
        `/v2/${noise}/../${noise}/tags/list`,
        `/v2/${'a/'.repeat(300)}${noise}/manifests/x`,
        `/v2/%ZZ${noise}/blobs/uploads/`,
      ];
      const path = paths[i % paths.length] ?? '/';
      const res = await req(path, { method: methods[i % methods.length] });
      await res.arrayBuffer();
    }
    const after = await reg.scrape();
    const series = new Set(
      after
        .filter((x) => x.name.startsWith('mamori_http_'))
        .map((x) => `${x.name}${JSON.stringify(x.labels)}`)
        .filter((k) => !before.has(k)),
    );
    // Request counters: at most kinds × methods × statuses actually seen; nothing per path.
    // Six (path shape, method) pairs were sent: at most six new request series, however random
    // the paths; with the duration histogram's buckets and the byte counters, a bounded few more.
    const requestSeries = [...series].filter((k) => k.startsWith('mamori_http_requests_total{'));
    assert.ok(requestSeries.length >= 1 && requestSeries.length <= 6, requestSeries.join('\n'));
    assert.ok(series.size <= 6 * 17 + 2 * 9, `${series.size} new http series`);
    for (const x of after) {
      if (x.labels.route !== undefined) {
        assert.match(
          x.labels.route,
          /^(base|catalog|tags|referrers|blob|upload-start|upload|manifest|other)$/,
        );
      }
      for (const v of Object.values(x.labels)) assert.ok(v.length <= 20, v);
    }
  });
});

describe('createMetrics', () => {
  it('gives each instance its own registry', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.pushes.inc({ result: 'ok' });
    a.gcFreedBytes.inc(1234);
    a.scanJobsQueued.set(3);
    const sa = parseExposition(await a.expose());
    const sb = parseExposition(await b.expose());
    assert.equal(sampleValue(sa, 'mamori_pushes_total', { result: 'ok' }), 1);
    assert.equal(sampleValue(sb, 'mamori_pushes_total', { result: 'ok' }), 0);
    assert.equal(sampleValue(sa, 'mamori_gc_freed_bytes_total'), 1234);
    assert.equal(sampleValue(sa, 'mamori_scan_jobs_queued'), 3);
    assert.equal(sampleValue(sb, 'mamori_scan_jobs_queued'), 0);
  });

  it('instruments any Fastify app, with a chosen metrics path', async () => {
    const app = Fastify();
    const metrics = createMetrics();
    instrument(app, metrics, { path: '/internal/metrics' });
    app.get('/hello', async () => 'hi');
    try {
      assert.equal((await app.inject({ method: 'GET', url: '/hello' })).statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404);
      const res = await app.inject({ method: 'GET', url: '/internal/metrics' });
      const s = parseExposition(res.body);
      assert.equal(
        sampleValue(s, 'mamori_http_requests_total', { method: 'GET', route: 'other', status: '200' }),
        1,
      );
      assert.equal(
        sampleValue(s, 'mamori_http_requests_total', { method: 'GET', route: 'other', status: '404' }),
        1,
      );
    } finally {
      await app.close();
    }
  });

  it('counts a request whose client went away before any answer as 499', async () => {
    const app = Fastify();
    const metrics = createMetrics();
    instrument(app, metrics);
    let started: () => void = () => undefined;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    app.get('/slow', async (request, reply) => {
      const gone = new Promise<void>((resolve) => request.raw.socket.once('close', () => resolve()));
      started();
      await gone;
      return reply.send('late');
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const ac = new AbortController();
      const pending = fetch(`http://127.0.0.1:${port}/slow`, { signal: ac.signal }).catch(() => 'aborted');
      await handlerStarted;
      ac.abort();
      assert.equal(await pending, 'aborted');
      const count = async (): Promise<number> =>
        sampleValue(parseExposition(await metrics.expose()), 'mamori_http_requests_total', {
          method: 'GET',
          route: 'other',
          status: '499',
        });
      for (let i = 0; i < 200 && (await count()) === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(await count(), 1);
    } finally {
      await app.close();
    }
  });

  it('an observer in the server handler also counts what Fastify refuses before routing', async () => {
    const app = Fastify();
    const metrics = createMetrics();
    instrument(app, metrics, { count: false });
    app.get('/v2/*', async () => ({}));
    await app.ready();
    const observe = createRequestObserver(metrics);
    const server = createServer((req, res) => {
      observe(req, res);
      app.routing(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const address = server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      assert.equal((await requestOnce(`${base}/v2/%ZZ/blobs/uploads/`, { method: 'POST' })).status, 400);
      assert.equal((await requestOnce(`${base}/v2/a/b/tags/list`)).status, 200);
      assert.equal((await requestOnce(`${base}/metrics`)).status, 200);
      const counted = async (labels: Record<string, string>): Promise<number> =>
        sampleValue(parseExposition(await metrics.expose()), 'mamori_http_requests_total', labels);
      const bad = { method: 'POST', route: 'other', status: '400' };
      const tags = { method: 'GET', route: 'tags', status: '200' };
      // Counted when each response closes, which may trail the client's read.
      for (let i = 0; i < 200 && ((await counted(bad)) === 0 || (await counted(tags)) === 0); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(await counted(bad), 1);
      assert.equal(await counted(tags), 1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
    }
  });
});
