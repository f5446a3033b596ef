/**
 * Sends RFC 5424 messages to a syslog server: `udp://HOST:PORT` (RFC 5426,
 * one message per datagram) or `tcp://HOST:PORT` (RFC 6587 octet counting,
 * reconnecting with backoff up to 30 s). Messages wait in a bounded queue;
 * beyond it they are dropped and counted (`onDrop`), never silently.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, isIP, type Socket } from 'node:net';
import { MamoriError, errorMessage } from '../../core/errors.js';
import { octetCounted } from '../../registry/audit/index.js';

export interface SyslogTarget {
  readonly protocol: 'udp' | 'tcp';
  readonly host: string;
  readonly port: number;
}

export interface SyslogSenderOptions {
  /** Default 10 000. */
  readonly maxQueued?: number;
  readonly onDrop?: (count: number) => void;
  readonly onError?: (e: MamoriError) => void;
}

export interface SyslogSender {
  send(message: string): void;
  /** Sends what is queued (at most `timeoutMs`, default 3 s) and closes. */
  close(timeoutMs?: number): Promise<void>;
}

/** Parses `udp://HOST:PORT` / `tcp://HOST:PORT` (IPv6 hosts in brackets). */
export function parseSyslogUrl(url: string): SyslogTarget {
  const m = /^(udp|tcp):\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253}):(\d{1,5})$/.exec(url.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 1 && port <= 65535))
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `--syslog must be udp://HOST:PORT or tcp://HOST:PORT, got ${JSON.stringify(url)}`,
    );
  const host = (m[2] ?? '').replace(/^\[|\]$/g, '');
  return { protocol: m[1] as 'udp' | 'tcp', host, port };
}

export function createSyslogSender(target: SyslogTarget, opts: SyslogSenderOptions = {}): SyslogSender {
  const max = opts.maxQueued ?? 10_000;
  const fail = (what: string, e: unknown): void =>
    opts.onError?.(new MamoriError('NETWORK', `syslog ${what}: ${errorMessage(e)}`, { cause: e }));
  return target.protocol === 'udp' ? udpSender(target, max, opts, fail) : tcpSender(target, max, opts, fail);
}

function udpSender(
  t: SyslogTarget,
  max: number,
  opts: SyslogSenderOptions,
  fail: (w: string, e: unknown) => void,
): SyslogSender {
  const socket: UdpSocket = createSocket(isIP(t.host) === 6 ? 'udp6' : 'udp4');
  socket.on('error', (e) => fail('socket', e));
  socket.unref();
  let inFlight = 0;
  let idle: (() => void) | undefined;
  let closed = false;
  return {
    send(message) {
      if (closed) return;
      if (inFlight >= max) return opts.onDrop?.(1);
      inFlight++;
      socket.send(Buffer.from(message, 'utf8'), t.port, t.host, (e) => {
        if (e) {
          fail('send', e);
          opts.onDrop?.(1);
        }
        if (--inFlight === 0) idle?.();
      });
    },
    async close(timeoutMs = 3000) {
      if (closed) return;
      closed = true;
      if (inFlight > 0)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          idle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

function tcpSender(
  t: SyslogTarget,
  max: number,
  opts: SyslogSenderOptions,
  fail: (w: string, e: unknown) => void,
): SyslogSender {
  const queue: Buffer[] = [];
  let socket: Socket | undefined;
  let connecting = false;
  let retry: NodeJS.Timeout | undefined;
  let delay = 100;
  let closed = false;
  let onEmpty: (() => void) | undefined;

  const pump = (): void => {
    if (!socket) return open();
    while (queue.length > 0) {
      const b = queue.shift() as Buffer;
      if (!socket.write(b)) {
        socket.once('drain', pump);
        return;
      }
    }
    onEmpty?.();
  };
  const open = (): void => {
    if (connecting || retry || socket) return;
    connecting = true;
    const s = connect({ host: t.host, port: t.port });
    s.unref();
    s.on('error', (e) => fail('connection', e));
    s.once('connect', () => {
      connecting = false;
      delay = 100;
      socket = s;
      pump();
    });
    s.once('close', () => {
      connecting = false;
      if (socket === s) socket = undefined;
      if (closed) return onEmpty?.();
      retry = setTimeout(() => {
        retry = undefined;
        if (queue.length > 0) pump();
      }, delay);
      retry.unref();
      delay = Math.min(delay * 2, 30_000);
    });
  };
  return {
    send(message) {
      if (closed) return;
      if (queue.length >= max) return opts.onDrop?.(1);
      queue.push(octetCounted(message));
      pump();
    },
    async close(timeoutMs = 3000) {
      if (closed) return;
      closed = true;
      if (retry) clearTimeout(retry);
      if (queue.length > 0 && socket) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          onEmpty = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      opts.onDrop?.(queue.length);
      queue.length = 0;
      const s = socket;
      if (s) await new Promise<void>((resolve) => s.end(() => resolve()));
    },
  };
}
