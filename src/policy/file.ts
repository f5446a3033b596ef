/**
 * Reading a policy file: YAML or JSON, bounded, either a policy itself or a
 * mamori.yaml holding it under `policy:`; signature key paths are read
 * relative to the file.
 */
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse } from 'yaml';
import { MamoriError } from '../core/index.js';
import { resolveKeyFiles } from './keyfiles.js';
import type { Policy } from './model.js';
import { parsePolicy } from './parse.js';

/** Largest policy file read. */
export const MAX_POLICY_FILE_BYTES = 4 * 1024 * 1024;

async function readBounded(path: string): Promise<string> {
  let f;
  try {
    f = await open(path, 'r');
  } catch (e) {
    throw new MamoriError('INVALID_ARGUMENT', `cannot read the policy ${path}: ${String(e)}`);
  }
  try {
    const st = await f.stat();
    if (!st.isFile()) throw new MamoriError('INVALID_ARGUMENT', `the policy ${path} is not a file`);
    if (st.size > MAX_POLICY_FILE_BYTES) {
      throw new MamoriError(
        'LIMIT_EXCEEDED',
        `the policy ${path} is larger than ${MAX_POLICY_FILE_BYTES} bytes`,
      );
    }
    const buf = Buffer.alloc(st.size);
    const { bytesRead } = await f.read(buf, 0, st.size, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await f.close();
  }
}

/** The policy in `path` (a policy document, or a mamori.yaml with a `policy:` section). */
export async function loadPolicyFile(path: string): Promise<Policy> {
  const text = await readBounded(path);
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch (e) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `${path}: not valid YAML (${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)})`,
    );
  }
  const body =
    typeof doc === 'object' && doc !== null && 'policy' in doc ? (doc as { policy: unknown }).policy : doc;
  return resolveKeyFiles(parsePolicy(body, 'policy'), dirname(path));
}
