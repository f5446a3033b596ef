/**
 * The pull gate: whether a project's policy lets a manifest be pulled, from
 * the stored scan results (never scanning on the pull path). An index is
 * judged by the images it lists: one blocked image blocks the index.
 */
import { MamoriError } from '../../core/index.js';
import { isRepositoryName, projectOfRepository } from '../spec/index.js';
import type { Ctx } from './context.js';
import { IMAGE_CONFIG_TYPES, INDEX_TYPES, loadManifest } from './manifests.js';
import { BLOCK_SEVERITIES, severityViolation, type ProjectPolicy, type PullDecision } from './summary.js';
import { readPolicy, readResult } from './tables.js';

/** Entries of an index judged at most (an index lists a handful of platforms). */
const MAX_INDEX_ENTRIES = 1000;

/** The project of a repository (its first path segment). */
export const projectOf = projectOfRepository;

/** A policy as given, validated: a project name and known severities, nothing else. */
export function checkPolicy(policy: unknown): ProjectPolicy {
  if (typeof policy !== 'object' || policy === null) {
    throw new MamoriError('INVALID_ARGUMENT', 'a scan policy must be an object');
  }
  const p = policy as Record<string, unknown>;
  if (typeof p.project !== 'string' || p.project.includes('/') || !isRepositoryName(p.project)) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `invalid project name ${JSON.stringify(String(p.project)).slice(0, 300)}`,
    );
  }
  if (p.blockSeverity !== undefined && !(BLOCK_SEVERITIES as readonly unknown[]).includes(p.blockSeverity)) {
    throw new MamoriError('INVALID_ARGUMENT', `blockSeverity must be one of ${BLOCK_SEVERITIES.join(', ')}`);
  }
  if (typeof p.blockUnscanned !== 'boolean') {
    throw new MamoriError('INVALID_ARGUMENT', 'blockUnscanned must be true or false');
  }
  return {
    project: p.project,
    ...(p.blockSeverity !== undefined
      ? { blockSeverity: p.blockSeverity as ProjectPolicy['blockSeverity'] }
      : {}),
    blockUnscanned: p.blockUnscanned,
  };
}

const ALLOW: PullDecision = { allow: true };

function unscanned(digest: string, why: string): PullDecision {
  return {
    allow: false,
    reason: `image ${digest} ${why}; project policy blocks pulls of images that have not been scanned`,
  };
}

async function decideImage(
  ctx: Ctx,
  repository: string,
  digest: string,
  policy: ProjectPolicy,
): Promise<PullDecision> {
  const r = await readResult(ctx.m, repository, digest);
  if (r?.status === 'skipped') {
    if (r.skipped?.kind === 'not-image') return ALLOW;
    return policy.blockUnscanned ? unscanned(digest, 'could not be scanned') : ALLOW;
  }
  if (r?.status !== 'scanned' || !r.outcome) {
    if (!policy.blockUnscanned) return ALLOW;
    return unscanned(digest, r?.status === 'failed' ? 'failed to scan' : 'has not been scanned yet');
  }
  if (policy.blockSeverity && !r.outcome.vulnerabilitiesScanned && policy.blockUnscanned) {
    return unscanned(digest, 'has not been scanned for vulnerabilities (no vulnerability database)');
  }
  const reason = severityViolation(digest, r.outcome, policy);
  return reason ? { allow: false, reason } : ALLOW;
}

export async function pullDecision(ctx: Ctx, repository: string, digest: string): Promise<PullDecision> {
  const policy = await readPolicy(ctx.m, projectOf(repository));
  if (!policy || (!policy.blockSeverity && !policy.blockUnscanned)) return ALLOW;
  const record = await ctx.state.getManifest(repository, digest);
  // Nothing to gate: the registry answers MANIFEST_UNKNOWN itself.
  if (!record) return ALLOW;
  if (INDEX_TYPES.has(record.mediaType)) {
    const m = await loadManifest(ctx.storage, ctx.state, repository, digest);
    if (m?.kind !== 'index') return policy.blockUnscanned ? unscanned(digest, 'could not be read') : ALLOW;
    for (const entry of m.parsed.manifests.slice(0, MAX_INDEX_ENTRIES)) {
      if (INDEX_TYPES.has(entry.mediaType)) continue;
      const child = await ctx.state.getManifest(repository, entry.digest);
      if (!child || !IMAGE_CONFIG_TYPES.has(child.artifactType ?? '')) continue;
      const d = await decideImage(ctx, repository, entry.digest, policy);
      if (!d.allow) return d;
    }
    return ALLOW;
  }
  // An artifact that is not an image (signature, SBOM, this module's reports) is never gated,
  // unless a result says it is an image (one declaring its own artifactType).
  if (!IMAGE_CONFIG_TYPES.has(record.artifactType ?? '') && !(await readResult(ctx.m, repository, digest))) {
    return ALLOW;
  }
  return decideImage(ctx, repository, digest, policy);
}
