import { Command, CommanderError } from 'commander';
import { mamoriVersion } from '../report/index.js';
import { EXIT_ERROR, reportError } from './errors.js';
import { sbomCommand } from './sbom.js';

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[], io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let exit = 0;
  const program = new Command('mamori')
    .description('mamori: container security for the whole lifecycle (Build → Ship → Run)')
    .version(mamoriVersion(), '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  program.addCommand(sbomCommand(io, (c) => (exit = c)));
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_ERROR;
    return reportError(e, io.stderr);
  }
}

