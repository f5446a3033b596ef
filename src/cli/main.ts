import { Command, CommanderError } from 'commander';
import { mamoriVersion } from '../report/index.js';
import { EXIT_ERROR, reportError } from './errors.js';
import { dbCommand } from './db.js';
import { lintCommand } from './lint.js';
import { scanCommand } from './scan.js';
import { type CliIo, sbomCommand } from './sbom.js';

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(
  argv: readonly string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let exit = 0;
  const output = { writeOut: (s: string) => io.stdout.write(s), writeErr: (s: string) => io.stderr.write(s) };
  const program = new Command('mamori')
    .description('mamori: container security for the whole lifecycle (Build → Ship → Run)')
    .version(mamoriVersion(), '-v, --version');
  const setExit = (c: number) => (exit = c);
  program.addCommand(sbomCommand(io, setExit));
  program.addCommand(scanCommand(io, setExit));
  program.addCommand(dbCommand(io, setExit));
  program.addCommand(lintCommand(io, setExit, io.stdin ?? process.stdin));
  program.addCommand((await import('./server.js')).serverCommand(io, setExit));
  program.addCommand((await import('./policy.js')).policyCommand(io, setExit, io.stdin ?? process.stdin));
  program.addCommand((await import('./admission.js')).admissionCommand(io, setExit));
  program.addCommand((await import('./sensor.js')).sensorCommand(io, setExit));
  program.addCommand((await import('./sensor.js')).eventsCommand(io, setExit));
  program.addCommand((await import('./sensor.js')).profileCommand(io, setExit));
  const admin = await import('./admin.js');
  program.addCommand(admin.projectCommand(io, setExit));
  program.addCommand(admin.userCommand(io, setExit));
  program.addCommand(admin.robotCommand(io, setExit));
  const configure = (c: Command): void => {
    c.exitOverride().configureOutput(output).showHelpAfterError('(run with --help for usage)');
    c.commands.forEach(configure);
  };
  configure(program);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_ERROR;
    return reportError(e, io.stderr);
  }
}
