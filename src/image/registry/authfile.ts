/**
 * Reading and matching of registry auth files: containers-auth.json(5) and
 * Docker's `config.json` share one format (`auths`, `credHelpers`,
 * `credsStore`); the legacy `~/.dockercfg` is a bare map of `auths`.
 */
import { readFile } from 'node:fs/promises';
import { MamoriError, errorMessage } from '../../core/index.js';
import { DOCKER_HUB } from './reference.js';

const MAX_AUTH_FILE = 4 * 1024 * 1024;
const DOCKER_HUB_ALIASES = [
  DOCKER_HUB,
  'index.docker.io',
  'registry-1.docker.io',
  'https://index.docker.io/v1/',
];

/** One `auths` entry, as written in the file. */
export interface AuthEntry {
  readonly auth?: string;
  readonly username?: string;
  readonly password?: string;
  readonly identitytoken?: string;
  readonly registrytoken?: string;
}

export interface AuthFile {
  readonly path: string;
  readonly legacy: boolean;
  readonly auths: ReadonlyMap<string, AuthEntry>;
  readonly credHelpers: ReadonlyMap<string, string>;
  readonly credsStore?: string;
}

export type AuthMatch =
  | { readonly kind: 'entry'; readonly key: string; readonly entry: AuthEntry }
  | { readonly kind: 'helper'; readonly helper: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringField(o: Record<string, unknown>, k: string): string | undefined {
  const v = o[k];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function toEntry(v: unknown): AuthEntry | undefined {
  if (!isRecord(v)) return undefined;
  const e: Record<string, string> = {};
  for (const k of ['auth', 'username', 'password', 'identitytoken', 'registrytoken']) {
    const s = stringField(v, k);
    if (s !== undefined) e[k] = s;
  }
  return e;
}

/** Reads an auth file; undefined when it does not exist. Throws INVALID_ARGUMENT when it is unreadable or not JSON. */
export async function readAuthFile(path: string, legacy: boolean): Promise<AuthFile | undefined> {
  let text: string;
  try {
    const buf = await readFile(path);
    if (buf.length > MAX_AUTH_FILE) {
      throw new MamoriError('INVALID_ARGUMENT', `auth file ${path} is larger than ${MAX_AUTH_FILE} bytes`);
    }
    text = buf.toString('utf8');
  } catch (e) {
    if (e instanceof MamoriError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new MamoriError('INVALID_ARGUMENT', `cannot read auth file ${path}: ${errorMessage(e)}`, {
      cause: e,
    });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new MamoriError('INVALID_ARGUMENT', `auth file ${path} is not valid JSON`, { cause: e });
  }
  if (!isRecord(doc)) throw new MamoriError('INVALID_ARGUMENT', `auth file ${path} is not a JSON object`);
  const auths = new Map<string, AuthEntry>();
  const rawAuths = legacy ? doc : doc['auths'];
  if (isRecord(rawAuths)) {
    for (const [k, v] of Object.entries(rawAuths)) {
      const e = toEntry(v);
      if (e !== undefined) auths.set(k, e);
    }
  }
  const credHelpers = new Map<string, string>();
  const rawHelpers = legacy ? undefined : doc['credHelpers'];
  if (isRecord(rawHelpers)) {
    for (const [k, v] of Object.entries(rawHelpers))
      if (typeof v === 'string' && v !== '') credHelpers.set(k, v);
  }
  const credsStore = legacy ? undefined : stringField(doc, 'credsStore');
  return { path, legacy, auths, credHelpers, ...(credsStore !== undefined ? { credsStore } : {}) };
}

function normalizeRegistry(registry: string): string {
  return registry === DOCKER_HUB || registry === 'registry-1.docker.io' ? 'index.docker.io' : registry;
}

/** Reduces a file key to a registry host the way containers/image does (`https://host/v1/` → `host`). */
export function normalizeAuthKey(key: string, legacy: boolean): string {
  const stripped = key.replace(/^https?:\/\//, '');
  const host = legacy || stripped !== key ? (stripped.split('/')[0] ?? '') : stripped;
  return normalizeRegistry(host);
}

/** Keys from most to least specific: `host/ns/repo`, `host/ns`, `host`. */
function candidateKeys(registry: string, repository: string | undefined): string[] {
  const keys: string[] = [];
  if (repository !== undefined && repository !== '') {
    const parts = repository.split('/');
    for (let n = parts.length; n > 0; n--) keys.push(`${registry}/${parts.slice(0, n).join('/')}`);
  }
  keys.push(registry);
  return keys;
}

function hasSecret(e: AuthEntry): boolean {
  return (
    e.auth !== undefined ||
    e.username !== undefined ||
    e.identitytoken !== undefined ||
    e.registrytoken !== undefined
  );
}

/**
 * Finds what a file says about `registry`/`repository`: a credential helper
 * configured for the registry, else the most specific `auths` entry (exact
 * keys first, then keys normalised from URLs), else the file's `credsStore`.
 */
export function matchAuthFile(file: AuthFile, registry: string, repository?: string): AuthMatch | undefined {
  const aliases = registry === DOCKER_HUB ? DOCKER_HUB_ALIASES : [registry];
  for (const a of aliases) {
    const helper = file.credHelpers.get(a);
    if (helper !== undefined) return { kind: 'helper', helper };
  }
  const exact = file.legacy ? [registry] : candidateKeys(registry, repository);
  for (const key of exact) {
    const entry = file.auths.get(key);
    if (entry !== undefined && hasSecret(entry)) return { kind: 'entry', key, entry };
  }
  const want = normalizeRegistry(registry);
  for (const [key, entry] of file.auths) {
    if (hasSecret(entry) && normalizeAuthKey(key, file.legacy) === want) return { kind: 'entry', key, entry };
  }
  if (file.credsStore !== undefined) return { kind: 'helper', helper: file.credsStore };
  return undefined;
}
