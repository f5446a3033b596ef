/**
 * Observability of the registry: Prometheus metrics on a registry of their
 * own (createMetrics), request instrumentation and the /metrics endpoint
 * for a Fastify app (instrument), and Fastify logger options with
 * redaction (createLogger).
 */
export { createMetrics, resultOf, RESULTS } from './metrics.js';
export type { RegistryMetrics, Result } from './metrics.js';
export { instrument, createRequestObserver } from './instrument.js';
export type { InstrumentOptions, RequestObserver } from './instrument.js';
export { routeKind, ROUTE_KINDS, methodLabel, METHOD_LABELS } from './route-kind.js';
export type { RouteKind } from './route-kind.js';
export { createLogger, redactQuery, LOG_REDACTED } from './logger.js';
export type { RegistryLoggerOptions } from './logger.js';
export { formatPretty, prettyLogStream } from './pretty.js';
export type { LogDestination } from './pretty.js';
