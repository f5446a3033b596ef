/**
 * Signature keys of image rules may be written as file paths: they are read
 * here, relative to the directory of the file that named them, so the rest
 * of mamori only ever sees PEM text.
 */
import { isAbsolute, resolve } from 'node:path';
import { decodeUtf8, errorMessage, isMamoriError, MamoriError, readBoundedFile } from '../core/index.js';
import type { Policy } from './model.js';
import { POLICY_LIMITS } from './parse.js';

async function readKey(path: string, where: string): Promise<string> {
  let text: string;
  try {
    text = decodeUtf8(await readBoundedFile(path, POLICY_LIMITS.keyPem), path);
  } catch (e) {
    throw new MamoriError(isMamoriError(e) ? e.code : 'IO', `${where}: key file ${errorMessage(e)}`, {
      cause: e,
    });
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
