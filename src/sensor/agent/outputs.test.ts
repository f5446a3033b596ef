import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Alert } from '../model/index.js';
import { AgentCounters } from './counters.js';
import { startMetricsServer } from './metrics.js';
import { StreamWriter } from './stream.js';
import { alertToSyslog, dropToSyslog } from './syslog-format.js';
import { createSyslogSender, parseSyslogUrl } from './syslog-send.js';
import type { StreamRecord } from './types.js';
import { createWebhookSender } from './webhook.js';

const alert: Alert = {
  kind: 'alert',
  time: Date.parse('2026-03-04T05:06:07.089Z'),
  rule: 'MR003',
  severity: 'high',
  title: 'Password database read in a container',
  container: { id: 'c0ffee', runtime: 'runc', image: 'debian:12', pod: { name: 'web-0', namespace: 'shop' } },
  processTree: [{ pid: 42, ppid: 1, uid: 0, exe: '/usr/bin/cat', argv: ['cat', '/etc/shadow'], comm: 'cat' }],
  evidence: { path: '/etc/shadow"] evil\n<13>1 forged', flags: 0 },
};

describe('syslog messages', () => {
  it('formats an alert as one RFC 5424 line with escaped structured data', () => {
    const m = alertToSyslog(alert, { hostname: 'node-1' });
    assert.ok(!m.includes('\n'));
    // authpriv (10) * 8 + err (3)
    assert.match(
      m,
      /^<83>1 2026-03-04T05:06:07\.089Z node-1 mamori-sensor - alert \[mamori@32473 rule="MR003" /,
    );
    assert.match(m, /ev\.path="\/etc\/shadow\\"\\] evil\\\\x0a<13>1 forged"/);
    assert.match(m, /pod="web-0" namespace="shop"/);
    assert.match(m, /\] MR003 Password database read in a container in shop\/web-0$/);
    const d = dropToSyslog({ kind: 'drop', time: 0, source: 'queue', count: 5, total: 9 }, { hostname: 'h' });
    assert.match(
      d,
      /^<84>1 1970-01-01T00:00:00\.000Z h mamori-sensor - drop \[mamori@32473 source="queue" count="5" total="9"\]/,
    );
  });

  it('parses syslog URLs and refuses others', () => {
    assert.deepEqual(parseSyslogUrl('udp://127.0.0.1:514'), {
      protocol: 'udp',
      host: '127.0.0.1',
      port: 514,
    });
    assert.deepEqual(parseSyslogUrl('tcp://[::1]:6514'), { protocol: 'tcp', host: '::1', port: 6514 });
    for (const bad of ['http://x:1', 'udp://x', 'udp://x:0', 'udp://x:70000', 'udp://a b:1'])
      assert.throws(() => parseSyslogUrl(bad), /--syslog/);
  });

  it('delivers over UDP and over TCP with octet counting', async () => {
    const udp = createSocket('udp4');
    const got: string[] = [];
    udp.on('message', (b) => got.push(b.toString()));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    const u = createSyslogSender({ protocol: 'udp', host: '127.0.0.1', port: udp.address().port });
    u.send(alertToSyslog(alert));
    await u.close();
    for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    udp.close();
    assert.match(got[0] ?? '', /rule="MR003"/);

    let tcpData = '';
    const server = createServer((s) => s.on('data', (b) => (tcpData += b.toString())));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const t = createSyslogSender({
      protocol: 'tcp',
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
    });
    const msg = alertToSyslog(alert);
    t.send(msg);
    t.send('second');
    for (let i = 0; i < 100 && !tcpData.endsWith('second'); i++) await new Promise((r) => setTimeout(r, 20));
    await t.close();
    server.close();
    assert.equal(tcpData, `${Buffer.byteLength(msg)} ${msg}6 second`);
  });

  it('counts messages it cannot queue', async () => {
    let dropped = 0;
    // Nothing listens on this port: messages wait for the connection, beyond one they are dropped.
    const t = createSyslogSender(
      { protocol: 'tcp', host: '127.0.0.1', port: 9 },
      { maxQueued: 1, onDrop: (n) => (dropped += n) },
    );
    for (let i = 0; i < 5; i++) t.send(`m${i}`);
    await t.close(100);
    assert.equal(dropped, 5);
  });
});

describe('event stream file', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'mamori-stream-'));
  });
  after(async () => rm(tmp, { recursive: true, force: true }));

  it('appends JSON lines and counts what does not fit, keeping room for drop summaries', async () => {
    const path = join(tmp, 'events.jsonl');
    let dropped = 0;
    const w = await StreamWriter.open(path, { maxQueued: 2, onDrop: (n) => (dropped += n) });
    for (let i = 0; i < 10; i++) w.write({ ...alert, time: i });
    const drop: StreamRecord = { kind: 'drop', time: 1, source: 'stream', count: dropped, total: dropped };
    assert.equal(w.write(drop, true), true);
    await w.close();
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    assert.equal(lines.length + dropped, 11);
    assert.ok(dropped >= 7, `dropped ${dropped}`);
    assert.equal((JSON.parse(lines.at(-1)!) as StreamRecord).kind, 'drop');
    // Appends to what is there.
    const again = await StreamWriter.open(path);
    again.write(alert);
    await again.close();
    assert.equal((await readFile(path, 'utf8')).trim().split('\n').length, lines.length + 1);
  });
});

describe('webhook', () => {
  it('POSTs signed JSON and retries on errors', async () => {
    const bodies: { body: string; sig: string; event: string }[] = [];
    let calls = 0;
    const server = createHttpServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        calls++;
        if (calls === 1) return res.writeHead(500).end();
        bodies.push({
          body,
          sig: String(req.headers['x-mamori-signature']),
          event: String(req.headers['x-mamori-event']),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const w = createWebhookSender({ url, secret: 's3cret' });
    w.send(alert);
    await w.close(5000);
    server.close();
    assert.equal(calls, 2);
    const b = bodies[0]!;
    assert.equal(b.event, 'sensor.alert');
    assert.equal(b.sig, `sha256=${createHmac('sha256', 's3cret').update(b.body).digest('hex')}`);
    assert.equal((JSON.parse(b.body) as Alert).rule, 'MR003');
  });

  it('counts undeliverable records', async () => {
    let dropped = 0;
    const w = createWebhookSender({
      url: 'http://127.0.0.1:9/',
      secret: 'x',
      attempts: 1,
      onDrop: (n) => (dropped += n),
    });
    w.send(alert);
    w.send(alert);
    await w.close(2000);
    assert.equal(dropped, 2);
    assert.throws(() => createWebhookSender({ url: 'ftp://x/', secret: 'x' }), /scheme/);
  });
});

describe('metrics', () => {
  it('serves counters by kind, source, rule and severity', async () => {
    const c = new AgentCounters();
    c.event('exec');
    c.event('exec');
    c.drop('queue', 3);
    c.alert(alert);
    const m = await startMetricsServer(c.registry, '127.0.0.1:0');
    try {
      const text = await (await fetch(`http://${m.address}/metrics`)).text();
      assert.match(text, /mamori_sensor_events_total\{kind="exec"\} 2/);
      assert.match(text, /mamori_sensor_drops_total\{source="queue"\} 3/);
      assert.match(text, /mamori_sensor_drops_total\{source="kernel"\} 0/);
      assert.match(text, /mamori_sensor_alerts_total\{rule="MR003",severity="high"\} 1/);
      assert.equal((await fetch(`http://${m.address}/other`)).status, 404);
    } finally {
      await m.close();
    }
    assert.deepEqual(c.snapshot().drops, { queue: 3 });
  });
});
