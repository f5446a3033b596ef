/** Isolation rules of the admission policy (R8): sandboxing, dedicated nodes, resource limits. */
export { checkIsolation } from './check.js';
export type { IsolationViolation } from './check.js';
