/**
 * mamori's admission policy: the model (rules scoped by namespace and label
 * selectors with a mode — enforce, audit, warn — and exemptions with
 * reasons and expiry), its validation with path-precise messages, and rule
 * selection. The same policy serves the admission webhook, `mamori policy
 * test` and the registry's pull gate.
 */
export { POLICY_MODES, PSS_LEVELS, SEVERITIES } from './model.js';
export type {
  AttestationRule,
  Exemption,
  ImageRules,
  IsolationRules,
  Match,
  Policy,
  PolicyMode,
  PolicyRule,
  PssLevel,
  PssSetting,
  Severity,
} from './model.js';
export { parsePolicy, parsePssSetting, PolicyError, POLICY_LIMITS, PREDICATE_ALIASES } from './parse.js';
export { exemption, matches, rulesFor } from './select.js';
export { resolveKeyFiles } from './keyfiles.js';
export { loadPolicyFile, MAX_POLICY_FILE_BYTES } from './file.js';
export type { ExemptionDecision, Subject } from './select.js';
