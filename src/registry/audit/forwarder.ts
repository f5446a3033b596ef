/**
 * Live forwarding of stored audit events to a syslog server, as RFC 5424
 * messages over UDP (RFC 5426: one message per datagram) or TCP (RFC 6587
 * octet counting: `LEN SP MSG`). Best effort, as syslog is: the log in the
 * database stays the record. Messages wait in a bounded queue while the
 * TCP connection is down (reconnecting with backoff up to 30 s); beyond
 * `maxQueued` they are counted in `dropped`. A message written to a TCP
 * connection that then breaks may be lost; nothing is retried twice.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIP, connect, type Socket } from 'node:net';
import { errorMessage, MamoriError } from '../../core/index.js';
import type { AuditEvent } from './event.js';
import type { AuditSink } from './log.js';
import { facilityCode, type SyslogOptions, toSyslog } from './syslog.js';

export interface SyslogForwarderOptions extends SyslogOptions {
  readonly host: string;
  readonly port: number;
  readonly protocol: 'udp' | 'tcp';
  /** Messages waiting for the server, before new ones are dropped. Default 10,000. */
  readonly maxQueued?: number;
  /** How long `close` waits for queued messages to go out. Default 5 s. */
  readonly closeTimeoutMs?: number;
  /** Told about send and connection failures. */
  readonly onError?: (error: MamoriError) => void;
}

export interface SyslogForwarder extends AuditSink {
  /** Messages dropped because the queue was full. */
  readonly dropped: number;
  /** Sends what is queued (within `closeTimeoutMs`) and closes the socket. */
  close(): Promise<void>;
}

/** RFC 6587 §3.4.1 framing. */
export function octetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

export function createSyslogForwarder(options: SyslogForwarderOptions): SyslogForwarder {
  if (typeof options !== 'object' || options === null) {
    throw new MamoriError('INVALID_ARGUMENT', 'syslog forwarder options must be an object');
  }
  const { host, port, protocol } = options;
  if (typeof host !== 'string' || host === '' || host.length > 253 || /[\s/]/.test(host)) {
    throw new MamoriError('INVALID_ARGUMENT', 'syslog forwarder: host must be a host name or IP address');
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new MamoriError('INVALID_ARGUMENT', 'syslog forwarder: port must be 1…65535');
  }
  facilityCode(options.facility);
  if (protocol === 'udp') return new UdpForwarder(options);
  if (protocol === 'tcp') return new TcpForwarder(options);
  throw new MamoriError('INVALID_ARGUMENT', 'syslog forwarder: protocol must be udp or tcp');
}

abstract class Base implements SyslogForwarder {
  dropped = 0;
  protected closed = false;
  protected readonly maxQueued: number;
  protected readonly closeTimeoutMs: number;

  constructor(protected readonly options: SyslogForwarderOptions) {
    this.maxQueued = options.maxQueued ?? 10_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5000;
  }

  send(event: AuditEvent): void {
    if (this.closed) return;
    let message: string;
    try {
      message = toSyslog(event, this.options);
    } catch (e) {
      this.fail('format', e);
      return;
    }
    this.enqueue(message);
  }

  protected fail(what: string, e: unknown): void {
    this.options.onError?.(new MamoriError('NETWORK', `syslog ${what}: ${errorMessage(e)}`, { cause: e }));
  }

  protected abstract enqueue(message: string): void;
  abstract close(): Promise<void>;
}

class UdpForwarder extends Base {
  private readonly socket: UdpSocket;
  private inFlight = 0;
  private idle: (() => void) | undefined;

  constructor(options: SyslogForwarderOptions) {
    super(options);
    this.socket = createSocket(isIP(options.host) === 6 ? 'udp6' : 'udp4');
    this.socket.on('error', (e) => this.fail('socket', e));
    this.socket.unref();
  }

  protected enqueue(message: string): void {
    if (this.inFlight >= this.maxQueued) {
      this.dropped++;
      return;
    }
    this.inFlight++;
    this.socket.send(Buffer.from(message, 'utf8'), this.options.port, this.options.host, (e) => {
      if (e) this.fail('send', e);
      if (--this.inFlight === 0) this.idle?.();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.closeTimeoutMs);
        this.idle = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}

class TcpForwarder extends Base {
  private queue: Buffer[] = [];
  private socket: Socket | undefined;
  /** The connection being opened, or open. */
  private current: Socket | undefined;
  private connecting = false;
  private waitingDrain = false;
  private retry: NodeJS.Timeout | undefined;
  private delay = 100;
  private ended: (() => void) | undefined;

  protected enqueue(message: string): void {
    if (this.queue.length >= this.maxQueued) {
      this.dropped++;
      return;
    }
    this.queue.push(octetCounted(message));
    this.pump();
  }

  private pump(): void {
    const s = this.socket;
    if (!s) return this.connect();
    if (this.waitingDrain) return;
    while (this.queue.length > 0) {
      const b = this.queue.shift() as Buffer;
      if (!s.write(b)) {
        this.waitingDrain = true;
        s.once('drain', () => {
          this.waitingDrain = false;
          this.pump();
        });
        return;
      }
    }
    if (this.closed) s.end();
  }

  private connect(): void {
    if (this.connecting || this.retry || this.closed) return;
    this.connecting = true;
    const s = connect({ host: this.options.host, port: this.options.port });
    this.current = s;
    s.unref();
    s.on('error', (e) => this.fail('connection', e));
    s.once('connect', () => {
      this.connecting = false;
      this.delay = 100;
      this.socket = s;
      this.pump();
    });
    s.once('close', () => {
      this.connecting = false;
      this.waitingDrain = false;
      if (this.socket === s) this.socket = undefined;
      if (this.current === s) this.current = undefined;
      if (this.closed) {
        this.ended?.();
      } else if (this.queue.length > 0) {
        this.retry = setTimeout(() => {
          this.retry = undefined;
          this.pump();
        }, this.delay);
        this.retry.unref();
        this.delay = Math.min(this.delay * 2, 30_000);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const s = this.current;
    if (!s) return;
    const done = new Promise<void>((resolve) => {
      this.ended = resolve;
    });
    const timer = setTimeout(() => s.destroy(), this.closeTimeoutMs);
    if (this.socket) this.pump();
    await done;
    clearTimeout(timer);
  }
}
