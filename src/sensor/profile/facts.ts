/**
 * What one event says about a workload's behaviour, already generalised:
 * the unit both learning (add when new) and monitoring (alert when absent) use.
 * An open for writing is a write path; any other open is a sensitive read
 * (the sensor reports reads only for its sensitive paths).
 */
import type { ContainerEvent } from '../model/index.js';
import { generaliseAddress, generalisePath, type NetworkPolicy } from './generalise.js';
import type { Dimension } from './types.js';

export interface Fact {
  readonly dimension: Dimension;
  /** The value stored in the profile (path pattern, `proto address port`, syscall name …). */
  readonly key: string;
  /** For executables: the content hash, when known. */
  readonly sha256?: string;
  /** What was actually observed, for alert evidence. */
  readonly evidence: Readonly<Record<string, string | number>>;
}

const PROTOCOLS = new Set(['tcp', 'udp', 'unix', 'other']);
const SYSCALL = /^[a-z0-9_]{1,40}$/;
const SHA256 = /^sha256:[0-9a-f]{64}$/;
const MAX_SYSCALLS_PER_EVENT = 1024;

function protocolOf(p: unknown): string {
  return typeof p === 'string' && PROTOCOLS.has(p) ? p : 'other';
}

function isPort(p: unknown): p is number {
  return typeof p === 'number' && Number.isInteger(p) && p >= 0 && p <= 65535;
}

/** Key of an outbound peer in the `connects` dimension. */
export function peerKey(protocol: string, address: string, port: number): string {
  return JSON.stringify([protocol, address, port]);
}

/** Key of a local port in the `listens` dimension. */
export function listenKey(protocol: string, port: number): string {
  return JSON.stringify([protocol, port]);
}

/** Facts of one event; an event with unusable fields yields none. */
export function factsOf(event: ContainerEvent, policy: NetworkPolicy): Fact[] {
  switch (event.kind) {
    case 'exec': {
      const path = generalisePath(event.exe);
      if (path === undefined) return [];
      const sha = typeof event.sha256 === 'string' && SHA256.test(event.sha256) ? event.sha256 : undefined;
      const argv = Array.isArray(event.argv) ? event.argv.slice(0, 32).map(String) : [];
      const evidence = { exe: event.exe, argv: argv.join(' ').slice(0, 1024) };
      return [{ dimension: 'executables', key: path, evidence, ...(sha ? { sha256: sha } : {}) }];
    }
    case 'connect': {
      const address = generaliseAddress(event.family, event.address, policy);
      if (address === undefined || !isPort(event.port)) return [];
      const protocol = protocolOf(event.protocol);
      return [
        {
          dimension: 'connects',
          key: peerKey(protocol, address, event.port),
          evidence: { protocol, address: event.address, port: event.port, generalised: address },
        },
      ];
    }
    case 'accept': {
      if (!isPort(event.localPort)) return [];
      const protocol = protocolOf(event.protocol);
      return [
        {
          dimension: 'listens',
          key: listenKey(protocol, event.localPort),
          evidence: { protocol, localPort: event.localPort, peer: String(event.address).slice(0, 256) },
        },
      ];
    }
    case 'open': {
      const pattern = generalisePath(event.path);
      if (pattern === undefined) return [];
      const evidence = { path: event.path, pattern };
      return [{ dimension: event.write === true ? 'writes' : 'reads', key: pattern, evidence }];
    }
    case 'syscall':
      return SYSCALL.test(event.syscall)
        ? [{ dimension: 'syscalls', key: event.syscall, evidence: { syscall: event.syscall } }]
        : [];
    case 'syscalls':
      return (Array.isArray(event.syscalls) ? event.syscalls : [])
        .slice(0, MAX_SYSCALLS_PER_EVENT)
        .filter((s): s is string => typeof s === 'string' && SYSCALL.test(s))
        .map((s) => ({ dimension: 'syscalls' as const, key: s, evidence: { syscall: s } }));
    default:
      return [];
  }
}
