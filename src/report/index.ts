export { renderCycloneDx } from './cyclonedx.js';
export { renderSpdx } from './spdx.js';
export { renderJson } from './json.js';
export { renderTable } from './table.js';
export { formats, formatNames, isFormatName } from './formats.js';
export type { FormatName, ReportFormat } from './formats.js';
export type { CycloneDxOptions, RenderOptions, SbomOptions, SpdxOptions, TableOptions } from './options.js';
export { mamoriVersion } from './version.js';
