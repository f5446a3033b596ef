export { evaluatePodSecurity, PSS_CONTROLS } from './evaluate.js';
export type { PodSpecWithMetadata, PssControl } from './evaluate.js';
export type { Violation } from './context.js';
export { parseLevel, parseVersion, LATEST_MODELLED_MINOR } from './version.js';
export type { PssLevel, PssVersion, PssPolicy } from './version.js';
export { BASELINE_CAPABILITIES, SAFE_SYSCTLS } from './baseline.js';
export { RESTRICTED_VOLUME_TYPES } from './restricted.js';
