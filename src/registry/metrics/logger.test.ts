import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import type { FastifyServerOptions } from 'fastify';
import { createLogger, formatPretty, redactQuery } from './index.js';

const SECRETS = [
  's3cr3t-bearer-token',
  'cookie-secret-value',
  'query-token-value',
  'proxy-secret',
  'field-secret',
];

/** Serves one request through a real Fastify app with these logger options; returns what was logged. */
async function logOneRequest(logger: FastifyServerOptions['logger'], lines: string[]): Promise<void> {
  const app = Fastify({ logger });
  app.get('/v2/*', async (request) => {
    // What careless code might log: every header, the request, a token field.
    request.log.info({ headers: request.headers }, 'headers seen');
    request.log.info({ req: request }, 'request again');
    request.log.info({ token: 'field-secret' }, 'token field');
    return {};
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const res = await fetch(
      `http://127.0.0.1:${port}/v2/team/app/manifests/latest?n=5&access_token=query-token-value`,
      {
        headers: {
          authorization: 'Bearer s3cr3t-bearer-token',
          cookie: 'session=cookie-secret-value',
          'proxy-authorization': 'Basic proxy-secret',
          'user-agent': 'docker/27.0',
        },
      },
    );
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  } finally {
    await app.close();
  }
  assert.ok(lines.length > 0);
}

function collector(): { lines: string[]; write(line: string): void } {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
}

describe('createLogger', () => {
  it('without it, the same handler would leak every secret (the control for the tests below)', async () => {
    const out = collector();
    await logOneRequest({ level: 'info', stream: out }, out.lines);
    const text = out.lines.join('');
    for (const s of SECRETS.filter((x) => x !== 'query-token-value')) assert.ok(text.includes(s), s);
  });

  it('writes JSON lines with request id, method, route kind, address, status and duration, and no secret', async () => {
    const out = collector();
    await logOneRequest(createLogger({ level: 'info', format: 'json' }, out), out.lines);
    const text = out.lines.join('');
    for (const s of SECRETS) assert.ok(!text.includes(s), `${s} was logged`);
    const events = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const done = events.find((e) => e.msg === 'request completed');
    assert.ok(done, text);
    assert.equal(done.level, 'info');
    assert.match(String(done.time), /^\d{4}-\d\d-\d\dT/);
    assert.equal(typeof done.reqId, 'string');
    assert.equal(typeof done.responseTime, 'number');
    assert.deepEqual(
      { ...(done.res as Record<string, unknown>), remotePort: 0 },
      {
        statusCode: 200,
        method: 'GET',
        url: '/v2/team/app/manifests/latest?n=5&access_token=[redacted]',
        route: 'manifest',
        remoteAddress: '127.0.0.1',
        remotePort: 0,
      },
    );
    const incoming = events.find((e) => e.msg === 'incoming request');
    assert.equal(incoming?.reqId, done.reqId);
    const seen = events.find((e) => e.msg === 'headers seen');
    const headers = seen?.headers as Record<string, unknown>;
    assert.equal(headers.authorization, '[redacted]');
    assert.equal(headers.cookie, '[redacted]');
    assert.equal(headers['proxy-authorization'], '[redacted]');
    assert.equal(headers['user-agent'], 'docker/27.0');
    assert.equal(events.find((e) => e.msg === 'token field')?.token, '[redacted]');
  });

  it('pretty format: one readable line per event, no secret', async () => {
    const out = collector();
    await logOneRequest(createLogger({ level: 'info', format: 'pretty' }, out), out.lines);
    const text = out.lines.join('');
    for (const s of SECRETS) assert.ok(!text.includes(s), `${s} was logged`);
    assert.match(
      text,
      /^\S+Z INFO {2}\[req-\w+\] GET \/v2\/team\/app\/manifests\/latest\?n=5&access_token=\[redacted\] \(manifest\) 200 \d+\.\dms request completed from=127\.0\.0\.1$/m,
    );
    for (const line of text.trim().split('\n')) assert.throws(() => JSON.parse(line));
  });

  it('honours the level: warn drops request lines, silent drops everything', async () => {
    for (const level of ['warn', 'silent'] as const) {
      const out = collector();
      const app = Fastify({ logger: createLogger({ level, format: 'json' }, out) });
      app.get('/x', async (request) => {
        request.log.warn('a warning');
        return 'ok';
      });
      await app.inject({ method: 'GET', url: '/x' });
      await app.close();
      const text = out.lines.join('');
      assert.ok(!text.includes('request completed'));
      assert.equal(text.includes('a warning'), level === 'warn');
    }
  });
});

describe('redactQuery', () => {
  it('replaces credential-like query values and keeps the rest', () => {
    assert.equal(redactQuery('/v2/'), '/v2/');
    assert.equal(
      redactQuery('/service/token?scope=repository:a:pull&service=mamori'),
      '/service/token?scope=repository:a:pull&service=mamori',
    );
    assert.equal(
      redactQuery('/b?X-Amz-Signature=abc&X-Amz-Credential=def&X-Amz-Date=1'),
      '/b?X-Amz-Signature=[redacted]&X-Amz-Credential=[redacted]&X-Amz-Date=1',
    );
    assert.equal(
      redactQuery('/x?%74oken=abc&password=p&n=1'),
      '/x?%74oken=[redacted]&password=[redacted]&n=1',
    );
    assert.equal(redactQuery('/x?%E0%A4%A=1&token'), '/x?%E0%A4%A=1&token');
    assert.equal(redactQuery(`/x?${'a'.repeat(5000)}`).length, 2049);
  });

  it('leaves a non-JSON line alone in the pretty formatter', () => {
    assert.equal(formatPretty('not json'), 'not json\n');
    assert.equal(formatPretty('{"level":"info","time":"T","msg":"hi","n":1}'), 'T INFO  hi n=1\n');
  });
});
