/**
 * Behaviour profiles per workload (image digest + command): learn a baseline
 * of executables, peers, ports, write paths, sensitive reads and syscalls;
 * promote learn → monitor after a quiet window; raise deviation alerts
 * (MP001–MP006) in monitor and protect mode; persist one JSON file per workload.
 */
export { ProfileEngine } from './engine.js';
export type { ObserveResult, ProfileEngineOptions } from './engine.js';
export { ProfileStore } from './store.js';
export type { ProfileListing, StoreProblem } from './store.js';
export { workloadKey, slug } from './identity.js';
export {
  DEFAULT_NETWORK_POLICY,
  TEMP_DIRS,
  generaliseAddress,
  generalisePath,
  globToRegExp,
  normalisePath,
} from './generalise.js';
export type { NetworkPolicy } from './generalise.js';
export { DEVIATION_RULES, PROTECT_RULES, shouldKill } from './alerts.js';
export type { DeviationRule, WorkloadInfo } from './alerts.js';
export { parseProfile } from './schema.js';
export { DEFAULT_LIMITS, DIMENSIONS, PROFILE_SCHEMA } from './types.js';
export type {
  BehaviourProfile,
  Dimension,
  ExecutableEntry,
  ListenEntry,
  Novelty,
  PeerEntry,
  ProfileLimits,
  ProfileMode,
  WorkloadKey,
} from './types.js';
