import { DEFAULT_LISTEN } from '../registry/server/config.js';
import { formatDuration } from './duration.js';
import type {
  FailurePolicy,
  LogFormat,
  LogLevel,
  ServerFlags,
  StateDriver,
  StorageDriver,
  SyslogAddress,
} from './types.js';
import { FAILURE_POLICIES, LOG_FORMATS, LOG_LEVELS, STATE_DRIVERS, STORAGE_DRIVERS } from './types.js';
import type { Parse } from './values.js';
import * as v from './values.js';

/**
 * One setting, declared once: its key in mamori.yaml, its environment
 * variables, its command-line flag, its default and its documentation.
 */
export interface Setting<T> {
  /** Dotted key in mamori.yaml, e.g. `server.gc.interval`. */
  readonly path: string;
  /** Environment variables, the documented one first; later ones are legacy names (a warning). */
  readonly env: readonly string[];
  /** Key of ServerFlags that sets it. */
  readonly flag?: keyof ServerFlags;
  readonly parse: Parse<T>;
  readonly default?: T;
  /**
   * A secret: also read from a file named by `<key>File` in mamori.yaml or
   * `<ENV>_FILE` in the environment; never printed.
   */
  readonly secret?: boolean;
  /** A file or directory path: relative paths in mamori.yaml are taken from the file's directory. */
  readonly isPath?: boolean;
  /** How the value is written back (durations as `5m`). */
  readonly show?: (value: T) => unknown;
  readonly doc: string;
}

const ms = (n: number): string => formatDuration(n);

function setting<T>(s: Setting<T>): Setting<T> {
  return s;
}

/** Every setting of the `server:` section. */
export const SETTINGS = {
  listen: setting<string>({
    path: 'server.listen',
    env: ['MAMORI_LISTEN'],
    flag: 'listen',
    parse: v.listen,
    default: DEFAULT_LISTEN,
    doc: 'HOST:PORT to listen on (IPv6 in brackets; port 0 picks a free port)',
  }),
  data: setting<string>({
    path: 'server.data',
    env: ['MAMORI_DATA', 'MAMORI_DATA_DIR'],
    flag: 'data',
    parse: v.path,
    isPath: true,
    default: './mamori-data',
    doc: 'data directory (blobs under storage/, state.db for SQLite)',
  }),
  tlsCert: setting<string>({
    path: 'server.tls.cert',
    env: ['MAMORI_TLS_CERT'],
    flag: 'tlsCert',
    parse: v.path,
    isPath: true,
    doc: 'PEM certificate; with server.tls.key the server speaks HTTPS',
  }),
  tlsKey: setting<string>({
    path: 'server.tls.key',
    env: ['MAMORI_TLS_KEY'],
    flag: 'tlsKey',
    parse: v.path,
    isPath: true,
    doc: 'PEM private key for server.tls.cert',
  }),
  logLevel: setting<LogLevel>({
    path: 'server.log.level',
    env: ['MAMORI_LOG_LEVEL'],
    flag: 'logLevel',
    parse: v.oneOf(LOG_LEVELS),
    default: 'info',
    doc: `${LOG_LEVELS.join('|')}`,
  }),
  logFormat: setting<LogFormat>({
    path: 'server.log.format',
    env: ['MAMORI_LOG_FORMAT'],
    flag: 'logFormat',
    parse: v.oneOf(LOG_FORMATS),
    default: 'json',
    doc: 'json (one object per line) | pretty',
  }),
  stateDriver: setting<StateDriver>({
    path: 'server.state.driver',
    env: ['MAMORI_STATE_DRIVER'],
    parse: v.oneOf(STATE_DRIVERS),
    default: 'sqlite',
    doc: 'sqlite (DATA/state.db) | postgres (needs server.state.url)',
  }),
  stateUrl: setting<string>({
    path: 'server.state.url',
    env: ['MAMORI_STATE_URL'],
    parse: v.postgresUrl,
    doc: 'postgres://USER@HOST:PORT/DB (the password may also come from server.state.password)',
  }),
  statePassword: setting<string>({
    path: 'server.state.password',
    env: ['MAMORI_STATE_PASSWORD'],
    parse: v.secret,
    secret: true,
    doc: 'PostgreSQL password, put into server.state.url',
  }),
  storageDriver: setting<StorageDriver>({
    path: 'server.storage.driver',
    env: ['MAMORI_STORAGE_DRIVER'],
    parse: v.oneOf(STORAGE_DRIVERS),
    default: 'filesystem',
    doc: 'filesystem (DATA/storage) | s3',
  }),
  s3Endpoint: setting<string>({
    path: 'server.storage.s3.endpoint',
    env: ['MAMORI_S3_ENDPOINT'],
    parse: v.httpUrl,
    doc: 'S3-compatible endpoint URL (default: AWS for the region)',
  }),
  s3Region: setting<string>({
    path: 'server.storage.s3.region',
    env: ['MAMORI_S3_REGION'],
    parse: v.region,
    default: 'us-east-1',
    doc: 'S3 region',
  }),
  s3Bucket: setting<string>({
    path: 'server.storage.s3.bucket',
    env: ['MAMORI_S3_BUCKET'],
    parse: v.bucket,
    doc: 'S3 bucket (required with driver s3)',
  }),
  s3Prefix: setting<string>({
    path: 'server.storage.s3.prefix',
    env: ['MAMORI_S3_PREFIX'],
    parse: v.prefix,
    default: '',
    doc: 'key prefix inside the bucket',
  }),
  s3AccessKeyId: setting<string>({
    path: 'server.storage.s3.accessKeyId',
    env: ['MAMORI_S3_ACCESS_KEY_ID'],
    parse: v.text('an access key id', 256),
    doc: 'S3 access key id',
  }),
  s3SecretAccessKey: setting<string>({
    path: 'server.storage.s3.secretAccessKey',
    env: ['MAMORI_S3_SECRET_ACCESS_KEY'],
    parse: v.secret,
    secret: true,
    doc: 'S3 secret access key',
  }),
  s3ForcePathStyle: setting<boolean>({
    path: 'server.storage.s3.forcePathStyle',
    env: ['MAMORI_S3_FORCE_PATH_STYLE'],
    parse: v.bool,
    default: false,
    doc: 'path-style bucket URLs (MinIO, Garage, …)',
  }),
  authRealm: setting<string>({
    path: 'server.auth.realm',
    env: ['MAMORI_AUTH_REALM'],
    parse: v.httpUrl,
    doc: 'token endpoint in the Bearer challenge (default: the listen URL + /service/token)',
  }),
  authService: setting<string>({
    path: 'server.auth.service',
    env: ['MAMORI_AUTH_SERVICE'],
    parse: v.text('a service name', 255),
    default: 'mamori',
    doc: 'service name in the Bearer challenge and tokens',
  }),
  authTokenTtl: setting<number>({
    path: 'server.auth.tokenTtl',
    env: ['MAMORI_AUTH_TOKEN_TTL'],
    parse: v.duration({ min: 1000 }),
    default: 5 * 60_000,
    show: ms,
    doc: 'lifetime of issued tokens',
  }),
  authAnonymousPull: setting<boolean>({
    path: 'server.auth.anonymousPull',
    env: ['MAMORI_AUTH_ANONYMOUS_PULL'],
    parse: v.bool,
    default: false,
    doc: 'let anonymous callers pull public projects',
  }),
  scanEnabled: setting<boolean>({
    path: 'server.scanning.enabled',
    env: ['MAMORI_SCAN_ENABLED'],
    parse: v.bool,
    default: true,
    doc: 'run scan jobs in this process (replicas sharing a database may leave them to one; results are served either way)',
  }),
  scanConcurrency: setting<number>({
    path: 'server.scanning.concurrency',
    env: ['MAMORI_SCAN_CONCURRENCY'],
    parse: v.int(1, 64),
    default: 1,
    doc: 'scan jobs run at the same time',
  }),
  scanVulnDb: setting<string>({
    path: 'server.scanning.vulnDb',
    env: ['MAMORI_SCAN_VULN_DB'],
    parse: v.path,
    isPath: true,
    doc: 'vulnerability database (default: $MAMORI_DB or the XDG data directory)',
  }),
  scanRescanInterval: setting<number>({
    path: 'server.scanning.rescanInterval',
    env: ['MAMORI_SCAN_RESCAN_INTERVAL'],
    parse: v.duration({ min: 60_000, zero: true }),
    default: 3_600_000,
    show: ms,
    doc: 'how often stored images are re-scanned (0 disables)',
  }),
  gcInterval: setting<number>({
    path: 'server.gc.interval',
    env: ['MAMORI_GC_INTERVAL'],
    parse: v.duration({ min: 60_000, zero: true }),
    default: 24 * 3_600_000,
    show: ms,
    doc: 'time between garbage collections (0 disables)',
  }),
  gcGracePeriod: setting<number>({
    path: 'server.gc.gracePeriod',
    env: ['MAMORI_GC_GRACE_PERIOD'],
    parse: v.duration({ zero: true }),
    default: 3_600_000,
    show: ms,
    doc: 'age an unreferenced blob must reach before it is deleted',
  }),
  gcUploadMaxAge: setting<number>({
    path: 'server.gc.uploadMaxAge',
    env: ['MAMORI_GC_UPLOAD_MAX_AGE'],
    parse: v.duration({ min: 60_000 }),
    default: 24 * 3_600_000,
    show: ms,
    doc: 'age after which an unfinished upload is removed',
  }),
  syslogAddress: setting<SyslogAddress>({
    path: 'server.audit.syslog.address',
    env: ['MAMORI_AUDIT_SYSLOG_ADDRESS'],
    parse: v.syslogAddress,
    show: (a) => `${a.protocol}://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`,
    doc: 'send audit events to syslog: udp://HOST:PORT or tcp://HOST:PORT',
  }),
  syslogFacility: setting<number>({
    path: 'server.audit.syslog.facility',
    env: ['MAMORI_AUDIT_SYSLOG_FACILITY'],
    parse: v.facility,
    default: 16,
    show: v.facilityName,
    doc: 'syslog facility name (local0 … local7, auth, …)',
  }),
  metricsEnabled: setting<boolean>({
    path: 'server.metrics.enabled',
    env: ['MAMORI_METRICS_ENABLED'],
    parse: v.bool,
    default: true,
    doc: 'serve Prometheus metrics at /metrics',
  }),
  admissionPolicy: setting<string>({
    path: 'server.admission.policy',
    env: ['MAMORI_ADMISSION_POLICY'],
    parse: v.path,
    isPath: true,
    doc: 'policy file for the admission webhook (instead of a policy: section in mamori.yaml)',
  }),
  admissionBudget: setting<number>({
    path: 'server.admission.budget',
    env: ['MAMORI_ADMISSION_BUDGET'],
    parse: v.duration({ min: 10, max: 29_000 }),
    default: 2000,
    show: ms,
    doc: 'most time one admission decision may take before the failure policy answers',
  }),
  admissionFailurePolicy: setting<FailurePolicy>({
    path: 'server.admission.failurePolicy',
    env: ['MAMORI_ADMISSION_FAILURE_POLICY'],
    parse: v.oneOf(FAILURE_POLICIES),
    default: 'Fail',
    doc: 'Fail (deny) | Ignore (admit with a warning) when a decision fails or runs out of time',
  }),
  admissionRegistryNames: setting<readonly string[]>({
    path: 'server.admission.registryNames',
    env: ['MAMORI_ADMISSION_REGISTRY_NAMES'],
    parse: v.hostList,
    show: (l) => [...l],
    doc: 'host names clusters pull this registry by (default: the host of server.auth.realm); their images are looked up locally',
  }),
  admissionCacheTtl: setting<number>({
    path: 'server.admission.cacheTtl',
    env: ['MAMORI_ADMISSION_CACHE_TTL'],
    parse: v.duration({ min: 1000 }),
    default: 30_000,
    show: ms,
    doc: 'how long tag digests, scan results and failed signature checks are cached',
  }),
} as const;

/** Every setting, untyped, for walking the table. */
export function allSettings(): readonly Setting<unknown>[] {
  return Object.values(SETTINGS) as readonly Setting<unknown>[];
}

/** `server.gc.interval` → `--gc-interval` style flag text for a ServerFlags key (`tlsCert` → `--tls-cert`). */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
