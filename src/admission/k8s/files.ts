/**
 * Writes the webhook's certificate files into a directory: `ca.crt`,
 * `ca.key`, `tls.crt`, `tls.key` (keys mode 0600, certificates 0644). Nothing
 * is written when one of them exists, unless `force`; each file is written
 * to a fresh temporary name and linked (renamed, with `force`) into place, so
 * a file is never left half written and a symbolic link in its place is
 * replaced, not followed.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, lstat, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MamoriError } from '../../core/index.js';
import type { WebhookCertificates } from './certs.js';

export const CERTIFICATE_FILES = ['ca.crt', 'ca.key', 'tls.crt', 'tls.key'] as const;
export type CertificateFile = (typeof CERTIFICATE_FILES)[number];

function ioError(dir: string, e: unknown): MamoriError {
  const code = (e as { code?: unknown }).code;
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'ENOTDIR' || code === 'EEXIST'
        ? 'not a directory'
        : code === 'EROFS'
          ? 'read-only file system'
          : code === 'ENOSPC'
            ? 'no space left on device'
            : String(code ?? (e instanceof Error ? e.message : e));
  return new MamoriError('IO', `cannot write the certificates to ${dir}: ${why}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return false;
    throw e;
  }
}

/** Writes the four files into `dir` (created, mode 0700, when missing); returns their paths. */
export async function writeCertificateFiles(
  dir: string,
  certs: WebhookCertificates,
  opts: {
    readonly force?: boolean;
    /** Only these files (a renewal writes the serving certificate and key, never the CA). */
    readonly only?: readonly CertificateFile[];
  } = {},
): Promise<Record<CertificateFile, string>> {
  const files = CERTIFICATE_FILES.filter((f) => opts.only === undefined || opts.only.includes(f));
  const contents: Record<CertificateFile, string> = {
    'ca.crt': certs.caCert,
    'ca.key': certs.caKey,
    'tls.crt': certs.tlsCert,
    'tls.key': certs.tlsKey,
  };
  const paths = Object.fromEntries(CERTIFICATE_FILES.map((f) => [f, join(dir, f)])) as Record<
    CertificateFile,
    string
  >;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (!(await stat(dir)).isDirectory())
      throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    if (!opts.force) {
      const present: string[] = [];
      for (const f of files) if (await exists(paths[f])) present.push(f);
      if (present.length > 0)
        throw new MamoriError(
          'INVALID_ARGUMENT',
          `${dir} already holds ${present.join(', ')}; pass --force to replace them`,
        );
    }
  } catch (e) {
    if (e instanceof MamoriError) throw e;
    throw ioError(dir, e);
  }
  const temps: string[] = [];
  try {
    for (const f of files) {
      const mode = f.endsWith('.key') ? 0o600 : 0o644;
      const tmp = join(dir, `.${f}.${randomBytes(6).toString('hex')}.tmp`);
      temps.push(tmp);
      const fh = await open(tmp, 'wx', mode);
      try {
        await fh.writeFile(contents[f]);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await chmod(tmp, mode); // whatever the umask
    }
    for (const [i, f] of files.entries()) {
      const tmp = temps[i] ?? '';
      // Without force, link() refuses a file that appeared since the check instead of replacing it.
      if (opts.force) await rename(tmp, paths[f]);
      else await link(tmp, paths[f]);
    }
  } catch (e) {
    if ((e as { code?: unknown }).code === 'EEXIST' && !opts.force)
      throw new MamoriError(
        'INVALID_ARGUMENT',
        `${dir} already holds certificate files; pass --force to replace them`,
      );
    throw ioError(dir, e);
  } finally {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
  }
  return paths;
}
