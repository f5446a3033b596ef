import { MamoriError } from '../core/index.js';
import { mamoriVersion } from './version.js';

/** Options shared by the SBOM renderers. Fix them in tests to get byte-identical output. */
export interface SbomOptions {
  /** Creation time written into the document; default: now. */
  readonly timestamp?: Date;
  /** Version written for the mamori tool entry; default: mamori's package.json version. */
  readonly toolVersion?: string;
}

export interface CycloneDxOptions extends SbomOptions {
  /** `urn:uuid:…` serial number (lower-case RFC 4122 form); default: a random one per run. */
  readonly serialNumber?: string;
}

export interface SpdxOptions extends SbomOptions {
  /** Absolute URI naming this document; default: a unique one per run. */
  readonly documentNamespace?: string;
}

export interface TableOptions {
  /** Adds the LAYER and LOCATION columns. */
  readonly wide?: boolean;
  /** ANSI styling; pass `stream.isTTY` (and honour NO_COLOR) — off by default. */
  readonly color?: boolean;
}

export interface SarifOptions {
  /** Version written for the tool; default: mamori's package.json version. */
  readonly toolVersion?: string;
  /** Absolute http(s) URL of mamori's documentation (`tool.driver.informationUri`); default: package.json `homepage`, else left out. */
  readonly informationUri?: string;
  /**
   * `include` (default): suppressed findings (vulnerability and rule findings) are results carrying
   * a `suppressions` entry, as SARIF intends. `omit`: left out — GitHub code scanning opens alerts for suppressed results unless the
   * repository is set to treat them as dismissed.
   */
  readonly suppressed?: 'include' | 'omit';
  /** Code-scanning category (`runAutomationDetails.id` = `CATEGORY/`), to keep several scans of one repository apart. */
  readonly category?: string;
  /** End time of the scan, written as the run's invocation; left out by default. */
  readonly timestamp?: Date;
}

/** Every renderer option in one value, for callers that pick the format at run time. */
export type RenderOptions = CycloneDxOptions & SpdxOptions & TableOptions;

const SERIAL = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function resolveTimestamp(opts: SbomOptions): Date {
  const t = opts.timestamp ?? new Date();
  if (!(t instanceof Date) || Number.isNaN(t.getTime())) {
    throw new MamoriError('INVALID_ARGUMENT', 'SBOM timestamp is not a valid date');
  }
  return t;
}

export function resolveToolVersion(opts: SbomOptions): string {
  const v = opts.toolVersion ?? mamoriVersion();
  if (typeof v !== 'string' || v.length === 0 || v.length > 128 || /\s/.test(v)) {
    throw new MamoriError('INVALID_ARGUMENT', 'tool version must be a non-empty string without spaces');
  }
  return v;
}

export function checkSerialNumber(serial: string): string {
  if (!SERIAL.test(serial)) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      'CycloneDX serial number must look like urn:uuid:<lower-case uuid>',
    );
  }
  return serial;
}

export function checkNamespace(ns: string): string {
  let ok = false;
  try {
    const u = new URL(ns);
    ok = u.protocol.length > 1 && !u.hash && !/\s/.test(ns);
  } catch {
    ok = false;
  }
  if (!ok)
    throw new MamoriError('INVALID_ARGUMENT', 'SPDX document namespace must be an absolute URI without "#"');
  return ns;
}
