import { Command, Option } from 'commander';
import { SEVERITIES, type RuleFinding } from '../core/index.js';
import { createSecretScanner, loadAllowList } from '../secret/index.js';
import {
  lintDockerfile,
  lintDockerfileFile,
  MAX_DOCKERFILE_BYTES,
  type LintResult,
} from '../dockerfile/index.js';
import { renderFindingsJson, renderFindingsSarif, renderFindingsTable } from '../report/index.js';
import { gateViolations, parseSeverity } from '../scan/index.js';
import { EXIT_FINDINGS, EXIT_OK } from './errors.js';
import { type CliIo, writeOutput } from './sbom.js';
import { readStdin } from './stdin.js';

interface LintCliOptions {
  readonly format: 'table' | 'json' | 'sarif';
  readonly output?: string;
  readonly failOn?: string;
  readonly secretConfig?: string;
}

export function lintCommand(
  io: CliIo,
  setExit: (code: number) => void,
  stdin: NodeJS.ReadableStream,
): Command {
  const lint = new Command('lint').description('Check build inputs for misconfigurations');
  const dockerfile = new Command('dockerfile')
    .description('Check Dockerfiles: user, base image, package installs, secrets, shell form and more')
    .argument('<file...>', 'Dockerfiles to check; - reads standard input')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['table', 'json', 'sarif'])
        .default('table'),
    )
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option(
      '--secret-config <file>',
      'secret allow-list (as for mamori scan): rules switched off, values and findings accepted with reasons',
    )
    .option(
      '--fail-on <severity>',
      `exit 1 when a finding is at or above this severity (${SEVERITIES.join(', ')})`,
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 no finding fails the gate, 1 the --fail-on gate failed, 2 an error.

Suppress a finding with a comment on the line before the instruction:
  # mamori-ignore: MD001 the base image sets a non-root user
(hadolint's "# hadolint ignore=DL3008" is honoured for the rules it maps to.)

Examples:
  mamori lint dockerfile Dockerfile
  mamori lint dockerfile --fail-on HIGH -f sarif -o dockerfile.sarif Dockerfile
  cat Dockerfile | mamori lint dockerfile -`,
    );
  dockerfile.action(async (files: string[], o: LintCliOptions) => {
    const failOn = o.failOn !== undefined ? parseSeverity(o.failOn) : undefined;
    // One secret scanner (its rules compiled once) for every file.
    const allow = o.secretConfig !== undefined ? await loadAllowList(o.secretConfig) : undefined;
    const secrets = createSecretScanner(allow ? { allow } : {});
    const findings: RuleFinding[] = [];
    const suppressed: LintResult['suppressed'][number][] = [];
    for (const f of files) {
      const r =
        f === '-'
          ? lintDockerfile(await readStdin(stdin, MAX_DOCKERFILE_BYTES), { path: '<stdin>', secrets })
          : await lintDockerfileFile(f, { path: f, secrets });
      findings.push(...r.findings);
      suppressed.push(...r.suppressed);
    }
    const target = files.join(', ');
    // Inline `# mamori-ignore:` comments suppress; the findings are kept, marked, in every format.
    const suppressedRules = suppressed.map((s) => ({
      ...s,
      source: `inline:${s.finding.location.path}:${s.finding.location.startLine ?? 0}`,
    }));
    const report = { target, findings: [], ruleFindings: findings, suppressedRules };
    const text =
      o.format === 'json'
        ? renderFindingsJson(report)
        : o.format === 'sarif'
          ? renderFindingsSarif(report)
          : renderFindingsTable(report, { color: !o.output && io.stdout.isTTY === true, rulesOnly: true });
    await writeOutput(text, o.output, io);
    if (failOn) {
      const bad = gateViolations(findings, failOn);
      if (bad.length > 0) {
        io.stderr.write(`mamori: gate failed: ${bad.length} finding(s) at or above ${failOn}\n`);
        setExit(EXIT_FINDINGS);
        return;
      }
    }
    setExit(EXIT_OK);
  });
  lint.addCommand(dockerfile);
  return lint;
}
