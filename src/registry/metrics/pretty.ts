/** Where log lines go: any object with `write(line)` (a stream, or a test's collector). */
export interface LogDestination {
  write(line: string): unknown;
}

/** Fields shown in the line's fixed part rather than as `key=value`. */
const FIXED = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'req', 'res', 'responseTime']);

function field(v: unknown): string {
  return typeof v === 'string' && /^[^\s"=]{1,200}$/.test(v) ? v : JSON.stringify(v);
}

function requestPart(r: Record<string, unknown>): string {
  const parts = [r.method, r.url, r.route === undefined ? undefined : `(${String(r.route)})`];
  if (r.statusCode !== undefined) parts.push(r.statusCode);
  return parts
    .filter((p) => p !== undefined)
    .map(String)
    .join(' ');
}

/** One JSON log line as `TIME LEVEL [reqId] METHOD URL (route) STATUS Nms message key=value …`. */
export function formatPretty(line: string): string {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return `${line.trimEnd()}\n`;
  const e = o as Record<string, unknown>;
  const out: string[] = [
    String(e.time ?? ''),
    String(e.level ?? '')
      .toUpperCase()
      .padEnd(5),
  ];
  if (e.reqId !== undefined) out.push(`[${String(e.reqId)}]`);
  const r = (e.res ?? e.req) as Record<string, unknown> | undefined;
  if (r && typeof r === 'object') out.push(requestPart(r));
  if (typeof e.responseTime === 'number') out.push(`${e.responseTime.toFixed(1)}ms`);
  if (e.msg !== undefined) out.push(String(e.msg));
  for (const [k, v] of Object.entries(e)) if (!FIXED.has(k)) out.push(`${k}=${field(v)}`);
  if (r && typeof r === 'object' && r.remoteAddress !== undefined)
    out.push(`from=${String(r.remoteAddress)}`);
  return `${out.join(' ')}\n`;
}

/** A destination that turns pino's JSON lines into readable ones before writing them to `out`. */
export function prettyLogStream(out: LogDestination): LogDestination {
  return {
    write(chunk: string): void {
      for (const line of chunk.split('\n')) if (line !== '') out.write(formatPretty(line));
    },
  };
}
