/**
 * Configuration of `mamori server`: mamori.yaml (`server:` section plus
 * sections reserved for other features), MAMORI_* environment variables and
 * command-line flags, merged (flags > env > file > defaults), validated and
 * frozen. See README.md in this folder for every setting and variable.
 */
export { loadServerConfig, defaultRealm, ConfigError, RESERVED_SECTIONS } from './load.js';
export type { LoadServerConfigOptions } from './load.js';
export { describeConfig, redactUrl, REDACTED } from './describe.js';
export { parseDuration, formatDuration, MAX_DURATION_MS } from './duration.js';
export { parseConfigYaml, MAX_CONFIG_BYTES, MAX_SECRET_FILE_BYTES, MAX_YAML_ALIASES } from './file.js';
export { SETTINGS, allSettings, flagName } from './settings.js';
export type { Setting } from './settings.js';
export { FAILURE_POLICIES, LOG_LEVELS, LOG_FORMATS, STATE_DRIVERS, STORAGE_DRIVERS } from './types.js';
export type {
  ServerConfig,
  ServerSection,
  ServerFlags,
  LogConfig,
  LogLevel,
  LogFormat,
  TlsConfig,
  StateConfig,
  StateDriver,
  StorageConfig,
  StorageDriver,
  S3Config,
  AuthConfig,
  ScanningConfig,
  GcConfig,
  AuditConfig,
  SyslogAddress,
  MetricsConfig,
  AdmissionConfig,
  FailurePolicy,
} from './types.js';
