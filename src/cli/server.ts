import { Command } from 'commander';
import { ConfigError, describeConfig, loadServerConfig, type ServerConfig } from '../config/index.js';
import { MamoriError } from '../core/index.js';
import { dirname } from 'node:path';
import { loadPolicyFile, parsePolicy, resolveKeyFiles, type Policy } from '../policy/index.js';
import { createLogger } from '../registry/metrics/index.js';
import { startRegistryServer } from '../registry/server/index.js';
import { EXIT_OK, reportError } from './errors.js';
import type { CliIo } from './sbom.js';

interface ServerCliOptions {
  readonly config?: string;
  readonly printConfig?: boolean;
  readonly listen?: string;
  readonly data?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly logLevel?: string;
  readonly logFormat?: string;
}

export interface ServerCommandHooks {
  /** Called once the registry listens, with its URL. */
  readonly onListening?: (url: string) => void;
  /** Stops the server when aborted; default: SIGINT or SIGTERM. */
  readonly signal?: AbortSignal;
}

/** An AbortSignal that fires on the first SIGINT or SIGTERM; `dispose` removes the handlers. */
function processSignal(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

function waitAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** The admission policy: the `policy:` section of mamori.yaml, or the file server.admission.policy names. */
async function admissionPolicy(config: ServerConfig): Promise<Policy | undefined> {
  const file = config.server.admission.policy;
  const section = config.sections.policy;
  if (file !== undefined && section !== undefined) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      'both a policy: section and server.admission.policy are set: keep one of them',
    );
  }
  if (file !== undefined) return loadPolicyFile(file);
  if (section === undefined) return undefined;
  return resolveKeyFiles(parsePolicy(section), config.file ? dirname(config.file) : process.cwd());
}

/** The server's settings as startRegistryServer takes them. */
function serverOptions(config: ServerConfig, io: CliIo, policy: Policy | undefined) {
  const s = config.server;
  const s3 = s.storage.driver === 's3' ? s.storage.s3 : undefined;
  if (s.storage.driver === 's3' && !s3) {
    throw new MamoriError('INVALID_ARGUMENT', 'server.storage.driver is s3 but server.storage.s3 is not set');
  }
  return {
    ...(s3 ? { s3 } : {}),
    ...(policy
      ? {
          admission: {
            policy,
            budgetMs: s.admission.budget,
            failurePolicy: s.admission.failurePolicy,
            registryNames: s.admission.registryNames,
            cacheTtlMs: s.admission.cacheTtl,
          },
        }
      : {}),
    listen: s.listen,
    data: s.data,
    ...(s.tls ? { tls: { cert: s.tls.cert, key: s.tls.key } } : {}),
    logger: s.log.level === 'silent' ? false : createLogger(s.log, io.stdout),
    ...(s.state.driver === 'postgres' && s.state.url !== undefined ? { stateUrl: s.state.url } : {}),
    auth: {
      ...(s.auth.realm !== undefined ? { realm: s.auth.realm } : {}),
      service: s.auth.service,
      tokenTtlMs: s.auth.tokenTtl,
      anonymousPull: s.auth.anonymousPull,
    },
    scanning: {
      enabled: s.scanning.enabled,
      concurrency: s.scanning.concurrency,
      ...(s.scanning.vulnDb !== undefined ? { vulnDb: s.scanning.vulnDb } : {}),
      ...(s.scanning.rescanInterval > 0 ? { rescanIntervalMs: s.scanning.rescanInterval } : {}),
    },
    gc: {
      intervalMs: s.gc.interval,
      gracePeriodMs: s.gc.gracePeriod,
      uploadMaxAgeMs: s.gc.uploadMaxAge,
    },
    metrics: s.metrics.enabled,
    ...(process.env.MAMORI_ADMIN_PASSWORD ? { adminPassword: process.env.MAMORI_ADMIN_PASSWORD } : {}),
    notice: (m: string) => io.stderr.write(`mamori: ${m}\n`),
  };
}

export function serverCommand(
  io: CliIo,
  setExit: (code: number) => void,
  hooks: ServerCommandHooks = {},
): Command {
  return new Command('server')
    .description(
      'Run the mamori registry: OCI Distribution API with access control, scan on push, audit log, REST API (/api/v1)',
    )
    .option(
      '-c, --config <file>',
      'configuration file (env MAMORI_CONFIG; default ./mamori.yaml when present)',
    )
    .option('--print-config', 'print the effective configuration (secrets redacted) and exit')
    .option('--listen <host:port>', 'address to listen on (env MAMORI_LISTEN; default 127.0.0.1:5000)')
    .option('--data <dir>', 'data directory (env MAMORI_DATA; default ./mamori-data)')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (needs --tls-key)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--log-level <level>', 'trace|debug|info|warn|error|silent (env MAMORI_LOG_LEVEL; default info)')
    .option('--log-format <format>', 'json|pretty (env MAMORI_LOG_FORMAT; default json)')
    .addHelpText(
      'after',
      `
The first start creates the administrator "admin" with the password in
MAMORI_ADMIN_PASSWORD, or generates one and prints it once. Projects (the
first path segment of a repository) are private; an admin's first push to
a project creates it.

With a policy: section in mamori.yaml (or server.admission.policy), it also
serves the Kubernetes admission webhooks POST /admission/validate and
/admission/mutate (use HTTPS; see mamori admission certs|manifests).

Examples:
  MAMORI_ADMIN_PASSWORD=… mamori server --listen 127.0.0.1:5000 --data ./registry-data
  skopeo copy --dest-tls-verify=false --dest-creds admin:… oci:./layout:app docker://127.0.0.1:5000/team/app:1
  mamori project create team --server http://127.0.0.1:5000 -u admin
  mamori server --print-config`,
    )
    .action(async (opts: ServerCliOptions) => {
      let config: ServerConfig;
      try {
        if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
          throw new MamoriError('INVALID_ARGUMENT', '--tls-cert and --tls-key must be given together');
        }
        config = await loadServerConfig({
          ...(opts.config !== undefined ? { file: opts.config } : {}),
          env: process.env,
          flags: {
            ...(opts.listen !== undefined ? { listen: opts.listen } : {}),
            ...(opts.data !== undefined ? { data: opts.data } : {}),
            ...(opts.tlsCert !== undefined ? { tlsCert: opts.tlsCert } : {}),
            ...(opts.tlsKey !== undefined ? { tlsKey: opts.tlsKey } : {}),
            ...(opts.logLevel !== undefined ? { logLevel: opts.logLevel } : {}),
            ...(opts.logFormat !== undefined ? { logFormat: opts.logFormat } : {}),
          },
          onWarning: (m) => io.stderr.write(`mamori: warning: ${m}\n`),
        });
      } catch (e) {
        if (e instanceof ConfigError && e.problems.length > 0) {
          io.stderr.write(
            e.problems.length === 1
              ? `mamori: error: ${e.problems[0] ?? ''}\n`
              : `mamori: error: invalid configuration:\n${e.problems.map((p) => `  ${p}\n`).join('')}`,
          );
          setExit(2);
          return;
        }
        setExit(reportError(e, io.stderr));
        return;
      }
      if (opts.printConfig) {
        io.stdout.write(describeConfig(config));
        setExit(EXIT_OK);
        return;
      }
      const own = hooks.signal ? undefined : processSignal();
      const signal = hooks.signal ?? own?.signal;
      try {
        const policy = await admissionPolicy(config);
        const server = await startRegistryServer(serverOptions(config, io, policy));
        io.stderr.write(`mamori: registry listening on ${server.url} (data ${config.server.data})\n`);
        if (policy) {
          io.stderr.write(
            `mamori: admission webhooks at ${server.url}/admission/validate and /admission/mutate (${policy.rules.length} rule(s))\n`,
          );
        }
        hooks.onListening?.(server.url);
        if (signal) await waitAbort(signal);
        await server.close();
        setExit(EXIT_OK);
      } catch (e) {
        setExit(reportError(e, io.stderr));
      } finally {
        own?.dispose();
      }
    });
}
