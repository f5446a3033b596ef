/** Test support: CLI streams that record what a command writes. */
import { PassThrough } from 'node:stream';
import type { CliIo } from './sbom.js';

export function capture(): { io: CliIo; text: () => { stdout: string; stderr: string } } {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  err.on('data', (c: Buffer) => (stderr += c.toString()));
  return {
    io: { stdout: out as unknown as NodeJS.WriteStream, stderr: err as unknown as NodeJS.WriteStream },
    text: () => ({ stdout, stderr }),
  };
}
