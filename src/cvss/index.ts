/**
 * CVSS vectors and scores: parsing and validation of v2.0, v3.0, v3.1 and
 * v4.0 vector strings, their scores exactly as the FIRST specifications and
 * reference calculators compute them, and qualitative severities.
 */
export { parseCvss, formatCvss, MAX_VECTOR_LENGTH } from './parse.js';
export { cvssScore, scoreVector } from './score.js';
export { severityFromScore } from './severity.js';
export type {
  CvssVersion,
  CvssSeverity,
  CvssVector,
  CvssV2Vector,
  CvssV3Vector,
  CvssV4Vector,
  CvssV2Metrics,
  CvssV3Metrics,
  CvssV4Metrics,
  CvssV4Nomenclature,
  CvssScore,
} from './types.js';
