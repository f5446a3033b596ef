/** Log levels, most to least verbose; `silent` logs nothing. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `json`: one JSON object per line (default); `pretty`: one readable line per event. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const STATE_DRIVERS = ['sqlite', 'postgres'] as const;
export type StateDriver = (typeof STATE_DRIVERS)[number];

export const STORAGE_DRIVERS = ['filesystem', 's3'] as const;
export type StorageDriver = (typeof STORAGE_DRIVERS)[number];

export const FAILURE_POLICIES = ['Fail', 'Ignore'] as const;
export type FailurePolicy = (typeof FAILURE_POLICIES)[number];

export interface LogConfig {
  readonly level: LogLevel;
  readonly format: LogFormat;
}

export interface TlsConfig {
  /** PEM certificate file. */
  readonly cert: string;
  /** PEM private key file. */
  readonly key: string;
}

export interface StateConfig {
  readonly driver: StateDriver;
  /**
   * PostgreSQL connection URL (driver `postgres` only), with the password
   * from `password`/`passwordFile`/MAMORI_STATE_PASSWORD filled in. Never
   * print it: describeConfig redacts it.
   */
  readonly url: string | undefined;
}

export interface S3Config {
  /** `https://…` or `http://…`; undefined: AWS's endpoint for the region. */
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly bucket: string;
  /** Key prefix inside the bucket, no leading "/", ends with "/" when not empty. */
  readonly prefix: string;
  readonly accessKeyId: string | undefined;
  /** Secret; never print it. */
  readonly secretAccessKey: string | undefined;
  readonly forcePathStyle: boolean;
}

export interface StorageConfig {
  readonly driver: StorageDriver;
  /** Set when driver is `s3`. */
  readonly s3: S3Config | undefined;
}

export interface AuthConfig {
  /**
   * Token endpoint URL sent in the Bearer challenge. Default: the listen
   * address as a URL + `/service/token`; undefined only when listening on
   * port 0 (derive it from the bound URL with defaultRealm).
   */
  readonly realm: string | undefined;
  readonly service: string;
  /** Milliseconds. */
  readonly tokenTtl: number;
  readonly anonymousPull: boolean;
}

export interface ScanningConfig {
  readonly enabled: boolean;
  readonly concurrency: number;
  /** Vulnerability database path; undefined: the scanner's default ($MAMORI_DB, XDG data dir). */
  readonly vulnDb: string | undefined;
  /** Milliseconds between re-scans of stored images; 0 disables re-scanning. */
  readonly rescanInterval: number;
}

export interface GcConfig {
  /** Milliseconds between garbage collections; 0 disables scheduled runs. */
  readonly interval: number;
  /** Milliseconds an unreferenced blob is kept before it may be deleted. */
  readonly gracePeriod: number;
  /** Milliseconds after which an unfinished upload is abandoned. */
  readonly uploadMaxAge: number;
}

export interface SyslogAddress {
  readonly protocol: 'udp' | 'tcp';
  readonly host: string;
  readonly port: number;
}

export interface AuditConfig {
  /** Undefined: audit events are not exported to syslog. */
  readonly syslog: { readonly address: SyslogAddress; readonly facility: number } | undefined;
}

export interface MetricsConfig {
  readonly enabled: boolean;
}

export interface AdmissionConfig {
  /** Policy file; undefined: the `policy:` section of mamori.yaml (if any). */
  readonly policy: string | undefined;
  /** Milliseconds. */
  readonly budget: number;
  readonly failurePolicy: FailurePolicy;
  /** Host names of this registry as clusters reference it; empty: derived from the realm. */
  readonly registryNames: readonly string[];
  /** Milliseconds. */
  readonly cacheTtl: number;
}

export interface ServerSection {
  /** `HOST:PORT`, checked with parseListen. */
  readonly listen: string;
  readonly data: string;
  readonly tls: TlsConfig | undefined;
  readonly log: LogConfig;
  readonly state: StateConfig;
  readonly storage: StorageConfig;
  readonly auth: AuthConfig;
  readonly scanning: ScanningConfig;
  readonly gc: GcConfig;
  readonly audit: AuditConfig;
  readonly metrics: MetricsConfig;
  readonly admission: AdmissionConfig;
}

/** The effective configuration of `mamori server`: fully defaulted, validated, deeply frozen. */
export interface ServerConfig {
  /** The configuration file read, if any. */
  readonly file: string | undefined;
  readonly server: ServerSection;
  /**
   * The reserved top-level sections of the file (`policy:`, …) as parsed
   * YAML, for the modules that own them to validate.
   */
  readonly sections: Readonly<Record<string, unknown>>;
}

/** Command-line values; they take precedence over the environment and the file. */
export interface ServerFlags {
  readonly listen: string;
  readonly data: string;
  readonly tlsCert: string;
  readonly tlsKey: string;
  readonly logLevel: string;
  readonly logFormat: string;
}
