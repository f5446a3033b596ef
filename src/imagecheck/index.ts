/**
 * Built-image checks: the image config (user, healthcheck, ports, secrets,
 * entrypoint), the build history (Dockerfile rules that still matter once
 * an image is built, CIS Docker Benchmark §4), the final filesystem (setuid,
 * world-writable, unknown owners, empty passwords, SSH servers, credential
 * files) and the attack surface with a minimality score and a concrete
 * suggestion — all from one pass over the image.
 *
 *   const a = await analyzeImageRef(ref, { ...imageCheckAnalyzers() });
 *   const { findings, surface } = checkImage(a);
 */
import type { Cataloger, StreamAnalyzer } from '../inventory/index.js';
import { accountsAnalyzer } from './accounts.js';
import { elfAnalyzer } from './elf.js';

export { accountsAnalyzer, ACCOUNTS_ANALYZER, parseAccounts, MAX_ACCOUNTS_FILE_BYTES } from './accounts.js';
export { elfAnalyzer, ELF_ANALYZER, readElfFact } from './elf.js';
export { checkImage, MAX_FINDINGS_PER_RULE } from './check.js';
export type { CheckOptions } from './check.js';
export { IMAGE_RULES } from './rules/index.js';
export type { ImageRule } from './rules/index.js';
export { minimalityScore, SURFACE_CATEGORIES } from './surface.js';
export { TOOL_NAMES } from './tools.js';
export type {
  AccountsFact,
  AttackSurface,
  ElfFact,
  ImageCheckResult,
  ImageHit,
  ScorePenalty,
  SurfaceCategory,
  SurfaceContributor,
  SurfaceItem,
} from './types.js';

/**
 * The analysers the checks read, as `InventoryOptions` takes them: the
 * account databases (read whole, they are small) and the executables'
 * linking (streamed: only their first megabyte and dynamic segment are kept).
 */
export function imageCheckAnalyzers(): { analyzers: Cataloger[]; streamAnalyzers: StreamAnalyzer[] } {
  return { analyzers: [accountsAnalyzer as Cataloger], streamAnalyzers: [elfAnalyzer as StreamAnalyzer] };
}
