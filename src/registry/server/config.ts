import { MamoriError } from '../../core/index.js';

/** Where the registry listens when nothing else is said. */
export const DEFAULT_LISTEN = '127.0.0.1:5000';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

const HOST_RE = /^[A-Za-z0-9.-]{1,253}$/;

/**
 * Parses `HOST:PORT` (IPv6 hosts in brackets: `[::1]:5000`); port 0–65535,
 * 0 picks a free port. Throws MamoriError INVALID_ARGUMENT on anything else.
 */
export function parseListen(value: string): ListenAddress {
  const bad = (why: string): MamoriError =>
    new MamoriError(
      'INVALID_ARGUMENT',
      `invalid listen address ${JSON.stringify(value.slice(0, 100))}: ${why}`,
    );
  if (typeof value !== 'string' || value.length === 0 || value.length > 300) throw bad('expected HOST:PORT');
  let host: string;
  let port: string;
  const v6 = /^\[([0-9A-Fa-f:.]+)\]:([^:]*)$/.exec(value);
  if (v6) {
    host = v6[1] ?? '';
    port = v6[2] ?? '';
  } else {
    const i = value.lastIndexOf(':');
    if (i < 0) throw bad('expected HOST:PORT');
    host = value.slice(0, i);
    port = value.slice(i + 1);
    if (!HOST_RE.test(host)) throw bad('host must be a name or an IPv4 address (IPv6 in brackets)');
  }
  if (!/^[0-9]{1,5}$/.test(port)) throw bad('port must be a number from 0 to 65535');
  const n = Number(port);
  if (n > 65535) throw bad('port must be a number from 0 to 65535');
  return { host, port: n };
}
