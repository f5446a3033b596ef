import { MamoriError, type RuleFinding } from '../core/index.js';
import { locationKey, type CompiledRules } from './compile.js';
import { BINARY_SNIFF_BYTES, looksBinary } from './skip.js';
import type { SecretScanLocation } from './types.js';
import { evaluateWindow, type Candidate } from './window.js';

/** Default bytes scanned per window (plus the overlap carried from the previous one). */
export const WINDOW_BYTES = 1024 * 1024;

export interface FileScanOptions {
  readonly path: string;
  readonly loc: SecretScanLocation;
  readonly maxBytes: number;
  readonly maxFindings: number;
  readonly windowBytes: number;
  /** Line number of the first byte (1 for files). */
  readonly firstLine: number;
  /** Scan as text even if it holds NUL bytes (`scanText`). */
  readonly forceText: boolean;
  /** The path is not scanned: input is ignored. */
  readonly skipped: boolean;
}

/** Counts `\n` in buf[from, to). */
function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(10, from); i !== -1 && i < to; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * Scans one file fed chunk by chunk. Memory stays at one window plus the
 * overlap whatever the file's size; line numbers are carried across windows.
 */
export class SecretFileScan {
  private pending: Buffer[] = [];
  private pendingLen = 0;
  /** File offset of pending[0]'s first byte. */
  private base = 0;
  /** Newlines before `base`, and file offset of the last one (-1: none). */
  private linesBefore = 0;
  private lastNewline = -1;
  private first = true;
  private binary = false;
  private seen = 0;
  private readonly after: Float64Array;
  private readonly active: Uint8Array;
  private readonly findings: RuleFinding[] = [];
  private finished = false;
  private cut = false;

  constructor(
    private readonly c: CompiledRules,
    private readonly o: FileScanOptions,
  ) {
    this.after = new Float64Array(c.rules.length);
    this.active = Uint8Array.from(c.rules, (r) => (r.appliesTo(o.path) ? 1 : 0));
  }

  /** Feeds the next bytes of the file. */
  write(chunk: Uint8Array): void {
    if (this.finished)
      throw new MamoriError('INVALID_ARGUMENT', `${this.o.path}: secret scan written after its end`);
    if (this.done || chunk.length === 0) return;
    const room = this.o.maxBytes - this.seen;
    let b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (b.length > room) {
      b = b.subarray(0, room);
      this.cut = true;
    }
    this.seen += b.length;
    if (b.length === 0) return;
    this.pending.push(b);
    this.pendingLen += b.length;
    if (this.pendingLen >= this.o.windowBytes + 2 * this.c.overlap) this.process(false);
  }

  /** Ends the file and returns its findings, in file order. */
  end(): RuleFinding[] {
    if (!this.finished) {
      if (!this.o.skipped && !this.full() && (this.pendingLen > 0 || this.first)) this.process(true);
      this.finished = true;
      this.pending = [];
    }
    return this.findings;
  }

  /** Bytes scanned so far (at most `maxFileBytes`). */
  get scanned(): number {
    return this.seen;
  }

  /** True when the file was longer than `maxFileBytes` and its tail went unscanned. */
  get truncated(): boolean {
    return this.cut;
  }

  /** Whether further input is ignored (skipped path, findings cap reached, size limit reached). */
  get done(): boolean {
    return this.o.skipped || this.cut || this.full();
  }

  /** Whether the file's path is skipped. */
  get skipped(): boolean {
    return this.o.skipped;
  }

  private full(): boolean {
    return this.findings.length >= this.o.maxFindings;
  }

  private process(final: boolean): void {
    const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingLen);
    const h = this.c.overlap;
    if (this.first) this.binary = !this.o.forceText && looksBinary(buf.subarray(0, BINARY_SNIFF_BYTES));
    const ownFrom = this.first ? 0 : h;
    const ownTo = final ? buf.length : buf.length - h;
    const found = evaluateWindow(this.c, {
      path: this.o.path,
      buf,
      ownFrom,
      ownTo,
      binary: this.binary,
      base: this.base,
      active: this.active,
      after: this.after,
    });
    if (found.length > 0) this.place(buf, found);
    this.first = false;
    if (final) return;
    // Keep the last 2·overlap bytes (copied, so the window can be freed) and move on.
    const keep = buf.length - 2 * h;
    this.linesBefore += countNewlines(buf, 0, keep);
    const nl = buf.lastIndexOf(10, keep - 1);
    if (nl !== -1) this.lastNewline = this.base + nl;
    const tail = Buffer.from(buf.subarray(keep));
    this.base += keep;
    this.pending = [tail];
    this.pendingLen = tail.length;
  }

  /** Turns candidates into findings with lines and columns. */
  private place(buf: Buffer, found: readonly Candidate[]): void {
    // Candidates come in offset order: count lines incrementally.
    let pos = 0;
    let line = this.linesBefore;
    const lineAt = (p: number): number => {
      if (p < pos) return line - countNewlines(buf, p, pos);
      line += countNewlines(buf, pos, p);
      pos = p;
      return line;
    };
    const column = (p: number): number => {
      const nl = p > 0 ? buf.lastIndexOf(10, p - 1) : -1;
      return nl !== -1 ? p - nl : this.base + p - this.lastNewline;
    };
    for (const f of found) {
      if (this.full()) return;
      const rule = f.rule.rule;
      const startLine = lineAt(f.start) + this.o.firstLine;
      const endLine = startLine + countNewlines(buf, f.start, f.end);
      if (this.c.allowLocations.has(locationKey(rule.id, this.o.path, startLine))) continue;
      if (f.hash !== undefined && this.c.allowHashes.has(f.hash)) continue;
      const { layer, deleted } = this.o.loc;
      this.findings.push({
        kind: 'secret',
        ruleId: rule.id,
        title: rule.title,
        severity: rule.severity,
        rationale: rule.rationale,
        fix: rule.fix,
        location: {
          path: this.o.path,
          ...(layer ? { layer } : {}),
          startLine,
          startColumn: column(f.start),
          endLine,
          // Exclusive, as in SARIF: the column just past the secret.
          endColumn: column(f.end),
          ...(deleted ? { deleted: true } : {}),
        },
        evidence: f.evidence,
        ...(rule.references ? { references: rule.references } : {}),
      });
    }
  }
}
