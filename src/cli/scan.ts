import { Command, Option } from 'commander';
import { SEVERITIES } from '../core/index.js';
import {
  renderFindingsCycloneDx,
  renderFindingsJson,
  renderFindingsSarif,
  renderFindingsTable,
  type FindingsReport,
} from '../report/index.js';
import {
  SCANNERS,
  findIgnoreFile,
  gateViolations,
  parseScanners,
  parseSeverity,
  scan,
  type ScanResult,
} from '../scan/index.js';
import { EXIT_FINDINGS, EXIT_OK } from './errors.js';
import {
  type CliIo,
  type ImageCommandOptions,
  addImageOptions,
  inventoryOptionsFromCli,
  withProgress,
  writeOutput,
} from './sbom.js';

const FORMATS = ['table', 'json', 'sarif', 'cyclonedx'] as const;

interface ScanCliOptions extends ImageCommandOptions {
  readonly format: (typeof FORMATS)[number];
  readonly ignoreFile?: string | false;
  readonly vex?: string[];
  readonly output?: string;
  readonly db?: string;
  readonly severity?: string;
  readonly ignoreUnfixed?: boolean;
  readonly failOn?: string;
  readonly scanners: string;
  readonly secretConfig?: string;
}

export function scanCommand(io: CliIo, setExit: (code: number) => void): Command {
  const cmd = new Command('scan')
    .description(
      'Find known vulnerabilities, secrets and misconfigurations in an image, root filesystem or SBOM; fail a pipeline on policy',
    )
    .argument('<image>', 'any image reference mamori sbom accepts')
    .addOption(
      new Option(
        '-f, --format <format>',
        'output format: table, json (mamori), sarif (SARIF 2.1.0), cyclonedx (CycloneDX 1.6 with vulnerabilities)',
      )
        .choices(FORMATS)
        .default('table'),
    )
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option(
      '--scanners <list>',
      `what to look for, comma-separated: ${SCANNERS.join(', ')} (an SBOM file gets vuln only)`,
      SCANNERS.join(','),
    )
    .option(
      '--secret-config <file>',
      'secret allow-list: rules switched off, paths not scanned, accepted findings with reasons',
    )
    .option('--db <path>', 'vulnerability database (default: $MAMORI_DB or ~/.local/share/mamori/vuln.db)')
    .option('--severity <list>', `report only these severities (${SEVERITIES.join(',')})`)
    .option('--ignore-unfixed', 'leave out vulnerabilities with no fixed version')
    .option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity')
    .option(
      '--ignore-file <path>',
      'suppress the findings this file names, with its reasons (default: ./.mamoriignore.yaml if present)',
    )
    .option('--no-ignore-file', 'do not read ./.mamoriignore.yaml')
    .option(
      '--vex <file>',
      'OpenVEX document: findings it states not_affected or fixed are suppressed (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    );
  addImageOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Exit codes: 0 no finding fails the gate, 1 the --fail-on gate failed, 2 an error.

Scanners (--scanners, default all three, one pass over the layers):
  vuln       packages matched against the vulnerability database, which comes
             from \`mamori db import\` or \`mamori db update\`. Distro packages
             are matched by source package against their distro's advisories;
             language packages owned by an OS package are judged by the distro
             too, the others by their language feed (Go, PyPI, npm, …).
  secret     private keys, cloud keys, tokens and credential files in every
             layer — files a later layer deleted included, marked (deleted) —
             and in the image config (Env, Labels, history). Matches are shown
             redacted; the secret itself is never printed or stored.
  misconfig  the image config (root user, HEALTHCHECK, EXPOSE 22, entrypoint),
             build history, setuid/setgid and world-writable files, unknown
             owners, empty passwords, and the attack surface with a
             minimality score.

Examples:
  mamori scan oci:./layout:latest
  mamori scan --scanners secret,misconfig --fail-on HIGH ./rootfs
  mamori scan --fail-on HIGH --ignore-unfixed registry.example.com/app:1.4
  mamori scan docker-archive:app.tar -f json -o findings.json`,
  );
  cmd.action(async (ref: string, o: ScanCliOptions) => {
    const scanners = parseScanners(o.scanners);
    const severities = o.severity?.split(',').map(parseSeverity);
    const failOn = o.failOn !== undefined ? parseSeverity(o.failOn) : undefined;
    const ignoreFile =
      typeof o.ignoreFile === 'string'
        ? o.ignoreFile
        : o.ignoreFile === false
          ? undefined
          : await findIgnoreFile(process.cwd());
    const result = await withProgress(io, o.quiet, (p) =>
      scan(ref, {
        ...inventoryOptionsFromCli(o, p),
        scanners,
        ...(o.secretConfig !== undefined ? { secretAllowList: o.secretConfig } : {}),
        ...(o.db ? { db: o.db } : {}),
        ...(severities ? { severities } : {}),
        ...(o.ignoreUnfixed ? { ignoreUnfixed: true } : {}),
        ...(ignoreFile ? { ignoreFile } : {}),
        ...(o.vex?.length ? { vex: o.vex } : {}),
      }),
    );
    if (!o.quiet) {
      for (const w of [...result.inventory.warnings, ...result.warnings])
        io.stderr.write(`mamori: warning: ${w}\n`);
      for (const n of result.notes) io.stderr.write(`mamori: note: ${n}\n`);
    }
    await writeOutput(render(ref, result, o.format, !o.output && io.stdout.isTTY === true), o.output, io);
    if (failOn) {
      const bad = [
        ...gateViolations(result.findings, failOn),
        ...gateViolations(result.ruleFindings, failOn),
      ];
      if (bad.length > 0) {
        io.stderr.write(`mamori: gate failed: ${bad.length} finding(s) at or above ${failOn}\n`);
        setExit(EXIT_FINDINGS);
        return;
      }
    }
    setExit(EXIT_OK);
  });
  return cmd;
}

function render(ref: string, result: ScanResult, format: ScanCliOptions['format'], color: boolean): string {
  const report: FindingsReport = {
    target: ref,
    findings: result.findings,
    suppressed: result.suppressed,
    ruleFindings: result.ruleFindings,
    suppressedRules: result.suppressedRules,
  };
  switch (format) {
    case 'json':
      return renderFindingsJson({
        ...report,
        extra: {
          distro: result.inventory.distro ?? null,
          packages: result.inventory.packages.length,
          scanners: result.scanners,
          ...(result.surface ? { attackSurface: result.surface } : {}),
          annotations: result.annotations,
          warnings: result.warnings,
          notes: result.notes,
        },
      });
    case 'sarif':
      return renderFindingsSarif({ ...report, inventory: result.inventory });
    case 'cyclonedx':
      return renderFindingsCycloneDx({ ...report, inventory: result.inventory });
    case 'table':
      return renderFindingsTable(report, { color, ...(result.surface ? { surface: result.surface } : {}) });
  }
}
