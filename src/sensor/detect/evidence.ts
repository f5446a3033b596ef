/** The evidence an alert carries about the event that raised it (strings bounded). */
import type { DetectableEvent, Evidence } from './types.js';

/** Longest string put into evidence (argv of hostile processes can be long). */
export const MAX_EVIDENCE_STRING = 1024;
const MAX_ARGS = 32;

export function clip(s: string): string {
  return s.length > MAX_EVIDENCE_STRING ? `${s.slice(0, MAX_EVIDENCE_STRING)}…` : s;
}

/** The command line, arguments joined by spaces (bounded). */
export function commandLine(argv: readonly string[]): string {
  return clip(argv.slice(0, MAX_ARGS).join(' '));
}

/** What an alert shows of the event, whichever rule fired. */
export function eventEvidence(event: DetectableEvent): Evidence {
  switch (event.kind) {
    case 'exec': {
      const e: Evidence = { exe: clip(event.exe), argv: commandLine(event.argv) };
      if (event.argvTruncated) e.argvTruncated = true;
      if (event.sha256 !== undefined) e.sha256 = clip(event.sha256);
      if (event.stdin !== undefined) e.stdin = event.stdin;
      if (event.stdout !== undefined) e.stdout = event.stdout;
      return e;
    }
    case 'open':
      return { path: clip(event.path), flags: event.flags, write: event.write };
    case 'connect':
    case 'accept': {
      const e: Evidence = {
        direction: event.kind,
        protocol: event.protocol,
        family: event.family,
        address: clip(event.address),
        port: event.port,
      };
      if (event.localPort !== undefined) e.localPort = event.localPort;
      return e;
    }
    case 'syscall': {
      const e: Evidence = { syscall: event.syscall };
      let n = 0;
      for (const [k, v] of Object.entries(event.args)) {
        if (n++ >= MAX_ARGS) break;
        e[`arg.${clip(k)}`] = typeof v === 'string' ? clip(v) : v;
      }
      return e;
    }
  }
}
