/**
 * Reading a policy file: YAML or JSON, bounded, either a policy itself or a
 * mamori.yaml holding it under `policy:`; signature key paths are read
 * relative to the file.
 */
import { dirname } from 'node:path';
import { parse } from 'yaml';
import { decodeUtf8, MamoriError, readBoundedFile } from '../core/index.js';
import { resolveKeyFiles } from './keyfiles.js';
import type { Policy } from './model.js';
import { parsePolicy } from './parse.js';

/** Largest policy file read. */
export const MAX_POLICY_FILE_BYTES = 4 * 1024 * 1024;

/** The policy in `path` (a policy document, or a mamori.yaml with a `policy:` section). */
export async function loadPolicyFile(path: string): Promise<Policy> {
  const text = decodeUtf8(await readBoundedFile(path, MAX_POLICY_FILE_BYTES), `the policy ${path}`);
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
