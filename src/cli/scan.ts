import { Command, Option } from 'commander';
import { SEVERITIES } from '../core/index.js';
import { renderFindingsJson, renderFindingsTable } from '../report/index.js';
import { gateViolations, parseSeverity, scan } from '../scan/index.js';
import { EXIT_FINDINGS, EXIT_OK } from './errors.js';
import {
  type CliIo,
  type ImageCommandOptions,
  addImageOptions,
  inventoryOptionsFromCli,
  withProgress,
  writeOutput,
} from './sbom.js';

interface ScanCliOptions extends ImageCommandOptions {
  readonly format: 'table' | 'json';
  readonly output?: string;
  readonly db?: string;
  readonly severity?: string;
  readonly ignoreUnfixed?: boolean;
  readonly failOn?: string;
}

export function scanCommand(io: CliIo, setExit: (code: number) => void): Command {
  const cmd = new Command('scan')
    .description('Find known vulnerabilities in an image or root filesystem; fail a pipeline on policy')
    .argument('<image>', 'any image reference mamori sbom accepts')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--db <path>', 'vulnerability database (default: $MAMORI_DB or ~/.local/share/mamori/vuln.db)')
    .option('--severity <list>', `report only these severities (${SEVERITIES.join(',')})`)
    .option('--ignore-unfixed', 'leave out vulnerabilities with no fixed version')
    .option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity');
  addImageOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Exit codes: 0 no finding fails the gate, 1 the --fail-on gate failed, 2 an error.

The database comes from \`mamori db import\` or \`mamori db update\`. Distro
packages are matched by source package against their distro's advisories;
language packages owned by an OS package are judged by the distro too, the
others by their language feed (Go, PyPI, npm, …).

Examples:
  mamori scan oci:./layout:latest
  mamori scan --fail-on HIGH --ignore-unfixed registry.example.com/app:1.4
  mamori scan docker-archive:app.tar -f json -o findings.json`,
  );
  cmd.action(async (ref: string, o: ScanCliOptions) => {
    const severities = o.severity?.split(',').map(parseSeverity);
    const failOn = o.failOn !== undefined ? parseSeverity(o.failOn) : undefined;
    const result = await withProgress(io, o.quiet, (p) =>
      scan(ref, {
        ...inventoryOptionsFromCli(o, p),
        ...(o.db ? { db: o.db } : {}),
        ...(severities ? { severities } : {}),
        ...(o.ignoreUnfixed ? { ignoreUnfixed: true } : {}),
      }),
    );
    for (const w of result.inventory.warnings) if (!o.quiet) io.stderr.write(`mamori: warning: ${w}\n`);
    const report = { target: ref, findings: result.findings };
    const text =
      o.format === 'json'
        ? renderFindingsJson({
            ...report,
            extra: { distro: result.inventory.distro ?? null, packages: result.inventory.packages.length },
          })
        : renderFindingsTable(report, { color: !o.output && io.stdout.isTTY === true });
    await writeOutput(text, o.output, io);
    if (failOn) {
      const bad = gateViolations(result.findings, failOn);
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
