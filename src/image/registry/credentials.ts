/**
 * Registry credentials, looked up in the order skopeo and podman use: an
 * explicit `--creds`, then the auth files, then Docker's config (with its
 * credential helpers). Environment and home directory are passed in.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { MamoriError, errorMessage } from '../../core/index.js';
import { matchAuthFile, readAuthFile, type AuthEntry } from './authfile.js';
import { DOCKER_HUB } from './reference.js';

export interface Credentials {
  readonly username?: string;
  readonly password?: string;
  /** OAuth2 refresh token (`identitytoken`), exchanged at the token endpoint. */
  readonly identityToken?: string;
  /** Bearer token sent to the registry as is (`registrytoken`). */
  readonly registryToken?: string;
  /** Where the credentials came from, for messages (never the secret itself). */
  readonly source: string;
}

export interface CredentialOptions {
  /** `USER[:PASS]` as given to `--creds`. */
  readonly creds?: string;
  /** Repository path, so that `host/repo` keys in auth files can match. */
  readonly repository?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  /** Time limit for a `docker-credential-*` helper, default 30 s. */
  readonly helperTimeoutMs?: number;
}

const HELPER_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const HELPER_MAX_OUTPUT = 1024 * 1024;

/** Parses `USER[:PASS]`; the password may itself contain colons. */
export function parseCredsFlag(creds: string): Credentials {
  const colon = creds.indexOf(':');
  const username = colon === -1 ? creds : creds.slice(0, colon);
  const password = colon === -1 ? '' : creds.slice(colon + 1);
  if (username.length === 0)
    throw new MamoriError('INVALID_ARGUMENT', '--creds needs USER[:PASSWORD] with a user name');
  return { username, password, source: '--creds' };
}

function authFilePaths(opts: CredentialOptions): Array<{ path: string; legacy: boolean }> {
  const env = opts.env;
  const out: Array<{ path: string; legacy: boolean }> = [];
  const nonEmpty = (s: string | undefined): s is string => s !== undefined && s !== '';
  if (nonEmpty(env['REGISTRY_AUTH_FILE'])) out.push({ path: env['REGISTRY_AUTH_FILE'], legacy: false });
  if (nonEmpty(env['XDG_RUNTIME_DIR'])) {
    out.push({ path: join(env['XDG_RUNTIME_DIR'], 'containers', 'auth.json'), legacy: false });
  }
  const configHome = nonEmpty(env['XDG_CONFIG_HOME'])
    ? env['XDG_CONFIG_HOME']
    : join(opts.homeDir, '.config');
  out.push({ path: join(configHome, 'containers', 'auth.json'), legacy: false });
  const dockerDir = nonEmpty(env['DOCKER_CONFIG']) ? env['DOCKER_CONFIG'] : join(opts.homeDir, '.docker');
  out.push({ path: join(dockerDir, 'config.json'), legacy: false });
  out.push({ path: join(opts.homeDir, '.dockercfg'), legacy: true });
  return out;
}

function decodeEntry(entry: AuthEntry, where: string): Credentials {
  let username = entry.username;
  let password = entry.password;
  if (entry.auth !== undefined) {
    const b64 = entry.auth.trim();
    const decoded = /^[A-Za-z0-9+/]*={0,2}$/.test(b64) ? Buffer.from(b64, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw new MamoriError('INVALID_ARGUMENT', `"auth" of ${where} is not base64 of USER:PASSWORD`);
    }
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  return {
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(entry.identitytoken !== undefined ? { identityToken: entry.identitytoken } : {}),
    ...(entry.registrytoken !== undefined ? { registryToken: entry.registrytoken } : {}),
    source: where,
  };
}

function helperServerUrl(registry: string): string {
  return registry === DOCKER_HUB ? 'https://index.docker.io/v1/' : registry;
}

/**
 * Runs `docker-credential-NAME get` (no shell) with the server URL on stdin.
 * Undefined when the helper has no credentials for the server.
 */
export function runCredentialHelper(
  name: string,
  registry: string,
  opts: Pick<CredentialOptions, 'env' | 'helperTimeoutMs'>,
): Promise<Credentials | undefined> {
  if (!HELPER_NAME_RE.test(name)) {
    return Promise.reject(
      new MamoriError('INVALID_ARGUMENT', `invalid credential helper name ${JSON.stringify(name)}`),
    );
  }
  const program = `docker-credential-${name}`;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
  return new Promise((resolve, reject) => {
    const child = execFile(
      program,
      ['get'],
      { env, timeout: opts.helperTimeoutMs ?? 30_000, maxBuffer: HELPER_MAX_OUTPUT, windowsHide: true },
      (err, stdout, stderr) => {
        const out = String(stdout);
        if (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') {
            reject(
              new MamoriError(
                'INVALID_ARGUMENT',
                `credential helper ${program} is not installed (not in PATH)`,
              ),
            );
            return;
          }
          if (/credentials not found/i.test(out + String(stderr))) {
            resolve(undefined);
            return;
          }
          const detail = (String(stderr).trim() || out.trim()).split('\n')[0]?.slice(0, 200) ?? '';
          reject(
            new MamoriError(
              'INVALID_ARGUMENT',
              `credential helper ${program} failed: ${detail || errorMessage(err)}`,
              {
                cause: err,
              },
            ),
          );
          return;
        }
        let doc: unknown;
        try {
          doc = JSON.parse(out);
        } catch {
          reject(new MamoriError('INVALID_ARGUMENT', `credential helper ${program} printed invalid JSON`));
          return;
        }
        const rec = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>) : {};
        const user = typeof rec['Username'] === 'string' ? rec['Username'] : '';
        const secret = typeof rec['Secret'] === 'string' ? rec['Secret'] : '';
        if (secret === '' && user === '') {
          resolve(undefined);
          return;
        }
        const source = program;
        resolve(
          user === '<token>'
            ? { identityToken: secret, source }
            : { username: user, password: secret, source },
        );
      },
    );
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(helperServerUrl(registry));
  });
}

/**
 * Credentials for `registry` (as written in references: `docker.io`,
 * `ghcr.io`, `localhost:5000`), or undefined for anonymous access.
 * Throws INVALID_ARGUMENT for a malformed `--creds`, an unreadable auth file,
 * a malformed matching entry, or a failing credential helper.
 */
export async function resolveCredentials(
  registry: string,
  opts: CredentialOptions,
): Promise<Credentials | undefined> {
  if (opts.creds !== undefined) return parseCredsFlag(opts.creds);
  for (const { path, legacy } of authFilePaths(opts)) {
    const file = await readAuthFile(path, legacy);
    if (file === undefined) continue;
    const match = matchAuthFile(file, registry, opts.repository);
    if (match === undefined) continue;
    if (match.kind === 'entry') return decodeEntry(match.entry, `entry "${match.key}" of ${path}`);
    const found = await runCredentialHelper(match.helper, registry, opts);
    if (found !== undefined) return found;
  }
  return undefined;
}
