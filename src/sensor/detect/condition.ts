/**
 * Compiling a validated condition into a predicate, once, when the detector
 * is created: globs become automata, CIDR blocks a BlockList, lists sets.
 * A field the event does not have (a path on an exec, an unknown parent)
 * does not match.
 */
import { BlockList, isIP } from 'node:net';
import { compileGlobs, type StringMatcher } from './glob.js';
import type { Condition } from './model.js';
import type { DetectableEvent, Invocation, MatchContext, Predicate } from './types.js';

/** `exe`/`parent` patterns: with a `/` against the path, without against every name the program runs as. */
function programMatcher(
  patterns: readonly string[],
): (path: string | undefined, invs: readonly Invocation[]) => boolean {
  const paths = patterns.filter((p) => p.includes('/'));
  const names = patterns.filter((p) => !p.includes('/'));
  const byPath = paths.length ? compileGlobs(paths, 'path') : undefined;
  const byName = names.length ? compileGlobs(names, 'text') : undefined;
  return (path, invs) =>
    (byPath !== undefined && path !== undefined && byPath(path)) ||
    (byName !== undefined && invs.some((i) => byName(i.name)));
}

function addressMatcher(blocks: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const b of blocks) {
    const [ip = '', prefix] = b.split('/');
    const type = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(ip, prefix === undefined ? (type === 'ipv6' ? 128 : 32) : Number(prefix), type);
  }
  return (address) => {
    const fam = isIP(address);
    if (fam === 0) return false;
    const mapped = fam === 6 ? /^::ffff:([0-9.]+)$/i.exec(address)?.[1] : undefined;
    return mapped !== undefined
      ? list.check(mapped, 'ipv4')
      : list.check(address, fam === 6 ? 'ipv6' : 'ipv4');
  };
}

const inet = (e: DetectableEvent): boolean =>
  (e.kind === 'connect' || e.kind === 'accept') && e.family !== 'unix';

export function compileCondition(c: Condition): Predicate {
  const parts: Predicate[] = [];
  const add = (p: Predicate): void => {
    parts.push(p);
  };
  if (c.all) {
    const ps = c.all.map(compileCondition);
    add((e, x) => ps.every((p) => p(e, x)));
  }
  if (c.any) {
    const ps = c.any.map(compileCondition);
    add((e, x) => ps.some((p) => p(e, x)));
  }
  if (c.not) {
    const p = compileCondition(c.not);
    add((e, x) => !p(e, x));
  }
  if (c.exe) {
    const m = programMatcher(c.exe);
    add((_e, x) => m(x.self()?.exe, x.invocations()));
  }
  if (c.parent) {
    const m = programMatcher(c.parent);
    add((_e, x) => m(x.parent()?.exe, x.parentInvocations()));
  }
  if (c.comm) {
    const m = compileGlobs(c.comm, 'text');
    add((e) => m(e.comm));
  }
  if (c.argv) {
    const contains = c.argv.contains;
    const glob: StringMatcher | undefined = c.argv.glob ? compileGlobs(c.argv.glob, 'text') : undefined;
    add((_e, x) => {
      const argv = x.self()?.argv;
      if (argv === undefined) return false;
      if (contains) {
        const line = argv.join(' ');
        if (!contains.some((s) => line.includes(s))) return false;
      }
      return glob === undefined || argv.some(glob);
    });
  }
  if (c.uid) {
    const uids = new Set(c.uid);
    add((e) => uids.has(e.uid));
  }
  if (c.image) {
    const m = compileGlobs(c.image, 'path');
    add((_e, x) => x.container?.image !== undefined && m(x.container.image));
  }
  if (c.namespace) {
    const m = compileGlobs(c.namespace, 'text');
    add((_e, x) => x.container?.pod !== undefined && m(x.container.pod.namespace));
  }
  if (c.path) {
    const m = compileGlobs(c.path, 'path');
    add((_e, x) => {
      const p = x.path();
      return p !== undefined && m(p);
    });
  }
  if (c.write !== undefined) {
    const want = c.write;
    add((e) => e.kind === 'open' && e.write === want);
  }
  if (c.address) {
    const m = addressMatcher(c.address);
    add((e) => inet(e) && 'address' in e && m(e.address));
  }
  if (c.port) {
    const ranges = c.port;
    add((e) => {
      if (e.kind !== 'connect' && e.kind !== 'accept') return false;
      const port = e.kind === 'accept' ? (e.localPort ?? e.port) : e.port;
      return ranges.some((r) => port >= r.from && port <= r.to);
    });
  }
  if (c.syscall) {
    const names = new Set(c.syscall);
    add((e) => e.kind === 'syscall' && names.has(e.syscall));
  }
  if (parts.length === 1 && parts[0]) return parts[0];
  return (e: DetectableEvent, x: MatchContext) => parts.every((p) => p(e, x));
}
