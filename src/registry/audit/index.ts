/**
 * The registry's audit log: an append-only table of who did what to which
 * repository, from where, with what result, in the registry's own database
 * (`audit.` tables). Writes are batched (see log.ts for the loss window of
 * a crash); reads filter and page by an id cursor; exports stream JSON
 * lines or RFC 5424 syslog messages; a forwarder sends events live to a
 * syslog server over UDP or TCP.
 *
 *   const audit = await openAuditLog(state, { forward: createSyslogForwarder({ … }) });
 *   audit.record({ actor: 'alice', remote: '10.0.0.7', action: 'push',
 *                  resource: { repository: 'lib/app', reference: 'v1', project: 'lib' }, result: 'success' });
 *   const { events, next } = await audit.query({ project: 'lib', limit: 50 });
 *   await audit.close();
 */
export { openAuditLog, AuditLog } from './log.js';
export type { AuditLogOptions, AuditSink, PurgeRequest } from './log.js';
export { ACTION_PATTERN, ACTOR_KINDS, AUDIT_LIMITS, RESULTS } from './event.js';
export type { ActorKind, AuditEntry, AuditEvent, AuditResource, AuditResult } from './event.js';
export type { AuditFilter, AuditOrder, AuditPage, AuditQuery } from './query.js';
export { TRUNCATION_MARKER } from './text.js';
export { FACILITIES, SD_ID, escapeParamValue, toSyslog } from './syslog.js';
export type { FacilityName, SyslogOptions } from './syslog.js';
export { createSyslogForwarder, octetCounted } from './forwarder.js';
export type { SyslogForwarder, SyslogForwarderOptions } from './forwarder.js';
