/**
 * The metrics of each CVSS version, in the order the specifications list
 * them (which is the order of a normalised vector string), with every value
 * a vector may give. The first `mandatory` metrics of each table are the
 * Base metrics every vector must carry exactly once; the rest are optional
 * and default to the version's "Not Defined" value.
 */

/** CVSS v2.0 (https://www.first.org/cvss/v2/guide §2.4): Base, Temporal, Environmental. */
export const V2_METRICS = {
  AV: ['L', 'A', 'N'],
  AC: ['H', 'M', 'L'],
  Au: ['M', 'S', 'N'],
  C: ['N', 'P', 'C'],
  I: ['N', 'P', 'C'],
  A: ['N', 'P', 'C'],
  E: ['ND', 'U', 'POC', 'F', 'H'],
  RL: ['ND', 'OF', 'TF', 'W', 'U'],
  RC: ['ND', 'UC', 'UR', 'C'],
  CDP: ['ND', 'N', 'L', 'LM', 'MH', 'H'],
  TD: ['ND', 'N', 'L', 'M', 'H'],
  CR: ['ND', 'L', 'M', 'H'],
  IR: ['ND', 'L', 'M', 'H'],
  AR: ['ND', 'L', 'M', 'H'],
} as const;

/** CVSS v3.0 and v3.1 (specification §6, Table 15): Base, Temporal, Environmental. */
export const V3_METRICS = {
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'R'],
  S: ['U', 'C'],
  C: ['H', 'L', 'N'],
  I: ['H', 'L', 'N'],
  A: ['H', 'L', 'N'],
  E: ['X', 'H', 'F', 'P', 'U'],
  RL: ['X', 'U', 'W', 'T', 'O'],
  RC: ['X', 'C', 'R', 'U'],
  CR: ['X', 'H', 'M', 'L'],
  IR: ['X', 'H', 'M', 'L'],
  AR: ['X', 'H', 'M', 'L'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'R'],
  MS: ['X', 'U', 'C'],
  MC: ['X', 'H', 'L', 'N'],
  MI: ['X', 'H', 'L', 'N'],
  MA: ['X', 'H', 'L', 'N'],
} as const;

/** CVSS v4.0 (specification §7, Table 23): Base, Threat, Environmental, Supplemental. */
export const V4_METRICS = {
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  AT: ['N', 'P'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'P', 'A'],
  VC: ['H', 'L', 'N'],
  VI: ['H', 'L', 'N'],
  VA: ['H', 'L', 'N'],
  SC: ['H', 'L', 'N'],
  SI: ['H', 'L', 'N'],
  SA: ['H', 'L', 'N'],
  E: ['X', 'A', 'P', 'U'],
  CR: ['X', 'H', 'M', 'L'],
  IR: ['X', 'H', 'M', 'L'],
  AR: ['X', 'H', 'M', 'L'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MAT: ['X', 'N', 'P'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'P', 'A'],
  MVC: ['X', 'H', 'L', 'N'],
  MVI: ['X', 'H', 'L', 'N'],
  MVA: ['X', 'H', 'L', 'N'],
  MSC: ['X', 'H', 'L', 'N'],
  MSI: ['X', 'S', 'H', 'L', 'N'],
  MSA: ['X', 'S', 'H', 'L', 'N'],
  S: ['X', 'N', 'P'],
  AU: ['X', 'N', 'Y'],
  R: ['X', 'A', 'U', 'I'],
  V: ['X', 'D', 'C'],
  RE: ['X', 'L', 'M', 'H'],
  U: ['X', 'Clear', 'Green', 'Amber', 'Red'],
} as const;

type MetricTable = Readonly<Record<string, readonly string[]>>;

/** One value per metric of a table; optional metrics not in the vector hold "Not Defined". */
export type MetricValues<T extends MetricTable> = { readonly [K in keyof T]: T[K][number] };

export type CvssV2Metrics = MetricValues<typeof V2_METRICS>;
export type CvssV3Metrics = MetricValues<typeof V3_METRICS>;
export type CvssV4Metrics = MetricValues<typeof V4_METRICS>;

/** What a parser needs to know about one version's vector grammar. */
export interface Grammar {
  readonly label: string;
  readonly table: MetricTable;
  /** Number of leading entries of `table` that are mandatory Base metrics. */
  readonly mandatory: number;
  /** The "Not Defined" value of optional metrics, left out of a normalised vector. */
  readonly notDefined: string;
}

export const V2_GRAMMAR: Grammar = { label: 'CVSS v2', table: V2_METRICS, mandatory: 6, notDefined: 'ND' };
export const V3_GRAMMAR: Grammar = { label: 'CVSS v3', table: V3_METRICS, mandatory: 8, notDefined: 'X' };
export const V4_GRAMMAR: Grammar = { label: 'CVSS v4.0', table: V4_METRICS, mandatory: 11, notDefined: 'X' };

/** Metric names of the CVSS v4.0 Environmental group (Threat is `E` alone). */
export const V4_ENVIRONMENTAL = [
  'CR',
  'IR',
  'AR',
  'MAV',
  'MAC',
  'MAT',
  'MPR',
  'MUI',
  'MVC',
  'MVI',
  'MVA',
  'MSC',
  'MSI',
  'MSA',
] as const;
