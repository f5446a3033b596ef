import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { MamoriError } from '../core/index.js';
import { inventory, ALL_CATALOGERS, type InventoryOptions, type ProgressEvent } from '../inventory/index.js';
import { formatNames, formats, isFormatName } from '../report/index.js';
import { EXIT_OK } from './errors.js';
import { Progress } from './progress.js';

export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /** Standard input, for commands that read `-`; default the process's. */
  readonly stdin?: NodeJS.ReadableStream;
}

/** Options shared by every command that reads an image. */
export function addImageOptions(cmd: Command): Command {
  return cmd
    .option(
      '--platform <os/arch[/variant]>',
      'platform to pick from a multi-platform image (default: this host)',
    )
    .option('--creds <user[:password]>', 'registry credentials')
    .option(
      '--authfile <path>',
      'containers auth.json with registry credentials (default: $REGISTRY_AUTH_FILE, then the usual places)',
    )
    .option(
      '--tls-verify <bool>',
      'verify registry TLS certificates; false also allows plain HTTP',
      parseBool,
      true,
    )
    .option(
      '--catalogers <list>',
      'catalogers or tags to run: name,tag to replace the default, +name to add, -name to remove',
    )
    .option('--cache-dir <dir>', 'layer cache directory (default: $MAMORI_CACHE_DIR or ~/.cache/mamori)')
    .option('--no-cache', 'do not read or write the layer cache')
    .option('--max-layer-size <bytes>', 'largest uncompressed layer to accept', parsePositiveInt)
    .option('-q, --quiet', 'no progress output');
}

function parseBool(v: string): boolean {
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  throw new MamoriError('INVALID_ARGUMENT', `expected true or false, got "${v}"`);
}

function parsePositiveInt(v: string): number {
  const m = /^(\d+)([kmgt]i?b?)?$/i.exec(v.trim());
  if (!m)
    throw new MamoriError('INVALID_ARGUMENT', `expected a size such as 1073741824 or 16GiB, got "${v}"`);
  const unit = (m[2] ?? '').toLowerCase().replace(/i?b$/, '');
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[unit] ?? 1;
  return Number(m[1]) * mult;
}

export interface ImageCommandOptions {
  readonly platform?: string;
  readonly creds?: string;
  readonly authfile?: string;
  readonly tlsVerify: boolean;
  readonly catalogers?: string;
  readonly cacheDir?: string;
  readonly cache: boolean;
  readonly maxLayerSize?: number;
  readonly quiet?: boolean;
}

/** The inventory options the image flags ask for. */
export function inventoryOptionsFromCli(
  o: ImageCommandOptions,
  onProgress?: (e: ProgressEvent) => void,
): InventoryOptions {
  return {
    ...(o.platform ? { platform: o.platform } : {}),
    ...(o.catalogers ? { select: [o.catalogers] } : {}),
    cacheDir: o.cache ? (o.cacheDir ?? undefined) : false,
    ...(o.maxLayerSize ? { maxLayerBytes: o.maxLayerSize } : {}),
    registry: {
      ...(o.creds !== undefined ? { creds: o.creds } : {}),
      ...(o.authfile ? { authFile: o.authfile } : {}),
      tlsVerify: o.tlsVerify,
    },
    ...(onProgress ? { onProgress } : {}),
  };
}

/** Runs `work` with a progress indicator on stderr when it is a terminal (and not --quiet). */
export async function withProgress<T>(
  io: CliIo,
  quiet: boolean | undefined,
  work: (onProgress: (e: ProgressEvent) => void) => Promise<T>,
): Promise<T> {
  const progress = new Progress(io.stderr, !quiet && io.stderr.isTTY === true);
  try {
    return await work(progress.onEvent);
  } finally {
    progress.clear();
  }
}

/**
 * Writes output to stdout (`-` or no file), to a regular file atomically
 * (a temporary file renamed over it, so a reader never sees half a report),
 * or straight into anything else (`/dev/null`, a FIFO), which must never be
 * replaced.
 */
export async function writeOutput(text: string, file: string | undefined, io: CliIo): Promise<void> {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  if (!file || file === '-') {
    io.stdout.write(body);
    return;
  }
  const st = await stat(file).catch(() => undefined);
  if (st && !st.isFile()) {
    if (st.isDirectory()) throw new MamoriError('INVALID_ARGUMENT', `-o ${file}: is a directory`);
    await writeFile(file, body);
    return;
  }
  const tmp = `${file}.mamori-${process.pid}.tmp`;
  try {
    await writeFile(tmp, body, { flag: 'wx' });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new MamoriError('IO', `cannot write ${file}: ${(e as Error).message}`, { cause: e });
  }
}

export function sbomCommand(io: CliIo, setExit: (code: number) => void): Command {
  const cmd = new Command('sbom')
    .description('List every package in an image or root filesystem (an SBOM)')
    .argument(
      '<image>',
      'oci:DIR[:TAG|@DIGEST], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG], dir:ROOTFS, docker://HOST/REPO:TAG or HOST/REPO:TAG',
    )
    .addOption(
      new Option('-f, --format <format>', 'output format').choices([...formatNames]).default('table'),
    )
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--wide', 'table: also show the layer and location of each package');
  addImageOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Formats:
${formatNames.map((f) => `  ${f.padEnd(10)} ${formats[f].description}`).join('\n')}

Catalogers (default: those tagged "image"):
${ALL_CATALOGERS.map((c) => `  ${c.name.padEnd(22)} ${c.tags.join(', ')}`).join('\n')}

Examples:
  mamori sbom oci:./layout:latest
  mamori sbom docker-archive:image.tar -f cyclonedx -o sbom.cdx.json
  mamori sbom --creds user:pass --tls-verify=false 127.0.0.1:5000/app:1.0 -f spdx
  mamori sbom dir:/srv/rootfs --catalogers +npm-lock`,
  );
  cmd.action(
    async (ref: string, o: ImageCommandOptions & { format: string; output?: string; wide?: boolean }) => {
      if (!isFormatName(o.format)) throw new MamoriError('INVALID_ARGUMENT', `unknown format ${o.format}`);
      const inv = await withProgress(io, o.quiet, (p) => inventory(ref, inventoryOptionsFromCli(o, p)));
      for (const w of inv.warnings) if (!o.quiet) io.stderr.write(`mamori: warning: ${w}\n`);
      const color = o.format === 'table' && !o.output && io.stdout.isTTY === true;
      await writeOutput(formats[o.format].render(inv, { wide: !!o.wide, color }), o.output, io);
      setExit(EXIT_OK);
    },
  );
  return cmd;
}
