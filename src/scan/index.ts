export { scan, filterFindings, gateViolations, parseSeverity } from './scan.js';
export type { ScanOptions, ScanResult } from './scan.js';
