/**
 * The forwarder against a real syslog server: rsyslogd (Debian package
 * `rsyslog`) run unprivileged from a temp dir, receiving on UDP and TCP,
 * parsing with its RFC 5424 parser and mmpstrucdata, writing what it
 * understood as JSON lines. Skipped, saying so, where rsyslogd is missing.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type AuditEvent, createSyslogForwarder } from './index.js';
import { eventually } from './testing.js';

const RSYSLOGD = '/usr/sbin/rsyslogd';
const skip = existsSync(RSYSLOGD) ? false : 'rsyslogd is not installed (Debian package rsyslog)';

async function freePort(kind: 'tcp' | 'udp'): Promise<number> {
  if (kind === 'tcp') {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const { port } = s.address() as AddressInfo;
    await new Promise((r) => s.close(r));
    return port;
  }
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Parsed {
  pri: string;
  time: string;
  hostname: string;
  app: string;
  procid: string;
  msgid: string;
  /** mmpstrucdata's parse of the structured data, as JSON text ('' when there is none). */
  sd: string;
  msg: string;
}

describe('syslog forwarding to rsyslogd', { skip }, () => {
  let dir = '';
  let daemon: ChildProcess | undefined;
  let udpPort = 0;
  let tcpPort = 0;
  const out = (): string => join(dir, 'out.log');
  const lines = async (): Promise<Parsed[]> =>
    existsSync(out())
      ? (await readFile(out(), 'utf8'))
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Parsed)
      : [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamori-rsyslog-'));
    [udpPort, tcpPort] = [await freePort('udp'), await freePort('tcp')];
    const conf = `
global(workDirectory="${dir}" net.enableDNS="off")
module(load="imudp")
module(load="imtcp")
module(load="mmpstrucdata")
input(type="imudp" address="127.0.0.1" port="${udpPort}")
input(type="imtcp" address="127.0.0.1" port="${tcpPort}")
template(name="j" type="string" string="{\\"pri\\":\\"%pri%\\",\\"time\\":\\"%timereported:::date-rfc3339%\\",\\"hostname\\":\\"%hostname:::json%\\",\\"app\\":\\"%app-name:::json%\\",\\"procid\\":\\"%procid:::json%\\",\\"msgid\\":\\"%msgid:::json%\\",\\"sd\\":\\"%$!:::json%\\",\\"msg\\":\\"%msg:::json%\\"}\\n")
action(type="mmpstrucdata" sd_name.lowercase="off")
action(type="omfile" file="${out()}" template="j")
`;
    await writeFile(join(dir, 'rsyslog.conf'), conf);
    daemon = spawn(RSYSLOGD, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'pid')], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    // Ready when TCP accepts and a UDP probe comes out the other end.
    await eventually(
      () =>
        new Promise<boolean>((resolve) => {
          const s = connect(tcpPort, '127.0.0.1');
          s.once('connect', () => {
            s.destroy();
            resolve(true);
          });
          s.once('error', () => resolve(false));
        }),
      'rsyslogd to listen',
    );
    const probe = createSocket('udp4');
    probe.unref();
    try {
      await eventually(async () => {
        probe.send('<13>1 - - probe - - - ready', udpPort, '127.0.0.1');
        await new Promise((r) => setTimeout(r, 50));
        return (await lines()).some((l) => l.app === 'probe');
      }, 'rsyslogd to receive UDP');
    } finally {
      probe.close();
    }
  });
  after(async () => {
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((r) => daemon?.once('exit', r));
      daemon.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  const event = (id: number): AuditEvent => ({
    id,
    time: Date.UTC(2026, 10, 22, 5, 0, 0, 123),
    actor: 'józef "x"',
    actorKind: 'user',
    remote: '10.0.0.1',
    action: 'policy.deny',
    resource: { repository: 'lib/app', reference: 'v1', project: 'lib' },
    result: 'denied',
    detail: 'a ] b \\ c',
  });

  for (const protocol of ['udp', 'tcp'] as const) {
    it(`is parsed field by field by rsyslog over ${protocol}`, async () => {
      const id = protocol === 'udp' ? 101 : 102;
      const f = createSyslogForwarder({
        host: '127.0.0.1',
        port: protocol === 'udp' ? udpPort : tcpPort,
        protocol,
        hostname: 'reg1',
        facility: 'local3',
        procId: 4242,
      });
      f.send(event(id));
      await f.close();
      const params = (l: Parsed): Record<string, string> | undefined =>
        l.sd === ''
          ? undefined
          : (JSON.parse(l.sd) as { 'rfc5424-sd'?: Record<string, Record<string, string>> })['rfc5424-sd']?.[
              'mamori@32473'
            ];
      let got: Parsed | undefined;
      await eventually(async () => {
        got = (await lines()).find((l) => params(l)?.id === String(id));
        return got !== undefined;
      }, 'rsyslog to write the event');
      assert.ok(got);
      assert.equal(got.pri, String(19 * 8 + 4));
      assert.equal(got.time, '2026-11-22T05:00:00.123Z');
      assert.deepEqual(
        [got.hostname, got.app, got.procid, got.msgid],
        ['reg1', 'mamori', '4242', 'policy.deny'],
      );
      assert.deepEqual(params(got), {
        id: String(id),
        actor: 'józef "x"',
        actorKind: 'user',
        remote: '10.0.0.1',
        result: 'denied',
        project: 'lib',
        repository: 'lib/app',
        reference: 'v1',
        detail: 'a ] b \\ c',
      });
      assert.equal(got.msg.replace(/^\ufeff/, ''), 'józef "x" policy.deny lib/app:v1 denied: a ] b \\ c');
    });
  }
});
