import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { MamoriError, errorMessage } from '../core/index.js';

/** Largest mamori.yaml read. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Largest file a `…File` secret key may name. */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;
/** YAML aliases resolved at most (a "billion laughs" document needs many). */
export const MAX_YAML_ALIASES = 100;

/**
 * Reads at most `max` bytes of a regular file; larger files are refused
 * (the read is bounded even when the size changes under us).
 */
export async function readBounded(path: string, max: number, what: string): Promise<Buffer> {
  let handle;
  try {
    // O_NONBLOCK: a FIFO named as the file must not hang the open; regular files ignore it.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new MamoriError('INVALID_ARGUMENT', `cannot read ${what} ${path}: ${errorMessage(e)}`, {
      cause: e,
    });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new MamoriError('INVALID_ARGUMENT', `${what} ${path} is not a regular file`);
    const buf = Buffer.alloc(max + 1);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got > max) throw new MamoriError('LIMIT_EXCEEDED', `${what} ${path} is larger than ${max} bytes`);
    return buf.subarray(0, got);
  } finally {
    await handle.close();
  }
}

/**
 * The configuration file to read: `explicit` (--config), else
 * $MAMORI_CONFIG, else `mamori.yaml` in `cwd` when it exists.
 */
export async function findConfigFile(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<string | undefined> {
  if (explicit !== undefined && explicit !== '') return explicit;
  if (env.MAMORI_CONFIG) return env.MAMORI_CONFIG;
  const local = join(cwd, 'mamori.yaml');
  try {
    await stat(local);
    return local;
  } catch {
    return undefined;
  }
}

/**
 * Parses mamori.yaml text (YAML 1.2 core schema: `yes` is a string, no
 * custom tags, no duplicate keys, one document, aliases bounded). An empty
 * document is an empty mapping.
 */
export function parseConfigYaml(text: string, file: string): unknown {
  const fail = (why: string): MamoriError =>
    new MamoriError('INVALID_ARGUMENT', `${file}: ${why.split('\n')[0]?.slice(0, 300)}`);
  let doc;
  try {
    doc = parseDocument(text, { version: '1.2', schema: 'core', uniqueKeys: true, prettyErrors: true });
  } catch (e) {
    // The parser may run out of stack on pathological nesting.
    throw fail(`not valid YAML (${errorMessage(e)})`);
  }
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw fail(problem.message);
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) ?? {};
  } catch (e) {
    throw fail(errorMessage(e));
  }
}

/** Reads and parses a configuration file (size-capped, UTF-8). */
export async function readConfigFile(file: string): Promise<unknown> {
  const bytes = await readBounded(file, MAX_CONFIG_BYTES, 'config file');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MamoriError('INVALID_ARGUMENT', `${file}: not UTF-8 text`);
  }
  return parseConfigYaml(text, file);
}
