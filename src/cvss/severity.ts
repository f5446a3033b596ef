import { MamoriError } from '../core/errors.js';
import type { CvssSeverity, CvssVersion } from './types.js';

const VERSIONS: readonly string[] = ['2.0', '3.0', '3.1', '4.0'];

/**
 * Qualitative severity of a score. v3.x and v4.0: None 0.0, Low 0.1–3.9,
 * Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0 (the specifications'
 * rating scale). v2.0, which defines no rating: NVD's Low 0.0–3.9,
 * Medium 4.0–6.9, High 7.0–10.0. A score between two bands (more than one
 * decimal) takes the lower band.
 */
export function severityFromScore(version: CvssVersion, score: number): CvssSeverity {
  if (typeof version !== 'string' || !VERSIONS.includes(version)) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `unknown CVSS version ${JSON.stringify(String(version)).slice(0, 32)}`,
    );
  }
  if (typeof score !== 'number' || !(score >= 0 && score <= 10)) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `CVSS score must be a number from 0 to 10, got ${String(score).slice(0, 32)}`,
    );
  }
  if (version === '2.0') return score < 4 ? 'Low' : score < 7 ? 'Medium' : 'High';
  if (score === 0) return 'None';
  return score < 4 ? 'Low' : score < 7 ? 'Medium' : score < 9 ? 'High' : 'Critical';
}
