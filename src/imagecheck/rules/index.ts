/**
 * The image rule registry: one typed table, in id order. A test checks that
 * ids are unique and well formed and that every rule has a firing and a
 * non-firing case.
 *
 * Ids: `MI0xx` for the image's own rules (config 001–009, history 010–019,
 * filesystem 020–039); rules run on the history keep their Dockerfile `MD`
 * id. Each rule lists the Dockle, CIS Docker Benchmark (§4) and Trivy
 * checks it covers in `covers` (and the CIS/Dockle id in its title).
 *
 * Not covered, on purpose: CIS-DI-0002 (trusted base images) and CIS-DI-0004
 * (scan and rebuild) are practices, not image properties; CIS-DI-0005
 * (content trust) is a setting of the host pulling the image; DKL-DI-0006
 * (latest tag) is about the reference used, not the image. CIS-DI-0003
 * (unnecessary packages) is the minimality score and the tool rules.
 * Known-format secrets (CIS-DI-0010) in Env, Labels, commands and history are
 * found by the secret scanner's own rule table and reported with its ids.
 */
import { configRules } from './config.js';
import { fileRules } from './files.js';
import { historyRules } from './history.js';
import type { ImageRule } from './rule.js';
import { toolRules } from './tools.js';

export type { ImageRule } from './rule.js';

export const IMAGE_RULES: readonly ImageRule[] = [
  ...configRules,
  ...historyRules,
  ...fileRules,
  ...toolRules,
].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** The Dockerfile rules run on the history. */
export const HISTORY_RULE_IDS: ReadonlySet<string> = new Set(
  IMAGE_RULES.filter((r) => r.id.startsWith('MD')).map((r) => r.id),
);
