/**
 * The Dockerfile rule registry: one typed table, in id order. A test checks
 * that ids are unique and well formed and that every rule has a firing and a
 * non-firing case in testdata/rules/.
 */
import type { DockerfileRule } from '../context.js';
import { imageRules } from './image.js';
import { instructionRules } from './instructions.js';
import { packageRules } from './packages.js';
import { secretRules } from './secrets.js';
import { shellRules } from './shell.js';

/** MD000 is raised by the suppression reader, not by a check of its own. */
export const invalidSuppression: DockerfileRule = {
  id: 'MD000',
  title: 'Suppression comment without a reason',
  severity: 'LOW',
  rationale:
    'A suppressed finding is a decision someone must be able to review later; without a reason it cannot be.',
  fix: 'Write why after the rule ids: `# mamori-ignore: MD008 pinned through the base image digest`.',
  references: [],
  hadolint: [],
  check: () => [],
};

export const dockerfileRules: readonly DockerfileRule[] = [
  invalidSuppression,
  ...imageRules,
  ...packageRules,
  ...shellRules,
  ...instructionRules,
  ...secretRules,
].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
