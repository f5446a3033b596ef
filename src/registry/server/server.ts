import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { MamoriError, errorMessage } from '../../core/index.js';
import { tokenEndpoint } from '../access/index.js';
import { accessRoutes, adminRoutes, registerApi, repositoryRoutes } from '../api/index.js';
import { createRegistryApp } from '../http/index.js';
import { instrument } from '../metrics/index.js';
import { mamoriVersion } from '../../report/index.js';
import { parseListen } from './config.js';
import { registryHooks } from './hooks.js';
import { type ServiceOptions, type Services, openServices } from './services.js';
import type { ScanEvent } from '../scanning/index.js';
import { GcScheduler } from './gc.js';
import { type AdmissionOptions, addAdmissionWebhooks, admissionResolver } from './admission.js';
import { readBoundedBody } from './body.js';

export interface RegistryServerOptions {
  /** `HOST:PORT`; port 0 picks a free port. */
  readonly listen: string;
  /** Data directory: created (mode 0700) with `storage/`, `state.db`, `keys/`, `cache/`. */
  readonly data: string;
  /** PEM files; when given the server speaks HTTPS. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Fastify's logger: false (default), true, or pino options. */
  readonly logger?: FastifyServerOptions['logger'];
  /** PostgreSQL URL for the state; default SQLite in the data directory. */
  readonly stateUrl?: string;
  /** Blobs in an S3-compatible bucket; default the filesystem under the data directory. */
  readonly s3?: ServiceOptions['s3'];
  readonly auth?: {
    /** The token endpoint URL clients are sent to; default this server's `/service/token`. */
    readonly realm?: string;
    /** The tokens' audience; default `mamori-registry`. */
    readonly service?: string;
    readonly tokenTtlMs?: number;
    /** Let anonymous callers pull public projects (default false: everyone signs in). */
    readonly anonymousPull?: boolean;
  };
  /** Password of the first administrator `admin` (created when there is no user); generated when absent. */
  readonly adminPassword?: string;
  readonly scanning?: ServiceOptions['scanning'];
  readonly gc?: {
    /** 0 turns scheduled collection off (default 24 h). */
    readonly intervalMs?: number;
    readonly gracePeriodMs?: number;
    readonly uploadMaxAgeMs?: number;
  };
  /** Serve Prometheus metrics at `/metrics` (default true). */
  readonly metrics?: boolean;
  /**
   * The admission webhooks at `POST /admission/validate` and `/admission/mutate`
   * (serve them over HTTPS: the API server calls webhooks only over TLS).
   * Decisions go to the audit log.
   */
  readonly admission?: AdmissionOptions;
  /** One-time messages for the operator (the generated admin password). */
  readonly notice?: (message: string) => void;
}

export interface RegistryServer {
  /** `http(s)://HOST:PORT` with the bound port. */
  readonly url: string;
  /** The running services (for embedding and tests). */
  readonly services: Services;
  /** Stops accepting, finishes requests under way, stops the background work, closes the stores. */
  close(): Promise<void>;
}

/** Answers when the state store responds and the storage root is writable. */
async function ready(s: Services): Promise<boolean> {
  try {
    await s.state.listRepositories({ n: 1 });
    return await s.storageReady();
  } catch {
    return false;
  }
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

/** The certificate and key, checked: PEM, a certificate, a private key, and a pair. */
async function tlsMaterial(certPath: string, keyPath: string): Promise<{ cert: Buffer; key: Buffer }> {
  const cert = await readPem(certPath, 'certificate');
  const key = await readPem(keyPath, 'key');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new MamoriError('INVALID_ARGUMENT', `TLS certificate ${certPath} is not a PEM certificate`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new MamoriError('INVALID_ARGUMENT', `TLS key ${keyPath} is not a PEM private key`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `TLS key ${keyPath} does not belong to the certificate ${certPath}`,
    );
  }
  return { cert, key };
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

const MAX_TOKEN_FORM = 64 * 1024;

/** The account a token request names (Basic user or the form's username), for the audit log. */
function claimedAccount(
  authorization: string | undefined,
  form: URLSearchParams | undefined,
): string | undefined {
  const fromForm = form?.get('username');
  if (fromForm) return fromForm.slice(0, 255);
  const m = /^Basic +([A-Za-z0-9+/=]{1,4096})$/i.exec(authorization ?? '');
  if (!m?.[1]) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i > 0 ? text.slice(0, Math.min(i, 255)) : undefined;
}

/** The token endpoint (`GET`/`POST /service/token`), with logins in the audit log. */
function addTokenEndpoint(app: FastifyInstance, s: Services): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const url = request.raw.url ?? '';
    const q = url.indexOf('?');
    let body: URLSearchParams | undefined;
    if (request.method === 'POST') {
      const form = await readBoundedBody(request.raw, MAX_TOKEN_FORM);
      if (!form) {
        reply.header('connection', 'close');
        return reply.code(413).send({ error: 'invalid_request', error_description: 'form too large' });
      }
      body = new URLSearchParams(form.toString('utf8'));
    }
    const remoteAddress = request.raw.socket.remoteAddress ?? '';
    const r = await tokenEndpoint(s.access, {
      method: request.method,
      query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
      headers: request.headers,
      remoteAddress,
      ...(body ? { body } : {}),
    });
    if (request.headers.authorization !== undefined || body !== undefined) {
      const account = claimedAccount(request.headers.authorization, body);
      s.audit.record({
        ...(account !== undefined
          ? { actor: account, actorKind: account.startsWith('robot$') ? 'robot' : 'user' }
          : { actorKind: 'anonymous' }),
        remote: remoteAddress,
        action: 'login',
        result: r.status === 200 ? 'success' : r.status === 401 ? 'denied' : 'failure',
        detail: `token endpoint answered ${r.status}`,
      });
    }
    return reply.code(r.status).headers(r.headers).send(r.json);
  };
  app.get('/service/token', handler);
  app.post('/service/token', handler);
}

/** Starts the registry: services under `data`, the OCI endpoints, the token endpoint, the API, probes and metrics. */
export async function startRegistryServer(opts: RegistryServerOptions): Promise<RegistryServer> {
  const { host, port } = parseListen(opts.listen);
  if (typeof opts.data !== 'string' || opts.data.length === 0) {
    throw new MamoriError('INVALID_ARGUMENT', 'a data directory is required');
  }
  const https = opts.tls ? await tlsMaterial(opts.tls.cert, opts.tls.key) : undefined;
  // A directory made here is private whatever the umask; an existing one keeps its mode.
  if ((await mkdir(opts.data, { recursive: true, mode: 0o700 })) !== undefined) await chmod(opts.data, 0o700);
  // The registry's own names, for the admission webhooks' image look-ups (the bound port is added below).
  const localNames: string[] = [...(opts.admission?.registryNames ?? [])].map((n) => n.toLowerCase());
  const opened: { services?: Services } = {};
  const admission = opts.admission
    ? admissionResolver(
        opts.admission,
        () => localNames,
        () => {
          if (!opened.services) throw new MamoriError('INTERNAL', 'the registry is starting');
          return opened.services;
        },
      )
    : undefined;
  const services = await openServices({
    data: opts.data,
    ...(opts.stateUrl !== undefined ? { stateUrl: opts.stateUrl } : {}),
    ...(opts.s3 ? { s3: opts.s3 } : {}),
    ...(opts.auth?.service !== undefined ? { service: opts.auth.service } : {}),
    anonymousPull: opts.auth?.anonymousPull === true,
    ...(opts.auth?.tokenTtlMs !== undefined
      ? { tokenLifetimeSeconds: Math.round(opts.auth.tokenTtlMs / 1000) }
      : {}),
    ...(opts.scanning ? { scanning: opts.scanning } : {}),
    ...(admission ? { onScanEvent: (e: ScanEvent) => admission.onScanEvent(e) } : {}),
  });
  opened.services = services;
  let app: FastifyInstance | undefined;
  let server: Server | undefined;
  let gc: GcScheduler | undefined;
  try {
    const boot = await services.access.bootstrapAdmin(opts.adminPassword);
    if (boot.created && boot.password !== undefined) {
      opts.notice?.(
        `created the administrator "${boot.name}" with the password ${boot.password} (shown once; set MAMORI_ADMIN_PASSWORD to choose it)`,
      );
    }
    // Bind first: the default token realm names the bound port. Requests that
    // arrive before the app is ready are answered 503.
    const slot: { route?: (req: IncomingMessage, res: ServerResponse) => void } = {};
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      if (slot.route) return slot.route(req, res);
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end('{"status":"starting"}');
    };
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

    const realm = opts.auth?.realm ?? `${url}/service/token`;
    if (localNames.length === 0) localNames.push(new URL(realm).host.toLowerCase(), new URL(url).host);
    const authorizer = services.access.authorizer({ realm });
    const hooks = registryHooks(services, authorizer);
    app = createRegistryApp({
      storage: services.storage,
      state: services.state,
      authorizer,
      hooks,
      logger: opts.logger ?? false,
    });
    if (opts.metrics !== false) instrument(app, services.metrics);
    app.get('/healthz', async (_req, reply) => reply.code(200).send({ status: 'ok' }));
    app.get('/readyz', async (_req, reply) =>
      (await ready(services))
        ? reply.code(200).send({ status: 'ready' })
        : reply.code(503).send({ status: 'not ready' }),
    );
    addTokenEndpoint(app, services);
    if (opts.admission && admission) addAdmissionWebhooks(app, services, opts.admission, admission.resolver);
    await registerApi(app, {
      authorizer,
      version: mamoriVersion(),
      routes: [
        ...repositoryRoutes({
          state: services.state,
          authorizer,
          hooks,
          scanSummary: (r: string, d: string) => services.scanning.result(r, d),
        }),
        ...accessRoutes({ access: services.access, state: services.state }),
        ...adminRoutes(services, authorizer, () => gc),
      ],
    });
    await app.ready();
    const fastify = app;
    slot.route = (req, res) => fastify.routing(req, res);
    gc = new GcScheduler(services, opts.gc ?? {});
    gc.start();

    const srv = server;
    const scheduler = gc;
    let closing: Promise<void> | undefined;
    return {
      url,
      services,
      close: () =>
        (closing ??= (async () => {
          try {
            await new Promise<void>((resolve) => srv.close(() => resolve()));
            await fastify.close();
            await scheduler.stop();
          } finally {
            await services.close();
          }
        })()),
    };
  } catch (e) {
    server?.close();
    await gc?.stop().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await services.close().catch(() => undefined);
    throw e;
  }
}
