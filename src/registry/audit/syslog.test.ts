import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isMamoriError } from '../../core/index.js';
import { type AuditEvent, createSyslogForwarder, octetCounted, openAuditLog, toSyslog } from './index.js';
import { eventually, type TempStore, tempStore } from './testing.js';

const T = Date.UTC(2026, 10, 22, 5, 0, 0, 123);

const push: AuditEvent = {
  id: 42,
  time: T,
  actor: 'alice',
  actorKind: 'user',
  remote: '192.0.2.10',
  action: 'push',
  resource: { repository: 'lib/app', reference: 'v1.2', digest: 'sha256:abc', project: 'lib' },
  result: 'success',
};

/** RFC 5424 §6 ABNF as one expression (SD-PARAMs with escaped `"`, `\`, `]`). */
const RFC5424 =
  /^<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)|-) ([\x21-\x7e]{1,255}) ([\x21-\x7e]{1,48}) ([\x21-\x7e]{1,128}) ([\x21-\x7e]{1,32}) (\[[^ =\]"]{1,32}(?: [^ =\]"]{1,32}="(?:[^"\\\]]|\\["\\\]])*")*\]|-)(?: (.*))?$/su;

describe('RFC 5424 formatting', () => {
  it('formats the golden cases', () => {
    assert.equal(
      toSyslog(push, { hostname: 'registry.example.com', facility: 'local4' }),
      '<165>1 2026-11-22T05:00:00.123Z registry.example.com mamori - push ' +
        '[mamori@32473 id="42" actor="alice" actorKind="user" remote="192.0.2.10" result="success" ' +
        'project="lib" repository="lib/app" reference="v1.2" digest="sha256:abc"] alice push lib/app:v1.2 success',
    );
    assert.equal(
      toSyslog(
        {
          ...push,
          id: 7,
          actor: 'robot$ci',
          actorKind: 'robot',
          action: 'pull',
          resource: { repository: 'lib/app', reference: 'sha256:abc' },
          result: 'denied',
          detail: 'quote " backslash \\ bracket ] end',
        },
        { hostname: 'h', procId: 99 },
      ),
      '<84>1 2026-11-22T05:00:00.123Z h mamori 99 pull ' +
        '[mamori@32473 id="7" actor="robot$ci" actorKind="robot" remote="192.0.2.10" result="denied" ' +
        'repository="lib/app" reference="sha256:abc" detail="quote \\" backslash \\\\ bracket \\] end"] ' +
        'robot$ci pull lib/app@sha256:abc denied: quote " backslash \\ bracket ] end',
    );
    assert.equal(
      toSyslog(
        {
          id: 8,
          time: T,
          actor: 'józef',
          actorKind: 'user',
          remote: '',
          action: 'scan',
          resource: {},
          result: 'failure',
          detail: 'line\nbreak',
        },
        { hostname: 'my host\n', facility: 0, appName: 'x'.repeat(60) },
      ),
      `<3>1 2026-11-22T05:00:00.123Z my_host_ ${'x'.repeat(48)} - scan ` +
        '[mamori@32473 id="8" actor="józef" actorKind="user" result="failure" detail="line\\\\x0abreak"] ' +
        '\ufeffjózef scan failure: line\\x0abreak',
    );
  });

  it('derives PRI from facility and result, and always matches the RFC grammar', () => {
    const cases: [AuditEvent['result'], number | 'audit', number][] = [
      ['success', 'audit', 13 * 8 + 5],
      ['denied', 23, 23 * 8 + 4],
      ['failure', 1, 8 + 3],
    ];
    for (const [result, facility, pri] of cases) {
      const line = toSyslog({ ...push, result }, { facility });
      assert.equal(RFC5424.exec(line)?.[1], String(pri));
    }
    const hostile: AuditEvent = {
      ...push,
      actor: 'a"]\\ b=c\r\n',
      action: 'a'.repeat(64),
      remote: '',
      time: 8.64e15 + 1,
      detail: '\u2028]"\\',
    };
    const line = toSyslog(hostile, { hostname: '', procId: '' });
    const m = RFC5424.exec(line);
    assert.ok(m, line);
    assert.equal(m[2], '-', 'an unrepresentable time is NILVALUE');
    assert.equal(m[3], '-');
    assert.equal(m[6], 'a'.repeat(32), 'MSGID is capped at 32');
    assert.doesNotMatch(line, /[\r\n\u2028]/);
    assert.ok(line.includes('detail="\\\\u2028\\]\\"\\\\"]'), line);
    assert.ok(line.includes('actor="a\\"\\]\\\\ b=c\\\\x0d\\\\x0a"'), line);
    assert.throws(
      () => toSyslog(push, { facility: 24 }),
      (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT'),
    );
    assert.throws(
      () => toSyslog(push, { facility: 'bogus' as 'audit' }),
      (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT'),
    );
    assert.deepEqual(octetCounted('<1>1 é'), Buffer.from('7 <1>1 é'));
  });
});

describe('syslog forwarding to a real listener', () => {
  let t: TempStore;
  before(async () => {
    t = await tempStore('audit-syslog');
  });
  after(() => t.cleanup());

  const options = { hostname: 'reg', facility: 'local0' as const };

  it('sends each stored event as one UDP datagram', async () => {
    const server = createSocket('udp4');
    const got: string[] = [];
    server.on('message', (m) => got.push(m.toString('utf8')));
    server.bind(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address();
    const forwarder = createSyslogForwarder({ ...options, host: '127.0.0.1', port, protocol: 'udp' });
    const log = await openAuditLog(t.store, { forward: forwarder });
    log.record({ actor: 'u1', action: 'udp.test', result: 'success' });
    log.record({ actor: 'u2', action: 'udp.test', result: 'denied', detail: 'no "pull" ]' });
    await log.close();
    await forwarder.close();
    await eventually(() => got.length === 2, 'two datagrams');
    const events = (await log.query({ action: 'udp.test', order: 'oldest-first' })).events;
    assert.deepEqual(
      got,
      events.map((e) => toSyslog(e, options)),
    );
    server.close();
  });

  it('sends octet-counted frames over TCP, waiting for a server that is not up yet', async () => {
    // A port that was just free: nothing listens there when the first event goes out.
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise((r) => probe.close(r));

    const errors: string[] = [];
    const forwarder = createSyslogForwarder({
      ...options,
      host: '127.0.0.1',
      port,
      protocol: 'tcp',
      onError: (e) => errors.push(e.message),
    });
    const log = await openAuditLog(t.store, { forward: forwarder });
    log.record({ actor: 'first', action: 'tcp.test', result: 'success', detail: 'before the server' });
    await log.flush();
    await eventually(() => errors.some((m) => /ECONNREFUSED/.test(m)), 'a refused connection');

    let buffered = Buffer.alloc(0);
    const frames: string[] = [];
    const server = createServer((s: Socket) =>
      s.on('data', (d: Buffer) => {
        buffered = Buffer.concat([buffered, d]);
        for (;;) {
          const sp = buffered.indexOf(0x20);
          if (sp < 0) return;
          const len = Number(buffered.subarray(0, sp).toString('ascii'));
          if (buffered.length < sp + 1 + len) return;
          frames.push(buffered.subarray(sp + 1, sp + 1 + len).toString('utf8'));
          buffered = buffered.subarray(sp + 1 + len);
        }
      }),
    );
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    await eventually(() => frames.length === 1, 'the queued event after reconnecting');

    for (let i = 0; i < 50; i++) {
      log.record({ actor: 'ünïcode', action: 'tcp.test', result: 'failure', detail: `n${i} ] " \\ \n` });
    }
    await log.close();
    await forwarder.close();
    await eventually(() => frames.length === 51, 'all frames');
    const events = (await log.query({ action: 'tcp.test', order: 'oldest-first' })).events;
    assert.deepEqual(
      frames,
      events.map((e) => toSyslog(e, options)),
    );
    assert.equal(forwarder.dropped, 0);
    await new Promise((r) => server.close(r));
  });

  it('refuses bad forwarder settings', () => {
    const bad = [
      { host: '', port: 514, protocol: 'udp' },
      { host: 'h', port: 0, protocol: 'udp' },
      { host: 'h', port: 514, protocol: 'http' },
      { host: 'a b', port: 514, protocol: 'tcp' },
      { host: 'h', port: 514, protocol: 'tcp', facility: 99 },
    ];
    for (const b of bad) {
      assert.throws(
        () => createSyslogForwarder(b as Parameters<typeof createSyslogForwarder>[0]),
        (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT'),
        JSON.stringify(b),
      );
    }
  });
});
