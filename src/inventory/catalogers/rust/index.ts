export { rustAuditCataloger, rustPackages } from './cataloger.js';
export type { RustAuditFact } from './cataloger.js';
export {
  MAX_COMPRESSED_BYTES,
  MAX_DECOMPRESSED_BYTES,
  inflateAuditData,
  parseAuditJson,
  readCargoAuditable,
} from './audit.js';
export type { CargoAuditInfo, CargoAuditPackage } from './audit.js';
