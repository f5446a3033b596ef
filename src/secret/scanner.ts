import type { RuleFinding } from '../core/index.js';
import { MamoriError } from '../core/index.js';
import { compileRules } from './compile.js';
import { SecretFileScan, WINDOW_BYTES } from './file-scan.js';
import type { SecretScanLocation, SecretScannerOptions, SecretTextLocation } from './types.js';

const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;
const DEFAULT_MAX_FINDINGS = 100;

export interface SecretScanner {
  /** Whether a file at this path is scanned at all (false for skipped and allow-listed paths). */
  wants(path: string): boolean;
  /**
   * Starts a push-style scan of one file: feed every chunk with `write`, then
   * `end()` returns the findings. For walkers that show each chunk to
   * several consumers. A skipped path yields a scan that ignores its input.
   */
  open(path: string, loc?: SecretScanLocation): SecretFileScan;
  /** Scans a file's bytes already in memory. */
  scanBuffer(path: string, buf: Uint8Array, loc?: SecretScanLocation): RuleFinding[];
  /** Scans a file streamed as chunks, in bounded memory; a skipped path's stream is not read. */
  scanStream(
    path: string,
    chunks: AsyncIterable<Uint8Array>,
    loc?: SecretScanLocation,
  ): Promise<RuleFinding[]>;
  /**
   * Scans text that is not a file of the image: a Dockerfile line, an ENV
   * value, a label (`path` names it, e.g. `image-config`). Never skipped by path.
   */
  scanText(path: string, text: string, loc?: SecretTextLocation): RuleFinding[];
}

function positive(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v <= 0) {
    throw new MamoriError('INVALID_ARGUMENT', `secret scanner: ${name} must be a positive integer, got ${v}`);
  }
  return v;
}

/**
 * Builds a secret scanner. The rules are compiled once; the scanner holds
 * no per-file state, so one instance serves a whole image (and files may be
 * scanned concurrently through separate `open` calls).
 */
export function createSecretScanner(opts: SecretScannerOptions = {}): SecretScanner {
  const maxBytes = positive('maxFileBytes', opts.maxFileBytes, DEFAULT_MAX_FILE_BYTES);
  const maxFindings = positive('maxFindingsPerFile', opts.maxFindingsPerFile, DEFAULT_MAX_FINDINGS);
  const windowBytes = positive('windowBytes', opts.windowBytes, WINDOW_BYTES);
  const compiled = compileRules(opts);
  const wants = (path: string) => !compiled.skipped(path);
  const scan = (path: string, loc: SecretScanLocation, text: boolean, firstLine: number, skip: boolean) =>
    new SecretFileScan(compiled, {
      path,
      loc,
      maxBytes,
      maxFindings,
      windowBytes,
      firstLine,
      forceText: text,
      skipped: skip,
    });

  return {
    wants,
    open: (path, loc = {}) => scan(path, loc, false, 1, !wants(path)),
    scanBuffer(path, buf, loc = {}) {
      if (!wants(path)) return [];
      const s = scan(path, loc, false, 1, false);
      s.write(buf);
      return s.end();
    },
    async scanStream(path, chunks, loc = {}) {
      if (!wants(path)) return [];
      const s = scan(path, loc, false, 1, false);
      for await (const chunk of chunks) {
        s.write(chunk);
        if (s.done) break;
      }
      return s.end();
    },
    scanText(path, text, loc = {}) {
      const line = loc.line ?? 1;
      if (!Number.isSafeInteger(line) || line < 1) {
        throw new MamoriError(
          'INVALID_ARGUMENT',
          `secret scanner: line must be a positive integer, got ${line}`,
        );
      }
      const s = scan(path, loc, true, line, false);
      s.write(Buffer.from(text, 'utf8'));
      return s.end();
    },
  };
}
