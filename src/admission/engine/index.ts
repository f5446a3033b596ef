/** The admission decision: policy rules applied to an object's pod templates, with modes and exemptions. */
export { describeFinding, evaluateObject } from './evaluate.js';
export type { EvaluateOptions, Finding, ImageResolver, Verdict } from './evaluate.js';
export { applyPatch, mutateObject } from './mutate.js';
export type { JsonPatchReplace, Mutation } from './mutate.js';
export { jsonPointer } from './template.js';
