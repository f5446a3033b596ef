/**
 * Tag immutability and tag retention per project (Harbor's model), rules
 * kept in the registry database (`state.module('retention.', …)`):
 *
 *   const retention = await openRetention(state);
 *   await retention.addImmutabilityRule({ project: 'library', tag: 'v*' });
 *   createRegistryApp({ storage, state, hooks: { checkTag: retention.checkTag } });
 *   await retention.addRetentionRule({ project: 'library', keep: { mostRecent: 10 }, untagged: 'delete' });
 *   const result = await retention.applyRetention();   // then collectGarbage frees the blobs
 */
export { DEFAULT_UNTAGGED_GRACE_MS, openRetention, Retention } from './retention.js';
export type { ApplyOptions, PlanOptions, RetentionPlan, RetentionResult } from './retention.js';
export type { ProtectedTag, RetentionAction, RetentionReason } from './plan.js';
export type { SkippedAction } from './apply.js';
export type {
  ImmutabilityRule,
  ImmutabilityRuleInput,
  RetentionKeep,
  RetentionRule,
  RetentionRuleInput,
  UntaggedPolicy,
} from './rules.js';
