/**
 * SBOM files as scan input (`mamori scan sbom:FILE`, like `grype sbom:FILE`
 * and `trivy sbom FILE`): CycloneDX JSON 1.2–1.7 and SPDX JSON 2.2/2.3 from
 * mamori, Syft, Trivy and other producers, read into the same Inventory the
 * image catalogers produce, so the matcher sees the same fields.
 */
export { readSbomFile, sniffSbom, parseSbom, SNIFF_BYTES } from './read.js';
export type { ReadSbomOptions } from './read.js';
export { SBOM_TRANSPORT } from './assemble.js';
export { DEFAULT_MAX_BYTES } from './bounds.js';
export type { SbomFormat } from './model.js';
