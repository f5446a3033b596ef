import { stringify } from 'yaml';
import type { Setting } from './settings.js';
import { SETTINGS } from './settings.js';
import type { ServerConfig } from './types.js';
import { facilityName } from './values.js';

/** What a redacted secret is printed as. */
export const REDACTED = '[redacted]';

/** A connection URL with its password replaced by {@link REDACTED}. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = 'REDACTED';
    return u.href.replace(':REDACTED@', `:${REDACTED}@`);
  } catch {
    return REDACTED;
  }
}

function show<T>(s: Setting<T>, value: T): unknown {
  return s.show ? s.show(value) : value;
}

/**
 * The effective configuration as mamori.yaml text, secrets redacted
 * (`mamori server --print-config`). Durations are written back as `5m`,
 * the syslog facility by name; the output is itself a valid mamori.yaml.
 * Reserved sections (`policy:`, …) are named, not printed.
 */
export function describeConfig(config: ServerConfig): string {
  const c = config.server;
  const S = SETTINGS;
  const server = {
    listen: c.listen,
    data: c.data,
    ...(c.tls ? { tls: { cert: c.tls.cert, key: c.tls.key } } : {}),
    log: { level: c.log.level, format: c.log.format },
    state: { driver: c.state.driver, ...(c.state.url ? { url: redactUrl(c.state.url) } : {}) },
    storage: {
      driver: c.storage.driver,
      ...(c.storage.s3
        ? {
            s3: {
              ...(c.storage.s3.endpoint ? { endpoint: c.storage.s3.endpoint } : {}),
              region: c.storage.s3.region,
              bucket: c.storage.s3.bucket,
              prefix: c.storage.s3.prefix,
              ...(c.storage.s3.accessKeyId ? { accessKeyId: c.storage.s3.accessKeyId } : {}),
              ...(c.storage.s3.secretAccessKey ? { secretAccessKey: REDACTED } : {}),
              forcePathStyle: c.storage.s3.forcePathStyle,
            },
          }
        : {}),
    },
    auth: {
      ...(c.auth.realm ? { realm: c.auth.realm } : {}),
      service: c.auth.service,
      tokenTtl: show(S.authTokenTtl, c.auth.tokenTtl),
      anonymousPull: c.auth.anonymousPull,
    },
    scanning: {
      enabled: c.scanning.enabled,
      concurrency: c.scanning.concurrency,
      ...(c.scanning.vulnDb ? { vulnDb: c.scanning.vulnDb } : {}),
      rescanInterval: show(S.scanRescanInterval, c.scanning.rescanInterval),
    },
    gc: {
      interval: show(S.gcInterval, c.gc.interval),
      gracePeriod: show(S.gcGracePeriod, c.gc.gracePeriod),
      uploadMaxAge: show(S.gcUploadMaxAge, c.gc.uploadMaxAge),
    },
    ...(c.audit.syslog
      ? {
          audit: {
            syslog: {
              address: show(S.syslogAddress, c.audit.syslog.address),
              facility: facilityName(c.audit.syslog.facility),
            },
          },
        }
      : {}),
    metrics: { enabled: c.metrics.enabled },
  };
  const head = `# effective configuration${config.file ? ` (file ${config.file})` : ''}; secrets redacted\n`;
  // Other sections may hold their own secrets (webhook keys): only their names are shown.
  const others = Object.keys(config.sections);
  const tail = others.length > 0 ? `# also configured (not shown): ${others.join(', ')}\n` : '';
  return head + stringify({ server }, { lineWidth: 0 }) + tail;
}
