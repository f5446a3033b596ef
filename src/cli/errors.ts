import { MamoriError, errorMessage } from '../core/index.js';

/** Exit codes: 0 success, 1 a policy gate failed (findings), 2 an error (bad input, unreachable image, …). */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

/** Prints an error the way a person wants to read it: one line, no stack unless MAMORI_DEBUG is set. */
export function reportError(e: unknown, err: NodeJS.WritableStream = process.stderr): number {
  const debug = !!process.env.MAMORI_DEBUG;
  if (e instanceof MamoriError) {
    err.write(`mamori: error: ${e.message}${debug ? `\n${e.stack ?? ''}` : ''}\n`);
    let cause = e.cause;
    for (let depth = 0; cause && depth < 3; depth++) {
      if (debug || !(cause instanceof Error) || cause.message !== e.message) {
        err.write(`  caused by: ${errorMessage(cause)}\n`);
      }
      cause = cause instanceof Error ? cause.cause : undefined;
    }
    return EXIT_ERROR;
  }
  err.write(`mamori: internal error: ${errorMessage(e)}\n`);
  if (debug || !(e instanceof Error)) err.write(`${e instanceof Error ? e.stack : ''}\n`);
  else err.write('  (set MAMORI_DEBUG=1 for details; please report this)\n');
  return EXIT_ERROR;
}
