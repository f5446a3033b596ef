import { MamoriError } from '../core/index.js';

/** Reads standard input as UTF-8, refusing more than `max` bytes (LIMIT_EXCEEDED). */
export async function readStdin(stdin: NodeJS.ReadableStream, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stdin) {
    const b = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    size += b.length;
    if (size > max) throw new MamoriError('LIMIT_EXCEEDED', `standard input is larger than ${max} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}
