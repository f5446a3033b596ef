/**
 * Signature keys of image rules may be written as file paths: they are read
 * here, relative to the directory of the file that named them, so the rest
 * of mamori only ever sees PEM text.
 */
import { open } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { MamoriError } from '../core/index.js';
import type { Policy } from './model.js';
import { POLICY_LIMITS } from './parse.js';

async function readKey(path: string, where: string): Promise<string> {
  let text: string;
  try {
    const f = await open(path, 'r');
    try {
      const st = await f.stat();
      if (!st.isFile()) throw new MamoriError('INVALID_ARGUMENT', `${where}: ${path} is not a file`);
      const buf = Buffer.alloc(Math.min(st.size, POLICY_LIMITS.keyPem + 1));
      const { bytesRead } = await f.read(buf, 0, buf.length, 0);
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await f.close();
    }
  } catch (e) {
    if (e instanceof MamoriError) throw e;
    throw new MamoriError('INVALID_ARGUMENT', `${where}: cannot read the key file ${path}: ${String(e)}`);
  }
  if (text.length > POLICY_LIMITS.keyPem) {
    throw new MamoriError('INVALID_ARGUMENT', `${where}: the key file ${path} is too large`);
  }
  if (!/^-----BEGIN PUBLIC KEY-----/.test(text.trim())) {
    throw new MamoriError('INVALID_ARGUMENT', `${where}: ${path} does not hold a PEM public key`);
  }
  return text;
}

/** The policy with every key path replaced by the PEM it names (relative paths from `baseDir`). */
export async function resolveKeyFiles(policy: Policy, baseDir: string): Promise<Policy> {
  const pems = (keys: readonly string[], where: string): Promise<string[]> =>
    Promise.all(
      keys.map((k, j) =>
        k.trim().startsWith('-----') ? k : readKey(isAbsolute(k) ? k : resolve(baseDir, k), `${where}[${j}]`),
      ),
    );
  const rules = await Promise.all(
    policy.rules.map(async (rule, i) => {
      const images = rule.images;
      if (!images) return rule;
      const at = `policy.rules[${i}].images`;
      return {
        ...rule,
        images: {
          ...images,
          signatureKeys: await pems(images.signatureKeys, `${at}.signatures.keys`),
          attestations: await Promise.all(
            images.attestations.map(async (a, j) => ({
              ...a,
              keys: await pems(a.keys, `${at}.attestations[${j}].keys`),
            })),
          ),
        },
      };
    }),
  );
  return { ...policy, rules };
}
