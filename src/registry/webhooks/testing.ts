/** Test support (not part of the build): temp state stores and a real HTTP receiver. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateStore, type StateStore } from '../state/index.js';

export interface TempDb {
  readonly path: string;
  open(): Promise<StateStore>;
  cleanup(): Promise<void>;
}

export async function tempDb(name: string): Promise<TempDb> {
  const dir = await mkdtemp(join(tmpdir(), `mamori-${name}-`));
  const path = join(dir, 'state.db');
  const opened: StateStore[] = [];
  return {
    path,
    async open() {
      const s = await openStateStore({ kind: 'sqlite', path });
      opened.push(s);
      return s;
    },
    async cleanup() {
      for (const s of opened) await s.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What the receiver does with its n-th request (1-based): answer with a status, or never answer. */
export type Behaviour = (n: number, r: Received) => number | 'hang';

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  behaviour: Behaviour;
  close(): Promise<void>;
}

export async function startReceiver(behaviour: Behaviour = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  const receiver: Receiver = {
    url: '',
    received,
    behaviour,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const r = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(parts).toString('utf8') };
      received.push(r);
      const what = receiver.behaviour(received.length, r);
      if (what === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(what, what >= 300 && what < 400 ? { location: '/elsewhere' } : {});
      res.end(what >= 400 ? 'x'.repeat(100_000) : 'ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, { url: `http://127.0.0.1:${port}/hook` });
}

/** What a receiver does to check a delivery: recompute the HMAC over the raw body. */
export function verifySignature(
  secret: string,
  body: string,
  header: string | string[] | undefined,
): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const got = Buffer.from(header.slice('sha256='.length), 'hex');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** Waits until `check` holds, giving the event loop turns; fails after `ms`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  what: string,
  ms = 15_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
