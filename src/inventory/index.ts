export type {
  EntryInfo,
  ByteSource,
  CatalogFile,
  Fact,
  AssembleContext,
  CatalogerTag,
  Cataloger,
  StreamAnalyzer,
  StreamSink,
} from './cataloger.js';
export { BufferSource, FileSource, readAll, readText } from './bytesource.js';
export type { Inventory, InventoryLayer, InventorySource } from './types.js';
export { inventory, analyzeImageRef } from './inventory.js';
export type { AnalyzedLayer } from './assemble.js';
export { collectFacts } from './assemble.js';
export type { InventoryOptions, ProgressEvent, ImageAnalysis } from './inventory.js';
export { ALL_CATALOGERS, CATALOGER_MODULES, selectCatalogers } from './catalogers/index.js';
export { defaultCacheDir, layerCacheKey, LayerCache } from './cache.js';
export { analyzeLayer, ANALYSIS_VERSION } from './analysis.js';
export type { LayerAnalysis, FileRecord, FactRecord } from './analysis.js';
export { FileView } from './view.js';
export { detectDistro, osDetector } from './os/index.js';
