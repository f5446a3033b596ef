/**
 * Reading the event stream back (`mamori events`): lines are untrusted —
 * a truncated last line, a line of megabytes, text that is not JSON or JSON
 * that is not a stream record is skipped and counted by reason, never
 * fatal. Reads in bounded chunks; with `follow` it keeps reading as the
 * file grows (and starts over when it is truncated or replaced).
 */
import { open, stat } from 'node:fs/promises';
import { MamoriError, errorMessage } from '../../core/errors.js';
import type { AlertSeverity } from '../model/index.js';
import type { StreamRecord } from './types.js';

export interface SkipCounts {
  /** Longer than the line limit. */
  huge: number;
  /** Not JSON (including a truncated last line). */
  invalid: number;
  /** JSON, but not a stream record. */
  unknown: number;
}

export interface ReadOptions {
  /** Keep reading as the file grows until `signal` aborts. */
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
  /** Longest line accepted (default 1 MiB). */
  readonly maxLineBytes?: number;
  /** Poll interval in follow mode (default 250 ms). */
  readonly pollMs?: number;
  /** Start at this byte offset (default 0). */
  readonly from?: number;
}

const EVENT_KINDS = new Set([
  'exec',
  'exit',
  'connect',
  'accept',
  'open',
  'syscall',
  'syscalls',
  'alert',
  'drop',
]);
const SEVERITIES = new Set<string>(['critical', 'high', 'medium', 'low', 'info']);
const CHUNK = 64 * 1024;

/** A parsed line, or why it was skipped. */
export function parseStreamLine(line: string): StreamRecord | keyof SkipCounts {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return 'invalid';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'unknown';
  const r = v as Record<string, unknown>;
  if (typeof r.kind !== 'string' || !EVENT_KINDS.has(r.kind) || typeof r.time !== 'number') return 'unknown';
  if (r.kind === 'alert') {
    if (typeof r.rule !== 'string' || typeof r.severity !== 'string' || !SEVERITIES.has(r.severity))
      return 'unknown';
    if (!Array.isArray(r.processTree) || typeof r.evidence !== 'object' || r.evidence === null)
      return 'unknown';
  } else if (r.kind === 'drop') {
    if (typeof r.source !== 'string' || typeof r.count !== 'number') return 'unknown';
  } else if (typeof r.pid !== 'number') return 'unknown';
  if (
    r.container !== undefined &&
    (typeof r.container !== 'object' ||
      r.container === null ||
      typeof (r.container as { id?: unknown }).id !== 'string')
  )
    return 'unknown';
  return v as StreamRecord;
}

/** Yields the records of a stream file; `skipped` counts what was not usable. */
export async function* readStream(
  path: string,
  skipped: SkipCounts,
  o: ReadOptions = {},
): AsyncGenerator<StreamRecord> {
  const maxLine = o.maxLineBytes ?? 1 << 20;
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new MamoriError(
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'NOT_FOUND' : 'IO',
      `cannot read ${path}: ${errorMessage(e)}`,
      { cause: e },
    );
  }
  let pos = o.from ?? 0;
  let ino = (await fh.stat()).ino;
  let parts: Buffer[] = [];
  let partLen = 0;
  let skipping = false;
  const buf = Buffer.alloc(CHUNK);
  const take = (line: Buffer): StreamRecord | undefined => {
    const text = line.toString('utf8').trim();
    if (text === '') return undefined;
    const r = parseStreamLine(text);
    if (typeof r === 'string') {
      skipped[r]++;
      return undefined;
    }
    return r;
  };
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        const chunk = buf.subarray(0, bytesRead);
        let start = 0;
        for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
          const piece = chunk.subarray(start, nl);
          start = nl + 1;
          if (skipping || partLen + piece.length > maxLine) {
            skipped.huge++;
            skipping = false;
          } else {
            const r = take(partLen === 0 ? piece : Buffer.concat([...parts, piece]));
            if (r) yield r;
          }
          parts = [];
          partLen = 0;
        }
        const rest = chunk.subarray(start);
        if (!skipping && partLen + rest.length > maxLine) {
          skipping = true;
          parts = [];
          partLen = 0;
        } else if (!skipping && rest.length > 0) {
          parts.push(Buffer.from(rest));
          partLen += rest.length;
        }
        continue;
      }
      if (!o.follow || o.signal?.aborted) break;
      await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
      if (o.signal?.aborted) break;
      const st = await stat(path).catch(() => undefined);
      if (st && (st.ino !== ino || st.size < pos)) {
        // Rotated or truncated: start over with the new file.
        await fh.close();
        fh = await open(path, 'r');
        ino = (await fh.stat()).ino;
        pos = 0;
        parts = [];
        partLen = 0;
        skipping = false;
      }
    }
    // What is left without a newline is a truncated line.
    if (skipping) skipped.huge++;
    else if (partLen > 0) {
      const r = take(Buffer.concat(parts));
      if (r) yield r;
    }
  } finally {
    await fh.close();
  }
}

const RANK: Record<AlertSeverity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

export interface RecordFilter {
  /** Alerts of at least this severity (events and drops are left out). */
  readonly severity?: AlertSeverity;
  /** Container id (or its prefix), or pod name. */
  readonly container?: string;
  /** Alert rule id (events and drops are left out). */
  readonly rule?: string;
}

export function matchesFilter(r: StreamRecord, f: RecordFilter): boolean {
  if (f.severity !== undefined && (r.kind !== 'alert' || RANK[r.severity] < RANK[f.severity])) return false;
  if (f.rule !== undefined && (r.kind !== 'alert' || r.rule !== f.rule)) return false;
  if (f.container !== undefined) {
    if (r.kind === 'drop') return false;
    const c = r.container;
    if (!c || !(c.id.startsWith(f.container) || c.pod?.name === f.container || c.name === f.container))
      return false;
  }
  return true;
}
