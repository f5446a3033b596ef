export { renderCycloneDx } from './cyclonedx.js';
export { renderSpdx } from './spdx.js';
export { renderJson } from './json.js';
export { renderTable } from './table.js';
export { formats, formatNames, isFormatName } from './formats.js';
export type { FormatName, ReportFormat } from './formats.js';
export type {
  CycloneDxOptions,
  RenderOptions,
  SarifOptions,
  SbomOptions,
  SpdxOptions,
  TableOptions,
} from './options.js';
export { mamoriVersion } from './version.js';
export { renderFindingsJson } from './findings.js';
export type { FindingsReport, SuppressedFinding, SuppressedRuleFinding, VexStatus } from './findings.js';
export { renderFindingsTable } from './findings-table.js';
export { renderSurfaceText } from './surface.js';
export type { SurfaceSummary } from './surface.js';
export { renderFindingsSarif } from './sarif.js';
export { renderFindingsCycloneDx } from './cyclonedx-vex.js';
export { formatColumns } from './table.js';
