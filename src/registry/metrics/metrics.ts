import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Outcome of a push, pull or blob upload, from the HTTP status. */
export const RESULTS = ['ok', 'denied', 'not_found', 'rejected', 'error'] as const;
export type Result = (typeof RESULTS)[number];

export function resultOf(status: number): Result {
  if (status < 400) return 'ok';
  if (status === 401 || status === 403) return 'denied';
  if (status === 404) return 'not_found';
  return status < 500 ? 'rejected' : 'error';
}

/**
 * The registry's Prometheus metrics on a registry of their own (nothing is
 * registered globally: two instances in one process do not collide).
 *
 * Counted by `instrument`: the http_* metrics, pushes (manifest PUT),
 * pulls (manifest GET) and blob uploads (a finished upload PUT, or a POST
 * that completes a monolithic upload or mount). Counted by the modules that
 * own the events: auth failures, scan jobs, GC, audit events, webhook
 * deliveries. Label values are fixed words (documented per metric), never
 * user input.
 */
export interface RegistryMetrics {
  readonly registry: Registry;
  /** mamori_http_requests_total{method, route, status} */
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  /** mamori_http_request_duration_seconds{method, route} */
  readonly httpDuration: Histogram<'method' | 'route'>;
  /** mamori_http_received_bytes_total{route}: bytes read from the client connection, headers included. */
  readonly httpReceivedBytes: Counter<'route'>;
  /** mamori_http_sent_bytes_total{route}: bytes written to the client connection, headers included. */
  readonly httpSentBytes: Counter<'route'>;
  /** mamori_blob_uploads_total{result} (result: RESULTS) */
  readonly blobUploads: Counter<'result'>;
  /** mamori_pushes_total{result}: manifest PUTs. */
  readonly pushes: Counter<'result'>;
  /** mamori_pulls_total{result}: manifest GETs. */
  readonly pulls: Counter<'result'>;
  /** mamori_auth_failures_total{reason} (reason: bad_credentials, bad_token, expired_token, denied). */
  readonly authFailures: Counter<'reason'>;
  /** mamori_scan_jobs_queued */
  readonly scanJobsQueued: Gauge;
  /** mamori_scan_jobs_running */
  readonly scanJobsRunning: Gauge;
  /** mamori_scan_jobs_total{result} (result: done, failed) */
  readonly scanJobs: Counter<'result'>;
  /** mamori_scan_duration_seconds */
  readonly scanDuration: Histogram;
  /** mamori_gc_runs_total{result} (result: done, failed) */
  readonly gcRuns: Counter<'result'>;
  /** mamori_gc_freed_bytes_total */
  readonly gcFreedBytes: Counter;
  /** mamori_audit_events_total{action} (action: the audit event's action name) */
  readonly auditEvents: Counter<'action'>;
  /** mamori_webhook_deliveries_total{result} (result: ok, failed, retried) */
  readonly webhookDeliveries: Counter<'result'>;
  /** mamori_admission_requests_total{webhook, outcome} (webhook: validate, mutate; outcome: allowed, denied, mutated, unchanged, failed, invalid) */
  readonly admissionRequests: Counter<'webhook' | 'outcome'>;
  /** mamori_admission_duration_seconds{webhook}: from the whole body read to the answer. */
  readonly admissionDuration: Histogram<'webhook'>;
  /** Content-Type of the exposition text. */
  readonly contentType: string;
  /** Every metric in the Prometheus text exposition format. */
  expose(): Promise<string>;
}

/** Request duration buckets, seconds: from a cached HEAD to a large blob. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Admission decision buckets, seconds: cached decisions take well under a millisecond. */
const ADMISSION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SCAN_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

/** A fresh set of registry metrics plus the process metrics (CPU, memory, event loop, GC) of Node. */
export function createMetrics(): RegistryMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
    new Counter<L>({ name, help, labelNames, registers });
  const gauge = (name: string, help: string): Gauge => new Gauge({ name, help, registers });
  return {
    registry,
    httpRequests: counter('mamori_http_requests_total', 'HTTP requests answered', [
      'method',
      'route',
      'status',
    ]),
    httpDuration: new Histogram({
      name: 'mamori_http_request_duration_seconds',
      help: 'Time from request to the end of the response',
      labelNames: ['method', 'route'],
      buckets: HTTP_BUCKETS,
      registers,
    }),
    httpReceivedBytes: counter('mamori_http_received_bytes_total', 'Bytes read from clients', ['route']),
    httpSentBytes: counter('mamori_http_sent_bytes_total', 'Bytes written to clients', ['route']),
    blobUploads: counter('mamori_blob_uploads_total', 'Blob uploads finished, by result', ['result']),
    pushes: counter('mamori_pushes_total', 'Manifest pushes, by result', ['result']),
    pulls: counter('mamori_pulls_total', 'Manifest pulls, by result', ['result']),
    authFailures: counter('mamori_auth_failures_total', 'Failed authentications and refused actions', [
      'reason',
    ]),
    scanJobsQueued: gauge('mamori_scan_jobs_queued', 'Scan jobs waiting'),
    scanJobsRunning: gauge('mamori_scan_jobs_running', 'Scan jobs running'),
    scanJobs: counter('mamori_scan_jobs_total', 'Scan jobs finished, by result', ['result']),
    scanDuration: new Histogram({
      name: 'mamori_scan_duration_seconds',
      help: 'Time a scan job ran',
      buckets: SCAN_BUCKETS,
      registers,
    }),
    gcRuns: counter('mamori_gc_runs_total', 'Garbage collections, by result', ['result']),
    gcFreedBytes: counter('mamori_gc_freed_bytes_total', 'Bytes of blobs deleted by garbage collection', []),
    auditEvents: counter('mamori_audit_events_total', 'Audit events recorded, by action', ['action']),
    webhookDeliveries: counter('mamori_webhook_deliveries_total', 'Webhook delivery attempts, by result', [
      'result',
    ]),
    admissionRequests: counter('mamori_admission_requests_total', 'Admission reviews answered, by outcome', [
      'webhook',
      'outcome',
    ]),
    admissionDuration: new Histogram({
      name: 'mamori_admission_duration_seconds',
      help: 'Time to decide on one admission review',
      labelNames: ['webhook'],
      buckets: ADMISSION_BUCKETS,
      registers,
    }),
    contentType: registry.contentType,
    expose: () => registry.metrics(),
  };
}
