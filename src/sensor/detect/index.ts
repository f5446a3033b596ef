/**
 * Runtime detections of mamori's sensor: built-in rules with stable ids
 * (MR001…, see RULES.md), user rules and exceptions in YAML, and the
 * detector that turns sensor events into alerts. Pure logic over events:
 * no kernel or file access.
 */
export { BUILTIN_RULES, builtinRule, RESERVED_ID_PREFIXES } from './registry.js';
export { createDetector } from './detector.js';
export type { ActiveRule, Detector, DetectorOptions } from './detector.js';
export { parseDetectionRules, validateDetectionRules } from './parse.js';
export { DetectionRulesError } from './check.js';
export { compileGlob, compileGlobs } from './glob.js';
export type { GlobMode, StringMatcher } from './glob.js';
export { DETECT_LIMITS, EMPTY_RULES, FIELD_KINDS, NOTABLE_SYSCALLS } from './model.js';
export type { Condition, DetectionRules, FieldName, PortRange, RuleException, UserRule } from './model.js';
export { ALERT_SEVERITIES, DETECT_EVENT_KINDS } from './types.js';
export type {
  BuiltinRule,
  DefaultException,
  DetectableEvent,
  DetectContext,
  DetectEventKind,
  Evidence,
  Invocation,
  MatchContext,
} from './types.js';
