/**
 * The sensor agent behind `mamori sensor`: the bpftrace sensor, container
 * attribution, enrichment, detections, behaviour profiles, drift detection
 * and the protect-mode enforcer wired into one pipeline, with its outputs
 * (JSON-lines event stream, syslog, webhooks, Prometheus metrics), and the
 * reader of that stream behind `mamori events`.
 */
export { startSensorAgent } from './agent.js';
export type { SensorAgent } from './agent.js';
export type { SensorAgentOptions } from './options.js';
export type { AgentStats, DropRecord, DropSourceName, StreamRecord } from './types.js';
export { requestModeChange } from './profile-sync.js';
export { enforcerRule, killAlert } from './protect.js';
export { alertToSyslog, dropToSyslog } from './syslog-format.js';
export type { SensorSyslogOptions } from './syslog-format.js';
export { parseSyslogUrl } from './syslog-send.js';
export { parseListen } from './metrics.js';
export { matchesFilter, parseStreamLine, readStream } from './read.js';
export type { ReadOptions, RecordFilter, SkipCounts } from './read.js';
export { TABLE_HEADER, formatTable, tableRow } from './format.js';
export { formatProfileTable, statusLine } from './status.js';
