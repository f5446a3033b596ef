/**
 * Test support: runs a real CNCF Distribution registry (Debian's
 * `docker-registry`) on 127.0.0.1 with a random free port and a temporary
 * config and storage, optionally with htpasswd Basic auth, token auth or a
 * self-signed TLS certificate. Other suites use it to serve images.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, run, selfSignedCert } from './testing-tools.js';
import type { TokenServer } from './testing-token.js';

export { startTokenServer } from './testing-token.js';
export type { TokenServer, TokenServerOptions, TokenRequestRecord } from './testing-token.js';
export { buildTestImage, addImageIndex, pushImage, inspectRaw } from './testing-image.js';
export type { TestImage, PushOptions } from './testing-image.js';
export { run, selfSignedCert, freePort } from './testing-tools.js';

export interface DistributionOptions {
  /** Users and passwords for htpasswd (bcrypt) Basic auth. */
  readonly htpasswd?: Readonly<Record<string, string>>;
  /** Token auth against this token server (see startTokenServer). */
  readonly token?: TokenServer;
  /** Serve HTTPS with a fresh self-signed certificate for 127.0.0.1 and localhost. */
  readonly tls?: boolean;
  /** Milliseconds to wait for `/v2/` to answer (default 20 s). */
  readonly startTimeoutMs?: number;
}

export interface Distribution {
  /** Base URL, `http://127.0.0.1:PORT` or `https://…`. */
  readonly url: string;
  /** `127.0.0.1:PORT`, as written in image references. */
  readonly host: string;
  /** The temporary directory holding config, storage and certificates. */
  readonly dir: string;
  /** PEM of the self-signed certificate when `tls` is set. */
  readonly certPem?: string;
  stop(): Promise<void>;
}

function configYaml(dir: string, port: number, opts: DistributionOptions): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(join(dir, 'storage'))}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
  ];
  if (opts.tls) {
    lines.push(
      '  tls:',
      `    certificate: ${JSON.stringify(join(dir, 'tls.crt'))}`,
      `    key: ${JSON.stringify(join(dir, 'tls.key'))}`,
    );
  }
  if (opts.htpasswd) {
    lines.push(
      'auth:',
      '  htpasswd:',
      '    realm: mamori-test',
      `    path: ${JSON.stringify(join(dir, 'htpasswd'))}`,
    );
  } else if (opts.token) {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${JSON.stringify(opts.token.realm)}`,
      `    service: ${JSON.stringify(opts.token.service)}`,
      `    issuer: ${JSON.stringify(opts.token.issuer)}`,
      `    rootcertbundle: ${JSON.stringify(opts.token.certPath)}`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Resolves once GET /v2/ answers with any HTTP status, or rejects when the process exits or time runs out. */
async function waitForRegistry(
  url: string,
  child: ChildProcess,
  deadline: number,
  stderr: () => string,
): Promise<void> {
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`docker-registry exited early: ${stderr().slice(-2000)}`);
    const answered = await new Promise<boolean>((resolve) => {
      const mod = url.startsWith('https:') ? https : http;
      const req = mod.get(`${url}/v2/`, { rejectUnauthorized: false, timeout: 1000 }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
    });
    if (answered) return;
    if (Date.now() > deadline)
      throw new Error(`docker-registry did not answer at ${url}: ${stderr().slice(-2000)}`);
    await sleep(50);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Starts `docker-registry serve` on 127.0.0.1 with a random free port; stop() kills it and removes its directory. */
export async function startDistribution(opts: DistributionOptions = {}): Promise<Distribution> {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-registry-'));
  try {
    let certPem: string | undefined;
    if (opts.tls) {
      await selfSignedCert(join(dir, 'tls.key'), join(dir, 'tls.crt'), '127.0.0.1', [
        'IP:127.0.0.1',
        'DNS:localhost',
      ]);
      certPem = await readFile(join(dir, 'tls.crt'), 'utf8');
    }
    if (opts.htpasswd) {
      let text = '';
      for (const [user, password] of Object.entries(opts.htpasswd)) {
        text += (await run('htpasswd', ['-Bbn', user, password])).stdout.toString('utf8').trim() + '\n';
      }
      await writeFile(join(dir, 'htpasswd'), text);
    }
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const config = join(dir, 'config.yml');
      await writeFile(config, configYaml(dir, port, opts));
      const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString('utf8')).slice(-16384);
      });
      const onExit = (): void => {
        child.kill('SIGKILL');
      };
      process.once('exit', onExit);
      const host = `127.0.0.1:${port}`;
      const url = `${opts.tls ? 'https' : 'http'}://${host}`;
      try {
        await waitForRegistry(url, child, Date.now() + (opts.startTimeoutMs ?? 20_000), () => stderr);
      } catch (e) {
        await stopChild(child);
        process.removeListener('exit', onExit);
        // Another process may have taken the port between probe and bind.
        if (attempt < 3 && /address already in use/i.test(stderr)) continue;
        throw e;
      }
      return {
        url,
        host,
        dir,
        ...(certPem !== undefined ? { certPem } : {}),
        async stop() {
          await stopChild(child);
          process.removeListener('exit', onExit);
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
