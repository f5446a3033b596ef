import type { CvssV2Metrics, CvssV3Metrics, CvssV4Metrics } from './metrics.js';

export type { CvssV2Metrics, CvssV3Metrics, CvssV4Metrics } from './metrics.js';

export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';

/**
 * Qualitative severity. v3.x and v4.0 use all five ratings of their
 * specifications; v2.0 has no rating of its own and uses NVD's three bands
 * (Low 0.0–3.9, Medium 4.0–6.9, High 7.0–10.0).
 */
export type CvssSeverity = 'None' | 'Low' | 'Medium' | 'High' | 'Critical';

export interface CvssV2Vector {
  readonly version: '2.0';
  readonly metrics: CvssV2Metrics;
}

export interface CvssV3Vector {
  readonly version: '3.0' | '3.1';
  readonly metrics: CvssV3Metrics;
}

export interface CvssV4Vector {
  readonly version: '4.0';
  readonly metrics: CvssV4Metrics;
}

/** A validated vector: every metric of its version, optional ones "Not Defined" when absent. */
export type CvssVector = CvssV2Vector | CvssV3Vector | CvssV4Vector;

/** CVSS v4.0 names a score by the metric groups that went into it (specification §1.3). */
export type CvssV4Nomenclature = 'CVSS-B' | 'CVSS-BT' | 'CVSS-BE' | 'CVSS-BTE';

export interface CvssScore {
  readonly version: CvssVersion;
  /** The vector in its normalised form: specification order, "Not Defined" metrics left out. */
  readonly vector: string;
  /** Base score (for v4.0 the CVSS-B score, Threat and Environmental metrics ignored). */
  readonly baseScore: number;
  /** Severity of `baseScore`. */
  readonly severity: CvssSeverity;
  /** v2/v3 only, present when the vector defines a Temporal metric. */
  readonly temporalScore?: number;
  /** v2/v3 only, present when the vector defines an Environmental metric. */
  readonly environmentalScore?: number;
  /**
   * The score that uses every metric the vector defines: v2/v3 the
   * Environmental, else Temporal, else Base score; v4.0 the score named by
   * `nomenclature`.
   */
  readonly score: number;
  /** Severity of `score`. */
  readonly scoreSeverity: CvssSeverity;
  /** v4.0 only: which metric groups `score` includes. */
  readonly nomenclature?: CvssV4Nomenclature;
}
