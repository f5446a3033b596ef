import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { MamoriError } from '../core/index.js';
import {
  DEFAULT_ECOSYSTEMS,
  DEFAULT_MIRROR,
  type DbStatus,
  type ImportReport,
  type UpdateResult,
  type VulnDb,
  defaultDbPath,
  importFeed,
  openVulnDb,
  updateFeeds,
} from '../vulndb/index.js';
import { EXIT_OK } from './errors.js';
import type { CliIo } from './sbom.js';

const DB_HELP =
  'vulnerability database file (default: $MAMORI_DB, else $XDG_DATA_HOME/mamori/vuln.db or ~/.local/share/mamori/vuln.db)';
const DAY = 24 * 3600 * 1000;

interface CommonOptions {
  readonly db?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v.trim()) || !(n > 0)) {
    throw new MamoriError('INVALID_ARGUMENT', `expected a positive number, got "${v}"`);
  }
  return n;
}

function list(v: string): string[] {
  const items = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new MamoriError('INVALID_ARGUMENT', 'expected a comma-separated list');
  return items;
}

async function withDb<T>(o: CommonOptions, readonly: boolean, f: (db: VulnDb) => Promise<T>): Promise<T> {
  const db = await openVulnDb(o.db ?? defaultDbPath(), { readonly });
  try {
    return await f(db);
  } finally {
    db.close();
  }
}

function summary(r: ImportReport): string {
  const secs = (r.durationMs / 1000).toFixed(1);
  const parts = [`${r.added} added`, `${r.updated} updated`, `${r.unchanged} unchanged`];
  if (r.older > 0) parts.push(`${r.older} older than stored`);
  if (r.removed > 0) parts.push(`${r.removed} removed`);
  if (r.invalid > 0) parts.push(`${r.invalid} invalid`);
  return `${r.source}: ${r.records} records (${parts.join(', ')}) in ${secs} s`;
}

function warnInvalid(r: ImportReport, io: CliIo): void {
  if (r.invalid === 0) return;
  io.stderr.write(`mamori: warning: ${r.source}: ${r.invalid} malformed records skipped, e.g.\n`);
  for (const p of r.problems.slice(0, 3)) io.stderr.write(`  ${p}\n`);
}

function ago(ms: number): string {
  const h = ms / 3600_000;
  if (h < 1) return `${Math.max(0, Math.round(ms / 60_000))} minutes ago`;
  if (h < 48) return `${Math.round(h)} hours ago`;
  return `${Math.round(h / 24)} days ago`;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function renderStatus(s: DbStatus, now: number): string {
  const lines = [
    `database    ${s.path} (schema ${s.schemaVersion}, ${mib(s.sizeBytes)})`,
    `advisories  ${s.advisories} (${s.withdrawn} withdrawn)`,
    `updated     ${s.updatedAt ? `${s.updatedAt} (${ago(now - Date.parse(s.updatedAt))})` : 'never'}`,
  ];
  if (s.sources.length > 0) {
    const w = Math.max(6, ...s.sources.map((x) => x.name.length));
    lines.push(
      '',
      `${'SOURCE'.padEnd(w)}  ${'KIND'.padEnd(14)}  RECORDS  INVALID  CHECKED               LOCATION`,
    );
    for (const x of s.sources) {
      lines.push(
        `${x.name.padEnd(w)}  ${x.kind.padEnd(14)}  ${String(x.records).padStart(7)}  ${String(x.invalid).padStart(7)}  ${x.checkedAt.slice(0, 19).replace('T', ' ')}   ${x.location}`,
      );
    }
  }
  if (s.ecosystems.length > 0) {
    const w = Math.max(9, ...s.ecosystems.map((e) => e.ecosystem.length));
    lines.push('', `${'ECOSYSTEM'.padEnd(w)}  PACKAGES  ENTRIES`);
    for (const e of s.ecosystems) {
      lines.push(
        `${e.ecosystem.padEnd(w)}  ${String(e.packages).padStart(8)}  ${String(e.entries).padStart(7)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function importCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('import')
    .description(
      'Import advisory feeds: OSV zips, directories or records, Alpine secdb, Debian security tracker JSON',
    )
    .argument('<path...>', 'feed files or directories')
    .option('--db <path>', DB_HELP)
    .option('--json', 'print the import reports as JSON')
    .option('-q, --quiet', 'no warnings about malformed records')
    .addHelpText(
      'after',
      `
Recognised feeds (each imported in one transaction: all of it or nothing):
  OSV zip             an ecosystem's all.zip from OSV (e.g. Go/all.zip), or any zip of OSV records
  OSV directory       every *.json OSV record below it
  OSV record          one OSV JSON file
  Alpine secdb        secdb.alpinelinux.org/<release>/<repo>.json
  Debian tracker      security-tracker.debian.org/tracker/data/json (plain or gzip)
Records are replaced only by newer ones ("modified"); malformed records are skipped and counted.

Examples:
  mamori db import ~/Downloads/Go/all.zip ~/Downloads/PyPI/all.zip
  mamori db import --db ./vuln.db alpine-secdb/v3.19/main.json debian-tracker.json
  mamori db import ./advisory-database/advisories`,
    )
    .action(async (paths: string[], o: CommonOptions) => {
      const reports: ImportReport[] = [];
      await withDb(o, false, async (db) => {
        for (const p of paths) {
          const r = await importFeed(db, p);
          reports.push(r);
          if (!o.json) io.stdout.write(`${summary(r)}\n`);
          if (!o.quiet) warnInvalid(r, io);
        }
      });
      if (o.json) io.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
      setExit(EXIT_OK);
    });
}

function updateLine(r: UpdateResult): string {
  switch (r.status) {
    case 'not-modified':
      return `${r.ecosystem}: up to date`;
    case 'updated': {
      const resumed = r.resumedFrom > 0 ? `, resumed at ${mib(r.resumedFrom)}` : '';
      return `${r.ecosystem}: downloaded ${mib(r.bytes)}${resumed}; ${summary(r.report)}`;
    }
    case 'failed':
      return `${r.ecosystem}: ${r.error}`;
  }
}

function updateCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('update')
    .description("Download OSV's per-ecosystem feeds (only those that changed) and import them")
    .option('--db <path>', DB_HELP)
    .option(
      '--mirror <url>',
      `base URL of the OSV bucket or a mirror of it, serving <url>/<Ecosystem>/all.zip (default: $MAMORI_DB_MIRROR, else ${DEFAULT_MIRROR})`,
    )
    .option('--ecosystems <list>', `ecosystems to fetch (default: ${DEFAULT_ECOSYSTEMS.join(',')})`, list)
    .option('--ca-file <pem>', "extra CA certificates to trust for the mirror's TLS certificate")
    .option('--timeout <seconds>', 'give up on a server silent for this long (default: 30)', positiveNumber)
    .option('--json', 'print the results as JSON')
    .option('-q, --quiet', 'no warnings about malformed records')
    .addHelpText(
      'after',
      `
Each feed is fetched only when it changed since the last import (ETag /
If-Modified-Since); an interrupted download resumes where it stopped. Each
feed is imported in one transaction, so a failure leaves the previous data.
Without network access, point --mirror at a local copy of the bucket, or
download the zips elsewhere and use "mamori db import".

Examples:
  mamori db update
  mamori db update --ecosystems Debian,Go,PyPI
  mamori db update --mirror https://mirror.internal/osv --ca-file /etc/ssl/internal-ca.pem`,
    )
    .action(
      async (
        o: CommonOptions & { mirror?: string; ecosystems?: string[]; caFile?: string; timeout?: number },
      ) => {
        const ca = o.caFile
          ? await readFile(o.caFile).catch((e: unknown) => {
              throw new MamoriError('INVALID_ARGUMENT', `--ca-file ${o.caFile}: ${(e as Error).message}`);
            })
          : undefined;
        const mirror = o.mirror ?? (process.env.MAMORI_DB_MIRROR || undefined);
        const results = await withDb(o, false, (db) =>
          updateFeeds(db, {
            ...(mirror ? { mirror } : {}),
            ...(o.ecosystems ? { ecosystems: o.ecosystems } : {}),
            ...(ca ? { ca } : {}),
            ...(o.timeout ? { timeoutMs: o.timeout * 1000 } : {}),
            onEvent: (e) => {
              if (e.type !== 'done' || o.json || e.result.status === 'failed') return;
              io.stdout.write(`${updateLine(e.result)}\n`);
              if (!o.quiet && e.result.status === 'updated') warnInvalid(e.result.report, io);
            },
          }),
        );
        if (o.json) io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
        const failed = results.filter((r) => r.status === 'failed');
        for (const f of failed.slice(1)) io.stderr.write(`mamori: error: ${f.ecosystem}: ${f.error}\n`);
        const first = failed[0];
        if (first) throw new MamoriError('NETWORK', `${first.ecosystem}: ${first.error}`);
        setExit(EXIT_OK);
      },
    );
}

function statusCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('status')
    .description('Show the sources, counts and age of the vulnerability database')
    .option('--db <path>', DB_HELP)
    .option('--max-age <days>', 'warn when the last update is older than this (default: 7)', positiveNumber)
    .option('--json', 'print the status as JSON')
    .addHelpText(
      'after',
      `
Examples:
  mamori db status
  mamori db status --db ./vuln.db --json
  mamori db status --max-age 1`,
    )
    .action(async (o: CommonOptions & { maxAge?: number }) => {
      const s = await withDb(o, true, (db) => Promise.resolve(db.status()));
      const now = Date.now();
      const age = s.updatedAt ? now - Date.parse(s.updatedAt) : undefined;
      const stale = age === undefined || age > (o.maxAge ?? 7) * DAY;
      if (o.json) io.stdout.write(`${JSON.stringify({ ...s, stale }, null, 2)}\n`);
      else io.stdout.write(renderStatus(s, now));
      if (stale) {
        io.stderr.write(
          age === undefined
            ? 'mamori: warning: the vulnerability database is empty; run "mamori db update" or "mamori db import"\n'
            : `mamori: warning: the vulnerability database was last updated ${ago(age)}; run "mamori db update"\n`,
        );
      }
      setExit(EXIT_OK);
    });
}

/** `mamori db import|update|status`: the local vulnerability database. */
export function dbCommand(io: CliIo, setExit: (code: number) => void): Command {
  const cmd = new Command('db').description(
    'Manage the local vulnerability database (import, update, status)',
  );
  const output = { writeOut: (s: string) => io.stdout.write(s), writeErr: (s: string) => io.stderr.write(s) };
  for (const sub of [importCommand(io, setExit), updateCommand(io, setExit), statusCommand(io, setExit)]) {
    sub.exitOverride().configureOutput(output).showHelpAfterError('(run with --help for usage)');
    cmd.addCommand(sub);
  }
  cmd.addHelpText(
    'after',
    `
The database is one SQLite file per scanner node (like Grype's and Trivy's),
read by scans and written only by these commands.

Examples:
  mamori db update
  mamori db import Go/all.zip alpine/v3.19/main.json
  mamori db status`,
  );
  return cmd;
}
