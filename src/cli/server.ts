import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { MamoriError } from '../core/index.js';
import { DEFAULT_LISTEN, parseListen, startRegistryServer } from '../registry/server/index.js';
import { EXIT_OK, reportError } from './errors.js';
import type { CliIo } from './sbom.js';

interface ServerCliOptions {
  readonly listen?: string;
  readonly data?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
}

export interface ServerCommandHooks {
  /** Called once the registry listens, with its URL. */
  readonly onListening?: (url: string) => void;
  /** Stops the server when aborted; default: SIGINT or SIGTERM. */
  readonly signal?: AbortSignal;
}

function defaultDataDir(env: NodeJS.ProcessEnv): string {
  return env.MAMORI_DATA || env.MAMORI_DATA_DIR || join(homedir(), '.local', 'share', 'mamori', 'registry');
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

export function serverCommand(
  io: CliIo,
  setExit: (code: number) => void,
  hooks: ServerCommandHooks = {},
): Command {
  return new Command('server')
    .description('Run the mamori OCI registry (storage and state under --data)')
    .option('--listen <host:port>', `address to listen on (env MAMORI_LISTEN; default ${DEFAULT_LISTEN})`)
    .option(
      '--data <dir>',
      'data directory (env MAMORI_DATA; default $MAMORI_DATA_DIR or ~/.local/share/mamori/registry)',
    )
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (needs --tls-key)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .addHelpText(
      'after',
      `
Example:
  mamori server --listen 127.0.0.1:5000 --data ./registry-data
  skopeo copy --dest-tls-verify=false oci:./layout:app docker://127.0.0.1:5000/team/app:1`,
    )
    .action(async (opts: ServerCliOptions) => {
      const listen = opts.listen ?? (process.env.MAMORI_LISTEN || DEFAULT_LISTEN);
      const data = opts.data ?? defaultDataDir(process.env);
      try {
        parseListen(listen);
        if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
          throw new MamoriError('INVALID_ARGUMENT', '--tls-cert and --tls-key must be given together');
        }
      } catch (e) {
        setExit(reportError(e, io.stderr));
        return;
      }
      const tls = opts.tlsCert && opts.tlsKey ? { cert: opts.tlsCert, key: opts.tlsKey } : undefined;
      const own = hooks.signal ? undefined : processSignal();
      const signal = hooks.signal ?? own?.signal;
      try {
        const server = await startRegistryServer({ listen, data, tls });
        io.stderr.write(`mamori: registry listening on ${server.url} (data ${data})\n`);
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
