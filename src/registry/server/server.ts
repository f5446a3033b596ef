import { access, chmod, mkdir, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { MamoriError, errorMessage } from '../../core/index.js';
import { createRegistryApp } from '../http/index.js';
import { openStateStore } from '../state/index.js';
import type { StateStore } from '../state/index.js';
import { createFsBlobStore } from '../storage/index.js';
import type { FsBlobStore } from '../storage/index.js';
import { parseListen } from './config.js';

export interface RegistryServerOptions {
  /** `HOST:PORT`; port 0 picks a free port. */
  readonly listen: string;
  /** Data directory: created (mode 0700) with `storage/` and `state.db`. */
  readonly data: string;
  /** PEM files; when given the server speaks HTTPS. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Fastify's request logging; default off. */
  readonly logger?: boolean;
}

export interface RegistryServer {
  /** `http(s)://HOST:PORT` with the bound port. */
  readonly url: string;
  /** Stops accepting, finishes requests under way, closes the state store. */
  close(): Promise<void>;
}

/** Answers when the state store responds and the storage root is writable. */
async function ready(state: StateStore, storage: FsBlobStore): Promise<boolean> {
  try {
    await state.listRepositories({ n: 1 });
    await access(storage.root, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function addProbes(app: FastifyInstance, state: StateStore, storage: FsBlobStore): void {
  app.get('/healthz', async (_req, reply) => reply.code(200).send({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) =>
    (await ready(state, storage))
      ? reply.code(200).send({ status: 'ready' })
      : reply.code(503).send({ status: 'not ready' }),
  );
}

async function readPem(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new MamoriError('INVALID_ARGUMENT', `cannot read TLS ${what} ${path}: ${errorMessage(e)}`, {
      cause: e,
    });
  }
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Listens on host:port; resolves with the bound port. */
function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void =>
      reject(
        new MamoriError('INVALID_ARGUMENT', `cannot listen on ${host}:${port}: ${e.message}`, { cause: e }),
      );
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new MamoriError('INTERNAL', 'the registry did not bind a TCP port'));
      } else resolve(address.port);
    });
  });
}

/** Starts the registry: storage and state under `data`, the OCI endpoints, health probes. */
export async function startRegistryServer(opts: RegistryServerOptions): Promise<RegistryServer> {
  const { host, port } = parseListen(opts.listen);
  if (typeof opts.data !== 'string' || opts.data.length === 0) {
    throw new MamoriError('INVALID_ARGUMENT', 'a data directory is required');
  }
  const https = opts.tls
    ? { cert: await readPem(opts.tls.cert, 'certificate'), key: await readPem(opts.tls.key, 'key') }
    : undefined;
  // A directory made here is private whatever the umask; an existing one keeps its mode.
  if ((await mkdir(opts.data, { recursive: true, mode: 0o700 })) !== undefined) await chmod(opts.data, 0o700);
  const storage = await createFsBlobStore(join(opts.data, 'storage'));
  await storage.recover();
  const state = await openStateStore({ kind: 'sqlite', path: join(opts.data, 'state.db') });
  let app: FastifyInstance | undefined;
  let server: Server | undefined;
  try {
    app = createRegistryApp({ storage, state, logger: opts.logger });
    addProbes(app, state, storage);
    await app.ready();
    // The app's own server stays unused: TLS needs a server made with the PEMs,
    // and one code path serves both schemes through Fastify's router.
    const fastify = app;
    const handler = (
      req: Parameters<FastifyInstance['routing']>[0],
      res: Parameters<FastifyInstance['routing']>[1],
    ): void => fastify.routing(req, res);
    // No whole-request deadline: a slow client may push a big layer in one
    // PATCH for as long as bytes keep coming (Distribution's behaviour).
    // Idle sockets and slow headers are still cut off.
    const serverOptions = { requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 65_000 };
    server = https
      ? createHttpsServer({ ...https, ...serverOptions }, handler)
      : createHttpServer(serverOptions, handler);
    server.setTimeout(10 * 60_000);
    const bound = await listen(server, host, port);
    const url = `${https ? 'https' : 'http'}://${urlHost(host)}:${bound}`;
    const srv = server;
    let closing: Promise<void> | undefined;
    return {
      url,
      close: () =>
        (closing ??= (async () => {
          try {
            await new Promise<void>((resolve) => srv.close(() => resolve()));
            await fastify.close();
          } finally {
            await state.close();
          }
        })()),
    };
  } catch (e) {
    server?.close();
    await app?.close().catch(() => undefined);
    await state.close().catch(() => undefined);
    throw e;
  }
}
