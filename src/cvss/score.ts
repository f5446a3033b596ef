import { V4_ENVIRONMENTAL } from './metrics.js';
import { formatCvss, parseCvss } from './parse.js';
import { severityFromScore } from './severity.js';
import type { CvssScore, CvssV4Nomenclature, CvssVector } from './types.js';
import { scoreV2 } from './v2.js';
import { scoreV3 } from './v3.js';
import { scoreV4 } from './v4.js';

function definedAny(
  metrics: Readonly<Record<string, string>>,
  names: readonly string[],
  nd: string,
): boolean {
  return names.some((n) => metrics[n] !== undefined && metrics[n] !== nd);
}

const V2_TEMPORAL = ['E', 'RL', 'RC'];
const V2_ENVIRONMENTAL = ['CDP', 'TD', 'CR', 'IR', 'AR'];
const V3_TEMPORAL = ['E', 'RL', 'RC'];
const V3_ENVIRONMENTAL = ['CR', 'IR', 'AR', 'MAV', 'MAC', 'MPR', 'MUI', 'MS', 'MC', 'MI', 'MA'];

/** Scores of an already parsed vector; see cvssScore. */
export function scoreVector(vector: CvssVector): CvssScore {
  const normalised = formatCvss(vector);
  if (vector.version === '4.0') {
    const m = vector.metrics;
    const threat = m.E !== 'X';
    const env = definedAny(m, V4_ENVIRONMENTAL, 'X');
    const nomenclature: CvssV4Nomenclature =
      `CVSS-B${threat ? 'T' : ''}${env ? 'E' : ''}` as CvssV4Nomenclature;
    const baseScore = scoreV4(m, true);
    const score = threat || env ? scoreV4(m, false) : baseScore;
    return {
      version: '4.0',
      vector: normalised,
      baseScore,
      severity: severityFromScore('4.0', baseScore),
      score,
      scoreSeverity: severityFromScore('4.0', score),
      nomenclature,
    };
  }
  const [scores, temporalNames, envNames, nd] =
    vector.version === '2.0'
      ? [scoreV2(vector), V2_TEMPORAL, V2_ENVIRONMENTAL, 'ND']
      : [scoreV3(vector), V3_TEMPORAL, V3_ENVIRONMENTAL, 'X'];
  const temporal = definedAny(vector.metrics, temporalNames, nd);
  const env = definedAny(vector.metrics, envNames, nd);
  const score = env ? scores.environmental : temporal ? scores.temporal : scores.base;
  return {
    version: vector.version,
    vector: normalised,
    baseScore: scores.base,
    severity: severityFromScore(vector.version, scores.base),
    ...(temporal ? { temporalScore: scores.temporal } : {}),
    ...(env ? { environmentalScore: scores.environmental } : {}),
    score,
    scoreSeverity: severityFromScore(vector.version, score),
  };
}

/**
 * Parses a CVSS v2.0, v3.0, v3.1 or v4.0 vector string and scores it.
 * Throws MamoriError INVALID_ARGUMENT on a vector that is not valid.
 */
export function cvssScore(vector: string): CvssScore {
  return scoreVector(parseCvss(vector));
}
