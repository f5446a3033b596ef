import { dirname } from 'node:path';
import { didYouMean, MamoriError } from '../core/index.js';
import { parseListen } from '../registry/server/config.js';
import { findConfigFile, readConfigFile } from './file.js';
import type { Problems } from './layers.js';
import { flattenServerSection, resolveSettings } from './layers.js';
import type { Setting } from './settings.js';
import { SETTINGS } from './settings.js';
import type { S3Config, ServerConfig, ServerFlags, ServerSection, StateConfig } from './types.js';
import { shown } from './values.js';

/**
 * Top-level sections of mamori.yaml owned by other parts of mamori; they are
 * passed through in ServerConfig.sections for their owners to validate.
 */
export const RESERVED_SECTIONS: readonly string[] = [
  'policy',
  'projects',
  'retention',
  'immutability',
  'webhooks',
  'replication',
];

/** An invalid configuration; `problems` lists every problem found, one line each. */
export class ConfigError extends MamoriError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[], file: string | undefined) {
    const head = `invalid configuration${file ? ` (${file})` : ''}`;
    const shownProblems = problems.slice(0, 50);
    super('INVALID_ARGUMENT', `${head}:\n  ${shownProblems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadServerConfigOptions {
  /** Configuration file (--config); else $MAMORI_CONFIG, else ./mamori.yaml when present. */
  readonly file?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly flags?: Partial<ServerFlags>;
  /** Where ./mamori.yaml is looked for; default process.cwd(). */
  readonly cwd?: string;
  /** Called for each warning (a deprecated variable, S3 settings with the filesystem driver). */
  readonly onWarning?: (message: string) => void;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** `http://HOST:PORT/service/token` for a listen address (the realm Docker clients are sent to). */
export function defaultRealm(listenOrUrl: string, tls = false): string | undefined {
  if (/^https?:\/\//.test(listenOrUrl)) return `${listenOrUrl.replace(/\/+$/, '')}/service/token`;
  const { host, port } = parseListen(listenOrUrl);
  if (port === 0) return undefined;
  const h = host.includes(':') ? `[${host}]` : host;
  return `${tls ? 'https' : 'http'}://${h}:${port}/service/token`;
}

/** Splits the parsed file into the `server:` section and the reserved ones. */
function splitTopLevel(
  doc: unknown,
  problems: Problems,
): { server: unknown; sections: Record<string, unknown> } {
  const sections: Record<string, unknown> = {};
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    problems.errors.push(`expected a mapping at the top level (server: …), got ${shown(doc)}`);
    return { server: undefined, sections };
  }
  const top = doc as Record<string, unknown>;
  const known = ['server', ...RESERVED_SECTIONS];
  for (const key of Object.keys(top)) {
    if (key === 'server') continue;
    if (RESERVED_SECTIONS.includes(key)) sections[key] = top[key];
    else problems.errors.push(`unknown top-level key ${shown(key)}${didYouMean(key, known)}`);
  }
  return { server: top.server, sections };
}

function withPassword(url: string, password: string | undefined, problems: Problems): string {
  if (password === undefined) return url;
  const u = new URL(url);
  if (u.password) {
    problems.errors.push('server.state.password: the state URL already holds a password');
  } else if (!u.username) {
    problems.errors.push('server.state.password: the state URL needs a user name (postgres://USER@HOST/DB)');
  } else {
    // Fully percent-encoded: the setter leaves "%" alone, which would garble the password.
    u.password = encodeURIComponent(password);
  }
  return u.href;
}

/** Applies the rules that involve more than one setting. */
function assemble(values: Map<Setting<unknown>, unknown>, problems: Problems): ServerSection {
  const get = <T>(s: Setting<T>): T | undefined => values.get(s as Setting<unknown>) as T | undefined;
  const need = <T>(s: Setting<T>): T => {
    // An invalid value has been reported already: carry on with the default.
    const v = get(s) ?? s.default;
    if (v === undefined) throw new MamoriError('INTERNAL', `${s.path} has no default`);
    return v;
  };
  const S = SETTINGS;
  const ok = (...settings: { readonly path: string }[]): boolean =>
    !settings.some((s) => problems.failed.has(s.path));

  const cert = get(S.tlsCert);
  const key = get(S.tlsKey);
  if ((cert === undefined) !== (key === undefined) && ok(S.tlsCert, S.tlsKey)) {
    problems.errors.push(
      `server.tls: cert and key must be given together (${cert ? 'key' : 'cert'} is missing)`,
    );
  }
  const tls = cert !== undefined && key !== undefined ? { cert, key } : undefined;

  const driver = need(S.stateDriver);
  const rawUrl = get(S.stateUrl);
  const password = get(S.statePassword);
  let state: StateConfig = { driver, url: undefined };
  if (driver === 'postgres') {
    if (rawUrl === undefined && ok(S.stateUrl)) {
      problems.errors.push('server.state.url: required with driver postgres (or set MAMORI_STATE_URL)');
    } else if (rawUrl !== undefined) state = { driver, url: withPassword(rawUrl, password, problems) };
  } else if (rawUrl !== undefined || password !== undefined) {
    problems.errors.push('server.state: url and password are only used with driver postgres');
  }

  const storageDriver = need(S.storageDriver);
  const s3Given = [S.s3Endpoint, S.s3Bucket, S.s3AccessKeyId, S.s3SecretAccessKey].some(
    (s) => get(s) !== undefined,
  );
  let s3: S3Config | undefined;
  if (storageDriver === 's3') {
    const bucket = get(S.s3Bucket);
    const accessKeyId = get(S.s3AccessKeyId);
    const secretAccessKey = get(S.s3SecretAccessKey);
    if (bucket === undefined && ok(S.s3Bucket))
      problems.errors.push('server.storage.s3.bucket: required with driver s3');
    if (
      (accessKeyId === undefined) !== (secretAccessKey === undefined) &&
      ok(S.s3AccessKeyId, S.s3SecretAccessKey)
    ) {
      problems.errors.push('server.storage.s3: accessKeyId and secretAccessKey must be given together');
    }
    s3 = {
      endpoint: get(S.s3Endpoint),
      region: need(S.s3Region),
      bucket: bucket ?? '',
      prefix: need(S.s3Prefix),
      accessKeyId,
      secretAccessKey,
      forcePathStyle: need(S.s3ForcePathStyle),
    };
  } else if (s3Given) {
    problems.warnings.push('server.storage.s3 settings are ignored: server.storage.driver is filesystem');
  }

  const listen = need(S.listen);
  let realm = get(S.authRealm);
  if (realm === undefined && ok(S.listen, S.authRealm)) {
    realm = defaultRealm(listen, tls !== undefined);
    const host = parseListen(listen).host;
    if (host === '0.0.0.0' || host === '::') {
      problems.warnings.push(
        `server.auth.realm is derived from the wildcard address ${listen}: set it to the URL clients use`,
      );
    }
  }

  const address = get(S.syslogAddress);
  const facilityGiven = values.has(S.syslogFacility as Setting<unknown>) && get(S.syslogFacility) !== 16;
  if (address === undefined && facilityGiven) {
    problems.warnings.push('server.audit.syslog.facility is ignored: no server.audit.syslog.address');
  }

  return {
    listen,
    data: need(S.data),
    tls,
    log: { level: need(S.logLevel), format: need(S.logFormat) },
    state,
    storage: { driver: storageDriver, s3 },
    auth: {
      realm,
      service: need(S.authService),
      tokenTtl: need(S.authTokenTtl),
      anonymousPull: need(S.authAnonymousPull),
    },
    scanning: {
      enabled: need(S.scanEnabled),
      concurrency: need(S.scanConcurrency),
      vulnDb: get(S.scanVulnDb),
      rescanInterval: need(S.scanRescanInterval),
    },
    gc: {
      interval: need(S.gcInterval),
      gracePeriod: need(S.gcGracePeriod),
      uploadMaxAge: need(S.gcUploadMaxAge),
    },
    audit: { syslog: address ? { address, facility: need(S.syslogFacility) } : undefined },
    metrics: { enabled: need(S.metricsEnabled) },
    admission: {
      policy: get(S.admissionPolicy),
      budget: need(S.admissionBudget),
      failurePolicy: need(S.admissionFailurePolicy),
      registryNames: get(S.admissionRegistryNames) ?? [],
      cacheTtl: need(S.admissionCacheTtl),
    },
  };
}

/**
 * The effective `mamori server` configuration: command-line flags over
 * environment variables over mamori.yaml over defaults. Every problem is
 * collected and thrown together as a ConfigError naming each setting's path
 * (and variable or flag). The result is deeply frozen.
 */
export async function loadServerConfig(opts: LoadServerConfigOptions): Promise<ServerConfig> {
  const problems: Problems = { errors: [], warnings: [], failed: new Set() };
  const file = await findConfigFile(opts.file, opts.env, opts.cwd ?? process.cwd());
  const doc = file === undefined ? {} : await readConfigFile(file);
  const { server, sections } = splitTopLevel(doc, problems);
  const fileValues = flattenServerSection(server, problems);
  const cwd = opts.cwd ?? process.cwd();
  const values = await resolveSettings(
    fileValues,
    file === undefined ? cwd : dirname(file),
    opts.env,
    opts.flags ?? {},
    problems,
  );
  const section = assemble(values, problems);
  if (problems.errors.length > 0) throw new ConfigError(problems.errors, file);
  for (const w of problems.warnings) opts.onWarning?.(w);
  return deepFreeze({ file, server: section, sections });
}
